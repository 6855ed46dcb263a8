"""Keeping an ``EntryCache`` (kb.model.cache) between processes: one pickle
file, plus a small delta file beside it.

The full file holds every per-file result that is not racy and the memoised
per-entry analyses of those entries (article structures, citations found in
an entry), in one pickle so that a memo's entries and context are the
restored slots' entries. After an edit, a build does not write the whole file
again: the delta file (``<name>.delta``) holds the results that differ from
the full file (changed, added and removed files) with their analyses, tied
to the full file by a random token; the full file is written again when the
delta grows past ``DELTA_SHARE`` of the files, or when what every result was
made with (taxonomy, the documents citations resolve to) changed.

Both files are written atomically and stamped with the code's digest;
anything unreadable, stamped by other code or tied to another full file is
ignored (it is only a cache).
"""

from __future__ import annotations

import os
import pickle
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from kb.model.cache import EntryCache

DELTA_SHARE = 0.05  # the delta holds at most this share of the files (at least DELTA_MIN)
DELTA_MIN = 20
MEMOS = ("structures", "citations", "restricted")  # the EntryMemo attributes of an EntryCache kept with the entries
_ERRORS = (OSError, pickle.PicklingError, TypeError, AttributeError, RecursionError)


@dataclass
class Base:
    """What the full file holds, as restored or last written (the delta is made against it)."""

    token: str
    slots: dict[Path, Any]
    context: Any
    memo_contexts: dict[str, Any]


def delta_path(path: Path) -> Path:
    return path.with_name(path.name + ".delta")


def save(cache: "EntryCache", path: Path, stamp: bytes) -> None:
    """Keep ``cache``'s per-file results: as a delta against the full file when that is small."""
    from kb.source.atomic import write_atomic

    slots = {p: s for p, s in cache.slots.items() if not s.racy}
    base: Base | None = cache.kept
    if base is not None and base.context is cache.context and all(
            getattr(cache, name).context is base.memo_contexts.get(name) for name in MEMOS):
        changed = {p: s for p, s in slots.items() if base.slots.get(p) is not s}
        removed = [p for p in base.slots if p not in slots]
        if len(changed) + len(removed) <= max(DELTA_MIN, DELTA_SHARE * len(slots)):
            ids = {id(s.entry) for s in changed.values() if s.entry is not None}
            try:
                results = {name: _results(cache, name, ids) for name in MEMOS}  # contexts: the full file's
                write_atomic(delta_path(path), pickle.dumps(
                    (stamp, base.token, changed, removed, results), protocol=pickle.HIGHEST_PROTOCOL))
            except _ERRORS:
                pass
            return
    token = os.urandom(8).hex()
    ids = {id(s.entry) for s in slots.values() if s.entry is not None}
    memos = {name: (getattr(cache, name).context, _results(cache, name, ids)) for name in MEMOS}
    try:
        write_atomic(path, pickle.dumps((stamp, token, cache.context, slots, memos), protocol=pickle.HIGHEST_PROTOCOL))
        delta_path(path).unlink(missing_ok=True)
    except _ERRORS:
        return
    cache.kept = Base(token, slots, cache.context, {name: getattr(cache, name).context for name in MEMOS})


def _results(cache: "EntryCache", name: str, ids: set[int]) -> list:
    """The results of memo ``name`` for the entries ``ids``."""
    return [r for r in getattr(cache, name).results.values() if id(r[0]) in ids]


def restore(cache: "EntryCache", path: Path, stamp: bytes) -> bool:
    """Take the results kept in ``path`` (and its delta) if they were made by the same code."""
    from kb.model.cache import EntryMemo

    try:
        with open(path, "rb") as f:
            kept_stamp, token, context, slots, memos = pickle.load(f)
        if kept_stamp != stamp or not isinstance(slots, dict):
            return False
        restored = {}
        for name in MEMOS:
            memo_context, results = memos[name]
            restored[name] = memo = EntryMemo()
            memo.context, memo.results = memo_context, {id(r[0]): r for r in results}
    except Exception:  # noqa: BLE001 - an unreadable cache is no cache
        return False
    base = Base(token, dict(slots), context, {name: restored[name].context for name in MEMOS})
    try:
        with open(delta_path(path), "rb") as f:
            d_stamp, d_token, changed, removed, d_memos = pickle.load(f)
        if d_stamp == stamp and d_token == token:
            slots.update(changed)
            for p in removed:
                slots.pop(p, None)
            for name in MEMOS:
                restored[name].results.update({id(r[0]): r for r in d_memos[name]})
    except Exception:  # noqa: BLE001 - no delta, or an unreadable one: the full file alone
        pass
    cache.context, cache.slots, cache.kept = context, slots, base
    for name in MEMOS:
        setattr(cache, name, restored[name])
    return True
