"""Comparison of two versions of a document, article by article.

``compare(old_body, old_line, new_body, new_line)`` splits both bodies into
units (articles, 第X条, when both versions have them, else paragraphs),
matches them and marks, within each matched pair, the characters deleted
from the old text and inserted into the new one.

Matching, in order:

1. identical text (an unchanged article, perhaps renumbered or moved);
2. similar text: ``rapidfuzz`` similarity (0-100, on characters, which suits
   Chinese) of every remaining old/new pair; pairs are taken best first, an
   article keeping its number weighs a little more; below ``THRESHOLD`` two
   units are unrelated (one deleted, one added).

A matched pair is *renumbered* when its labels differ and *moved* when it
left the order of the others (it is not on the longest run of pairs in the
same order in both versions). Character differences come from
``difflib.SequenceMatcher`` (no junk heuristic), with one-character equal
runs between two changes folded into the change so a rewritten phrase reads
as one deletion and one insertion.

Pure functions: no I/O, no knowledge base; ``kb.site`` renders the result.
"""

from __future__ import annotations

import bisect
import difflib
import re
from dataclasses import dataclass, field

from rapidfuzz import fuzz

from kb.analysis import articles

THRESHOLD = 45.0  # similarity (0-100) below which two units are not the same article (see docs/guide)
SAME_NUMBER_BONUS = 8.0  # preference for the pair that keeps its number, among similar candidates

_MARKUP_RE = re.compile(r"\*\*|__|`|<[^>]*>|\{[#.][^}]*\}")
_LINK_RE = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_HEADING_RE = re.compile(r"^#{1,6}\s+")
_QUOTE_RE = re.compile(r"^\s{0,3}>\s?")
_LIST_RE = re.compile(r"^\s{0,3}(?:[-*+]|\d+[.)])\s+")


@dataclass(frozen=True)
class Unit:
    """One article or paragraph of a version."""

    key: str  # article anchor (article-36), or p-N for the N-th paragraph (1-based)
    label: str  # 第三十六条, or 第N段
    text: str  # plain text, label and markup removed
    number: tuple[int, int | None] | None = None  # (number, 之N) of an article
    line: int = 0


@dataclass(frozen=True)
class Segment:
    """A run of text: ``op`` is ``equal``, ``delete`` (old side) or ``insert`` (new side)."""

    op: str
    text: str


@dataclass
class Pair:
    """A row of the comparison: an old unit, a new unit, or both."""

    old: Unit | None
    new: Unit | None
    old_segments: list[Segment] = field(default_factory=list)
    new_segments: list[Segment] = field(default_factory=list)
    similarity: float = 100.0
    moved: bool = False

    @property
    def status(self) -> str:
        """``added`` / ``removed`` / ``modified`` / ``unchanged``."""
        if self.old is None:
            return "added"
        if self.new is None:
            return "removed"
        return "unchanged" if self.old.text == self.new.text else "modified"

    @property
    def renumbered(self) -> bool:
        return self.old is not None and self.new is not None and self.old.label != self.new.label


@dataclass
class Comparison:
    """Every row, in reading order (the new version's order, removed units after their old predecessor)."""

    mode: str  # "article" | "paragraph"
    rows: list[Pair]

    def of(self, status: str) -> list[Pair]:
        return [r for r in self.rows if r.status == status]

    @property
    def counts(self) -> dict[str, int]:
        out = {"modified": 0, "added": 0, "removed": 0, "unchanged": 0}
        for r in self.rows:
            out[r.status] += 1
        out["renumbered"] = sum(r.renumbered for r in self.rows)
        out["moved"] = sum(r.moved for r in self.rows)
        return out

    @property
    def changed(self) -> bool:
        c = self.counts
        return bool(c["modified"] or c["added"] or c["removed"] or c["moved"])


# -- units ---------------------------------------------------------------------


def plain(text: str) -> str:
    """Markdown to plain text for comparison: links to their text, markup and attribute lists removed."""
    lines = []
    for line in text.split("\n"):
        line = _QUOTE_RE.sub("", line)
        line = _HEADING_RE.sub("", line)
        line = _LIST_RE.sub("", line)
        lines.append(line.strip())
    text = _LINK_RE.sub(r"\1", "".join(lines))
    return _MARKUP_RE.sub("", text).strip(" \t\u3000")


def article_units(body: str, body_line: int, structure: articles.Structure) -> list[Unit]:
    """The articles of ``body`` (as ``articles.parse`` found them), each with its whole text:
    from its label to the next article, division or heading."""
    lines = body.split("\n")
    starts = sorted(it.line - body_line for it in structure.items)
    out = []
    for it in structure.items:
        if not isinstance(it, articles.Article):
            continue
        i = it.line - body_line
        nxt = starts[bisect.bisect_right(starts, i)] if bisect.bisect_right(starts, i) < len(starts) else len(lines)
        chunk = []
        for j in range(i, nxt):
            if j > i and _HEADING_RE.match(lines[j]):  # a heading that is no division ends the article
                break
            chunk.append(lines[j])
        first = chunk[0]
        at = first.find(it.label)
        chunk[0] = first[at + len(it.label):] if at >= 0 else first
        text = plain("\n".join(chunk)).lstrip("*_ \t\u3000：:")
        out.append(Unit(it.anchor, it.label, text, (it.number, it.sub), it.line))
    return out


def paragraph_units(body: str, body_line: int) -> list[Unit]:
    """The paragraphs of ``body`` (blocks between blank lines; code fences kept whole)."""
    out: list[Unit] = []
    block: list[str] = []
    start = 0
    fence = False

    def flush() -> None:
        text = plain("\n".join(block))
        if text:
            n = len(out) + 1
            out.append(Unit(f"p-{n}", f"第{n}段", text, None, body_line + start))
        block.clear()

    for i, line in enumerate(body.split("\n")):
        if line.lstrip().startswith(("```", "~~~")):
            fence = not fence
        if not line.strip() and not fence:
            flush()
            continue
        if not block:
            start = i
        block.append(line)
    flush()
    return out


def units_of(body: str, body_line: int, structure: articles.Structure | None = None) -> tuple[str, list[Unit]]:
    structure = structure if structure is not None else articles.parse(body, body_line)
    if structure:
        return "article", article_units(body, body_line, structure)
    return "paragraph", paragraph_units(body, body_line)


# -- matching ------------------------------------------------------------------


def match(old: list[Unit], new: list[Unit], threshold: float = THRESHOLD) -> list[tuple[int, int, float]]:
    """Pairs ``(old index, new index, similarity)``: identical texts first, then the most similar."""
    pairs: list[tuple[int, int, float]] = []
    by_text: dict[str, list[int]] = {}
    for j, u in enumerate(new):
        by_text.setdefault(u.text, []).append(j)
    used_old: set[int] = set()
    used_new: set[int] = set()
    for i, u in enumerate(old):
        for j in by_text.get(u.text, ()):
            if j not in used_new:
                pairs.append((i, j, 100.0))
                used_old.add(i)
                used_new.add(j)
                break
    rest_old = [i for i in range(len(old)) if i not in used_old]
    rest_new = [j for j in range(len(new)) if j not in used_new]
    if rest_old and rest_new:
        candidates = []
        for i in rest_old:
            for j in rest_new:
                s = fuzz.ratio(old[i].text, new[j].text, score_cutoff=threshold)
                if s >= threshold:
                    bonus = SAME_NUMBER_BONUS if old[i].number is not None and old[i].number == new[j].number else 0.0
                    candidates.append((-(s + bonus), i, j, s))
        candidates.sort()
        for _, i, j, s in candidates:
            if i in used_old or j in used_new:
                continue
            pairs.append((i, j, s))
            used_old.add(i)
            used_new.add(j)
    return sorted(pairs, key=lambda p: p[1])


def _in_order(pairs: list[tuple[int, int, float]]) -> set[int]:
    """Indexes (into ``pairs``, sorted by new index) on a longest increasing run of old indexes."""
    tails: list[int] = []  # old index ending the best run of each length
    tail_at: list[int] = []  # position in pairs of that end
    back: list[int] = [-1] * len(pairs)
    for k, (i, _, _) in enumerate(pairs):
        pos = bisect.bisect_left(tails, i)
        back[k] = tail_at[pos - 1] if pos else -1
        if pos == len(tails):
            tails.append(i)
            tail_at.append(k)
        else:
            tails[pos] = i
            tail_at[pos] = k
    out: set[int] = set()
    k = tail_at[-1] if tail_at else -1
    while k >= 0:
        out.add(k)
        k = back[k]
    return out


# -- character differences -------------------------------------------------------


def char_diff(a: str, b: str) -> tuple[list[Segment], list[Segment]]:
    """The old text with its deletions marked and the new text with its insertions marked."""
    ops = difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes()
    # Fold a one-character equal run between two changes into the change.
    merged: list[list] = []
    for k, (tag, i1, i2, j1, j2) in enumerate(ops):
        if (tag == "equal" and i2 - i1 == 1 and 0 < k < len(ops) - 1 and merged and merged[-1][0] != "equal"):
            tag = "replace"
        if merged and merged[-1][0] != "equal" and tag != "equal":
            merged[-1] = ["replace", merged[-1][1], i2, merged[-1][3], j2]
        else:
            merged.append([tag, i1, i2, j1, j2])
    old: list[Segment] = []
    new: list[Segment] = []
    for tag, i1, i2, j1, j2 in merged:
        if tag == "equal":
            _push(old, "equal", a[i1:i2])
            _push(new, "equal", b[j1:j2])
            continue
        if i2 > i1:
            _push(old, "delete", a[i1:i2])
        if j2 > j1:
            _push(new, "insert", b[j1:j2])
    return old, new


def _push(segments: list[Segment], op: str, text: str) -> None:
    if segments and segments[-1].op == op:
        segments[-1] = Segment(op, segments[-1].text + text)
    else:
        segments.append(Segment(op, text))


# -- the comparison --------------------------------------------------------------


def compare_units(mode: str, old: list[Unit], new: list[Unit], threshold: float = THRESHOLD) -> Comparison:
    pairs = match(old, new, threshold)
    ordered = _in_order(pairs)
    matched_new = {j: (i, s, k in ordered) for k, (i, j, s) in enumerate(pairs)}
    matched_old = {i for i, _, _ in pairs}
    removed_after: dict[int, list[int]] = {}  # old index of the preceding matched unit (-1: start) -> removed
    last = -1
    for i in range(len(old)):
        if i in matched_old:
            last = i
        else:
            removed_after.setdefault(last, []).append(i)

    rows: list[Pair] = [Pair(old[i], None, [Segment("delete", old[i].text)]) for i in removed_after.get(-1, ())]
    for j, u in enumerate(new):
        if j not in matched_new:
            rows.append(Pair(None, u, [], [Segment("insert", u.text)]))
            continue
        i, s, in_order = matched_new[j]
        o = old[i]
        if o.text == u.text:
            segs_old, segs_new = [Segment("equal", o.text)], [Segment("equal", u.text)]
        else:
            segs_old, segs_new = char_diff(o.text, u.text)
        rows.append(Pair(o, u, segs_old, segs_new, round(s, 1), moved=not in_order))
        rows += [Pair(old[r], None, [Segment("delete", old[r].text)]) for r in removed_after.get(i, ())]
    return Comparison(mode, rows)


def compare(old_body: str, old_line: int, new_body: str, new_line: int,
            old_structure: articles.Structure | None = None, new_structure: articles.Structure | None = None,
            threshold: float = THRESHOLD) -> Comparison:
    """Compare two versions' Markdown bodies: by article when both have articles, else by paragraph."""
    old_structure = old_structure if old_structure is not None else articles.parse(old_body, old_line)
    new_structure = new_structure if new_structure is not None else articles.parse(new_body, new_line)
    if old_structure and new_structure:
        return compare_units("article", article_units(old_body, old_line, old_structure),
                             article_units(new_body, new_line, new_structure), threshold)
    return compare_units("paragraph", paragraph_units(old_body, old_line), paragraph_units(new_body, new_line),
                         threshold)
