"""A finished ``mkdocs build`` ends without tearing its objects down one by one.

When the interpreter ends normally it clears every module and frees every
object it still holds: after a build of 10,000 entries, millions of them
(the parsed entries, the page list, the files), which took 6-7 s on the
2-core benchmark machine after the site was complete (bench/RESULTS.md),
every build, cold or warm. The operating system takes the process's memory
back at once when the process ends, so none of that work is needed.

``end_if_done(command)`` is called in ``on_shutdown``. When this process is
the engine's own command line (``mkdocs build``, ``properdocs build``, also
as ``python -m``), the command is ``build`` and the build succeeded
(``on_post_build`` ran and no ``on_build_error`` followed: a ``--strict``
build that logged a warning fails after ``on_post_build``), it runs what the
interpreter would run at exit (``atexit`` functions: logging's, those of
multiprocessing), flushes the standard streams and ends the process with
status 0, the status the command line gives a successful build. In any
other case (a failed build, ``gh-deploy`` which goes on after the build,
``kb serve``, a build run inside another program such as the tests) nothing
happens.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import sys

ENGINES = ("mkdocs", "properdocs")


def engine_command_line() -> bool:
    """Whether this process is ``mkdocs``/``properdocs`` run from the command line."""
    main = sys.modules.get("__main__")
    spec = getattr(main, "__spec__", None)
    if spec is not None and spec.name in {f"{e}.__main__" for e in ENGINES}:
        return True  # python -m mkdocs
    cli = getattr(main, "cli", None)  # the console script: `from mkdocs.__main__ import cli`
    return cli is not None and any(
        cli is getattr(sys.modules.get(f"{e}.__main__"), "cli", object()) for e in ENGINES)


def end_if_done(command: str, succeeded: bool) -> None:
    """End the process now if it is a successful ``build`` of the engine's command line."""
    if command != "build" or not succeeded or not engine_command_line():
        return
    atexit._run_exitfuncs()  # noqa: SLF001 - what the interpreter runs at exit, then no teardown
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError, AttributeError):  # a stream closed or gone
            stream.flush()
    os._exit(0)
