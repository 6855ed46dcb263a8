"""Report text as PDF viewers and previews deliver it: run-on lines and page furniture.

Text copied out of a PDF or a document preview often holds a whole report on
one line, glues a list item to its heading (``…水平有力提升1.认真开展…``) and
carries the pages' furniture: page counters (``_第1页``, ``第 2 页 共 3 页``,
``- 2 -``), lone numbers (``2、``) where a page broke, the file name. This
step runs before cleaning, on the raw lines (their spaces still tell where a
heading ended), and returns lines that read like the ones a Word file gives:
one heading or paragraph each.

A numbering marker inside a line starts a heading only at a plausible place
(the start of the line, after a full stop, colon or space) and only when the
numbering sequence agrees: ``二、`` after ``一、``, ``（一）`` or ``1.`` as the
first of their kind below a new part. A lone ``2、`` with nothing before it is
a page number.
"""

from __future__ import annotations

import re

from kb.analysis.sections import NUMBERING_RE, heading_kind
from kb.text.numerals import to_int
from kb.text.script import to_simplified

_CN = "一二三四五六七八九十"
# Page counters anywhere in a line (PDF footers copied with the text).
_PAGE_COUNTER = re.compile(
    r"[_＿]?\s*第\s*\d{1,3}\s*页(?:\s*[,，/]?\s*共\s*\d{1,3}\s*页)?|共\s*\d{1,3}\s*页\s*第\s*\d{1,3}\s*页|"
    r"(?<![\d])\s[-—–]\s*\d{1,3}\s*[-—–](?=\s|$)|^\s*[-—–]\s*\d{1,3}\s*[-—–]\s*$"
)
# A line that is only a page number (2, 2、, - 2 -, 2/5).
_PAGE_ONLY = re.compile(r"^\s*[-—–]?\s*\d{1,3}\s*(?:[、.．,，]|/\s*\d{1,3})?\s*[-—–]?\s*$")
# A file name on a line of its own (青禾镇统战工作总结(2).docx).
_FILE_NAME = re.compile(r"^\S{1,80}?\.(?:docx?|wps|pdf|txt|rtf)\s*$", re.I)
_FILE_COPY = re.compile(r"\s*(?:[(（]\d{1,3}[)）]|[_-]?副本|[_-]?最终版|[_-]?定稿)+$")
_DATE_SPACE = re.compile(r"(\d)\s+(?=[年月日])|(?<=[年月])\s+(?=\d)")

# Heading markers looked for inside a line: (style, pattern with the number in group 1).
_INLINE = [
    ("cn", re.compile(rf"([{_CN}]{{1,3}})[、．.]")),
    ("cn-paren", re.compile(rf"[（(]([{_CN}]{{1,3}})[）)]")),
    ("num", re.compile(r"(\d{1,2})(?:[、]|[．.](?!\d))(?=[\u4e00-\u9fff“])")),
]
_RANK = {"cn": 1, "cn-paren": 2, "num": 3}
_STOP_BEFORE = "。！？；;!?：:"
_PLAIN_HEAD = re.compile(r"[，,。；;！？!?：:、]")
RUNON_MIN = 60  # a line shorter than this is never split inside
HEADING_SPACE_MAX = 40  # a heading ended by a space: that many characters at most
TITLE_MAX = 60
_TITLE_WORDS = re.compile(r"总结|报告|汇报|计划|要点|述职")
# 存在问题：……  下一步打算：……  (a part named in-line before a colon)
_KIND_LEAD = re.compile(r"^([^，,。；;：:\s]{2,12})[：:]\s*(?=\S)")


def _number(style: str, raw: str) -> int | None:
    return int(raw) if style == "num" else to_int(raw)


def _simple(text: str) -> str:
    """The Simplified form when it keeps every position (OpenCC's character conversions), else the text."""
    simple = to_simplified(text)
    return simple if len(simple) == len(text) else text


def drop_page_furniture(line: str) -> tuple[str, list[str]]:
    """(line without page counters, the furniture taken out of it)."""
    simple = _simple(line)
    if line.strip() and _PAGE_ONLY.match(simple):
        return "", [line.strip()]
    if _FILE_NAME.match(simple.strip()):
        # 某镇2023年统战工作总结(2).docx: the report's title hides in its file name
        stem = _FILE_COPY.sub("", line.strip().rsplit(".", 1)[0])
        if _TITLE_WORDS.search(to_simplified(stem)) and re.search(r"(?:19|20)\d{2}", stem):
            return stem, [line.strip()[len(stem):] or line.strip()]
        return "", [line.strip()]
    spans = [m.span() for m in _PAGE_COUNTER.finditer(simple)]
    if not spans:
        return line, []
    found = [line[a:b].strip() for a, b in spans]
    out, pos = [], 0
    for a, b in spans:
        out.append(line[pos:a] + " ")
        pos = b
    out.append(line[pos:])
    text = "".join(out)
    return (text if text.strip() else ""), found


class Sequence:
    """The last number seen per numbering style, reset below a new outer heading."""

    def __init__(self) -> None:
        self.last: dict[str, int] = {}

    def credible(self, style: str, n: int) -> bool:
        last = self.last.get(style, 0)
        return n == last + 1 or n == 1

    def see(self, style: str, n: int) -> None:
        self.last[style] = n
        for other, rank in _RANK.items():
            if rank > _RANK[style]:
                self.last.pop(other, None)


def _line_start_style(text: str) -> tuple[str, int] | None:
    simple = to_simplified(text.lstrip())
    for style, pattern in _INLINE:
        m = pattern.match(simple)
        if m:
            n = _number(style, m.group(1))
            return (style, n) if n else None
    return None


def _cut_points(text: str, seq: Sequence) -> list[int]:
    """Where headings start inside a run-on line (after its first character)."""
    cuts: list[int] = []
    candidates = []
    for style, pattern in _INLINE:
        for m in pattern.finditer(text, 1):
            candidates.append((m.start(), style, m))
    candidates.sort(key=lambda c: c[0])
    in_heading = _line_start_style(text) is not None  # the current piece began with a heading marker
    piece_start = 0
    taken_until = 0
    for pos, style, m in candidates:
        if pos < taken_until:
            continue
        n = _number(style, m.group(1))
        if not n:
            continue
        before = text[:pos].rstrip(" \t\u3000")
        prev = before[-1:] if before else ""
        spaced = len(before) < pos
        if prev.isdigit() or prev in "第（(" or (style == "cn" and prev in _CN):
            continue
        glued_item = (style == "num" and n == 1 and in_heading and prev and not spaced
                      and not _PLAIN_HEAD.search(text[piece_start:pos]))
        plausible = prev in _STOP_BEFORE or (spaced and prev not in "，,、") or glued_item
        if not plausible or not seq.credible(style, n):
            continue
        seq.see(style, n)
        cuts.append(pos)
        piece_start, taken_until = pos, m.end()
        in_heading = True
    return cuts


def _heading_then_body(piece: str) -> list[str]:
    """``一、上半年工作开展情况 上半年，……``: a heading ended by a space, not a stop."""
    m0 = NUMBERING_RE.match(piece)
    if m0 is None:
        return [piece]
    m = re.compile(r"[ \t\u3000]+").search(piece, m0.end() + 2)
    if m is None or m.start() > HEADING_SPACE_MAX:
        return [piece]
    head, rest = piece[: m.start()], piece[m.end():]
    if _PLAIN_HEAD.search(head[m0.end():]) or len(rest) < 8 or not _PLAIN_HEAD.search(rest):
        return [piece]
    return [head, rest]


_KIND_END = re.compile(r"(?:情况|问题|不足|打算|计划|思路|做法|成效|成绩|体会|建议|要点|工作)")
GLUED_OPENING_MAX = 15  # 一、上半年工作开展情况|2021年上半年，…: the opening words before the first comma


def _glued_kind_heading(piece: str) -> list[str]:
    """``一、上半年工作开展情况上半年，……``: a part's heading glued to its text."""
    simple = _simple(piece)
    m0 = NUMBERING_RE.match(simple)
    comma = re.search(r"[，,]", simple)
    if m0 is None or comma is None:
        return [piece]
    stop = _STOP_IN.search(simple)
    if stop is not None and stop.start() < comma.start():
        return [piece]
    ends = [m.end() for m in _KIND_END.finditer(simple, m0.end(), comma.start())]
    for end in reversed(ends):
        head = piece[:end]
        if 2 <= comma.start() - end <= GLUED_OPENING_MAX and heading_kind(head) is not None:
            return [head, piece[end:]]
    return [piece]


def _kind_lead(piece: str) -> list[str]:
    """``存在问题：……`` -> the part's name as a line of its own, then the text."""
    m = _KIND_LEAD.match(piece)
    if m and heading_kind(m.group(1)) is not None and _line_start_style(piece) is None:
        return [m.group(1), piece[m.end():]]
    return [piece]


def _title_lead(line: str) -> list[str]:
    """A run-on text that starts with the report's title, then a space, then the opening
    (the title itself may hold a space: 云州市委统战部 2024年上半年工作总结)."""
    if len(line) < RUNON_MIN:
        return [line]
    for m in re.finditer(r"[ \t\u3000]+", line):
        if m.start() > TITLE_MAX:
            break
        head = line[: m.start()]
        if _PLAIN_HEAD.search(head) or _line_start_style(head) is not None:
            break
        if _TITLE_WORDS.search(to_simplified(head)):
            return [head, line[m.end():]]
    return [line]


def split_line(line: str, seq: Sequence) -> list[str]:
    """One raw line as the headings and paragraphs it holds."""
    line = _DATE_SPACE.sub(lambda m: m.group(1) or "", line)
    start = _line_start_style(line)
    if start is not None:
        seq.see(*start)
    out: list[str] = []
    for part in _title_lead(line):
        cuts = _cut_points(part, seq) if len(part) >= RUNON_MIN or _STOP_IN.search(part) else []
        bounds = [0, *cuts, len(part)]
        for a, b in zip(bounds, bounds[1:]):
            piece = part[a:b].strip()
            if not piece:
                continue
            pieces = _heading_then_body(piece) if (a > 0 or start is not None) else [piece]
            if len(pieces) == 1 and (a > 0 or start is not None):
                pieces = _glued_kind_heading(piece)
            for p in pieces:
                out.extend(_kind_lead(p))
    if out and len(line) >= RUNON_MIN:
        out[-1:] = split_signature(out[-1])
    return out


_STOP_IN = re.compile(r"[。！？；]")
_SENTENCE_END = tuple("。！？；;!?：:…”」』）)")
# The signature run on after the last sentence: …。 青禾镇党委统战办 2023年7月5日
_TAIL_SIGNATURE = re.compile(
    r"(?<=[。！？!?])[ \t\u3000]+([^，,。；;：:\s]{2,30}(?:统战部|统战办|统一战线工作部|党委|党工委|委员会|人民政府|办公室))"
    r"(?:[ \t\u3000]+((?:19|20)\d{2}年\d{1,2}月(?:\d{1,2}日)?))?[ \t\u3000]*$"
)


def split_signature(text: str) -> list[str]:
    m = _TAIL_SIGNATURE.search(_simple(text))
    if m is None:
        return [text]
    return [text[: m.start()], *(text[a:b] for a, b in (m.span(1), m.span(2)) if a >= 0)]


def unglue_blocks(blocks: list) -> tuple[list, list[tuple[str, str]]]:
    """``unglue`` on text blocks: markup headings (``<h2>``, Word styles) only lose furniture."""
    from kb.importer.reading import Block

    seq = Sequence()
    out: list[Block] = []
    removed: list[tuple[str, str]] = []
    for b in blocks:
        kept, furniture = drop_page_furniture(b.text)
        removed.extend(("page-furniture", f) for f in furniture)
        if not kept.strip():
            continue
        if b.heading_level is not None:
            out.append(Block(kept, b.heading_level))
            start = _line_start_style(kept)
            if start is not None:
                seq.see(*start)
            continue
        start = _line_start_style(kept)
        if start is not None and start[0] == "num" and not seq.credible(*start) and out \
                and out[-1].heading_level is None and not out[-1].text.rstrip().endswith(_SENTENCE_END):
            # "2、" where a page broke a sentence, with the rest of the sentence after it
            m = NUMBERING_RE.match(kept)
            removed.append(("page-furniture", kept[: m.end()].strip()))
            out[-1] = Block(out[-1].text.rstrip() + kept[m.end():].strip())
            continue
        out.extend(Block(t) for t in split_line(kept, seq))
    return out, removed
