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
members (one left: no family); a citation of a hidden document renders as
plain text and is not listed as "pending" either (that would reveal that the
knowledge base holds it), while a document the tree does not hold stays
pending if a visible entry cites it. ``kb.all_entries`` keeps the full list
for tools that must see everything (``kb check``, ``kb new``'s id uniqueness
check, the publish canary scan), ``kb.hidden_ids`` the ids left out.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, AbstractSet, Any

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


def citations_within(index: CitationIndex, ids: AbstractSet[str]) -> CitationIndex:
    """The citations made by the entries ``ids``; a cited entry not in ``ids``
    becomes plain text (target ``None``) and is not pending either: only what
    ``index`` already lists as pending stays, with the citations from ``ids``."""
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
        if len(kept) == len(p.citations):
            pending.append(p)
        elif kept:
            title = next((c.title for c in kept if not c.short), p.title)
            pending.append(Pending(title, p.key, kept))
    out.pending = sorted(pending, key=lambda p: (-len(p.citations), p.key))
    return out


def hidden_entries(kb: "KnowledgeBase") -> list["Entry"]:
    """Entries of the loaded tree that this build must not contain."""
    return [e for e in kb.all_entries if e.id in kb.hidden_ids]
