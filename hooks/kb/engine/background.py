"""Work of a build done in a forked child while MkDocs goes on in this process.

``start(work)`` forks a child that runs ``work()`` and ends; ``Background.wait()``
says whether it finished. What ``work`` makes must reach the build through
files (the site, the build cache over a connection of its own): nothing
comes back from the child but its exit status. A child that fails or dies
costs only time: the caller does the work itself.

Used for the children of kb.engine.prerender (pages the cache lacks) and,
by kb.engine.session, for the search index of a build in which no page
children run: after an edit, the index is assembled while MkDocs writes the
pages.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import sys
from typing import Any, Callable

from kb.site import gcpolicy, workers

log = logging.getLogger("mkdocs.hooks.kb")

MIN_ENTRIES = 300  # a smaller knowledge base's search index is made in the build itself (faster than a fork)


class Background:
    """One forked child running a piece of the build."""

    def __init__(self, process: Any) -> None:
        self.process = process

    def wait(self) -> bool:
        """Whether the child's work was done (it ended normally)."""
        self.process.join()
        return self.process.exitcode == 0


def start(work: Callable[[], None]) -> Background | None:
    """``work()`` in a forked child; None where this process cannot fork (threads, platform)."""
    if not workers.can_fork():
        return None
    context = multiprocessing.get_context("fork")
    with gcpolicy.held():  # the collector would touch (and so copy) every inherited object in the child
        try:
            process = context.Process(target=_run, args=(work,), daemon=True)
            process.start()
        except OSError:
            return None
    return Background(process)


def _run(work: Callable[[], None]) -> None:
    try:
        work()
    except BaseException as exc:  # noqa: BLE001 - the parent does the work again and reports
        log.debug(f"后台进程失败：{exc!r}")
        sys.stderr.flush()
        os._exit(1)
    sys.stderr.flush()
    os._exit(0)
