"""The ``kb serve`` server: MkDocs' live-reload server with dirty rebuilds
and the OS's file events (see kb.preview.live for what a rebuild does).

A failed rebuild (a data error) does not stop the server: MkDocs' server
would keep every request waiting for a successful build. Instead the
builder catches the error, the browsers reload, and every page request gets
an error page (in Chinese, with the ``path:line`` list the build logged)
carrying the live-reload script, so it is replaced as soon as the data is
fixed. The address is bound before the first build: a busy port is refused
at once, in one Chinese line (``ServeError``).
"""

from __future__ import annotations

import errno
import html
import logging
import os
import shutil
import signal
import threading
import time
from pathlib import Path
from typing import Any

from kb.preview.live import PreviewState, attach, drop_dirty_warning, log
from kb.site import gcpolicy


def rebuild(config, serve_url: str, state: PreviewState, collector: gcpolicy.QuietAfter | None = None) -> None:
    """One preview build (dirty) of ``config`` into its ``site_dir``, remembering in ``state``.
    No garbage collection during it; with a ``collector`` (the server's), none for a moment after it
    either (else the collector is back as it was when this returns)."""
    import logging

    from mkdocs.commands.build import build

    attach(config, state)
    build_log = logging.getLogger("mkdocs.commands.build")
    build_log.addFilter(drop_dirty_warning)
    try:
        with collector.rebuild() if collector is not None else gcpolicy.paused():
            build(config, serve_url=serve_url, dirty=True)
    finally:
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


class ServeError(Exception):
    """The preview cannot start; the message is one user-facing Chinese line."""


class _Capture(logging.Handler):
    """The warnings and errors a build logs (the ``path:line`` problems among them)."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if not record.name.startswith("mkdocs.livereload"):  # the server's request log, not the build's
            self.lines.append(record.getMessage())


def error_page(lines: list[str]) -> bytes:
    """The page every request gets while the last rebuild failed."""
    items = "\n".join(f"<li><code>{html.escape(line)}</code></li>" for line in lines) or "<li>（没有更多信息，请看终端输出）</li>"
    return f"""<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>预览：生成失败</title>
<style>body{{font:16px/1.6 sans-serif;max-width:60em;margin:2em auto;padding:0 1em}}
h1{{color:#b00020}}li{{margin:.3em 0}}code{{white-space:pre-wrap}}</style></head>
<body><h1>预览：生成失败</h1>
<p>知识库数据或页面有错误，预览暂时无法更新。请改正下列问题并保存，本页会自动刷新（也可运行 <code>kb check</code>）。</p>
<ul>
{items}
</ul>
</body></html>
""".encode("utf-8")


def _server_class():
    from mkdocs.livereload import LiveReloadServer

    class Server(LiveReloadServer):
        """MkDocs' server, bound before the first build, serving ``error`` (a page) while it is set."""

        error: bytes | None = None
        _bound = False

        def bind_now(self) -> None:
            super().server_bind()
            super().server_activate()
            self._bound = True

        def server_bind(self) -> None:
            if not self._bound:
                super().server_bind()

        def server_activate(self) -> None:
            if not self._bound:
                super().server_activate()

        def _serve_request(self, environ, start_response):
            path = environ.get("PATH_INFO", "")
            if self.error is None or path.startswith("/livereload/") or not (path.endswith("/") or path.endswith(".html")):
                return super()._serve_request(environ, start_response)
            with self._epoch_cond:  # as MkDocs does: wait for the ongoing rebuild, it may fix the error
                self._epoch_cond.wait_for(lambda: self._visible_epoch == self._wanted_epoch)
                epoch, page = self._visible_epoch, self.error
            if page is None:
                return super()._serve_request(environ, start_response)
            content = self._inject_js_into_html(page, epoch)
            # 200: MkDocs logs any other status as a warning, and a warning during a rebuild fails it (strict).
            start_response("200 OK", [("Content-Type", "text/html; charset=utf-8"),
                                      ("Content-Length", str(len(content)))])
            return [content]

    return Server


def _bind(server, host: str, port: int) -> None:
    try:
        server.bind_now()
    except OSError as exc:
        server.server_close()
        if exc.errno == errno.EADDRINUSE:
            raise ServeError(f"{host}:{port} 已被占用（可能另一个 kb serve 正在运行）；请先停止它，"
                             f"或用 --dev-addr 换一个端口，如 kb serve --dev-addr {host}:{port + 1}") from None
        raise ServeError(f"{host}:{port}：无法在这个地址上启动预览（{exc.strerror}）；请用 --dev-addr 指定地址，"
                         "如 --dev-addr 127.0.0.1:8000") from None


def serve(config_file: Path, dev_addr: str | None = None, open_in_browser: bool = False) -> None:
    """``mkdocs serve --dirty`` with the preview on and native file watching.

    Modelled on ``mkdocs.commands.serve.serve`` (MkDocs 1.6); differences:
    dirty builds always, and the OS's file events (inotify) instead of
    MkDocs' polling every half second, which stats every entry file.
    """
    import tempfile
    from urllib.parse import urlsplit

    from mkdocs.config import load_config
    from mkdocs.exceptions import Abort, PluginError
    from mkdocs.livereload import _serve_url

    state = PreviewState()  # what this server remembers between rebuilds
    collector = gcpolicy.QuietAfter()  # the garbage collector back a moment after each rebuild
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
        rebuild(config, serve_url, state, collector)

    def rebuilder() -> None:
        """A rebuild in the server: a failure shows the error page instead of stalling every request."""
        capture = _Capture()
        mkdocs_log = logging.getLogger("mkdocs")
        mkdocs_log.addHandler(capture)
        try:
            builder()
        except Exception as exc:  # noqa: BLE001 - any failed rebuild: shown, and the server goes on
            lines = [ln for ln in capture.lines if not ln.startswith("Aborted with")]
            if not lines or not isinstance(exc, (Abort, PluginError)):
                lines.append(f"{type(exc).__name__}: {exc}")
                log.error(lines[-1])
            server.error = error_page(lines)
            log.error(f"预览：生成失败（{len(lines)} 条错误，浏览器中也会显示）；改正后保存即可自动恢复")
            return
        finally:
            mkdocs_log.removeHandler(capture)
        if server.error is not None:
            log.info("预览：错误已改正，恢复正常")
        server.error = None

    server = _server_class()(builder=rebuilder, host=host, port=port, root=site_dir, mount_path=mount_path)
    server.observer = _native_observer()  # set before the first watch()

    def error_handler(code: int) -> bytes | None:
        page = Path(site_dir) / f"{code}.html"
        return page.read_bytes() if code in (404, 500) and page.is_file() else None

    server.error_handler = error_handler
    try:
        _bind(server, host, port)
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
        server.server_close()
        state.search.close()  # the search index's process
        config.plugins.on_shutdown()
        shutil.rmtree(site_dir, ignore_errors=True)
