"""The ``kb serve`` server: MkDocs' live-reload server with dirty rebuilds
and the OS's file events (see kb.preview.live for what a rebuild does)."""

from __future__ import annotations

import gc
import os
import shutil
import signal
import threading
import time
from pathlib import Path
from typing import Any

from kb.preview.live import PreviewState, attach, drop_dirty_warning, log


def rebuild(config, serve_url: str, state: PreviewState) -> None:
    """One preview build (dirty) of ``config`` into its ``site_dir``, remembering in ``state``."""
    import logging

    from mkdocs.commands.build import build

    attach(config, state)
    build_log = logging.getLogger("mkdocs.commands.build")
    build_log.addFilter(drop_dirty_warning)
    gc.disable()  # a rebuild makes few cycles; collecting during it costs up to a second at 10,000 entries
    try:
        build(config, serve_url=serve_url, dirty=True)
    finally:
        gc.enable()
        build_log.removeFilter(drop_dirty_warning)


def _native_observer():
    """The OS's file events (inotify on Linux), changes only: unlike polling,
    inotify also reports files being opened and read, and every build reads
    the hook module and docs/, which would start the next build, forever."""
    import watchdog.observers
    from watchdog.events import (FileClosedEvent, FileCreatedEvent, FileDeletedEvent, FileModifiedEvent,
                                 FileMovedEvent)

    changes = [FileCreatedEvent, FileModifiedEvent, FileDeletedEvent, FileMovedEvent, FileClosedEvent]

    class Observer(watchdog.observers.Observer):  # type: ignore[misc, valid-type]
        def schedule(self, event_handler, path, *, recursive=False, event_filter=None, follow_symlink=False):
            return super().schedule(event_handler, path, recursive=recursive,
                                    event_filter=event_filter or changes, follow_symlink=follow_symlink)

    return Observer()


def _interrupt(signum, frame) -> None:
    raise KeyboardInterrupt


def serve(config_file: Path, dev_addr: str | None = None, open_in_browser: bool = False) -> None:
    """``mkdocs serve --dirty`` with the preview on and native file watching.

    Modelled on ``mkdocs.commands.serve.serve`` (MkDocs 1.6); differences:
    dirty builds always, and the OS's file events (inotify) instead of
    MkDocs' polling every half second, which stats every entry file.
    """
    import tempfile
    from urllib.parse import urlsplit

    from mkdocs.config import load_config
    from mkdocs.livereload import LiveReloadServer, _serve_url

    state = PreviewState()  # what this server remembers between rebuilds
    # `kill`/terminate like Ctrl+C: stop cleanly and remove the temporary site directory.
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _interrupt)
    site_dir = tempfile.mkdtemp(prefix="kb-preview-")
    options: dict[str, Any] = {"site_dir": site_dir}
    if dev_addr:
        options["dev_addr"] = dev_addr

    def get_config():
        return load_config(config_file=os.fspath(config_file), **options)

    config = attach(get_config(), state)
    config.plugins.on_startup(command="serve", dirty=True)
    host, port = config.dev_addr
    mount_path = urlsplit(config.site_url or "/").path
    config.site_url = serve_url = _serve_url(host, port, mount_path)

    def builder(config=None):
        log.info("预览：正在生成……")
        if config is None:
            config = get_config()
            config.site_url = serve_url
        rebuild(config, serve_url, state)

    server = LiveReloadServer(builder=builder, host=host, port=port, root=site_dir, mount_path=mount_path)
    server.observer = _native_observer()  # set before the first watch()

    def error_handler(code: int) -> bytes | None:
        page = Path(site_dir) / f"{code}.html"
        return page.read_bytes() if code in (404, 500) and page.is_file() else None

    server.error_handler = error_handler
    try:
        started = time.perf_counter()
        builder(config)
        log.info(f"预览：首次生成用时 {time.perf_counter() - started:.1f} 秒")
        server.watch(config.docs_dir)
        if config.config_file_path:
            server.watch(config.config_file_path)
        server = config.plugins.on_serve(server, config=config, builder=builder)
        for item in config.watch:
            server.watch(item)
        try:
            server.serve(open_in_browser=open_in_browser)
        except KeyboardInterrupt:
            log.info("预览已停止")
        finally:
            server.shutdown()
    finally:
        config.plugins.on_shutdown()
        shutil.rmtree(site_dir, ignore_errors=True)
