"""In-page filters of regulation and policy listings (status, level, issuer, year).

The listing rows carry ``data-*`` values (``row_attrs``); the filter form
offers the values present, with counts (``facets``); ``docs/assets/kb-filter.js``
hides the rows that do not match. Both sides derive from these functions.

A listing split over pages (kb.site.paging) is filtered as a whole: every
page names the script with all its rows (``rows_script``, written once per
listing), which kb-filter.js loads when a filter is chosen and renders the
matching rows from. A script, not a JSON file, so that it also loads from
``file://`` (the offline edition), where browsers refuse ``fetch()``.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterable

from kb.schema.models import DOC_LEVELS, STATUS_LABELS, STATUSES, TYPE_DIRS
from kb.site.export import dumps_html_safe  # the same escaping as entries.json
from kb.site.urls import page_url

if TYPE_CHECKING:  # pragma: no cover
    from kb.model.entry import Entry

FILTERED_TYPES = ("regulation", "policy")  # the listings with a filter form
ROWS_DIR = "listings"  # where the rows scripts go, under the site root
ROWS_FORMAT = 1
UNSPECIFIED = "未标注"
ISSUER_SEP = "|"  # joint issuers (中共中央 国务院) are listed separately
_ISSUER_SPLIT = re.compile(r"[\s、，,]+")


def issuers(e: "Entry") -> list[str]:
    """The issuing bodies: a joint document names several, separated by spaces."""
    return [p for p in _ISSUER_SPLIT.split(e.meta.issuer) if p]  # type: ignore[attr-defined]


def row_attrs(e: "Entry") -> dict[str, str]:
    """``data-*`` attributes of a listing row."""
    m = e.meta
    return {
        "status": m.status,  # type: ignore[attr-defined]
        "level": m.level or UNSPECIFIED,  # type: ignore[attr-defined]
        "issuer": ISSUER_SEP.join(issuers(e)),
        "year": str(e.year),
    }


@dataclass(frozen=True)
class Option:
    value: str
    label: str
    count: int


@dataclass(frozen=True)
class Facet:
    name: str  # the data-* key and the URL parameter
    label: str
    options: list[Option]


def facets(entries: Iterable["Entry"]) -> list[Facet]:
    entries = list(entries)
    status: dict[str, int] = {}
    level: dict[str, int] = {}
    issuer: dict[str, int] = {}
    year: dict[str, int] = {}
    for e in entries:
        attrs = row_attrs(e)
        status[attrs["status"]] = status.get(attrs["status"], 0) + 1
        level[attrs["level"]] = level.get(attrs["level"], 0) + 1
        for i in issuers(e):
            issuer[i] = issuer.get(i, 0) + 1
        year[attrs["year"]] = year.get(attrs["year"], 0) + 1
    level_order = {v: i for i, v in enumerate((*DOC_LEVELS, UNSPECIFIED))}
    return [
        Facet("status", "时效性", [Option(s, STATUS_LABELS[s], status[s]) for s in STATUSES if s in status]),
        Facet("level", "效力级别", [Option(v, v, level[v]) for v in sorted(level, key=level_order.__getitem__)]),
        Facet("issuer", "制定机关", [Option(v, v, issuer[v]) for v in sorted(issuer, key=lambda v: (-issuer[v], v))]),
        Facet("year", "公布年份", [Option(v, f"{v} 年", year[v]) for v in sorted(year, reverse=True)]),
    ]


def rows_path(etype: str) -> str:
    """Path of a listing's rows script under the site root (``listings/regulations.js``)."""
    return f"{ROWS_DIR}/{TYPE_DIRS[etype]}.js"


def row_values(e: "Entry", directory_urls: bool = True) -> list[str]:
    """One row of a rows script: the cells of the listing row, then its ``data-*`` values
    (``row_attrs``), in the order kb-filter.js reads them."""
    m = e.meta
    attrs = row_attrs(e)
    return [page_url(e.src_uri, directory_urls), e.label, m.issuer, m.doc_number or "",  # type: ignore[attr-defined]
            str(m.promulgated), *(attrs[k] for k in ("status", "level", "issuer", "year"))]  # type: ignore[attr-defined]


def rows_script(etype: str, entries: Iterable["Entry"], directory_urls: bool = True) -> str:
    """All rows of a filtered listing, in listing order, as a script that stores them in
    ``window.__kbRows[<type>]``; links relative to the site root. Deterministic, HTML-safe."""
    data = {"version": ROWS_FORMAT, "status": STATUS_LABELS,
            "rows": [row_values(e, directory_urls) for e in entries]}
    return f"(window.__kbRows=window.__kbRows||{{}})[{json.dumps(etype)}]={dumps_html_safe(data)};\n"
