"""The per-entry half of the search index: what one entry contributes, as bytes.

An entry's *part* is a pure function of the entry (its file's content and
version label, its article structure) and its URL: its display document
(``d/N.json``, or its parts ``d/N-P.json``), its number of units, the kind
and areas of its sections (for ``facets.bin``) and, for every term of the
entry, the entry's own unit numbers (0 = the entry unit) with their weights.
Nothing in it depends on other entries (the entry's number and first unit
number are given when the index is assembled, see ``kb.site.search.build``),
so a part can be kept between builds (``Memo``, the build cache) and parts
can be made on every core (``kb.site.workers``).

A part is ``marshal`` bytes of plain values (the code and the Python version
are in the build cache's key). Parts of consecutive entries are joined into
the part of a group (kb.site.search.groups), kept between builds too.
"""

from __future__ import annotations

import marshal
from array import array
from collections import defaultdict, deque
from itertools import repeat
from typing import Any, NamedTuple, Protocol, Sequence

from kb.model.entry import Entry
from kb.schema.models import TYPE_LABELS
from kb.site.export import dumps_html_safe
from kb.site.search.text import normalize, terms, to_simplified_chars
from kb.site.search.units import entry_date, entry_units, meta_line

PART_FORMAT = 1  # bump when a part's content or layout changes
SPLIT_BYTES = 3 * 1024  # entry display files larger than this are split ...
PART_UNITS = 4  # ... into parts of this many units (d/N-P.json), flagged in units.bin
MAX_TF = 7
TITLE_BONUS = 16


class Part(NamedTuple):
    """The part of one entry, or of consecutive entries (a group, kb.site.search.groups): lists
    with one item per entry, then the terms of all of them with their unit numbers, counted from
    the first unit of the first entry (0 = that entry's own unit)."""

    units: list[int]  # number of units of each entry
    split: list[bool]  # each entry's document is in parts of PART_UNITS units
    docs: list[list[bytes]]  # each entry's document, or its parts
    facets: list[list[tuple[str, list[str]]]]  # (kind, areas) of each section of a report (else empty)
    terms: list[str]  # the terms, then for each term:
    ids: list[bytes]  # the numbers of the units that have it (one byte each, or 4: see ``width``)
    weights: list[bytes]  # and its weight in each of them
    width: int  # bytes per unit number in ``ids``: 1, or 4 (machine unsigned int)


class Memo(Protocol):
    """Parts kept between builds (supplied by the build engine; see ``NO_MEMO``)."""

    def key(self, value: Any) -> bytes | None:
        """The key of everything a part depends on (``value``); None: not kept."""

    def has(self, key: bytes) -> bool: ...

    def get(self, key: bytes) -> bytes | None: ...

    def put(self, key: bytes, data: bytes) -> None: ...


class NoMemo:
    """Nothing is kept: every part is made."""

    def key(self, value: Any) -> bytes | None:
        return None

    def has(self, key: bytes) -> bool:
        return False

    def get(self, key: bytes) -> bytes | None:
        return None

    def put(self, key: bytes, data: bytes) -> None:
        pass


NO_MEMO = NoMemo()


def consume(iterator) -> None:
    deque(iterator, maxlen=0)


def _simplified(doc: dict, key: str, text: str) -> None:
    """Ship the Simplified characters of ``text`` where they differ (the browser then needs no table for it)."""
    s = to_simplified_chars(text)
    if s != text:
        doc[key] = s


def analyse(e: Entry, url: str, structure: Any = None) -> bytes:
    """The part of entry ``e`` (at ``url``), as bytes (see ``decode``)."""
    units = entry_units(e, None, structure)
    meta = meta_line(e)
    doc = {
        "id": e.id,
        "url": url,
        "type": e.type,
        "typeLabel": TYPE_LABELS[e.type],
        "title": e.label,
        "year": e.year,
        "date": entry_date(e).isoformat(),
        "areas": list(e.meta.areas),
        "status": getattr(e.meta, "status", None) or "",
        "level": getattr(e.meta, "level", None) or "",
        "meta": meta,
        "units": [],
    }
    _simplified(doc, "sTitle", e.label)
    _simplified(doc, "sMeta", meta)
    aliases = " ".join(getattr(e.meta, "aliases", None) or [])
    # term -> the entry's units that have it, and its weight in each (filled in loops that run in C)
    ids_of: defaultdict[str, list[int]] = defaultdict(list)
    weights_of: defaultdict[str, bytearray] = defaultdict(bytearray)
    for k, u in enumerate(units):
        title_terms = terms(normalize(u.title + ("\n" + aliases if not u.anchor else "")))
        tf = terms(normalize(u.text if u.anchor else meta + "\n" + u.text))
        tf.update(title_terms)
        for f in u.facets:
            tf[f] = 1
        found = list(tf)
        weights = bytearray(map(min, tf.values(), repeat(MAX_TF)))
        if title_terms:
            at = dict(zip(found, range(len(found))))
            for t in title_terms:
                weights[at[t]] += TITLE_BONUS
        consume(map(list.append, map(ids_of.__getitem__, found), repeat(k)))
        consume(map(bytearray.append, map(weights_of.__getitem__, found), weights))
        unit_doc = {"anchor": u.anchor, "title": u.title, "text": u.text}
        _simplified(unit_doc, "sTitle", u.title)
        _simplified(unit_doc, "sText", u.text)
        if u.anchor and e.sections:
            unit_doc["areas"] = u.areas
            unit_doc["kind"] = u.kind or ""
        doc["units"].append(unit_doc)
    whole = dumps_html_safe(doc).encode("utf-8")  # no raw < > & from front matter
    split = len(whole) > SPLIT_BYTES and len(units) > PART_UNITS
    if split:  # large entries in parts of PART_UNITS units: a result fetches only its part
        docs = [dumps_html_safe(dict(doc, units=doc["units"][p:p + PART_UNITS])).encode("utf-8")
                for p in range(0, len(units), PART_UNITS)]
    else:
        docs = [whole]
    facets = [(u.kind or "", list(u.areas)) for u in units[1:]] if e.sections else []
    width = 1 if len(units) <= 256 else 4
    ids = [bytes(v) for v in ids_of.values()] if width == 1 else [array("I", v).tobytes() for v in ids_of.values()]
    return encode(Part([len(units)], [split], [docs], [facets], list(ids_of), ids,
                       [bytes(ws) for ws in weights_of.values()], width))


def encode(part: Part) -> bytes:
    return marshal.dumps(tuple(part))


def decode(data: bytes) -> Part:
    return Part(*marshal.loads(data))


def analyse_all(chunk: Sequence[tuple[Entry, str, Any]]) -> list[bytes]:
    return [analyse(e, url, structure) for e, url, structure in chunk]
