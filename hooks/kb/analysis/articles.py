"""Article structure of regulation and policy bodies: 第X章 / 第X节 / 第X条.

Recognised forms (outside code fences):

- headings: ``## 第一章 总则``, ``### 第二节 …``, ``### 第十二条之一``;
- paragraphs starting with a bold label: ``**第三十六条** …``;
- plain paragraphs starting with the label and a space: ``第三十六条　…``.

Each gets a stable anchor: ``chapter-3``, ``chapter-3-section-2``,
``article-36``, ``article-12-1``. ``annotate`` writes the anchors into the
Markdown body: an attribute list on headings, a raw HTML anchor (from the
templates) at the start of paragraphs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable, Iterable, Union

from kb.text.numerals import NUMERAL_CHARS, to_int
from kb.problems import Problems
from kb.text.markdown import ATTR_ID_RE, ATTR_RE, HEADING_RE, FenceTracker

_N = f"[{NUMERAL_CHARS}]+"
# 条 in either script; the label may be followed by 之一 (an inserted article).
ARTICLE_LABEL = f"(?P<label>第(?P<num>{_N})[条條](?:之(?P<sub>{_N}))?)"
DIVISION_RE = re.compile(f"^第(?P<num>{_N})(?P<kind>[章节節])(?=$|[\\s\u3000：:，,])")
HEAD_ARTICLE_RE = re.compile(f"^{ARTICLE_LABEL}(?=$|[\\s\u3000：:，,])")
BOLD_ARTICLE_RE = re.compile(f"^(?P<indent> {{0,3}})(?P<mark>\\*\\*|__){ARTICLE_LABEL}(?=(?P=mark)|[ \\t\u3000])")
PLAIN_ARTICLE_RE = re.compile(f"^(?P<indent> {{0,3}}){ARTICLE_LABEL}(?=[ \\t\u3000])")
_MARKUP_RE = re.compile(r"\*\*|__|`|<[^>]*>|\[([^\]]*)\]\([^)]*\)")
EXCERPT_CHARS = 28


def article_anchor(num: int, sub: int | None = None) -> str:
    return f"article-{num}" + (f"-{sub}" if sub else "")


@dataclass(frozen=True)
class Division:
    """A chapter (章) or a section (节) heading."""

    anchor: str
    kind: str  # "chapter" | "section"
    number: int
    label: str  # the heading text, e.g. 第一章 总则
    line: int  # 1-based line in the entry file
    explicit: bool = False  # the heading already had an {#id}
    level: int = 1  # depth in the table of contents: 1 chapter, 2 section in a chapter


@dataclass(frozen=True)
class Article:
    anchor: str
    number: int
    sub: int | None
    label: str  # as written, e.g. 第十二条之一
    excerpt: str  # the start of its text, markup removed
    line: int
    heading: bool  # written as a heading rather than a paragraph
    division: str | None  # anchor of the enclosing chapter/section
    explicit: bool = False
    level: int = 1  # depth in the table of contents: one below its division


Item = Union[Division, Article]


@dataclass
class Structure:
    """The articles and divisions of one document, in order."""

    items: list[Item] = field(default_factory=list)
    articles: dict[tuple[int, int | None], Article] = field(default_factory=dict)  # (number, 之N) -> article
    duplicated: set[tuple[int, int | None]] = field(default_factory=set)  # numbers used twice: never linked

    def __bool__(self) -> bool:
        return bool(self.articles)

    def article(self, number: int, sub: int | None = None) -> Article | None:
        return self.articles.get((number, sub))

    @property
    def anchors(self) -> set[str]:
        return {i.anchor for i in self.items}


def _excerpt(text: str) -> str:
    # "|" would split a Markdown table cell if the excerpt ends up in an attribute there.
    text = _MARKUP_RE.sub(lambda m: m.group(1) or "", text).replace("|", "｜").strip(" \t\u3000*_：:")
    return text if len(text) <= EXCERPT_CHARS else text[:EXCERPT_CHARS] + "…"


def parse(body: str, body_line: int, rel: str = "", problems: Problems | None = None) -> Structure:
    """Find chapters, sections and articles in a Markdown body.

    A number used twice gives a warning and only its first occurrence an
    anchor (an HTML id must be unique on the page); citations of that number
    do not link to an article (``Structure.duplicated``).
    """
    out = Structure()
    seen: dict[str, int] = {}
    chapter: Division | None = None
    division: Division | None = None
    chapter_depth = 0  # Markdown level of the current chapter heading
    fences = FenceTracker()
    previous_blank = True
    for idx, line in enumerate(body.split("\n")):
        lineno = body_line + idx
        if fences.in_code(line):
            previous_blank = False
            continue
        item: Item | None = None
        h = HEADING_RE.match(line)
        if h:
            raw = h.group(2)
            idm = ATTR_ID_RE.search(raw)
            text = ATTR_RE.sub("", raw).strip()
            d = DIVISION_RE.match(text)
            a = HEAD_ARTICLE_RE.match(text)
            if d and (num := to_int(d.group("num"))):
                if d.group("kind") == "章":
                    anchor, kind = f"chapter-{num}", "chapter"
                else:
                    anchor = (f"{chapter.anchor}-" if chapter else "") + f"section-{num}"
                    kind = "section"
                div = Division(idm.group(1) if idm else anchor, kind, num, text, lineno, explicit=bool(idm),
                               level=2 if kind == "section" and chapter else 1)
                if kind == "chapter":
                    chapter, chapter_depth = div, len(h.group(1))
                division = div
                item = div
            elif a:
                item = _article(a, text, lineno, True, division, idm.group(1) if idm else None)
            elif chapter is not None and len(h.group(1)) <= chapter_depth:
                chapter = division = None  # another heading (其余各章要点) ends the chapter
        else:
            # A bold label always starts an article; a plain one only at the
            # start of a paragraph (a wrapped line may begin with 第X条).
            a = BOLD_ARTICLE_RE.match(line) or (PLAIN_ARTICLE_RE.match(line) if previous_blank else None)
            if a:
                item = _article(a, line, lineno, False, division, None)
        previous_blank = not line.strip() or bool(h)
        if item is None:
            continue
        if item.anchor in seen:
            if isinstance(item, Article):
                out.duplicated.add((item.number, item.sub))  # which one a citation means is unclear
            if problems is not None:
                problems.add(rel, lineno, "正文", f"“{item.label}”与第 {seen[item.anchor]} 行编号重复，"
                             "只有第一处有锚点，引用这一编号的地方不会链接到条文", "warning")
            continue
        seen[item.anchor] = lineno
        out.items.append(item)
        if isinstance(item, Article):
            out.articles.setdefault((item.number, item.sub), item)
    return out


def _article(m: re.Match, text: str, lineno: int, heading: bool, division: Division | None,
             explicit: str | None) -> Article | None:
    """An article from a label match ``m`` on ``text`` (heading text or body line)."""
    num = to_int(m.group("num"))
    sub = to_int(m.group("sub")) if m.group("sub") else None
    if not num or (m.group("sub") and not sub):
        return None
    return Article(
        anchor=explicit or article_anchor(num, sub),
        number=num,
        sub=sub,
        label=m.group("label"),
        excerpt=_excerpt(text[m.end("label"):]),
        line=lineno,
        heading=heading,
        division=division.anchor if division else None,
        explicit=explicit is not None,
        level=division.level + 1 if division else 1,
    )


def annotate(body: str, body_line: int, structure: Structure, anchor_html: Callable[[str], str]) -> str:
    """Write the anchors into the body; the number of lines does not change.

    Headings get ``{#anchor}`` (attr_list); paragraphs get ``anchor_html(anchor)``
    in front of their first line.
    """
    if not structure.items:
        return body
    lines = body.split("\n")
    for item in structure.items:
        if item.explicit:
            continue
        i = item.line - body_line
        line = lines[i]
        if isinstance(item, Division) or item.heading:
            head = line.rstrip()
            if ATTR_RE.search(head):  # an attribute list without an id: add ours to it
                lines[i] = f"{head[:-1].rstrip()} #{item.anchor}}}"
            else:
                lines[i] = f"{head.rstrip('#').rstrip()} {{#{item.anchor}}}"
        else:
            indent = len(line) - len(line.lstrip(" "))
            lines[i] = line[:indent] + anchor_html(item.anchor) + line[indent:]
    return "\n".join(lines)


def parse_all(entries: Iterable, problems: Problems, memo=None) -> dict[str, Structure]:
    """Structures of every regulation and policy, by entry id.

    ``memo`` (a ``kb.model.cache.EntryMemo``, live preview): reuse the structure of an unchanged entry.
    """
    out: dict[str, Structure] = {}
    if memo is not None:
        memo.begin()
    for e in entries:
        if e.type in ("regulation", "policy"):
            if memo is not None:
                out[e.id] = memo.get(e, lambda p, e=e: parse(e.doc.body, e.doc.body_line, e.doc.rel, p), problems)
            else:
                out[e.id] = parse(e.doc.body, e.doc.body_line, e.doc.rel, problems)
    if memo is not None:
        memo.end()
    return out
