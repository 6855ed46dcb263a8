"""Generated HTML goes to the engine as HTML, not as Markdown to convert.

A generated index page (``in_nav`` in ``kb.site.catalog``) is front matter
and one raw HTML block. Markdown, with the site's extensions, gives that
block back unchanged (tests/test_preview.py checks it for every index page)
but takes about a second for the largest ones at 10,000 entries. So every
build (``mkdocs build`` and ``kb serve``) hands MkDocs the front matter and
a placeholder, and puts the HTML back in ``on_page_content``
(``kb.engine.session``).

An entry page is Markdown written by people between two generated blocks:
MkDocs gets the body with a token in place of each block
(``kb.site.entryblocks``), and the blocks are put back the same way.
"""

from __future__ import annotations

from typing import Any

from kb.site import entryblocks

PLACEHOLDER = "KB-RAW-HTML"


class RawHtml:
    """The stashed HTML of one build, by ``src_uri``."""

    def __init__(self) -> None:
        self.pages: dict[str, str] = {}
        self.blocks: dict[str, entryblocks.Stashed] = {}

    def stash_page(self, spec: Any, markdown: str) -> str:
        """The Markdown MkDocs gets for the page of ``spec`` (a ``kb.site.catalog.PageSpec``)."""
        if spec.is_html:
            return self.stash(spec.uri, markdown)
        if spec.template == entryblocks.ENTRY_TEMPLATE:
            split = entryblocks.split(markdown)
            if split is not None:
                markdown, self.blocks[spec.uri] = split
        return markdown

    def stash(self, src_uri: str, markdown: str) -> str:
        """The Markdown MkDocs gets: unchanged unless it is front matter and one HTML block."""
        head, sep, body = markdown.partition("\n---\n")
        if not sep or not markdown.startswith("---\n") or not body.lstrip().startswith("<div"):
            return markdown
        self.pages[src_uri] = body.strip()
        return f"{head}{sep}\n{PLACEHOLDER}\n"

    def restore(self, src_uri: str, html: str, page: Any = None) -> str:
        """``on_page_content``: the page's HTML with what was stashed put back (and, given
        the MkDocs ``page``, the anchors of the stashed blocks added to its anchors)."""
        stashed = self.blocks.pop(src_uri, None)
        if stashed is not None:
            if page is not None and page.present_anchor_ids is not None:
                page.present_anchor_ids |= stashed.anchors()
            return stashed.restore(html)
        return self.pages.pop(src_uri, html)

    def forget(self, src_uri: str) -> None:
        """What was stashed for one page dropped (it is made again if the page is read after all)."""
        self.pages.pop(src_uri, None)
        self.blocks.pop(src_uri, None)

    def clear(self) -> None:
        self.pages.clear()
        self.blocks.clear()
