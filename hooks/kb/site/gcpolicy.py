"""CPython's cyclic garbage collector during a build.

A build of 10,000 entries holds millions of long-lived objects (the entries,
their sections, articles and analyses). The collector's full collections walk
all of them again and again while they are created (unpickled from the
entry cache, or parsed) and while pages are made, although none of them is
garbage: about a quarter of a warm build's CPU time at 10,000 entries
(``gc.disable()`` for a whole warm build: 12.3-13.4 s user instead of 15.3-16.2 s).

- ``paused()``: no collection while a block creates objects that stay alive
  (the knowledge base's load); ``QuietAfter``: the same through a ``kb serve``
  rebuild and for a moment after it (kb.preview.server);
- ``hold()`` / ``release()``: objects alive now moved out of the collector's
  sight (``gc.freeze``) until released; nested holds (the build's, and each
  fork's: a child's collector would otherwise touch, and so copy, every
  inherited object) release only when the outermost does;
- ``build_started()`` / ``build_ended()``: for the rest of a build, the
  youngest generation collected every 50,000 allocations instead of 700
  (cycles made by pages, e.g. a Markdown converter's, are still collected),
  and what the build held released at its end; a build that failed is
  released by the next one's start (``mkdocs serve`` builds again in one process).

Reference counting frees everything that is not in a cycle whether frozen or
not; only cyclic garbage among frozen objects waits for the release.
"""

from __future__ import annotations

import contextlib
import gc
import threading
from typing import Iterator

BUILD_THRESHOLD = (50_000, 20, 20)

_holds = 0
_saved_threshold: tuple[int, int, int] | None = None


@contextlib.contextmanager
def paused() -> Iterator[None]:
    """No collection inside the block (objects created there stay alive)."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def hold() -> None:
    """Everything alive now out of the collector's sight until the matching ``release()``."""
    global _holds
    _holds += 1
    gc.freeze()


def release() -> None:
    """The matching end of ``hold()``: the outermost one gives the objects back to the collector."""
    global _holds
    if _holds == 0:
        return
    _holds -= 1
    if _holds == 0:
        gc.unfreeze()


@contextlib.contextmanager
def held() -> Iterator[None]:
    hold()
    try:
        yield
    finally:
        release()


def _release_all() -> None:
    global _holds
    if _holds:
        _holds = 0
        gc.unfreeze()


def build_started() -> None:
    """A build begins: what an earlier (failed) build left held is released, collections made rarer."""
    global _saved_threshold
    _release_all()
    if _saved_threshold is None:
        _saved_threshold = gc.get_threshold()
    gc.set_threshold(*BUILD_THRESHOLD)


def build_ended() -> None:
    """The build is done: the collector as it was before it."""
    global _saved_threshold
    _release_all()
    if _saved_threshold is not None:
        gc.set_threshold(*_saved_threshold)
        _saved_threshold = None


class QuietAfter:
    """The collector off through a block (``rebuild()``: a ``kb serve`` rebuild, kb.preview.server)
    and back ``DELAY`` seconds after it, unless another block started by then. A rebuild makes few
    cycles; collecting during it costs up to a second at 10,000 entries, and the collection of what
    it made, right at its end, another 0.1-0.2 s before the browsers are told to reload. Later, it
    happens while nobody waits."""

    DELAY = 2.0

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._running = 0  # rebuilds in progress
        self._timer: threading.Timer | None = None
        self._was: bool | None = None  # whether it was on before the first rebuild of a quiet spell

    @contextlib.contextmanager
    def rebuild(self) -> Iterator[None]:
        with self._lock:
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None
            if self._was is None:
                self._was = gc.isenabled()
            self._running += 1
            gc.disable()
        try:
            yield
        finally:
            with self._lock:
                self._running -= 1
                if self._running == 0:
                    self._timer = threading.Timer(self.DELAY, self._back)
                    self._timer.daemon = True
                    self._timer.start()

    def _back(self) -> None:
        with self._lock:
            if self._running == 0 and self._was is not None:
                if self._was:
                    gc.enable()
                self._was, self._timer = None, None
