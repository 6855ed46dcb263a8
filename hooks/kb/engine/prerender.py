"""Pages the build cache lacks, built on every core before MkDocs reads them.

MkDocs converts and renders the pages of a build one after another in one
process: at 10,000 entries, most of a cold build. In ``on_nav`` (after the
files and the navigation are known, before MkDocs reads the first page),
``prerender`` finds the generated pages the build cache (kb.engine.pagecache)
does not hold, deals them out round-robin to ``KB_JOBS`` forked processes
(kb.engine.background), and waits. Each child runs MkDocs' own steps on its share, with this build's
hooks (``_populate_page``: on_pre_page, conversion, on_page_content;
``on_env``; ``_build_page``: template, on_post_page), writes nothing to the
site and stores every finished page in the cache, over a connection of its
own. MkDocs then reads and writes every page as usual, and each prerendered
page is a cache hit: its stored output, anchors, links and title are put
back, and the usual checks run in this process (links to anchors, warnings).

So the output is the output of the serial build, byte for byte (a hit is
checked like any other, tests/test_prerender.py builds both ways). A page
that logs a warning or fails in a child is not stored: this process builds it
again and the warning is shown once, here (``--strict`` still fails). A child
that dies costs only time: what it did not store is built here.

While the children work, this process forgets the Markdown of their pages
(``session.release``: made again should it need a page after all) and does
``meanwhile`` (the session: the search index).

Every page in the navigation is read by each child too (not stored): the
navigation shows their titles, which MkDocs learns by reading them.

Nothing runs in children under ``kb serve`` (threads), with ``KB_JOBS=1``,
without the cache, where ``fork`` is not available, or for fewer than
``MIN_PAGES`` pages (the children's start and the navigation pages each of
them reads cost more than they save: +20% CPU on the 83 pages of the sample).
"""

from __future__ import annotations

import gc
import logging
from functools import partial
from typing import Any

from kb.engine import background
from kb.site import workers

log = logging.getLogger("mkdocs.hooks.kb.cache")

MIN_PAGES = 300  # fewer missing pages than this are built here: children cost more than they save


def missing(cache: Any, files: Any) -> list[Any]:
    """The generated pages of ``files`` this build will not find in ``cache``, in the files' order."""
    from mkdocs.structure.files import InclusionLevel

    return [f for f in files.documentation_pages(inclusion=InclusionLevel.is_included)
            if cache.lacks(f.src_uri)]


def prerender(session: Any, nav: Any, config: Any, files: Any, meanwhile: Any = None) -> int:
    """Build the pages the cache lacks in ``session.jobs`` children; the number of pages they stored.
    ``meanwhile()``: work of this process done while the children run (only when there are any)."""
    cache = session.page_cache
    if (cache is None or not cache.open or session.preview is not None or session.jobs <= 1
            or not workers.can_fork()):
        return 0
    todo = missing(cache, files)
    if len(todo) < MIN_PAGES:
        return 0
    cache.flush()  # what this process staged is in the store before the children look
    n = min(session.jobs, len(todo))
    gc.collect()  # before the fork: the children inherit no garbage
    children = [child for i in range(n)
                if (child := background.start(partial(_child, session, nav, config, files, todo[i::n]))) is not None]
    try:
        if children:  # they have the pages' Markdown now: this process lets go of its copy
            session.release(todo)
        if children and meanwhile is not None:
            meanwhile()
    finally:  # the children reaped even if ``meanwhile`` failed
        for child in children:
            if not child.wait():
                log.info("构建缓存：一个并行进程意外结束，它未完成的页面由主进程生成")
    # What the children stored is in the store (a page that warned or failed is not).
    stored = {f.src_uri for f in todo if not cache.lacks(f.src_uri)}
    cache.prerendered = stored
    log.info(f"构建缓存：{len(todo)} 个页面在 {len(children)} 个并行进程中生成，存入 {len(stored)} 个")
    return len(stored)


def _child(session: Any, nav: Any, config: Any, files: Any, share: list[Any]) -> None:
    """One child: MkDocs' steps for ``share`` (and the navigation's pages), pages stored, nothing written."""
    cache = session.page_cache
    session.kept_dirs = None  # nor compared with the site's files: the parent does that when it writes
    import mkdocs.commands.build as engine
    from mkdocs.structure.files import InclusionLevel
    from mkdocs.structure.pages import Page

    _quiet(cache.warnings)
    engine.utils.write_file = lambda *args, **kwargs: None  # this child's copy of MkDocs writes no page
    cache.begin_child()  # the inherited connection belongs to the parent
    for page in nav.pages:  # their titles are in the navigation of every page
        try:
            engine._populate_page(page, config, files)
        except Exception:  # noqa: BLE001 - built, and reported, by the parent
            continue
    for f in share:
        if f.page is None:
            Page(None, f, config)
    env = config.plugins.on_env(config.theme.get_env(), config=config, files=files)
    doc_files = files.documentation_pages(inclusion=InclusionLevel.is_included)
    in_nav = {id(p) for p in nav.pages}
    for f in share:
        page = f.page
        try:
            if id(page) not in in_nav:
                engine._populate_page(page, config, files)
            engine._build_page(page, config, doc_files, nav, env, excluded=f.inclusion.is_excluded())
        except Exception:  # noqa: BLE001 - built again, and reported, by the parent
            continue
        finally:
            if id(page) not in in_nav:
                page.content = None  # this child needs it no more
    cache.flush()


def _quiet(keep: logging.Handler) -> None:
    """No message of a child reaches the reader (the parent builds a page that warned again)."""
    loggers = [logging.getLogger(), *(x for x in logging.Logger.manager.loggerDict.values()
                                      if isinstance(x, logging.Logger))]
    for logger in loggers:
        for handler in logger.handlers:
            if handler is not keep:
                handler.setLevel(logging.CRITICAL + 1)
