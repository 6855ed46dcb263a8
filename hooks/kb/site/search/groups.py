"""Entries' parts (kb.site.search.entrypart) for the index, in entry order, from the memo or made.

Parts of consecutive entries are joined into the part of a *group*, kept in
the memo too: a build after an edit reads a few dozen group parts and joins
their postings, instead of reading and joining thousands of entry parts (the
joining, per term of every entry, was most of such a build's index time).
Group boundaries depend on the entries themselves, not on their positions:
an entry whose id hashes to 0 modulo ``GROUP`` starts a group (a group is
cut at ``MAX_GROUP`` entries), so adding or deleting an entry changes only
its own group. A group's key is made of its entries' keys, in order.

The parts the memo does not have are made on ``processes`` forked workers
(kb.site.workers) when there are at least ``MIN_PARALLEL`` of them.
"""

from __future__ import annotations

import sys
import zlib
from array import array
from collections import defaultdict
from functools import partial
from itertools import repeat
from typing import Any, Callable, Iterator, Sequence

from kb.model.entry import Entry
from kb.site import workers
from kb.site.search.entrypart import (NO_MEMO, PART_FORMAT, Memo, Part, analyse, analyse_all, consume, decode,
                                      encode)

GROUP = 64  # entries per group on average
MAX_GROUP = 4 * GROUP
MIN_PARALLEL = 64  # fewer entries to analyse than this: not worth a pool
CHUNK = 32  # entries per task of the pool


class Postings:
    """term -> unit numbers (machine integers) and weights (bytes), appended part by part."""

    def __init__(self) -> None:
        self.ids: defaultdict[str, array] = defaultdict(partial(array, "I"))
        self.weights: defaultdict[str, bytearray] = defaultdict(bytearray)

    def add(self, part: Part, first: int) -> None:
        """The postings of ``part``, whose first unit is number ``first``: for each term its unit
        numbers (plus ``first``) and weights appended."""
        if part.width == 4:  # a group: long lists, added to as whole numbers (see _shifted)
            lists = map(self.ids.__getitem__, part.terms)
            if first:
                consume(map(array.frombytes, lists, map(_shifted, part.ids, repeat(first))))
            else:
                consume(map(array.frombytes, lists, part.ids))
        else:  # an entry: short lists, in loops that run in C
            consume(map(array.extend, map(self.ids.__getitem__, part.terms),
                        map(map, repeat(first.__add__), part.ids)))
        consume(map(bytearray.extend, map(self.weights.__getitem__, part.terms), part.weights))


_ONES = (1).to_bytes(4, sys.byteorder) * 1024


def _shifted(ids: bytes, first: int) -> bytes:
    """``first`` added to every 4-byte unsigned unit number of ``ids``, without a loop: read as
    one whole number, they are its base-2**32 digits, and adding ``first`` times the number whose
    digits are all 1 adds ``first`` to each digit (no digit overflows: unit numbers < 2**32)."""
    global _ONES
    if len(ids) > len(_ONES):
        _ONES = _ONES * (len(ids) // len(_ONES) + 1)
    n = len(ids)
    total = int.from_bytes(ids, sys.byteorder) + first * int.from_bytes(_ONES[:n], sys.byteorder)
    return total.to_bytes(n, sys.byteorder)


def join(parts: Sequence[Part]) -> Part:
    """The part of consecutive entries from their parts, in order."""
    postings, first = Postings(), 0
    for p in parts:
        postings.add(p, first)
        first += sum(p.units)
    return Part([n for p in parts for n in p.units], [s for p in parts for s in p.split],
                [d for p in parts for d in p.docs], [f for p in parts for f in p.facets], list(postings.ids),
                [a.tobytes() for a in postings.ids.values()], [bytes(w) for w in postings.weights.values()], 4)


def spans(entries: Sequence[Entry]) -> list[tuple[int, int]]:
    """(start, stop) of the groups of ``entries``."""
    out, start = [], 0
    for i, e in enumerate(entries):
        if i > start and (zlib.crc32(e.id.encode("utf-8")) % GROUP == 0 or i - start >= MAX_GROUP):
            out.append((start, i))
            start = i
    if entries:
        out.append((start, len(entries)))
    return out


def parts(entries: Sequence[Entry], entry_url: Callable[[Entry], str], structures: dict,
          memo: Memo = NO_MEMO, processes: int = 1, stats: dict | None = None) -> Iterator[Part]:
    """Parts covering ``entries`` in order (groups', or single entries' where a key is missing).
    ``stats`` gets the numbers of entries analysed and of groups (all, and taken from the memo)."""
    stats = {} if stats is None else stats
    work = []
    for e in entries:
        url = entry_url(e)
        structure = structures.get(e.id)
        # entry_units reads only the structure's items (articles and headings, with their lines)
        key = memo.key(("search-entry", PART_FORMAT, e, url, structure.items if structure is not None else None))
        work.append((e, url, structure, key))
    groups = []
    for a, b in spans(entries):
        keys = [w[3] for w in work[a:b]]
        key = None if None in keys else memo.key(("search-group", PART_FORMAT, tuple(k.hex() for k in keys)))
        groups.append((a, b, key, key is not None and memo.has(key)))
    stored = {i: work[i][3] is not None and memo.has(work[i][3])
              for a, b, _, hit in groups if not hit for i in range(a, b)}
    missing = [work[i][:3] for i, ok in stored.items() if not ok]
    stats.update(analysed=0, groups=len(groups), groups_reused=0)
    made = workers.flatten(workers.fork_map(analyse_all, workers.chunks(missing, CHUNK),
                                            processes if len(missing) >= MIN_PARALLEL else 1))

    def entry_part(i: int, planned: bool) -> Part:
        e, url, structure, key = work[i]
        ok = stored[i] if planned else key is not None and memo.has(key)
        data = memo.get(key) if ok and key is not None else None
        if data is None:
            data = next(made) if planned and not ok else analyse(e, url, structure)  # else damaged or unplanned
            stats["analysed"] += 1
            if key is not None:
                memo.put(key, data)
        return decode(data)

    for a, b, key, hit in groups:
        data = memo.get(key) if hit and key is not None else None
        if data is not None:
            stats["groups_reused"] += 1
            yield decode(data)
            continue
        members = [entry_part(i, planned=not hit) for i in range(a, b)]
        if key is None:
            yield from members
            continue
        group = join(members)
        memo.put(key, encode(group))
        yield group
