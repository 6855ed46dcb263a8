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
are in the build cache's key).
"""

from __future__ import annotations

import marshal
from collections import defaultdict, deque
from itertools import repeat
from typing import Any, Callable, Iterator, NamedTuple, Protocol, Sequence

from kb.model.entry import Entry
from kb.schema.models import TYPE_LABELS
from kb.site import workers
from kb.site.export import dumps_html_safe
from kb.site.search.text import normalize, terms, to_simplified_chars
from kb.site.search.units import entry_date, entry_units, meta_line

PART_FORMAT = 1  # bump when a part's content or layout changes
SPLIT_BYTES = 3 * 1024  # entry display files larger than this are split ...
PART_UNITS = 4  # ... into parts of this many units (d/N-P.json), flagged in units.bin
MAX_TF = 7
TITLE_BONUS = 16
MIN_PARALLEL = 64  # fewer entries to analyse than this: not worth a pool
CHUNK = 32  # entries per task of the pool


class Part(NamedTuple):
    units: int
    split: bool  # the document is in parts of PART_UNITS units
    docs: list[bytes]  # the document, or its parts
    facets: list[tuple[str, list[str]]]  # (kind, areas) of each section of a report (else empty)
    terms: list[str]  # the entry's terms, then for each term:
    ids: list[Any]  # the entry's own numbers of the units that have it (0 = the entry unit; bytes or list)
    weights: list[bytes]  # and its weight in each of them


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
    small = len(units) <= 256
    return marshal.dumps((len(units), split, docs, facets, list(ids_of),
                          [bytes(ids) for ids in ids_of.values()] if small else list(ids_of.values()),
                          [bytes(ws) for ws in weights_of.values()]))


def decode(data: bytes) -> Part:
    return Part(*marshal.loads(data))


def _analyse_chunk(chunk: Sequence[tuple[Entry, str, Any]]) -> list[bytes]:
    return [analyse(e, url, structure) for e, url, structure in chunk]


def parts(entries: Sequence[Entry], entry_url: Callable[[Entry], str], structures: dict,
          memo: Memo = NO_MEMO, processes: int | None = None) -> Iterator[Part]:
    """The parts of ``entries``, in order: from ``memo`` when it has them, the others made (on
    ``processes`` forked workers when there are enough, default ``workers.jobs()``) and given to it."""
    work = []
    for e in entries:
        url = entry_url(e)
        structure = structures.get(e.id)
        # entry_units reads only the structure's items (articles and headings, with their lines)
        key = memo.key(("search-entry", PART_FORMAT, e, url, structure.items if structure is not None else None))
        work.append((e, url, structure, key, key is not None and memo.has(key)))
    missing = [(e, url, structure) for e, url, structure, _, hit in work if not hit]
    processes = workers.jobs() if processes is None else processes
    if len(missing) < MIN_PARALLEL:
        processes = 1
    made = workers.flatten(workers.fork_map(_analyse_chunk, workers.chunks(missing, CHUNK), processes))
    for e, url, structure, key, hit in work:
        data = memo.get(key) if hit and key is not None else None
        if data is None:
            data = next(made) if not hit else analyse(e, url, structure)  # a damaged record: made again
            if key is not None:
                memo.put(key, data)
        yield decode(data)
