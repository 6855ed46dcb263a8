"""The entry record: one validated file of ``data/`` with its report sections.

Analysis modules read entries through this record; the knowledge base
(``kb.model.knowledge``) holds the list and the indexes built from it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cached_property

from kb.analysis.sections import Section
from kb.schema.models import PERIODS, TYPE_DIRS, DocumentBase, EntryBase
from kb.source.loader import SourceDoc

PERIOD_ORDER = {p: i for i, p in enumerate(("专项", "上半年", "下半年", "年度"))}
# A report is listed under an area when sections about it hold at least this share of its
# classified text (besides the area holding the largest share).
REPORT_AREA_SHARE = 0.1
assert set(PERIOD_ORDER) == set(PERIODS)


@dataclass
class Entry:
    meta: EntryBase
    doc: SourceDoc
    sections: list[Section] = field(default_factory=list)
    # What tells this entry apart from others of the same title (see name_versions); "" when unique.
    version_label: str = field(default="", compare=False)

    @property
    def label(self) -> str:
        """The title as shown beside other entries: 宗教事务条例（2017年修订） when
        another entry has the same title, else just the title."""
        return f"{self.title}（{self.version_label}）" if self.version_label else self.title

    # What follows from ``meta`` alone is computed once (an entry's meta is fixed when it is
    # loaded): these are read hundreds of thousands of times per build at 10,000 entries.
    @cached_property
    def id(self) -> str:
        return self.meta.id

    @cached_property
    def type(self) -> str:
        return self.meta.type  # type: ignore[attr-defined]

    @cached_property
    def title(self) -> str:
        return self.meta.title

    @cached_property
    def src_uri(self) -> str:
        """Path of the generated page, relative to the docs root."""
        return f"{TYPE_DIRS[self.type]}/{self.id}.md"

    @cached_property
    def url(self) -> str:
        """Directory URL relative to the site root."""
        return f"{TYPE_DIRS[self.type]}/{self.id}/"

    @cached_property
    def year(self) -> int:
        if isinstance(self.meta, DocumentBase):
            return self.meta.promulgated.year
        return self.meta.year  # type: ignore[attr-defined]

    @cached_property
    def date(self) -> dt.date | None:
        if isinstance(self.meta, DocumentBase):
            return self.meta.promulgated
        return None

    @cached_property
    def sort_key(self) -> tuple:
        """Newest first when sorted ascending; ties broken by id."""
        if isinstance(self.meta, DocumentBase):
            d = self.meta.promulgated
            return (-d.year, -d.toordinal(), self.id)
        period = getattr(self.meta, "period", "年度")
        return (-self.year, -PERIOD_ORDER.get(period, 0), self.id)

    def area_shares(self) -> dict[str, float]:
        """A report's areas with the share of its classified text (by characters) in
        sections about each area; a section about several areas counts for each."""
        secs = [s for s in self.classified_sections if s.areas]
        total = sum(max(1, len(s.text)) for s in secs)
        shares: dict[str, float] = {}
        for s in secs:
            for slug in s.areas:
                shares[slug] = shares.get(slug, 0.0) + max(1, len(s.text)) / total
        return shares

    @cached_property
    def listed_areas(self) -> list[str]:
        """The areas whose pages list this entry (computed once: an entry's sections are
        fixed when it is loaded, and the live preview reuses unchanged entries). A report: those of its ``areas`` that
        its sections hold a substantial share of (``REPORT_AREA_SHARE``, and always the
        largest), not every area some paragraph touches; without classified sections,
        its ``areas``. Other entries: their ``areas``."""
        if self.type != "report":
            return list(self.meta.areas)
        shares = self.area_shares()
        declared = [a for a in self.meta.areas if a in shares]
        if not declared:
            return list(self.meta.areas)
        top = max(declared, key=lambda a: shares[a])
        return [a for a in self.meta.areas if a == top or shares.get(a, 0.0) >= REPORT_AREA_SHARE]

    @cached_property
    def classified_sections(self) -> list[Section]:
        """Sections with their own text: the ones shown on area pages (computed once, see ``listed_areas``)."""
        return [s for s in self.sections if s.has_text]

    @cached_property
    def area_sections(self) -> tuple[tuple[str, tuple["Entry", Section]], ...]:
        """``(area, (entry, section))`` for each classified section and each of its areas, in order
        (computed once, see ``listed_areas``: a rebuild's area listings hold the very same pairs)."""
        return tuple((slug, (self, s)) for s in self.classified_sections for slug in s.areas)


def name_versions(entries: list[Entry]) -> None:
    """Give entries that share a title a distinguishing ``version_label``: the year
    (a revision: “2017年修订”, it supersedes another), else the 文号, else the id."""
    by_title: dict[str, list[Entry]] = {}
    for e in entries:
        e.version_label = ""
        by_title.setdefault(e.title.strip(), []).append(e)
    for group in by_title.values():
        if len(group) < 2:
            continue
        years: dict[int, int] = {}
        for e in group:
            years[e.year] = years.get(e.year, 0) + 1
        for e in group:
            if years[e.year] == 1:
                revised = getattr(e.meta, "supersedes", None)
                e.version_label = f"{e.year}年修订" if revised else f"{e.year}年"
            else:
                period = getattr(e.meta, "period", None)
                e.version_label = (getattr(e.meta, "doc_number", None)
                                   or (f"{e.year}年{period}" if period else e.id))
