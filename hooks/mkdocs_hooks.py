"""MkDocs adapter: wires MkDocs events to the ``kb`` package. No logic here.

Every event goes to one ``kb.engine.session.BuildSession``, created in
``on_startup`` (or by the first ``on_config`` when a caller builds without
the startup event); see that module for what each event does.
"""

from __future__ import annotations

from kb.engine.session import BuildSession

_session: BuildSession | None = None


def on_startup(command: str, dirty: bool) -> None:
    global _session
    _session = BuildSession.start(command=command, dirty=dirty)


def _current() -> BuildSession:
    global _session
    if _session is None:
        _session = BuildSession.start()
    return _session


def on_config(config):
    return _current().configure(config)


def on_pre_build(config) -> None:
    _current().pre_build(config)


def on_files(files, config):
    return _current().register_files(files, config)


def on_nav(nav, config, files):
    return _current().prerender_pages(nav, config, files)


def on_env(env, config, files):
    return _current().stamp_pages(env, files, config)


def on_pre_page(page, config, files):
    return _current().pre_page(page, files)


def on_page_markdown(markdown, page, config, files):
    return _current().page_markdown(markdown, page, files)


def on_page_content(html, page, config, files):
    return _current().page_content(html, page.file.src_uri, page)


def on_post_page(output, page, config):
    return _current().post_page(output, page)


def on_post_build(config) -> None:
    _current().finish(config)


def on_build_error(error) -> None:
    _current().build_failed()


def on_shutdown() -> None:
    _current().shutdown()
