"""An entry as a compilation shows it: its metadata table and its body as blocks
(headings, paragraphs with bold/italic runs, list items, quotes, tables).

The body is read with Python-Markdown (the same dialect the site uses) and
walked with BeautifulSoup; links become their text (a citation reads as the
cited title), raw HTML becomes text.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING

import markdown
from bs4 import BeautifulSoup, NavigableString, Tag

from kb.schema.models import AUDIENCE_LABELS, STATUS_LABELS, TYPE_LABELS

if TYPE_CHECKING:  # pragma: no cover
    from kb.model.entry import Entry
    from kb.model.knowledge import KnowledgeBase


@dataclass(frozen=True)
class Run:
    text: str
    bold: bool = False
    italic: bool = False


@dataclass
class Block:
    """``kind``: heading (``level`` 1-4, relative to the entry title), para, item (list item,
    ``level`` nesting depth, ``marker``), quote, table (``rows`` of cell texts), code."""

    kind: str
    runs: list[Run] = field(default_factory=list)
    level: int = 0
    marker: str = ""
    rows: list[list[str]] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "".join(r.text for r in self.runs)


def metadata_rows(kb: "KnowledgeBase", e: "Entry") -> list[tuple[str, str]]:
    """(label, value) pairs of the entry's metadata table."""
    m = e.meta
    rows: list[tuple[str, str]] = [("类型", TYPE_LABELS[e.type])]
    if e.type in ("regulation", "policy"):
        rows += [("制定机关", m.issuer), ("发文字号", m.doc_number or ""), ("效力级别", m.level or ""),  # type: ignore[attr-defined]
                 ("时效性", STATUS_LABELS[m.status]), ("公布日期", str(m.promulgated)),  # type: ignore[attr-defined]
                 ("施行日期", str(m.effective or ""))]  # type: ignore[attr-defined]
    else:
        rows += [("单位", m.unit), ("单位层级", m.level or ""), ("年份", str(m.year))]  # type: ignore[attr-defined]
        if e.type == "report":
            rows.append(("报告期", m.period))  # type: ignore[attr-defined]
        report = kb.by_id.get(getattr(m, "report", None) or "")
        if report is not None:
            rows.append(("出自报告", report.label))
    rows += [("工作领域", "、".join(kb.taxonomy.name(a) for a in m.areas)), ("来源", m.source or ""),
             ("可见范围", AUDIENCE_LABELS[m.audience])]
    return [(k, v) for k, v in rows if v]


@lru_cache(maxsize=1)
def _md() -> markdown.Markdown:
    return markdown.Markdown(extensions=["tables", "attr_list", "md_in_html", "admonition"])


def body_blocks(body: str) -> tuple[Block, ...]:
    """The blocks of a Markdown body, in order (do not change them: shared by later calls)."""
    return _blocks(body)


@lru_cache(maxsize=512)  # an entry is in several areas' compilations, in two formats
def _blocks(body: str) -> tuple[Block, ...]:
    md = _md()
    md.reset()
    soup = BeautifulSoup(md.convert(body), "lxml")
    out: list[Block] = []
    _walk(soup.body or soup, out, depth=0)
    return tuple(b for b in out if b.kind == "table" or b.text.strip())


def _runs(node: Tag, bold: bool = False, italic: bool = False) -> list[Run]:
    out: list[Run] = []
    for child in node.children:
        if isinstance(child, NavigableString):
            text = str(child).replace("\n", "")
            if text:
                if out and out[-1].bold == bold and out[-1].italic == italic:
                    out[-1] = Run(out[-1].text + text, bold, italic)
                else:
                    out.append(Run(text, bold, italic))
        elif isinstance(child, Tag):
            if child.name == "br":
                out.append(Run("\n", bold, italic))
                continue
            for r in _runs(child, bold or child.name in ("strong", "b"), italic or child.name in ("em", "i")):
                if out and out[-1].bold == r.bold and out[-1].italic == r.italic:
                    out[-1] = Run(out[-1].text + r.text, r.bold, r.italic)
                else:
                    out.append(r)
    return out


def _walk(node: Tag, out: list[Block], depth: int, quote: bool = False) -> None:
    for child in node.children:
        if isinstance(child, NavigableString):
            if str(child).strip():
                out.append(Block("quote" if quote else "para", [Run(str(child).strip())]))
            continue
        if not isinstance(child, Tag):
            continue
        name = child.name
        if name in ("h1", "h2", "h3", "h4", "h5", "h6"):
            # An entry body's ## is the first level under the entry title.
            out.append(Block("heading", _runs(child), level=min(max(int(name[1]) - 1, 1), 4)))
        elif name == "p":
            out.append(Block("quote" if quote else "para", _runs(child)))
        elif name in ("ul", "ol"):
            _walk_list(child, out, depth, quote)
        elif name == "blockquote":
            _walk(child, out, depth, quote=True)
        elif name == "table":
            rows = [[c.get_text(" ", strip=True) for c in tr.find_all(["th", "td"])] for tr in child.find_all("tr")]
            out.append(Block("table", rows=rows))
        elif name == "pre":
            out.append(Block("code", [Run(child.get_text().rstrip("\n"))]))
        elif name == "hr":
            continue
        elif name in ("div", "section", "details", "article"):
            _walk(child, out, depth, quote)
        else:
            out.append(Block("quote" if quote else "para", _runs(child)))


def _walk_list(node: Tag, out: list[Block], depth: int, quote: bool) -> None:
    for n, li in enumerate(node.find_all("li", recursive=False), start=1):
        nested = [c for c in li.children if isinstance(c, Tag) and c.name in ("ul", "ol")]
        for c in nested:
            c.extract()
        paras = li.find_all("p", recursive=False)
        runs = [r for p in paras for r in _runs(p)] if paras else _runs(li)
        out.append(Block("item", runs, level=depth, marker=f"{n}." if node.name == "ol" else "•"))
        for c in nested:
            _walk_list(c, out, depth + 1, quote)
