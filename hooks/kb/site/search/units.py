"""Search units: what one search result can be.

- the entry itself (title, metadata, summary and the text that belongs to no
  smaller unit);
- every report section, linked to its anchor (``sec-N-M``), including a part
  heading followed only by sub-headings (its heading is its only text);
- every article of a regulation or policy (``article-N``, ``article-N-M``),
  whose text is the article as written.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Iterable

from kb.analysis.articles import Article, Structure
from kb.model.entry import Entry
from kb.schema.models import STATUS_LABELS, TYPE_LABELS
from kb.site.search.text import md_to_text

# Version-family order of known items: in force first, then not yet effective, amended, repealed.
STATUS_RANK = {"in-force": 0, "not-yet-effective": 1, "amended": 2, "repealed": 3}
_PERIOD_DATE = {"上半年": (6, 30), "下半年": (12, 31), "年度": (12, 31), "专项": (12, 31)}


@dataclass
class Unit:
    anchor: str  # "" for the entry itself
    title: str
    text: str
    facets: list[str]
    areas: list[str]
    kind: str | None = None


def entry_date(e: Entry) -> dt.date:
    """The date results are sorted by: 公布日期, else the end of the report's period or year."""
    if e.date:
        return e.date
    month, day = _PERIOD_DATE.get(getattr(e.meta, "period", None) or "年度", (12, 31))
    return dt.date(e.year, month, day)


def date_order(entries: Iterable[Entry]) -> list[Entry]:
    """Newest first; the index numbers entries in this order, so a date sort needs no data."""
    return sorted(entries, key=lambda e: (-entry_date(e).toordinal(), e.id))


def meta_line(e: Entry, area_name=None) -> str:
    m = e.meta
    parts = [TYPE_LABELS[e.type]]
    for attr in ("doc_number", "issuer", "unit", "level"):
        v = getattr(m, attr, None)
        if v:
            parts.append(str(v))
    if getattr(m, "promulgated", None):
        parts.append(f"{m.promulgated.isoformat()} 公布")
    if getattr(m, "period", None):
        parts.append(f"{e.year}年{m.period}")
    elif e.type == "case":
        parts.append(f"{e.year}年")
    if getattr(m, "status", None):
        parts.append(STATUS_LABELS[m.status])
    parts.extend(getattr(m, "aliases", []) or [])
    parts.extend(m.tags)
    return " · ".join(parts)  # area names are facets, not text: they would match every entry of an area


def facets(e: Entry, areas: Iterable[str], kind: str | None = None) -> list[str]:
    m = e.meta
    out = [f"@type:{e.type}", f"@year:{e.year}"]
    out.extend(f"@area:{a}" for a in areas)
    if getattr(m, "status", None):
        out.append(f"@status:{m.status}")
    if getattr(m, "level", None):
        out.append(f"@level:{m.level}")
    if kind:
        out.append(f"@kind:{kind}")
    return out


def _article_spans(structure: Structure, body_line: int, n_lines: int) -> list[tuple[Article, int, int]]:
    """(article, first line, end line) as 0-based body line indexes; an article ends where the next
    article or chapter/section heading begins."""
    items = sorted(structure.items, key=lambda i: i.line)
    out = []
    for k, item in enumerate(items):
        if isinstance(item, Article):
            end = items[k + 1].line - body_line if k + 1 < len(items) else n_lines
            out.append((item, item.line - body_line, end))
    return out


def entry_units(e: Entry, area_name=None, structure: Structure | None = None) -> list[Unit]:
    lines = e.doc.body.split("\n")
    own = lines
    articles: list[Unit] = []
    if e.sections:  # reports: the entry unit holds only the text before the first heading
        own = lines[: e.sections[0].line - e.doc.body_line]
    elif structure:
        spans = _article_spans(structure, e.doc.body_line, len(lines))
        taken = set()
        for art, start, end in spans:
            taken.update(range(start, end))
            articles.append(Unit(art.anchor, art.label, md_to_text("\n".join(lines[start:end])),
                                 facets(e, e.meta.areas), list(e.meta.areas)))
        own = [line for i, line in enumerate(lines) if i not in taken]
    text = md_to_text("\n".join(own))
    if e.meta.summary:
        text = e.meta.summary + "\n" + text
    units = [Unit("", e.title, text, facets(e, e.meta.areas), list(e.meta.areas))]
    for s in e.sections:
        areas = list(s.areas or e.meta.areas)
        kind = s.kind if s.has_text else None
        units.append(Unit(s.anchor, s.heading, md_to_text(s.text), facets(e, areas, kind), areas, kind))
    return units + articles
