"""Where generated pages live: their paths under the docs root (``src_uri``)
and the URLs MkDocs gives them, and relative links between them."""

from __future__ import annotations

import html
import json
from typing import Any

from kb.schema.models import TYPE_DIRS


def area_uri(slug: str) -> str:
    return f"areas/{slug}/index.md"


def year_uri(year: int) -> str:
    return f"years/{year}/index.md"


def type_uri(etype: str) -> str:
    return f"{TYPE_DIRS[etype]}/index.md"


HOME_URI = "index.md"
AREAS_URI = "areas/index.md"
YEARS_URI = "years/index.md"
PENDING_URI = "pending/index.md"
RECENT_URI = "recent/index.md"
REVIEW_URI = "review/index.md"
FIELDS_URI = "guide/fields.md"
FEED_PATH = "feed.xml"
RECENT_PAGE_COUNT = 100


def page_url(src_uri: str, directory_urls: bool = True) -> str:
    """Site-relative URL MkDocs gives the page built from ``src_uri``."""
    stem = src_uri[: -len(".md")]
    if not directory_urls:
        return stem + ".html"
    if stem == "index":
        return ""
    if stem.endswith("/index"):
        return stem[: -len("index")]
    return stem + "/"


def relative(from_url: str, to_url: str) -> str:
    """Relative link between two site-relative URLs (``''`` is the home page).

    Pure string work on path segments (no ``os.path``): it runs for every
    link of every generated page.
    """
    if from_url.endswith("/") or not from_url:
        from_dirs = from_url.split("/")[:-1] if from_url else []
    else:
        from_dirs = from_url.split("/")[:-1]
    path, _, frag = to_url.partition("#")
    to_parts = path.split("/")
    to_dirs, tail = to_parts[:-1], to_parts[-1]
    i, n = 0, min(len(from_dirs), len(to_dirs))
    while i < n and from_dirs[i] == to_dirs[i]:
        i += 1
    rel = "../" * (len(from_dirs) - i) + "".join(d + "/" for d in to_dirs[i:]) + tail
    return (rel or "./") + ("#" + frag if frag else "")


def front_matter(title: str, **extra: Any) -> str:
    """YAML front matter for a generated page (JSON is valid YAML).

    MkDocs themes print ``page.title`` into HTML unescaped (``<title>``, the
    header), so the title is HTML-escaped here, once, for every page.
    """
    data = {"title": html.escape(title, quote=False), **extra}
    return "\n".join(f"{k}: {json.dumps(v, ensure_ascii=False)}" for k, v in data.items())
