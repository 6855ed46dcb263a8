"""Index pages go to the engine as HTML, not as Markdown to convert.

A generated index page (``in_nav`` in ``kb.site.catalog``) is front matter
and one raw HTML block. Markdown, with the site's extensions, gives that
block back unchanged (tests/test_preview.py checks it for every index page)
but takes about a second for the largest ones at 10,000 entries. So every
build (``mkdocs build`` and ``kb serve``) hands MkDocs the front matter and
a placeholder, and puts the HTML back in ``on_page_content``
(``kb.engine.session``).
"""

from __future__ import annotations

PLACEHOLDER = "KB-RAW-HTML"


class RawHtml:
    """The stashed HTML blocks of one build, by ``src_uri``."""

    def __init__(self) -> None:
        self.pages: dict[str, str] = {}

    def stash(self, src_uri: str, markdown: str) -> str:
        """The Markdown MkDocs gets: unchanged unless it is front matter and one HTML block."""
        head, sep, body = markdown.partition("\n---\n")
        if not sep or not markdown.startswith("---\n") or not body.lstrip().startswith("<div"):
            return markdown
        self.pages[src_uri] = body.strip()
        return f"{head}{sep}\n{PLACEHOLDER}\n"

    def restore(self, src_uri: str, html: str) -> str:
        """``on_page_content``: the stashed HTML of a page, else the engine's own."""
        return self.pages.pop(src_uri, html)

    def clear(self) -> None:
        self.pages.clear()
