"""Building the index files (the format is read by docs/assets/kb-search-core.js)."""

from __future__ import annotations

import os
from array import array
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from kb.model.knowledge import KnowledgeBase
from kb.schema.models import KIND_LABELS, STATUS_LABELS, TYPE_LABELS
from kb.site.export import dumps_html_safe
from kb.site import workers
from kb.site.search import groups
from kb.site.search.encode import encode_postings, fnv1a, record, u32, varint
from kb.site.search.entrypart import MAX_TF, NO_MEMO, PART_UNITS, SPLIT_BYTES, TITLE_BONUS, Memo  # noqa: F401
from kb.site.search.known import known_files
from kb.site.search.text import char_map
from kb.site.search.units import date_order, entry_date
from kb.site.urls import page_url
from kb.source.sync import Noted, write_tree

INDEX_DIR = "search/idx"
FORMAT_VERSION = 2

SHARD_TARGET = 4 * 1024  # bytes of posting data per shard file (before the term table)
LARGE_TERM = 6 * 1024  # posting lists larger than this get a file of their own
MIN_PARALLEL_POSTINGS = 200_000  # fewer postings than this are encoded in this process
T2S_SHARDS = 32  # the character table is split by code point: a query fetches the parts it needs


@dataclass
class SearchIndex:
    files: dict[str, bytes]  # path under INDEX_DIR -> content
    units: int
    stats: dict[str, int]

    def write(self, site_dir: Path | str, known: Noted | None = None, noted: Noted | None = None) -> int:
        """The index folder brought to hold exactly these files (those already holding their bytes are
        not written again: after an edit most shards are unchanged); the number written. ``known``,
        ``noted``: see ``kb.source.sync.write_tree``."""
        return write_tree(Path(site_dir) / INDEX_DIR, self.files, known, noted)


def facet_values(kb: KnowledgeBase) -> dict[str, list[list[str]]]:
    """Filter values and labels for the search form, in display order."""
    levels: list[str] = []
    for e in kb.entries:
        lv = getattr(e.meta, "level", None)
        if lv and lv not in levels:
            levels.append(lv)
    from kb.schema.models import DOC_LEVELS, UNIT_LEVELS

    order = list(DOC_LEVELS) + list(UNIT_LEVELS)
    return {
        "type": [[t, TYPE_LABELS[t]] for t in TYPE_LABELS],
        "area": [[s, kb.taxonomy.name(s)] for s in kb.taxonomy.slugs],
        "status": [[s, STATUS_LABELS[s]] for s in STATUS_LABELS],
        "year": [[str(y), f"{y} 年"] for y in kb.by_year],
        "level": [[lv, lv] for lv in sorted(levels, key=order.index)],
        "kind": [[k, v] for k, v in KIND_LABELS.items()],
    }


def _facet_record(e, sections: list, idx: dict[str, dict[str, int]], out: bytearray) -> None:
    """Facet values for the counts (read only when the filters are opened). Per entry: type + 8 * status,
    year, level (indexes + 1, 0 = none) and the area bit mask; then per report section one byte,
    kind * 16 + area (0: the entry's areas, 1-14: that one area, 15: a bit mask follows).
    ``sections``: (kind, areas) of the entry's report sections (``entrypart.Part.facets``)."""

    def mask(areas) -> int:
        return sum(1 << (idx["area"][a] - 1) for a in areas if a in idx["area"])

    varint(idx["type"][e.type] + 8 * idx["status"].get(getattr(e.meta, "status", None) or "", 0), out)
    varint(idx["year"].get(str(e.year), 0), out)
    varint(idx["level"].get(getattr(e.meta, "level", None) or "", 0), out)
    varint(mask(e.meta.areas), out)
    own = list(e.meta.areas)
    for kind_name, areas in sections:
        kind = idx["kind"].get(kind_name, 0)
        if list(areas) == own:
            out.append(kind * 16)
        elif len(areas) == 1 and idx["area"].get(areas[0], 99) < 15:
            out.append(kind * 16 + idx["area"][areas[0]])
        else:
            out.append(kind * 16 + 15)
            varint(mask(areas), out)


def build_index(kb: KnowledgeBase, entry_url, area_name=None, memo: Memo = NO_MEMO,
                processes: int | None = None) -> SearchIndex:
    """``entry_url(entry)`` gives the entry's URL relative to the site root. ``memo``: entries' parts
    kept between builds (kb.site.search.entrypart); ``processes``: how many processes make the
    parts it does not have (default ``KB_JOBS`` or the number of cores; the bytes are the same)."""
    del area_name  # area names are facets (values in the manifest), not text of an entry
    values = facet_values(kb)
    value_index = {f: {v[0]: i + 1 for i, v in enumerate(vals)} for f, vals in values.items()}
    postings = groups.Postings()  # term -> unit numbers and weights (5 bytes a posting)
    files: dict[str, bytes] = {}
    counts = bytearray()
    facet_bytes = bytearray()
    entries = date_order(kb.entries)
    structures = getattr(kb, "structures", {}) or {}
    processes = workers.jobs() if processes is None else processes
    uid = n = 0
    made: dict[str, int] = {}
    for part in groups.parts(entries, entry_url, structures, memo, processes, made):
        postings.add(part, uid)
        for units, split, docs, facets in zip(part.units, part.split, part.docs, part.facets):
            _facet_record(entries[n], facets, value_index, facet_bytes)
            if split:
                varint(units * 2 + 1, counts)
                for p, data in enumerate(docs):
                    files[f"d/{n}-{p}.json"] = data
            else:
                varint(units * 2, counts)
                files[f"d/{n}.json"] = docs[0]
            uid += units
            n += 1
    n_units = uid
    files["units.bin"] = bytes(counts)
    files["facets.bin"] = bytes(facet_bytes)

    encoded = _encode_all(postings.ids, postings.weights, n_units, processes)
    small_total = sum(len(data) + len(t.encode("utf-8")) + 10 for t, (_, _, data) in encoded.items()
                      if len(data) <= LARGE_TERM)
    shards = max(1, -(-small_total // SHARD_TARGET))
    shard_recs: list[list[bytes]] = [[] for _ in range(shards)]
    large: dict[str, list[int]] = {}
    for t, (kind, df, data) in encoded.items():  # sorted by term
        if len(data) > LARGE_TERM:
            k = len(large)
            large[t] = [k, df, len(data)]
            files[f"l/{k}.bin"] = record(t, kind, df, data)
        else:
            shard_recs[fnv1a(t) % shards].append(record(t, kind, df, data))
    for i, recs in enumerate(shard_recs):
        files[f"s/{i}.bin"] = u32(len(recs)) + b"".join(recs)

    t2s: list[list[str]] = [[] for _ in range(T2S_SHARDS)]
    for k, v in sorted(char_map().items()):
        t2s[ord(k) % T2S_SHARDS].append(k + v)
    for i, pairs in enumerate(t2s):
        files[f"t/{i}.json"] = dumps_html_safe("".join(pairs)).encode("utf-8")
    known_shards, known = known_files(entries)
    files.update(known)

    manifest = {
        "version": FORMAT_VERSION,
        "units": n_units,
        "entries": len(entries),
        "shards": shards,
        "large": large,
        "known": known_shards,
        "t2s": T2S_SHARDS,
        "facets": values,
    }
    files["manifest.json"] = dumps_html_safe(manifest).encode("utf-8")
    stats = {
        "entries": len(entries),
        "units": n_units,
        "terms": len(encoded),
        "shards": shards,
        "large_terms": len(large),
        "bytes": sum(len(v) for v in files.values()),
        "files": len(files),
        **made,  # entries analysed, groups of entries (all, and taken from the memo)
    }
    return SearchIndex(files=dict(sorted(files.items())), units=n_units, stats=stats)


def _encode_all(ids_of: dict[str, array], weights_of: dict[str, bytearray], n_units: int,
                processes: int) -> dict[str, tuple[int, int, bytes]]:
    """term -> (kind, document frequency, encoded list), sorted by term; on ``processes`` forked
    workers when there are enough postings (each encodes a range of terms, in order)."""
    order = sorted(ids_of)

    def encode(t: str) -> tuple[int, int, bytes]:
        kind, data = encode_postings(ids_of[t], weights_of[t], n_units, TITLE_BONUS)
        return kind, len(ids_of[t]), data

    total = sum(map(len, ids_of.values()))
    if processes > 1 and total >= MIN_PARALLEL_POSTINGS and workers.can_fork():
        ranges, start, done, step = [], 0, 0, total / (processes * 4)
        for i, t in enumerate(order):  # ranges of about the same number of postings
            done += len(ids_of[t])
            if done >= step * (len(ranges) + 1) or i == len(order) - 1:
                ranges.append(order[start:i + 1])
                start = i + 1
        made = workers.flatten(workers.fork_map(lambda ts: [encode(t) for t in ts], ranges, processes))
        return dict(zip(order, made))
    out = {}
    for t in order:
        out[t] = encode(t)
        del ids_of[t], weights_of[t]  # encoded lists replace the postings (peak memory)
    return out


def iter_index_paths(index: SearchIndex) -> Iterator[str]:
    for rel in index.files:
        yield f"{INDEX_DIR}/{rel}"


def write_site_index(kb: KnowledgeBase, site_dir: Path | str, directory_urls: bool = True,
                     memo: Memo = NO_MEMO, processes: int | None = None, known: Noted | None = None,
                     noted: Noted | None = None) -> SearchIndex:
    """Build the index for the site in ``site_dir`` and write it under ``search/idx/`` (``known``,
    ``noted``: see ``SearchIndex.write``)."""
    index = build_index(kb, lambda e: page_url(e.src_uri, directory_urls), memo=memo, processes=processes)
    index.write(site_dir, known, noted)
    return index


__all__ = ["INDEX_DIR", "FORMAT_VERSION", "SearchIndex", "build_index", "facet_values", "write_site_index",
           "iter_index_paths", "entry_date"]
