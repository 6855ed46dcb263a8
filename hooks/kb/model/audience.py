"""Audience of a build: which entries a site may contain.

``public`` holds only ``audience: public`` entries, ``internal`` adds
``internal`` ones and ``all`` adds ``restricted``. The build audience
is a setting (``kb.settings``: ``KB_AUDIENCE``, else ``extra.kb.audience`` in
``mkdocs.yml``, else ``internal``).

``restrict`` narrows a loaded ``KnowledgeBase`` to the visible entries *after*
every file has been validated (so ``kb check`` still sees every problem):
``kb.entries`` becomes the visible entries, and everything derived from
entries (indexes, version families, article structures, citations,
backlinks, the pending-documents list) is rebuilt from them or filtered. An
entry above the audience is thus absent from every page, listing, count,
index and export, since they all read ``kb.entries`` and its indexes; a
citation of it renders as plain text and is not listed as "pending" either
(that would reveal that the knowledge base holds it). ``kb.all_entries``
keeps the full list for tools that must see everything (``kb check``,
``kb new``'s id uniqueness check).
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

from kb.settings import BUILD_AUDIENCES, BUILD_LABELS, DEFAULT_AUDIENCE, check_audience  # noqa: F401
from kb.analysis.citations import CitationIndex, Pending
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


def restrict(kb: "KnowledgeBase", audience: str) -> None:
    """Narrow ``kb`` to the entries visible to ``audience`` (in place)."""
    audience = check(audience, "audience")
    kb.audience = audience
    shown = [e for e in kb.all_entries if visible(e.meta.audience, audience)]
    if len(shown) == len(kb.all_entries):
        return
    ids = {e.id for e in shown}
    kb.entries = shown
    kb.hidden_ids = frozenset(e.id for e in kb.all_entries if e.id not in ids)
    kb.structures = {k: v for k, v in kb.structures.items() if k in ids}
    kb.families = _families(kb.families, ids)
    kb.citations = _citations(kb.citations, ids)
    for name in ("by_id", "newest_first", "by_type", "by_area", "sections_by_area", "cases_by_report", "by_year"):
        kb.__dict__.pop(name, None)  # cached_property values computed before the restriction


def _families(families: Families, ids: set[str]) -> Families:
    """Version families without hidden members (one left: no family)."""
    out = Families()
    done: dict[int, Family | None] = {}
    for eid, fam in families.by_id.items():
        if eid not in ids:
            continue
        key = id(fam)
        if key not in done:
            members = [m for m in fam.members if m.id in ids]
            if len(members) < 2:
                done[key] = None
            else:
                in_force = [m for m in members if m.meta.status == "in-force"]
                done[key] = Family(members=members, current=in_force[-1] if in_force else members[-1])
        if done[key] is not None:
            out.by_id[eid] = done[key]
    return out


def _citations(index: CitationIndex, ids: set[str]) -> CitationIndex:
    """Citations from visible entries only; a hidden target becomes plain text."""
    out = CitationIndex()
    for src, cites in index.by_source.items():
        if src not in ids:
            continue
        if all(c.target is None or c.target in ids for c in cites):
            out.by_source[src] = cites  # unchanged: the same list (the live preview compares by identity)
            continue
        out.by_source[src] = [c if c.target is None or c.target in ids else replace(c, target=None, article=None)
                              for c in cites]
    for target, cites in index.by_target.items():
        if target not in ids:
            continue
        if all(c.source in ids for c in cites):
            out.by_target[target] = cites
            continue
        kept = [c for c in cites if c.source in ids]
        if kept:
            out.by_target[target] = kept
    pending = []
    for p in index.pending:  # documents the full knowledge base does not hold
        kept = [c for c in p.citations if c.source in ids]
        if kept:
            title = next((c.title for c in kept if not c.short), p.title)
            pending.append(Pending(title, p.key, kept))
    out.pending = sorted(pending, key=lambda p: (-len(p.citations), p.key))
    return out


def hidden_entries(kb: "KnowledgeBase") -> list["Entry"]:
    """Entries of the loaded tree that this build must not contain."""
    return [e for e in kb.all_entries if e.id in kb.hidden_ids]
