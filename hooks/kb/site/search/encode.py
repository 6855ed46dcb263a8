"""Binary encodings of the search index (read by docs/assets/kb-search-core.js)."""

from __future__ import annotations


def varint(n: int, out: bytearray) -> None:
    while n >= 0x80:
        out.append((n & 0x7F) | 0x80)
        n >>= 7
    out.append(n)


def encode_postings(ids: list[int], weights: bytes, n_units: int, title_from: int = 256) -> tuple[int, bytes]:
    """(kind, bytes): kind 0 = gap varints then one weight byte per id; kind 1 = bitmap; kind 2 = bitmap
    followed by the gap varints of the ids whose weight is at least ``title_from`` (title matches), so
    that a common term still ranks title matches first."""
    lst = bytearray()
    prev = -1
    for i in ids:
        varint(i - prev - 1, lst)
        prev = i
    lst += weights
    bitmap_len = (n_units + 7) // 8
    if bitmap_len < len(lst):
        bm = bytearray(bitmap_len)
        for i in ids:
            bm[i >> 3] |= 1 << (i & 7)
        titles = bytearray()
        prev = -1
        for i, w in zip(ids, weights):
            if w >= title_from:
                varint(i - prev - 1, titles)
                prev = i
        return (2, bytes(bm) + bytes(titles)) if titles else (1, bytes(bm))
    return 0, bytes(lst)


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
