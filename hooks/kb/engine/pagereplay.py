"""What the build cache learns from a page while MkDocs converts it, and how a hit is put back
(kb.engine.pagecache): the file lookups of the conversion, the pages that warned, and the
``render`` of a hit."""

from __future__ import annotations

import logging
from typing import Any, Callable

from kb.engine.pagestore import Record


class Recorder:
    """Records the file lookups of one page's Markdown conversion (set on the ``Files`` instance)."""

    def __init__(self, files: Any) -> None:
        self.files = files
        self.lookups: dict[str, Any] = {}

    def __call__(self, path: str) -> Any:
        f = type(self.files).get_file_from_path(self.files, path)
        self.lookups[path] = None if f is None else (f.url, f.dest_uri, bool(f.inclusion.is_excluded()))
        return f

    def install(self) -> None:
        self.files.get_file_from_path = self

    def remove(self) -> None:
        self.files.__dict__.pop("get_file_from_path", None)


class PageWarnings(logging.Handler):
    """The pages that logged a warning while being built (not stored)."""

    def __init__(self, config: Any) -> None:
        super().__init__(logging.WARNING)
        self.config = config
        self.pages: set[str] = set()

    def emit(self, record: logging.LogRecord) -> None:
        page = getattr(self.config, "_current_page", None)
        if page is not None:
            self.pages.add(page.file.src_uri)


def replay(page: Any, record: Record, files: Any) -> Callable[..., None]:
    """A page's ``render`` on a hit: what the conversion gave last time."""

    def render(config: Any, files_: Any) -> None:
        page.content = Record.text(record.content)
        record.content = ""  # MkDocs holds it now (and on_page_content returns it, see kb.engine.session)
        page._title_from_render = record.title
        page.present_anchor_ids = set(record.anchors or ())
        links = {}
        for uri, anchors in record.links.items():
            f = files.get_file_from_path(uri)
            if f is not None:
                links[f] = dict(anchors)
        page.links_to_anchors = links

    return render
