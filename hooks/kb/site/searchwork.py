"""The per-entry half of the search index (``kb.site.search.build_index``),
on every core.

Each entry gives its document (``d/<n>.json``), its number of units and,
per unit, the weight of every term; the index is then assembled from the
postings of all entries in entry order. Entries are independent, so they are
split into contiguous ranges handled by a process pool (``fork``: the
workers inherit the knowledge base, nothing is pickled on the way in). Unit
numbers are global: the first unit number of every range is known before
the work starts (an entry has one unit plus one per section with text), so
the postings of the ranges are joined in range order and give the same lists,
and the same bytes, as one process would.

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


def collect(entries: Sequence[Any], entry_url: Callable, area_name: Callable, n_jobs: int | None = None) -> Part:
    """``collect_range`` of all entries, split over ``n_jobs`` processes when there are enough."""
    global _WORK
    n_jobs = min(n_jobs or jobs(), len(entries) // MIN_PER_JOB)
    if n_jobs <= 1 or "fork" not in multiprocessing.get_all_start_methods():
        return collect_range(entries, entry_url, area_name, 0)
    size = -(-len(entries) // (n_jobs * 4))  # a few ranges per process: uneven entries even out
    bounds, uid = [], 0
    for start in range(0, len(entries), size):
        stop = min(start + size, len(entries))
        bounds.append((start, stop, uid))
        uid += sum(unit_count(e) for e in entries[start:stop])
    _WORK = (entries, entry_url, area_name)
    try:
        with ProcessPoolExecutor(n_jobs, mp_context=multiprocessing.get_context("fork")) as pool:
            parts = list(pool.map(_range, bounds))
    finally:
        _WORK = None
    counts, docs, postings, weights = bytearray(), [], {}, {}
    for c, d, p, w in parts:  # in entry order: every posting list stays sorted
        counts += c
        docs += d
        for t, ids in p.items():
            if t in postings:
                postings[t] += ids
                weights[t] += w[t]
            else:
                postings[t], weights[t] = ids, w[t]
    return counts, docs, postings, weights
