"""The site files made from the entries alone: the search index and ``entries.json``.

Written once per build by kb.engine.session (while the page children of
kb.engine.prerender work, in a background child after an edit, or at the end
of the build); from the build cache when it holds them for these entries
(``PageCache.outputs``), and then only where the site's files differ.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, Callable

from kb.engine import searchmemo
from kb.engine.pagekeys import Unstable
from kb.engine.pagestore import key_of
from kb.site import export, search
from kb.source.sync import write_if_changed, write_tree

log = logging.getLogger("mkdocs.hooks.kb")


def write(kb: Any, config: Any, page_cache: Any, processes: int) -> None:
    """The search index (entries' analysis kept between builds) and ``entries.json`` of ``kb``."""
    memo = searchmemo.search_memo(page_cache) or search.NO_MEMO
    urls = config.use_directory_urls
    # The index files as the last build left them (inode, change time, size, digest): those still so
    # are not read to be compared (kb.source.sync.write_tree), some 21,000 at 10,000 entries.
    known = page_cache.site_files(config.site_dir, part="search") if page_cache is not None else None
    noted: dict | None = {} if page_cache is not None and page_cache.open else None

    def search_index() -> dict[str, bytes]:
        index = search.write_site_index(kb, config.site_dir, directory_urls=urls, memo=memo, processes=processes,
                                        known=known, noted=noted)
        if memo is not search.NO_MEMO:
            stats = index.stats
            log.info(f"搜索索引：重新分析 {stats['analysed']} 个条目，"
                     f"沿用 {stats['groups_reused']} 组条目的结果（共 {stats['groups']} 组）")
        return {f"{search.INDEX_DIR}/{rel}": data for rel, data in index.files.items()}

    def entries_json() -> dict[str, bytes]:
        path = export.write_entries_json(kb, config.site_dir, directory_urls=urls)
        return {export.ENTRIES_JSON: path.read_bytes()}

    for name, paths, produce in (("search", [search.INDEX_DIR], search_index),
                                 ("entries.json", [export.ENTRIES_JSON], entries_json)):
        if page_cache is None:
            produce()
        else:
            cached(page_cache, name, kb.entries, config.site_dir, paths, produce, known, noted)
    if noted:
        page_cache.site_files(config.site_dir, noted, part="search")


def cached(cache: Any, name: str, value: Any, site_dir: str, paths: list[str], produce: Callable[[], Any],
           known: dict | None = None, noted: dict | None = None) -> None:
    """Files of the site written by ``produce()`` from ``value`` (e.g. the search index from the
    entries): written from the build cache ``cache`` when ``value``'s digest is stored (only where the
    site does not hold those bytes already), else produced and stored. ``paths``: the files or folders,
    relative to ``site_dir``, that ``produce`` writes; ``produce()`` returns what it wrote (path
    relative to ``site_dir`` -> bytes). ``known``, ``noted``: see ``kb.source.sync.write_tree``."""
    if not cache.open:
        produce()
        return
    try:
        sig = cache.digests.of(value)
    except Unstable:
        produce()
        return
    key = key_of(cache.build, f"outputs:{name}", sig.hex())
    site = Path(site_dir)
    stored = cache.store.get(key, dict)
    if stored is None:
        cache.new[key] = dict(produce())  # what it wrote, as it says: not read back from the disk
        return
    covered: set[str] = set()
    for p in paths:
        under = {rel[len(p) + 1:]: data for rel, data in stored.items() if rel.startswith(f"{p}/")}
        if under or (site / p).is_dir():
            write_tree(site / p, under, known, noted)
            covered.update(f"{p}/{rel}" for rel in under)
    for rel, data in sorted(stored.items()):
        if rel not in covered:
            (site / rel).parent.mkdir(parents=True, exist_ok=True)
            write_if_changed(site / rel, data)
    cache.used.append(key)
