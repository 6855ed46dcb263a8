"""The compilation as one print-ready HTML page (cover, table of contents,
entries with their metadata tables), self-contained: styles inline, no script."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from typing import TYPE_CHECKING, Sequence

from jinja2 import Environment, PackageLoader, StrictUndefined

from kb.compile.content import body_blocks, metadata_rows
from kb.compile.word import chinese_date

if TYPE_CHECKING:  # pragma: no cover
    from kb.model.entry import Entry
    from kb.model.knowledge import KnowledgeBase


@lru_cache(maxsize=1)
def _env() -> Environment:
    return Environment(loader=PackageLoader("kb.compile", "templates"), autoescape=True,
                       undefined=StrictUndefined, keep_trailing_newline=True, auto_reload=False)


def build(kb: "KnowledgeBase", entries: Sequence["Entry"], title: str, date: dt.date, description: str) -> str:
    items = [{"entry": e, "anchor": f"entry-{n}", "meta": metadata_rows(kb, e), "blocks": body_blocks(e.doc.body)}
             for n, e in enumerate(entries, start=1)]
    return _env().get_template("compilation.html.j2").render(
        title=title, date=chinese_date(date), description=description, items=items)
