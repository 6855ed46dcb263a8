"""The known-item table: titles, aliases and 文号 that a query can name exactly.

Keys are ``known_key`` of the title, of the label shown beside other
versions (宗教事务条例（2004年）), of each alias and of the 文号. A key maps to
``[entry number, why, year]`` rows, why being 标题 / 简称 / 文号; rows of one
key are in version-family order (in force, not yet effective, amended,
repealed; then newest first), so the browser shows the version staff mean
unless the query names a year. The table is split into hash shards
(``k/N.json``) so that a query fetches one small file per key it tries.
"""

from __future__ import annotations

from kb.model.entry import Entry
from kb.site.export import dumps_html_safe
from kb.site.search.encode import fnv1a
from kb.site.search.text import known_key
from kb.site.search.units import STATUS_RANK, entry_date

SHARD_TARGET = 2 * 1024
WHY_ORDER = {"标题": 0, "文号": 1, "简称": 2}


def known_rows(entries: list[Entry]) -> dict[str, list[list]]:
    """key -> rows, for entries numbered in index order."""
    table: dict[str, dict[int, str]] = {}

    def add(text: str | None, n: int, why: str) -> None:
        key = known_key(text or "")
        if len(key) < 2:
            return
        rows = table.setdefault(key, {})
        if n not in rows or WHY_ORDER[why] < WHY_ORDER[rows[n]]:
            rows[n] = why

    for n, e in enumerate(entries):
        add(e.title, n, "标题")
        add(e.label, n, "标题")
        add(getattr(e.meta, "doc_number", None), n, "文号")
        for alias in getattr(e.meta, "aliases", None) or []:
            add(alias, n, "简称")

    def order(n: int) -> tuple:
        e = entries[n]
        return (STATUS_RANK.get(getattr(e.meta, "status", None) or "in-force", 0), -entry_date(e).toordinal(), n)

    return {k: [[n, why, entries[n].year] for n, why in sorted(rows.items(), key=lambda r: order(r[0]))]
            for k, rows in sorted(table.items())}


def known_files(entries: list[Entry]) -> tuple[int, dict[str, bytes]]:
    """(shard count, files ``k/N.json``)."""
    rows = known_rows(entries)
    size = sum(len(k.encode()) + 16 * len(v) for k, v in rows.items())
    shards = max(1, -(-size // SHARD_TARGET))
    parts: list[dict[str, list]] = [{} for _ in range(shards)]
    for k, v in rows.items():
        parts[fnv1a(k) % shards][k] = v
    return shards, {f"k/{i}.json": dumps_html_safe(p).encode("utf-8") for i, p in enumerate(parts)}
