"""The per-entry half of the search index (``kb.site.search.build_index``),
on every core.

Each entry gives its document (``d/<n>.json``), its number of units and,
per unit, the weight of every term; the index is then assembled from the
postings of all entries in entry order. Entries are independent, so they are
split into fixed ranges of ``RANGE`` entries, handled by a process pool (``fork``: the
workers inherit the knowledge base, nothing is pickled on the way in). Unit
numbers are global: the first unit number of every range is known before
the work starts (an entry has one unit plus one per section with text), so
the postings of the ranges are joined in range order and give the same lists,
and the same bytes, as one process would.

A range's result depends only on its entries and its first unit number:
with a ``memo`` (the build cache) a build after an edit computes only the
ranges whose entries changed.

``KB_JOBS`` sets the number of processes (``1``: no pool); default: the
number of cores.
"""

from __future__ import annotations

import multiprocessing
import os
from array import array
from concurrent.futures import ProcessPoolExecutor
from typing import Any, Callable, Sequence

MIN_PER_JOB = 200  # fewer entries than this per process: not worth a pool
RANGE = 250  # entries per range: the unit of work (and of the build cache, kb.engine.pagecache)

_WORK: Any = None  # (entries, entry_url, area_name) for the forked workers


def jobs(environ: Any = os.environ) -> int:
    """How many processes independent work may use (``KB_JOBS``, else the number of cores)."""
    value = environ.get("KB_JOBS", "").strip()
    if value.isdigit() and int(value) > 0:
        return int(value)
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1)


def unit_count(e: Any) -> int:
    """The number of search units of an entry (as ``kb.site.search.entry_units`` makes them)."""
    return 1 + sum(1 for s in e.sections if s.has_text)


Part = tuple[bytearray, list[bytes], dict[str, Any], dict[str, bytearray]]  # postings: lists or arrays


def collect_range(entries: Sequence[Any], entry_url: Callable, area_name: Callable, uid: int) -> Part:
    """Documents, unit counts and postings of ``entries``, whose first unit is number ``uid``."""
    from kb.schema.models import TYPE_LABELS
    from kb.site.export import dumps_html_safe
    from kb.site.search import MAX_TF, TITLE_BONUS, _meta_line, _varint, entry_units, normalize, terms

    postings: dict[str, list[int]] = {}
    weights: dict[str, bytearray] = {}
    counts = bytearray()
    docs: list[bytes] = []
    for e in entries:
        units = entry_units(e, area_name)
        _varint(len(units), counts)
        meta = _meta_line(e, area_name)
        doc = {
            "id": e.id,
            "url": entry_url(e),
            "type": e.type,
            "typeLabel": TYPE_LABELS[e.type],
            "title": e.label,
            "year": e.year,
            "areas": list(e.meta.areas),
            "status": getattr(e.meta, "status", None) or "",
            "level": getattr(e.meta, "level", None) or "",
            "meta": meta,
            "units": [],
        }
        for u in units:
            title_terms = terms(normalize(u.title))
            body = normalize(u.text if u.anchor else meta + "\n" + u.text)
            tf = terms(body)
            tf.update(title_terms)
            for f in u.facets:
                tf[f] = 1
            for t, c in tf.items():
                w = min(c, MAX_TF) + (TITLE_BONUS if t in title_terms else 0)
                lst = postings.get(t)
                if lst is None:
                    postings[t] = [uid]
                    weights[t] = bytearray([w])
                else:
                    lst.append(uid)
                    weights[t].append(w)
            unit_doc = {"anchor": u.anchor, "title": u.title, "text": u.text}
            if u.anchor:
                unit_doc["areas"] = u.areas
                unit_doc["kind"] = u.kind or ""
            doc["units"].append(unit_doc)
            uid += 1
        docs.append(dumps_html_safe(doc).encode("utf-8"))  # no raw < > & from front matter
    return counts, docs, postings, weights


def _range(bounds: tuple[int, int, int]) -> Part:
    entries, entry_url, area_name = _WORK
    start, stop, uid = bounds
    counts, docs, postings, weights = collect_range(entries[start:stop], entry_url, area_name, uid)
    return counts, docs, {t: array("I", ids) for t, ids in postings.items()}, weights  # compact to send back


def ranges(entries: Sequence[Any]) -> list[tuple[int, int, int]]:
    """(start, stop, first unit number) of the fixed ranges of ``RANGE`` entries."""
    bounds, uid = [], 0
    for start in range(0, len(entries), RANGE):
        stop = min(start + RANGE, len(entries))
        bounds.append((start, stop, uid))
        uid += sum(unit_count(e) for e in entries[start:stop])
    return bounds


def collect(entries: Sequence[Any], entry_url: Callable, area_name: Callable, n_jobs: int | None = None,
            memo: Any = None) -> Part:
    """``collect_range`` of all entries, range by range: a range ``memo.get(entries, uid)`` knows
    is taken from it, the others are computed (over ``n_jobs`` processes when there are
    enough) and given to ``memo.put(entries, uid, part)``."""
    global _WORK
    bounds = ranges(entries)
    parts: dict[int, Part] = {}
    if memo is not None:
        for i, (start, stop, uid) in enumerate(bounds):
            part = memo.get(entries[start:stop], uid)
            if part is not None:
                parts[i] = part
    todo = [i for i in range(len(bounds)) if i not in parts]
    work = sum(bounds[i][1] - bounds[i][0] for i in todo)
    n_jobs = min(n_jobs or jobs(), work // MIN_PER_JOB, len(todo))
    _WORK = (entries, entry_url, area_name)
    try:
        if n_jobs > 1 and "fork" in multiprocessing.get_all_start_methods():
            with ProcessPoolExecutor(n_jobs, mp_context=multiprocessing.get_context("fork")) as pool:
                done = list(pool.map(_range, [bounds[i] for i in todo]))
        else:
            done = [_range(bounds[i]) for i in todo]
    finally:
        _WORK = None
    for i, part in zip(todo, done):
        parts[i] = part
        if memo is not None:
            start, stop, uid = bounds[i]
            memo.put(entries[start:stop], uid, part)
    counts, docs, postings, weights = bytearray(), [], {}, {}
    for i in range(len(bounds)):  # in entry order: every posting list stays sorted
        c, d, p, w = parts[i]
        counts += c
        docs += d
        for t, ids in p.items():
            if t in postings:
                postings[t] = postings[t] + ids
                weights[t] = weights[t] + w[t]
            else:
                postings[t], weights[t] = ids, w[t]
    return counts, docs, postings, weights
