"""One compilation from a selection to bytes, and writing it without losing a file."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from kb.compile import printhtml, word
from kb.compile.selection import Selection, SelectionError, default_title, describe, select
from kb.source.atomic import write_atomic

if TYPE_CHECKING:  # pragma: no cover
    from kb.model.entry import Entry
    from kb.model.knowledge import KnowledgeBase

FORMATS = ("docx", "html")


@dataclass(frozen=True)
class Compilation:
    title: str
    entries: list["Entry"]
    data: bytes
    fmt: str


def build(kb: "KnowledgeBase", sel: Selection, fmt: str = "docx", title: str | None = None,
          date: dt.date | None = None) -> Compilation:
    """The compilation of the entries ``sel`` chooses from ``kb`` (the audience's knowledge base)."""
    if fmt not in FORMATS:
        raise SelectionError(f"--format：不支持“{fmt}”（可用：{'、'.join(FORMATS)}）")
    entries = select(kb, sel)
    if not entries:
        raise SelectionError(f"没有符合条件的条目（{describe(kb, sel)}），未生成文件")
    title = title or default_title(kb, sel)
    date = date or dt.date.today()
    args = (kb, entries, title, date, describe(kb, sel))
    data = word.build(*args) if fmt == "docx" else printhtml.build(*args).encode("utf-8")
    return Compilation(title, entries, data, fmt)


def default_name(title: str, fmt: str) -> str:
    """A file name from the title (characters a file system refuses replaced)."""
    return re.sub(r'[\\/:*?"<>|\s]+', "_", title).strip("._") + f".{fmt}"


def write(path: Path, data: bytes, force: bool = False) -> None:
    """Write atomically; an existing file is kept unless ``force`` (``FileExistsError``)."""
    write_atomic(path, data, exclusive=not force)
