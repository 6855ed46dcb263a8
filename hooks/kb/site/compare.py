"""Version comparison pages (版本对照): which pairs of versions get a page,
where the page lives and what its template shows.

Pairs: every two versions of a family (older → newer) while the family has
at most ``ALL_PAIRS_UP_TO`` versions (at most 15 pages a family); a longer
family gets the consecutive pairs and every version against the current one.
Each version's timeline links to the page of each pair it belongs to, so
"any two versions" is one click from either version's page.

The comparison itself is ``kb.analysis.compare`` (pure functions).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from kb.analysis import compare

if TYPE_CHECKING:  # pragma: no cover
    from kb.analysis.versions import Family
    from kb.model.entry import Entry
    from kb.model.knowledge import KnowledgeBase

ALL_PAIRS_UP_TO = 6  # versions in a family up to which every pair gets a page

STATUS_LABELS = {"modified": "修改", "added": "新增", "removed": "删除", "unchanged": "未改动"}


def compare_uri(old: "Entry", new: "Entry") -> str:
    return f"compare/{old.id}--{new.id}.md"


def family_pairs(fam: "Family") -> list[tuple["Entry", "Entry"]]:
    """The (older, newer) pairs of ``fam`` that get a comparison page, oldest pair first."""
    m = fam.members
    if len(m) <= ALL_PAIRS_UP_TO:
        return [(m[i], m[j]) for i in range(len(m)) for j in range(i + 1, len(m))]
    keep = {(i, i + 1) for i in range(len(m) - 1)}
    cur = m.index(fam.current)
    keep |= {(min(i, cur), max(i, cur)) for i in range(len(m)) if i != cur}
    return [(m[i], m[j]) for i, j in sorted(keep)]


def all_pairs(kb: "KnowledgeBase") -> list[tuple["Entry", "Entry"]]:
    """Every pair with a page, families in the order of their oldest member's id."""
    seen: set[int] = set()
    out: list[tuple["Entry", "Entry"]] = []
    for e in kb.entries:  # sorted by id
        fam = kb.families.of(e)
        if fam is None or id(fam) in seen:
            continue
        seen.add(id(fam))
        out += family_pairs(fam)
    return out


def pair_uri(kb: "KnowledgeBase", a: "Entry", b: "Entry") -> str | None:
    """The comparison page of two versions (either order), or None if they have none."""
    fam = kb.families.of(a)
    if fam is None or a is b or fam is not kb.families.of(b):
        return None
    old, new = (a, b) if fam.members.index(a) < fam.members.index(b) else (b, a)
    return compare_uri(old, new) if (old, new) in family_pairs(fam) else None


def version_name(e: "Entry") -> str:
    return e.version_label or f"{e.meta.promulgated}"  # type: ignore[attr-defined]


def title(old: "Entry", new: "Entry") -> str:
    return f"{new.title} 版本对照（{version_name(old)} → {version_name(new)}）"


def context(kb: "KnowledgeBase", old: "Entry", new: "Entry") -> dict[str, Any]:
    result = compare.compare(old.doc.body, old.doc.body_line, new.doc.body, new.doc.body_line,
                             kb.structures.get(old.id), kb.structures.get(new.id))
    fam = kb.families.of(new)
    others = [(a, b, compare_uri(a, b)) for a, b in family_pairs(fam) if (a, b) != (old, new)] if fam else []
    return dict(old=old, new=new, result=result, counts=result.counts, status_labels=STATUS_LABELS,
                unit_name="条" if result.mode == "article" else "段",
                unit_noun="条文" if result.mode == "article" else "段落", other_pairs=others,
                threshold=compare.THRESHOLD)


def depends(kb: "KnowledgeBase", old: "Entry", new: "Entry") -> tuple:
    """The page shows the two versions' texts and labels, and links to the family's other pairs."""
    fam = kb.families.of(new)
    return (old, new, tuple(fam.members) if fam else ())
