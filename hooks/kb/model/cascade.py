"""Problems that only follow from another entry's failure, reported at the cause.

An entry whose front matter does not validate is left out of the knowledge
base. Everything that pointed at it then looks wrong too: an untouched older
version's ``superseded_by`` names a missing id, and citations of its title
resolve to another version that lacks the cited article. Those problems are
not where the mistake is. ``suppress`` removes them and adds one line under
the failed file saying how many were left out; they come back (or vanish) at
the next check once the file is fixed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Iterable

from kb.problems import Problem, Problems

if TYPE_CHECKING:
    from kb.model.entry import Entry
    from kb.source.loader import SourceDoc

@dataclass
class Failed:
    """A file that was read but did not validate: what others may know it by."""

    rel: str
    id: str | None
    titles: set[str] = field(default_factory=set)


def failed(doc: "SourceDoc") -> Failed:
    meta = doc.meta if isinstance(doc.meta, dict) else {}
    eid = meta.get("id") if isinstance(meta.get("id"), str) else None
    titles = {meta["title"]} if isinstance(meta.get("title"), str) and meta["title"].strip() else set()
    aliases = meta.get("aliases")
    if isinstance(aliases, list):
        titles |= {a for a in aliases if isinstance(a, str) and a.strip()}
    return Failed(rel=doc.rel, id=eid, titles=titles)


def _follows_from(p: Problem, f: Failed, sibling_rels: set[str]) -> bool:
    """``p`` names the failed file's id or title, or another version of the same
    title that a citation fell back to (``Problem.about``)."""
    if p.path == f.rel or not p.about:
        return False
    return (f.id in p.about) or bool(f.titles & p.about) or bool(sibling_rels & p.about)


def suppress(problems: Problems, failures: Iterable[Failed], entries: Iterable["Entry"]) -> None:
    """Drop the problems that follow from ``failures``; note their number at each cause."""
    failures = [f for f in failures if f.id or f.titles]
    if not failures:
        return
    entries = list(entries)
    kept: list[Problem] = []
    counts: dict[str, int] = {}
    siblings = {f.rel: {e.doc.rel for e in entries if e.meta.title in f.titles} for f in failures}
    for p in problems.items:
        cause = next((f for f in failures if _follows_from(p, f, siblings[f.rel])), None)
        if cause is None:
            kept.append(p)
        else:
            counts[cause.rel] = counts.get(cause.rel, 0) + 1
    problems.items[:] = kept
    for f in failures:
        if counts.get(f.rel):
            problems.add(f.rel, 1, "-",
                         f"此文件有错误，未能载入；由此引起的 {counts[f.rel]} 处其他文件的问题（引用它的条目、"
                         "同名的其他版本）已略去，改正本文件后重新检查", "warning")
