"""``entries.json``: the metadata of every visible entry, for other intranet systems.

One object per entry of ``kb.entries`` (already narrowed to the build's
audience), sorted by id; no build time or other varying value, so the same
input gives the same bytes. The JSON is HTML-safe: ``<``, ``>``, ``&`` and
the line separators are written as ``\\uXXXX`` escapes, so the file can be
embedded in a page or served with a wrong content type without turning into
markup.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from kb.model.entry import Entry
from kb.model.knowledge import KnowledgeBase
from kb.site.urls import page_url

ENTRIES_JSON = "entries.json"
FORMAT_VERSION = 1
_HTML_SAFE = str.maketrans({"<": "\\u003c", ">": "\\u003e", "&": "\\u0026",
                            "\u2028": "\\u2028", "\u2029": "\\u2029"})


def _iso(d) -> str | None:
    return d.isoformat() if d is not None else None


def entry_record(e: Entry, url: str) -> dict[str, Any]:
    m = e.meta
    return {
        "id": e.id,
        "type": e.type,
        "title": e.title,
        "areas": list(m.areas),
        "year": e.year,
        "promulgated": _iso(getattr(m, "promulgated", None)),
        "effective": _iso(getattr(m, "effective", None)),
        "reviewed": _iso(m.reviewed),
        "status": getattr(m, "status", None),
        "audience": m.audience,
        "url": url,
    }


_UNSAFE = re.compile("[<>&\u2028\u2029]")


def dumps_html_safe(data: Any) -> str:
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return text.translate(_HTML_SAFE) if _UNSAFE.search(text) else text  # a scan is cheaper than a translation


def entries_json(kb: KnowledgeBase, directory_urls: bool = True) -> str:

    records = [entry_record(e, page_url(e.src_uri, directory_urls)) for e in sorted(kb.entries, key=lambda e: e.id)]
    head = dumps_html_safe({"version": FORMAT_VERSION, "audience": kb.audience, "count": len(records)})
    rows = ",\n".join(dumps_html_safe(r) for r in records)  # one entry per line
    return f'{head[:-1]},"entries":[\n{rows}\n]}}\n'


def write_entries_json(kb: KnowledgeBase, site_dir: Path | str, directory_urls: bool = True) -> Path:
    path = Path(site_dir) / ENTRIES_JSON
    path.write_text(entries_json(kb, directory_urls), encoding="utf-8")
    return path

