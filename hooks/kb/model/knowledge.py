"""The knowledge model: validated entries, report sections and the indexes
(by area, type, year) that page generation reads.

``KnowledgeBase.load`` is the usual entry point: it reads ``data/``, validates
every file, runs the cross-entry checks and collects every problem, then
returns the knowledge base of one audience (``restricted_to``).

Everything a ``KnowledgeBase`` holds is derived from its ``entries`` when it
is constructed (article structures, version families, citations with
backlinks and the pending-documents list) or lazily from ``self.entries``
(the ``cached_property`` indexes). Nothing is ever narrowed in place: an
audience's knowledge base is a new object built from the visible entries, so
an index added later cannot keep entries of a wider audience. Only
``all_entries`` and ``hidden_ids`` name the entries left out (see
``kb.model.audience``), and ``problems`` covers every file.
"""

from __future__ import annotations

import dataclasses

from collections import defaultdict
from functools import cached_property
from pathlib import Path
from typing import Iterable

from kb.analysis import articles, citations, versions
from kb.source import gitinfo
from kb.model import audience as audience_mod
from kb.settings import DEFAULT_AUDIENCE
from kb.model import cascade
from kb.model.cache import EntryCache
from kb.text.html import body_warnings
from kb.source.listing import entry_files, report_misnamed
from kb.source.loader import Taxonomy, read_entry, read_taxonomy
from kb.problems import KnowledgeBaseError, Problems
from kb.schema.models import DocumentBase, Report
from kb.analysis.sections import Section, classify, split_sections, unknown_override_keys
from kb.schema import placeholders
from kb.schema.validate import validate_entry
from kb.model.entry import Entry, name_versions

def _warn_review_marks(entry: Entry, problems: Problems) -> None:
    """Sections that ``kb import`` marked ``review: true`` are listed until a person clears the mark."""
    if getattr(entry.meta, "review", None):
        why = f"（{entry.meta.review_reason}）" if entry.meta.review_reason else ""  # type: ignore[attr-defined]
        problems.add(entry.doc.rel, entry.doc.line_of(("review",)), "review",
                     f"条目的元数据是导入时推断或填入的默认值{why}，请核对后删除 review 标记", "warning")
    for key, ov in entry.meta.sections.items():  # type: ignore[attr-defined]
        if not ov.review:
            continue
        sec = next((s for s in entry.sections if key in (s.anchor, s.heading)), None)
        name = f"“{sec.heading}”" if sec else key
        why = f"（{ov.reason}）" if ov.reason else ""
        problems.add(entry.doc.rel, entry.doc.line_of(("sections", key, "review")), f"sections.{key}",
                     f"段落{name}的类别或工作领域是自动识别的，把握不大{why}，请核对后删除 review 标记", "warning")


class KnowledgeBase:
    """The entries of one build and everything derived from them.

    ``KnowledgeBase(root, taxonomy, entries, problems)`` is the knowledge base
    of a whole tree: ``entries`` are every valid entry (unique ids, as
    ``_check_links`` leaves them); article structures, version families and
    citations are analysed from them, adding their problems to ``problems``
    (with a ``cache``, the live preview's memoised per-entry results are reused).
    Its ``audience`` is ``all`` and it hides nothing.

    ``within=`` builds a narrower knowledge base: ``entries`` must be entries
    of ``within`` (the same objects, never copies: the live preview compares
    pages by identity). Nothing is analysed again (but the citing entries of a
    left-out document) and no problem is added:
    structures, families and citations are ``within``'s, narrowed to these
    entries (``kb.model.audience.families_within`` / ``citations_within``), so
    a citation keeps the resolution the whole tree gives it, except one of a
    left-out document: it is resolved again among these entries (the newest
    visible version, or "pending" like a document nobody has). The
    ``problems`` object is shared: validation covers every file, once.
    """

    def __init__(self, root: Path | str, taxonomy: Taxonomy, entries: Iterable[Entry], problems: Problems, *,
                 audience: str = "all", within: "KnowledgeBase | None" = None,
                 cache: EntryCache | None = None) -> None:
        self.root = Path(root)
        self.taxonomy = taxonomy
        self.problems = problems
        self.audience = audience
        self.entries: list[Entry] = sorted(entries, key=lambda e: e.id)
        ids = {e.id for e in self.entries}
        if len(ids) != len(self.entries):
            raise ValueError("KnowledgeBase: entry ids must be unique (see KnowledgeBase._check_links)")
        if within is None:
            # Audience (see kb.model.audience): ``all_entries`` every valid entry of the
            # tree, ``hidden_ids`` those that ``entries`` (and so every index) leave out.
            self.all_entries: list[Entry] = self.entries
            self.hidden_ids: frozenset[str] = frozenset()
            docs = [e for e in self.entries if isinstance(e.meta, DocumentBase)]
            self.structures: dict[str, articles.Structure] = articles.parse_all(
                docs, problems, memo=cache.structures if cache else None)
            self.families: versions.Families = versions.check(docs, problems)
            self.citations: citations.CitationIndex = citations.analyse(
                self.entries, docs, self.structures, self.families, problems,
                memo=cache.citations if cache else None)
            return
        wider = within.by_id
        if any(wider.get(e.id) is not e for e in self.entries):
            raise ValueError("KnowledgeBase: within= takes entries of the wider knowledge base itself")
        self.all_entries = within.all_entries
        self.hidden_ids = within.hidden_ids | (wider.keys() - ids)
        if len(ids) == len(wider):
            self.structures, self.families, self.citations = within.structures, within.families, within.citations
            return
        self.structures = {k: v for k, v in within.structures.items() if k in ids}
        self.families = audience_mod.families_within(within.families, ids)
        self.citations = audience_mod.citations_within(within.citations, ids, {e.id: e for e in self.entries},
                                                        self.structures, self.families,
                                                        memo=cache.restricted if cache else None,
                                                        wider_docs=tuple(e for e in within.entries
                                                                         if isinstance(e.meta, DocumentBase)))

    def __repr__(self) -> str:
        return (f"<KnowledgeBase {str(self.root)!r} audience={self.audience} "
                f"entries={len(self.entries)} hidden={len(self.hidden_ids)}>")

    @classmethod
    def load(cls, root: Path | str, data_dir: str = "data",
             audience: str = DEFAULT_AUDIENCE, cache: EntryCache | None = None) -> "KnowledgeBase":
        """Load and validate every file; return the knowledge base of ``audience``
        (``public`` / ``internal`` / ``all``; default: what a default build shows).
        The site build passes ``kb.audience.resolve()``; tools that must see every
        entry (``kb check``, id uniqueness) pass ``audience="all"``.
        With a ``cache`` (live preview), unchanged files are not read again.

        Every file is validated and analysed whatever the audience, so
        ``problems`` is the same for every audience (``kb check`` sees all).
        """
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
            placeholders.check(doc.rel, doc.body, doc.body_line, problems)
            entry = Entry(meta=meta, doc=doc)
            for line, message in body_warnings(doc.body, doc.body_line):
                problems.add(doc.rel, line, "正文", message, "warning")
            if isinstance(meta, DocumentBase) and meta.review:
                problems.add(doc.rel, doc.line_of(("review",)), "review",
                             f"kb import 自动识别把握不大：{meta.review}。请核对后删除 review 一行", "warning")
            if isinstance(meta, Report):
                entry.sections = split_sections(doc.body, doc.body_line)
                for key in unknown_override_keys(entry.sections, meta.sections):
                    problems.add(doc.rel, doc.line_of(("sections", key)), f"sections.{key}",
                                 f"报告中没有锚点或标题为“{key}”的段落")
                classify(entry.sections, keywords, meta.sections)
                _warn_review_marks(entry, problems)
            return entry

        failures: list[cascade.Failed] = []
        misnamed: list[Path] = []
        files = entry_files(data, misnamed, cache.listings if cache is not None else None)
        report_misnamed(misnamed, root, problems)
        if cache is not None:
            cache.reset_if((root, repr(taxonomy.areas)))
            cache.forget_missing(set(files))
        entries: list[Entry] = []
        for path in files:
            entry = cache.load(path, load_one, problems) if cache is not None else load_one(path, problems)
            if entry is not None:
                entries.append(entry)
            elif (doc := read_entry(path, root, Problems())) is not None:  # read, did not validate (rare)
                failures.append(cascade.failed(doc))
        entries = cls._check_links(entries, problems)
        name_versions(entries)  # 宗教事务条例（2017年修订）beside 宗教事务条例（2004年）
        kb = cls(root, taxonomy, entries, problems, cache=cache)  # analyses versions and citations
        cascade.suppress(problems, failures, kb.entries)  # problems that only follow from a failed file
        return kb.restricted_to(audience, cache=cache)

    def restricted_to(self, audience: str, cache: EntryCache | None = None) -> "KnowledgeBase":
        """The knowledge base of the entries visible to ``audience`` (see
        ``kb.model.audience``): a new object built through the constructor
        (``within=self``); ``self`` is left unchanged. Returns ``self`` when it
        already is that knowledge base. Narrowing only: an entry this knowledge
        base does not hold cannot come back."""
        audience = audience_mod.check(audience, "audience")
        if not audience_mod.narrows(audience, self.audience):
            raise ValueError(f"KnowledgeBase.restricted_to: audience {self.audience!r} cannot widen to {audience!r}")
        shown = [e for e in self.entries if audience_mod.visible(e.meta.audience, audience)]
        if audience == self.audience and len(shown) == len(self.entries):
            return self
        return type(self)(self.root, self.taxonomy, shown, self.problems, audience=audience, within=self, cache=cache)

    def raise_for_errors(self) -> None:
        if self.problems.errors:
            raise KnowledgeBaseError(self.problems.errors)

    # -- cross-entry checks -------------------------------------------------

    @staticmethod
    def _check_links(entries: Iterable[Entry], problems: Problems) -> list[Entry]:
        """Duplicate ids (the first file keeps the id) and references to missing
        or unsuitable entries; returns the entries with unique ids, sorted by id."""
        first: dict[str, Entry] = {}
        unique: list[Entry] = []
        for e in entries:
            if e.id in first:
                other = first[e.id]
                problems.add(e.doc.rel, e.doc.line_of(("id",)), "id",
                             f"id“{e.id}”重复，已在 {other.doc.rel}:{other.doc.line_of(('id',))} 使用")
                continue
            first[e.id] = e
            unique.append(e)
        unique.sort(key=lambda e: e.id)
        for e in unique:
            for fld, target in e.meta.refs.items():
                other = first.get(target)
                if other is None:
                    problems.add(e.doc.rel, e.doc.line_of((fld,)), fld, f"引用的条目“{target}”不存在", about={target})
                elif fld == "report" and other.type != "report":
                    problems.add(e.doc.rel, e.doc.line_of((fld,)), fld, f"“{target}”不是工作报告")
                elif fld in ("supersedes", "superseded_by") and other.type != e.type:
                    problems.add(e.doc.rel, e.doc.line_of((fld,)), fld,
                                 f"“{target}”的类型与本条目不同，版本只能在同类文件之间关联")
        return unique

    # -- indexes ------------------------------------------------------------

    @cached_property
    def history(self) -> dict[str, gitinfo.FileHistory]:
        """Git dates and authors of this knowledge base's entry files, by path
        (one batched git call for the tree; empty without git)."""
        tree = gitinfo.history(self.root)
        if not tree:
            return {}
        # A committer identity is not an editor's name: only names from data/editors.yml are shown.
        editors = gitinfo.read_editors(self.root / "data" / "editors.yml", "data/editors.yml", self.problems)
        return {e.doc.rel: dataclasses.replace(h, author=gitinfo.editor_name(h, editors))
                for e in self.entries if (h := tree.get(e.doc.rel)) is not None}

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
            for slug in e.listed_areas:  # reports: the areas their sections are substantially about
                out[slug].append(e)
        return out

    @cached_property
    def sections_by_area(self) -> dict[str, list[tuple[Entry, Section]]]:
        out: dict[str, list[tuple[Entry, Section]]] = {slug: [] for slug in self.taxonomy.slugs}
        for e in self.by_type.get("report", []):
            for slug, pair in e.area_sections:
                if slug in out:
                    out[slug].append(pair)
        return out

    @cached_property
    def cases_by_report(self) -> dict[str, list[Entry]]:
        """Cases by the id of the report they come from (reports of this knowledge base only)."""
        out: dict[str, list[Entry]] = defaultdict(list)
        reports = self.by_id
        for e in self.by_type.get("case", []):
            if getattr(e.meta, "report", None) in reports:
                out[e.meta.report].append(e)  # type: ignore[attr-defined]
        return dict(out)

    @cached_property
    def by_year(self) -> dict[int, list[Entry]]:
        out: dict[int, list[Entry]] = defaultdict(list)
        for e in self.newest_first:
            out[e.year].append(e)
        return dict(sorted(out.items(), reverse=True))
