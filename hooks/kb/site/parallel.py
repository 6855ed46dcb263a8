"""Generated pages rendered on every core.

Rendering the Markdown of thousands of pages (``kb.site.pages.Generator.render``)
is independent work per page. ``render_all`` renders a list of page specs in
forked worker processes: a child starts with the parent's knowledge base and
Jinja environment (shared copy-on-write, nothing is pickled but the results),
renders chunks of the list and sends back strings; the results come back in
the order of the list, so the output is the same as a serial loop's.

Serial when there are few pages, when the platform cannot fork, or with
``KB_JOBS=1``. ``KB_JOBS=N`` sets the number of processes (default: the cores
this process may run on).
"""

from __future__ import annotations

import gc
import multiprocessing
import os
from typing import TYPE_CHECKING, Any, Callable, Sequence

if TYPE_CHECKING:  # pragma: no cover
    from kb.site.catalog import PageSpec
    from kb.site.pages import Generator

JOBS_ENV = "KB_JOBS"
MIN_PAGES = 200  # fewer pages than this are rendered here: starting workers costs more
CHUNKS_PER_JOB = 8  # pieces of work per process: even load, few messages

_work: tuple[Callable[[Any], Any], Sequence[Any]] | None = None  # set in the parent just before the fork


def jobs(environ: Any = os.environ) -> int:
    """Processes to use: ``KB_JOBS`` if set, else the cores this process may run on.
    Raises ``ValueError`` (Chinese message) for a value that is not a positive integer."""
    value = environ.get(JOBS_ENV, "").strip()
    if value:
        if not value.isdigit() or int(value) < 1:
            raise ValueError(f"环境变量 {JOBS_ENV} 应为正整数（并行进程数），现为“{value}”")
        return int(value)
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - platforms without sched_getaffinity
        return os.cpu_count() or 1


def can_fork() -> bool:
    return "fork" in multiprocessing.get_all_start_methods()


def _run(bounds: tuple[int, int]) -> list[Any]:
    assert _work is not None
    func, items = _work
    return [func(items[i]) for i in range(*bounds)]


def ordered_map(func: Callable[[Any], Any], items: Sequence[Any], processes: int) -> list[Any]:
    """``[func(x) for x in items]`` computed by ``processes`` forked workers, in order."""
    global _work
    n = len(items)
    size = max(1, -(-n // (processes * CHUNKS_PER_JOB)))
    bounds = [(i, min(i + size, n)) for i in range(0, n, size)]
    _work = (func, items)
    gc.freeze()  # the collector would touch (and so copy) every shared object in the children
    try:
        with multiprocessing.get_context("fork").Pool(processes) as pool:
            out: list[Any] = []
            for part in pool.imap(_run, bounds):
                out.extend(part)
    finally:
        _work = None
        gc.unfreeze()
    return out


def render_all(gen: "Generator", specs: Sequence["PageSpec"], processes: int | None = None) -> list[str]:
    """The Markdown of every spec (``gen.render``), in order, on ``processes`` cores (default ``jobs()``)."""
    specs = list(specs)
    processes = jobs() if processes is None else processes
    if processes <= 1 or len(specs) < MIN_PAGES or not can_fork():
        return [gen.render(s) for s in specs]
    # Before the fork: every template compiled, and one page of each template rendered here,
    # so that what the model computes on first use is computed once, not in every child.
    for name in gen.env.list_templates():
        gen.env.get_template(name)
    first: dict[str, int] = {}
    for i, spec in enumerate(specs):
        first.setdefault(spec.template, i)
    done = {i: gen.render(specs[i]) for i in first.values()}
    rest = [s for i, s in enumerate(specs) if i not in done]
    rendered = iter(ordered_map(gen.render, rest, processes))
    return [done[i] if i in done else next(rendered) for i in range(len(specs))]
