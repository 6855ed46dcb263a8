"""In-page filters of regulation and policy listings (status, level, issuer, year).

The listing rows carry ``data-*`` values (``row_attrs``); the filter form
offers the values present, with counts (``facets``); ``docs/assets/kb-filter.js``
hides the rows that do not match. Both sides derive from these functions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterable

from kb.schema.models import DOC_LEVELS, STATUS_LABELS, STATUSES

if TYPE_CHECKING:  # pragma: no cover
    from kb.model.entry import Entry

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
