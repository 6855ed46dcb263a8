"""Binary encodings of the search index (read by docs/assets/kb-search-core.js)."""

from __future__ import annotations

from collections import deque
from itertools import chain, compress, repeat
from typing import Sequence


def varint(n: int, out: bytearray) -> None:
    while n >= 0x80:
        out.append((n & 0x7F) | 0x80)
        n >>= 7
    out.append(n)


def gap_varints(ids: Sequence[int]) -> bytes:
    """The gaps ``id - previous id - 1`` (the first from -1) as varints, for ascending ``ids``."""
    if not ids:
        return b""
    gaps = [b - a - 1 for a, b in zip(chain((-1,), ids), ids)]
    if max(gaps) < 0x80:  # the common case: one byte each
        return bytes(gaps)
    out = bytearray()
    for g in gaps:
        if g < 0x80:
            out.append(g)
        else:
            varint(g, out)
    return bytes(out)


def bitmap(ids: Sequence[int], n_units: int) -> bytes:
    """Bit ``i % 8`` of byte ``i // 8`` set for every ``i`` in ``ids`` (``(n_units + 7) // 8`` bytes)."""
    digits = bytearray(b"0") * n_units
    deque(map(digits.__setitem__, ids, repeat(0x31)), maxlen=0)  # "1" at every id, without a Python loop
    digits.reverse()  # the number whose bit i is unit i
    return int(digits or b"0", 2).to_bytes((n_units + 7) // 8, "little")


def encode_postings(ids: Sequence[int], weights: bytes, n_units: int, title_from: int = 256) -> tuple[int, bytes]:
    """(kind, bytes): kind 0 = gap varints then one weight byte per id; kind 1 = bitmap; kind 2 = bitmap
    followed by the gap varints of the ids whose weight is at least ``title_from`` (title matches), so
    that a common term still ranks title matches first."""
    bitmap_len = (n_units + 7) // 8
    # The list is at least two bytes per id (a gap and a weight): no need to encode it to know.
    if bitmap_len >= 2 * len(ids):
        lst = gap_varints(ids) + bytes(weights)
        if bitmap_len >= len(lst):
            return 0, lst
    bm = bitmap(ids, n_units)
    titles = gap_varints(list(compress(ids, map(title_from.__le__, weights))))
    return (2, bm + titles) if titles else (1, bm)


def fnv1a(term: str) -> int:
    h = 0x811C9DC5
    for b in term.encode("utf-8"):
        h ^= b
        h = (h * 0x01000193) & 0xFFFFFFFF
    return h


def u32(n: int) -> bytes:
    return n.to_bytes(4, "little")


def record(term: str, kind: int, df: int, data: bytes) -> bytes:
    t = term.encode("utf-8")
    return bytes([len(t)]) + t + bytes([kind]) + u32(df) + u32(len(data)) + data
