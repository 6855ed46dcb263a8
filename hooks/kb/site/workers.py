"""Independent work of a build on every core: a ``fork`` process pool.

``KB_JOBS`` sets how many processes may work at once (``1``: everything in
this process); by default, the cores this process may run on. The workers
are forked, so they inherit what the build has loaded (the knowledge base,
callables): only the task (a small value) goes to a worker and only its
result (bytes, or plain values) comes back. Results come back in task
order, so the output is the same as one process's, byte for byte.

Where ``fork`` is not available (Windows, macOS' default), or when this
process runs other threads (the live preview's server), everything runs in
this process.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from typing import Any, Callable, Iterable, Iterator, Sequence

from kb.site import gcpolicy

JOBS_ENV = "KB_JOBS"

_TASK: Callable[[Any], Any] | None = None  # the function of the running pool (inherited by fork)


def jobs(environ: Any = os.environ) -> int:
    """How many processes independent work may use: ``KB_JOBS``, else the number of usable cores.
    Raises ``ValueError`` (Chinese message) for a value that is not a positive integer."""
    value = str(environ.get(JOBS_ENV, "")).strip()
    if value:
        if not value.isdigit() or int(value) < 1:
            raise ValueError(f"环境变量 {JOBS_ENV} 应为正整数（并行进程数），现为“{value}”")
        return int(value)
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)


def can_fork() -> bool:
    """Whether a pool may fork: the platform has ``fork`` and this process runs one thread (a fork
    copies only the calling thread, so a lock another thread holds would stay locked in the
    workers: under ``kb serve`` the work stays in this process)."""
    return "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1


def _run(item: Any) -> Any:
    assert _TASK is not None
    return _TASK(item)


def fork_map(fn: Callable[[Any], Any], items: Sequence[Any], processes: int) -> list[Any]:
    """``list(map(fn, items))`` over ``processes`` forked workers, results in order (one item is one
    task: make items chunks of work). ``fn`` may be any callable (it is inherited, not pickled); a
    result must be picklable. With one process, or without ``fork``: in this process.

    The pool is gone when this returns: a pool left open (e.g. behind a half-read iterator) keeps
    threads running, and no later step of the build could fork (``can_fork``)."""
    global _TASK
    processes = min(processes, len(items))
    if processes <= 1 or not can_fork():
        return list(map(fn, items))
    _TASK = fn
    try:
        with gcpolicy.held():  # the collector would touch (and so copy) every inherited object in the workers
            try:
                pool = multiprocessing.get_context("fork").Pool(processes)
            except OSError:  # no more processes allowed: in this process
                _TASK = None
                return list(map(fn, items))
            with pool:
                results = list(pool.imap(_run, items))
            pool.join()
            return results
    finally:
        _TASK = None


def chunks(items: Sequence[Any], size: int) -> list[Sequence[Any]]:
    return [items[i:i + size] for i in range(0, len(items), size)]


def flatten(parts: Iterable[Sequence[Any]]) -> Iterator[Any]:
    for part in parts:
        yield from part
