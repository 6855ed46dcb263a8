"""The heading hierarchy of a cleaned report.

Numbered lines are headings: ``第一部分`` / ``一、`` / ``（一）`` or ``(一)`` /
``1、`` or ``1.`` / ``（1）`` / ``①``, plus markup headings (HTML ``<h2>``,
Word heading styles and list numbering). Levels come from the order in which
numbering styles appear, corrected by their usual rank, so restarted and
skipped numbers and mixed bracket or comma widths do not matter. A heading
written on one line with its text (``（一）强化思想引领。一是……``) is split at
its first full stop.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from kb.analysis.sections import NUMBERING_RE, heading_kind
from kb.text.script import to_simplified
from kb.importer.reading import Block

_CN = "一二三四五六七八九十"
MARKERS: list[tuple[str, float, re.Pattern[str]]] = [
    ("part", 0.0, re.compile(rf"^第[{_CN}]+部分")),
    ("cn", 1.0, re.compile(rf"^[{_CN}]{{1,3}}\s*[、．.，,]")),
    ("cn-paren", 2.0, re.compile(rf"^[（(]\s*[{_CN}]{{1,3}}\s*[）)]")),
    ("num", 3.0, re.compile(r"^\d{1,2}\s*(?:[、，,]|[．.](?!\d))")),
    ("num-paren", 4.0, re.compile(r"^(?:[（(]\s*\d{1,2}\s*[）)]|\d{1,2}[）)])")),
    ("circled", 5.0, re.compile(r"^[①-⑳]")),
]
# A short unnumbered line naming a report part (存在问题, 下半年工作打算).
KIND_LINE_RANK = 0.5
KIND_LINE_MAX = 16
HEADING_MAX = 80  # a numbered line whose first sentence is longer is a paragraph
_STOPS = "。！？!?"
_COLONS = "：:"
_END = "。！？；!?;：:…”」』）)"
_PUNCT_INSIDE = re.compile(r"[，,。；;、]")


@dataclass
class ISection:
    heading: str
    level: int
    style: str  # numbering style (or markup) that made it a heading
    paragraphs: list[str] = field(default_factory=list)
    line: str = ""  # the source line, as written

    @property
    def text(self) -> str:
        return "\n\n".join(self.paragraphs)


@dataclass
class Outline:
    intro: list[str]
    sections: list[ISection]


def marker(text: str) -> tuple[str, float] | None:
    for name, rank, pattern in MARKERS:
        if pattern.match(text):
            return name, rank
    return None


def split_heading(text: str) -> tuple[str, str] | None:
    """(heading, rest) of a numbered line, or None if it reads as a paragraph."""
    for i, ch in enumerate(text):
        if i > HEADING_MAX:
            return None
        if ch in _STOPS:
            return text[:i].rstrip(), text[i + 1:].strip()
        if ch in _COLONS and i <= 30 and i + 1 < len(text):
            return text[:i].rstrip(), text[i + 1:].strip()
    if len(text) > HEADING_MAX:
        return None
    return text.rstrip(), ""


def _kind_line(text: str) -> bool:
    if len(text) > KIND_LINE_MAX or _PUNCT_INSIDE.search(text) or text.endswith(tuple(_END)):
        return False
    return heading_kind(text) is not None


def _continues(prev: str, line: str) -> bool:
    """A line broken in the middle of a sentence (web copies wrap lines)."""
    return (len(prev) >= 8 and not prev.endswith(tuple(_END)) and _PUNCT_INSIDE.search(prev) is not None
            and not line.startswith(("——", "-")))


def outline(blocks: list[Block]) -> Outline:
    intro: list[str] = []
    sections: list[ISection] = []
    # Open numbering styles from the outside in: (style, rank, the text numbering
    # a markup heading also carries, e.g. a Heading 2 paragraph written "（一）…").
    stack: list[tuple[str, float, str | None]] = []

    def markup(style: str) -> bool:
        return style.startswith(("h", "list"))

    def place(style: str, rank: float, numbering: str | None = None) -> int:
        """Level of a heading: back to the same style if it is open, else nested
        by rank among styles of its family. Markup headings (styles, <h2>) hold
        the text-numbered ones, never the other way round — except a plain
        paragraph numbered like an open markup heading ("（三）" after a styled
        "（二）"), which is its sibling."""
        if any(s == style or a == style for s, _, a in stack):
            while stack[-1][0] != style and stack[-1][2] != style:
                stack.pop()
            return len(stack)
        if markup(style):
            while stack and not markup(stack[-1][0]):
                stack.pop()
        while stack and markup(stack[-1][0]) == markup(style) and stack[-1][1] >= rank:
            stack.pop()
        stack.append((style, rank, numbering))
        return len(stack)

    last_text_open = False  # the last paragraph may continue on the next line
    for b in blocks:
        text = b.text
        simple = to_simplified(text)
        current = sections[-1].paragraphs if sections else intro
        broken = last_text_open and bool(current) and not current[-1].endswith(tuple(_END))
        found = marker(simple)
        head: tuple[str, str] | None = None
        style = rank = numbering = None
        if b.heading_level is not None and len(text) <= HEADING_MAX:
            # Markup (heading styles, <h2>, Word list levels) outranks the numbering in the text.
            head = (text, "")
            lvl = b.heading_level
            style, rank = (f"h{lvl}", float(lvl)) if lvl < 10 else (f"list{lvl - 10}", 3.0 + lvl - 10)
            numbering = found[0] if found else None
        elif found:
            head = split_heading(text)
            if head is not None:
                style, rank = found
        elif _kind_line(simple) and not broken:
            head = (text, "")
            style, rank = "kind-line", KIND_LINE_RANK
        if head is not None and style is not None and rank is not None:
            level = place(style, rank, numbering)
            sec = ISection(heading=head[0], level=level, style=style, line=text)
            if head[1]:
                sec.paragraphs.append(head[1])
            sections.append(sec)
            last_text_open = bool(head[1])
            continue
        if broken and _continues(current[-1], text):
            current[-1] += text
        else:
            current.append(text)
        last_text_open = True
    _split_sentence_items(sections)
    return Outline(intro=intro, sections=sections)


SENTENCE_ITEM_MIN = 8
_CLAUSE = re.compile(r"[，,；;]")


def _split_sentence_items(sections: list[ISection]) -> None:
    """A numbered item written as one sentence (``1、基层组织不够健全，会员少……。``)
    with nothing under it: its first clause becomes the heading and the whole
    sentence its text, so the item is classified and listed like any section."""
    for i, sec in enumerate(sections):
        if sec.paragraphs or (i + 1 < len(sections) and sections[i + 1].level > sec.level):
            continue
        m = NUMBERING_RE.match(sec.line)
        if m is None:
            continue
        rest = sec.line[m.end():].strip()
        clause = _CLAUSE.split(rest, maxsplit=1)
        if len(rest) > SENTENCE_ITEM_MIN and len(clause) == 2 and clause[0].strip():
            sec.heading = sec.line[:m.end()].strip() + clause[0].strip()
            sec.paragraphs = [rest]
