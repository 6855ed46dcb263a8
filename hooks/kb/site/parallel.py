"""Generated pages rendered on every core.

Rendering the Markdown of thousands of pages (``kb.site.pages.Generator.render``)
is independent work per page. ``render_all`` renders a list of page specs in
forked worker processes (``kb.site.workers``, the build's one process pool
helper): a child starts with the parent's knowledge base and Jinja
environment (shared copy-on-write, nothing is pickled but the results),
renders chunks of the list and sends back strings; the results come back in
the order of the list, so the output is the same as a serial loop's.

Serial when there are few pages, when the process cannot fork (the platform,
or ``kb serve``'s threads), or with ``KB_JOBS=1``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Sequence

from kb.site import workers

if TYPE_CHECKING:  # pragma: no cover
    from kb.site.catalog import PageSpec
    from kb.site.pages import Generator

MIN_PAGES = 200  # fewer pages than this are rendered here: starting workers costs more
CHUNKS_PER_JOB = 8  # pieces of work per process: even load, few messages


def render_all(gen: "Generator", specs: Sequence["PageSpec"], processes: int | None = None) -> list[str]:
    """The Markdown of every spec (``gen.render``), in order, on ``processes`` cores (default ``workers.jobs()``)."""
    specs = list(specs)
    processes = workers.jobs() if processes is None else processes
    if processes <= 1 or len(specs) < MIN_PAGES or not workers.can_fork():
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
    n = len(rest)
    size = max(1, -(-n // (processes * CHUNKS_PER_JOB)))
    bounds = [(i, min(i + size, n)) for i in range(0, n, size)]  # only these go to a worker (specs hold lambdas)
    parts = workers.fork_map(lambda b: [gen.render(rest[i]) for i in range(*b)], bounds, processes)
    rendered = workers.flatten(parts)
    return [done[i] if i in done else next(rendered) for i in range(len(specs))]
