"""Stable digests of what a generated page shows (``PageSpec.depends``), so
that a warm build finds a page's Markdown without rendering its template.

``PageSpec.depends`` returns model objects (entries, citations, report
sections, git dates); ``kb.site.catalog.signatures`` compares them by
identity inside one process. Between processes the same value must give the
same bytes: an entry is its file's parsed content (path, front matter, body,
the line its body starts on) and its version label (which follows from other
entries); a dataclass is its fields; tuples, lists, dicts and plain values
are themselves. Anything else is ``Unstable``: that page is rendered (its
Markdown is still the key of its output, see kb.engine.pagecache).

An entry's digest assumes that loading a file gives the same entry for the
same bytes, the taxonomy (``data/areas.yml``) and the code, which are part
of the build key.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
from typing import Any

from kb.model.entry import Entry


class Unstable(Exception):
    """A value with no stable digest (the page is rendered instead)."""


_PLAIN = (str, int, float, bool, type(None), dt.date, dt.datetime)


class Digests:
    """Digests of depends() values; entry digests computed once per entry object."""

    def __init__(self) -> None:
        self._entries: dict[int, tuple[Entry, bytes]] = {}

    def entry(self, e: Entry) -> bytes:
        stored = self._entries.get(id(e))
        if stored is not None and stored[0] is e:
            return stored[1]
        doc = e.doc
        h = hashlib.blake2b(digest_size=16)
        h.update(repr((doc.rel, doc.meta, sorted(doc.lines.items()), doc.body_line, e.version_label)).encode())
        h.update(doc.body.encode("utf-8"))
        d = h.digest()
        self._entries[id(e)] = (e, d)
        return d

    def of(self, value: Any) -> bytes:
        """The digest of a depends() value; raises ``Unstable``."""
        h = hashlib.blake2b(digest_size=16)
        self._feed(h, value)
        return h.digest()

    def _feed(self, h: Any, v: Any) -> None:
        if isinstance(v, Entry):
            h.update(b"E" + self.entry(v))
        elif isinstance(v, _PLAIN):
            h.update(b"P" + repr(v).encode() + b"\0")
        elif isinstance(v, (tuple, list)):
            h.update(b"(%d" % len(v))
            for x in v:
                self._feed(h, x)
            h.update(b")")
        elif isinstance(v, dict):
            h.update(b"{%d" % len(v))
            for k, x in v.items():
                self._feed(h, k)
                self._feed(h, x)
            h.update(b"}")
        elif isinstance(v, (set, frozenset)):
            h.update(b"S" + repr(sorted(repr(x) for x in v)).encode())
        elif dataclasses.is_dataclass(v) and not isinstance(v, type):
            h.update(b"D" + type(v).__qualname__.encode())
            for f in dataclasses.fields(v):
                self._feed(h, getattr(v, f.name))
            h.update(b"|")
        else:
            raise Unstable(type(v).__qualname__)
