"""The knowledge model: validated entries, report sections and the indexes
(by area, type, year) that page generation reads.

``KnowledgeBase.load`` is the one entry point: it reads ``data/``, validates
every file, runs the cross-entry checks and collects every problem.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from kb.analysis import articles, citations, versions
from kb.source import gitinfo
from kb.model import audience as audience_mod
from kb.model.cache import EntryCache
from kb.source.loader import SourceDoc, Taxonomy, entry_files, read_entry, read_taxonomy
from kb.problems import KnowledgeBaseError, Problems
from kb.schema.models import PERIODS, TYPE_DIRS, DocumentBase, EntryBase, Report
from kb.analysis.sections import Section, classify, split_sections, unknown_override_keys
from kb.schema.validate import validate_entry
from kb.model.entry import Entry

def _warn_review_marks(entry: Entry, problems: Problems) -> None:
    """Sections that ``kb import`` marked ``review: true`` are listed until a person clears the mark."""
    for key, ov in entry.meta.sections.items():  # type: ignore[attr-defined]
        if not ov.review:
            continue
        sec = next((s for s in entry.sections if key in (s.anchor, s.heading)), None)
        name = f"“{sec.heading}”" if sec else key
        why = f"（{ov.reason}）" if ov.reason else ""
        problems.add(entry.doc.rel, entry.doc.line_of(("sections", key, "review")), f"sections.{key}",
                     f"段落{name}的类别或工作领域是自动识别的，把握不大{why}，请核对后删除 review 标记", "warning")


@dataclass
class KnowledgeBase:
    root: Path
    taxonomy: Taxonomy
    entries: list[Entry]
    problems: Problems
    # Law-grade document features (see articles, versions, citations), set by load().
    structures: dict[str, articles.Structure] = field(default_factory=dict)
    families: versions.Families = field(default_factory=versions.Families)
    citations: citations.CitationIndex = field(default_factory=citations.CitationIndex)
    # Audience (see kb.audience): ``entries`` and every index hold only the
    # visible entries; ``all_entries`` every valid entry of the tree.
    audience: str = "all"
    all_entries: list[Entry] = field(default_factory=list)
    hidden_ids: frozenset[str] = frozenset()

    @classmethod
    def load(cls, root: Path | str, data_dir: str = "data",
             audience: str = audience_mod.DEFAULT_AUDIENCE, cache: EntryCache | None = None) -> "KnowledgeBase":
        """Load and validate every file; keep only the entries visible to ``audience``
        (``public`` / ``internal`` / ``all``; default: what a default build shows).
        The site build passes ``kb.audience.resolve()``; tools that must see every
        entry (``kb check``, id uniqueness) pass ``audience="all"``.
        With a ``cache`` (live preview), unchanged files are not read again."""
        root = Path(root).resolve()
        data = root / data_dir
        problems = Problems()
        taxonomy = read_taxonomy(data / "areas.yml", root, problems)
        area_slugs = set(taxonomy.slugs)
        keywords = {slug: spec["keywords"] for slug, spec in taxonomy.areas.items()}

        def load_one(path: Path, problems: Problems) -> Entry | None:
            doc = read_entry(path, root, problems)
            if doc is None:
                return None
            meta = validate_entry(doc, area_slugs, problems)
            if meta is None:
                return None
            entry = Entry(meta=meta, doc=doc)
            if isinstance(meta, Report):
                entry.sections = split_sections(doc.body, doc.body_line)
                for key in unknown_override_keys(entry.sections, meta.sections):
                    problems.add(doc.rel, doc.line_of(("sections", key)), f"sections.{key}",
                                 f"报告中没有锚点或标题为“{key}”的段落")
                classify(entry.sections, keywords, meta.sections)
                _warn_review_marks(entry, problems)
            return entry

        files = entry_files(data)
        if cache is not None:
            cache.reset_if((root, repr(taxonomy.areas)))
            cache.forget_missing(set(files))
        entries: list[Entry] = []
        for path in files:
            entry = cache.load(path, load_one, problems) if cache is not None else load_one(path, problems)
            if entry is not None:
                entries.append(entry)
        kb = cls(root=root, taxonomy=taxonomy, entries=entries, problems=problems)
        kb._check_links()
        kb._analyse_documents(cache)
        kb.all_entries = kb.entries
        audience_mod.restrict(kb, audience)
        return kb

    def raise_for_errors(self) -> None:
        if self.problems.errors:
            raise KnowledgeBaseError(self.problems.errors)

    # -- cross-entry checks -------------------------------------------------

    def _check_links(self) -> None:
        first: dict[str, Entry] = {}
        unique: list[Entry] = []
        for e in self.entries:
            if e.id in first:
                other = first[e.id]
                self.problems.add(e.doc.rel, e.doc.line_of(("id",)), "id",
                                  f"id“{e.id}”重复，已在 {other.doc.rel}:{other.doc.line_of(('id',))} 使用")
                continue
            first[e.id] = e
            unique.append(e)
        self.entries = sorted(unique, key=lambda e: e.id)
        for e in self.entries:
            for fld, target in e.meta.refs.items():
                other = first.get(target)
                if other is None:
                    self.problems.add(e.doc.rel, e.doc.line_of((fld,)), fld, f"引用的条目“{target}”不存在")
                elif fld == "report" and other.type != "report":
                    self.problems.add(e.doc.rel, e.doc.line_of((fld,)), fld, f"“{target}”不是工作报告")
                elif fld in ("supersedes", "superseded_by") and other.type != e.type:
                    self.problems.add(e.doc.rel, e.doc.line_of((fld,)), fld,
                                      f"“{target}”的类型与本条目不同，版本只能在同类文件之间关联")

    def _analyse_documents(self, cache: EntryCache | None = None) -> None:
        """Articles, version families and citations (after the links are checked)."""
        docs = [e for e in self.entries if isinstance(e.meta, DocumentBase)]
        self.structures = articles.parse_all(docs, self.problems, memo=cache.structures if cache else None)
        self.families = versions.check(docs, self.problems)
        self.citations = citations.analyse(self.entries, docs, self.structures, self.families, self.problems,
                                           memo=cache.citations if cache else None)

    # -- indexes ------------------------------------------------------------

    @cached_property
    def history(self) -> dict[str, gitinfo.FileHistory]:
        """Git dates and authors of the entry files (one batched git call; empty without git)."""
        return gitinfo.history(self.root)

    @cached_property
    def by_id(self) -> dict[str, Entry]:
        return {e.id: e for e in self.entries}

    @cached_property
    def newest_first(self) -> list[Entry]:
        """All entries, newest first (sorted once; every listing reads this order)."""
        return sorted(self.entries, key=lambda e: e.sort_key)

    @cached_property
    def by_type(self) -> dict[str, list[Entry]]:
        out: dict[str, list[Entry]] = defaultdict(list)
        for e in self.newest_first:
            out[e.type].append(e)
        return dict(out)

    @cached_property
    def by_area(self) -> dict[str, list[Entry]]:
        out: dict[str, list[Entry]] = {slug: [] for slug in self.taxonomy.slugs}
        for e in self.newest_first:
            for slug in e.meta.areas:
                out[slug].append(e)
        return out

    @cached_property
    def sections_by_area(self) -> dict[str, list[tuple[Entry, Section]]]:
        out: dict[str, list[tuple[Entry, Section]]] = {slug: [] for slug in self.taxonomy.slugs}
        for e in self.by_type.get("report", []):
            for sec in e.classified_sections:
                for slug in sec.areas:
                    if slug in out:
                        out[slug].append((e, sec))
        return out

    @cached_property
    def cases_by_report(self) -> dict[str, list[Entry]]:
        out: dict[str, list[Entry]] = defaultdict(list)
        for e in self.by_type.get("case", []):
            if getattr(e.meta, "report", None):
                out[e.meta.report].append(e)  # type: ignore[attr-defined]
        return dict(out)

    @cached_property
    def by_year(self) -> dict[int, list[Entry]]:
        out: dict[int, list[Entry]] = defaultdict(list)
        for e in self.newest_first:
            out[e.year].append(e)
        return dict(sorted(out.items(), reverse=True))
