"""Interrupting ``kb publish``: signals, the build process's lifetime, and the fault-injection test seam.

``interruptible``: while publishing, SIGTERM and SIGINT raise ``Interrupted``
instead of ending the process on the spot, so that the build's process group
is killed and its directory removed. ``die_with_parent`` (run in the build
process before ``exec``) makes Linux kill the build when the publisher dies,
even by SIGKILL. ``fault(point)`` is the test seam: with
``KB_PUBLISH_FAULT=<point>[:TERM]`` in the environment the publisher kills
itself (SIGKILL, or SIGTERM) at that point; see kb.publish.release for the
points and tests/test_publish_faults.py for its use.
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
import time
from typing import Iterator

FAULT_ENV = "KB_PUBLISH_FAULT"


def fault(point: str) -> None:
    """The test seam: kill this process at ``point`` if KB_PUBLISH_FAULT names it."""
    name, _, sig = os.environ.get(FAULT_ENV, "").partition(":")
    if name == point:
        os.kill(os.getpid(), signal.SIGTERM if sig == "TERM" else signal.SIGKILL)
        time.sleep(5)  # SIGTERM is handled in this thread, at the next bytecode


class Interrupted(BaseException):
    """SIGTERM/SIGINT during a publish."""


@contextlib.contextmanager
def interruptible() -> Iterator[None]:
    """SIGTERM and SIGINT raise ``Interrupted`` (so that the build group is killed and
    the build directory removed) instead of ending the process on the spot."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum, frame):
        raise Interrupted(signum)

    old = {sig: signal.signal(sig, handler) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield
    finally:
        for sig, h in old.items():
            signal.signal(sig, h)


def _libc_prctl():
    try:
        import ctypes

        return ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None


_PRCTL = _libc_prctl()  # loaded here, not between fork and exec


def die_with_parent() -> None:  # pragma: no cover - runs in the child
    """In the build process: receive SIGKILL when the publisher dies (Linux), even by SIGKILL."""
    if _PRCTL is not None:
        _PRCTL(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
