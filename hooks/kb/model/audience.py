"""Audience of a build: which entries a site may contain.

``public`` holds only ``audience: public`` entries, ``internal`` adds
``internal`` ones and ``all`` adds ``restricted``. The build audience
is a setting (``kb.settings``: ``KB_AUDIENCE``, else ``extra.kb.audience`` in
``mkdocs.yml``, else ``internal``).

``KnowledgeBase.restricted_to(audience)`` builds the knowledge base of the
visible entries *after* every file has been validated (so ``kb check`` still
sees every problem). It is a new knowledge base, constructed from the visible
entries (the same ``Entry`` objects) like any other: every index is derived
from its entries, so nothing computed for the wider one can leak into it.
An entry above the audience is thus absent from every page, listing, count,
index and export, since they all read ``kb.entries`` and what is derived
from it.

What the whole tree's analysis found is narrowed rather than analysed again
(``families_within``, ``citations_within``): a version family loses its hidden
members (one left: no family); a citation of a hidden document is treated
exactly like a citation of a document the knowledge base does not hold (same
markup, listed as "pending" with the same wording), and a citation of a family
whose newest version is hidden links to the newest visible version: any
difference would tell a reader that the hidden document exists. ``kb.all_entries`` keeps the full list
for tools that must see everything (``kb check``, ``kb new``'s id uniqueness
check, the publish canary scan), ``kb.hidden_ids`` the ids left out.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, AbstractSet, Any, Mapping

from kb.settings import BUILD_AUDIENCES, check_audience
from kb.analysis.articles import Structure
from kb.analysis.citations import Citation, CitationIndex, TitleIndex, _scan, derive
from kb.model.cache import EntryMemo
from kb.problems import Problems
from kb.analysis.versions import Families, Family

if TYPE_CHECKING:  # pragma: no cover
    from kb.model.entry import Entry
    from kb.model.knowledge import KnowledgeBase

# Entry audience -> the build audiences that may show it.
_VISIBLE_IN = {
    "public": frozenset(BUILD_AUDIENCES),
    "internal": frozenset({"internal", "all"}),
    "restricted": frozenset({"all"}),
}


def check(value: Any, where: str) -> str:
    """A build audience, or ``AudienceError`` (Chinese message naming ``where``)."""
    try:
        return check_audience(value, where)
    except ValueError as exc:
        raise AudienceError(str(exc)) from None


class AudienceError(ValueError):
    """An unknown audience value (the message is user-facing Chinese)."""


def visible(entry_audience: str, build_audience: str) -> bool:
    return build_audience in _VISIBLE_IN.get(entry_audience, frozenset())


def narrows(audience: str, than: str) -> bool:
    """Whether a build for ``audience`` shows no more than one for ``than``."""
    return BUILD_AUDIENCES.index(audience) <= BUILD_AUDIENCES.index(than)


def families_within(families: Families, ids: AbstractSet[str]) -> Families:
    """The families of the entries ``ids`` without the other members (one left: no family).
    A family with no member left out is the same ``Family`` object."""
    out = Families()
    done: dict[int, Family | None] = {}
    for eid, fam in families.by_id.items():
        if eid not in ids:
            continue
        key = id(fam)
        if key not in done:
            members = [m for m in fam.members if m.id in ids]
            if len(members) == len(fam.members):
                done[key] = fam
            elif len(members) < 2:
                done[key] = None
            else:
                in_force = [m for m in members if m.meta.status == "in-force"]
                done[key] = Family(members=members, current=in_force[-1] if in_force else members[-1])
        if done[key] is not None:
            out.by_id[eid] = done[key]
    return out


def citations_within(index: CitationIndex, ids: AbstractSet[str], entries: "Mapping[str, Entry] | None" = None,
                     structures: "Mapping[str, Structure] | None" = None,
                     families: Families | None = None, memo: EntryMemo | None = None,
                     wider_docs: tuple = ()) -> CitationIndex:
    """The citations made by the entries ``ids``, as if the knowledge base held
    only them: an entry whose citations all stay within ``ids`` keeps its list
    (the same object: the live preview compares by identity); an entry citing
    a document outside ``ids`` is scanned again against the visible documents
    (``entries``, ``structures``, ``families``, all narrowed to ``ids``), so the
    citation resolves to the newest visible version of the family, or else is
    pending exactly like a document nobody has. Pending documents and
    backlinks are then derived as ``kb.analysis.citations.analyse`` does.

    ``memo`` (``EntryCache.restricted``): an unchanged entry's rescan is reused while the
    documents are the same objects, as in ``analyse``: those of the wider knowledge base
    (``wider_docs``: the families follow from them) and the visible ones."""
    out = CitationIndex()
    stale = [src for src, cites in index.by_source.items()
             if src in ids and any(c.target is not None and c.target not in ids for c in cites)]
    rescanned: dict[str, list[Citation]] = {}
    if stale:
        if entries is None or families is None:
            raise ValueError("citations_within: the visible entries are needed to resolve a hidden citation again")
        docs = [e for e in entries.values() if e.type in ("regulation", "policy")]
        titles = TitleIndex(docs, families)
        by_id = dict(entries)
        narrowed = dict(structures or {})
        memo = memo if memo is not None else EntryMemo()  # none given: one that keeps nothing past this call
        memo.begin((wider_docs, tuple(docs)))  # what the rescans resolve to: every document (families), the visible
        for src in stale:  # problems: reported already by the full analysis
            e = by_id[src]
            rescanned[src] = memo.get(e, lambda p, e=e: _scan(e, titles, narrowed, by_id, p), Problems())
        memo.end()
    for src in sorted(index.by_source):
        if src not in ids:
            continue
        cites = rescanned.get(src, index.by_source[src])
        if cites:
            out.by_source[src] = cites
    out.pending, by_target = derive(out.by_source)
    for target, cites in by_target.items():
        old = index.by_target.get(target)
        same = old is not None and len(old) == len(cites) and all(a is b for a, b in zip(old, cites))
        out.by_target[target] = old if same else cites
    return out


def hidden_entries(kb: "KnowledgeBase") -> list["Entry"]:
    """Entries of the loaded tree that this build must not contain."""
    return [e for e in kb.all_entries if e.id in kb.hidden_ids]
