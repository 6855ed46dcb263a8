"""The site files made from the entries alone: the search index and ``entries.json``.

Written once per build by kb.engine.session (while the page children of
kb.engine.prerender work, in a background child after an edit, or at the end
of the build); from the build cache when it holds them for these entries
(``PageCache.outputs``), and then only where the site's files differ.
"""

from __future__ import annotations

import logging
from typing import Any

from kb.engine import searchmemo
from kb.site import export, search

log = logging.getLogger("mkdocs.hooks.kb")


def write(kb: Any, config: Any, page_cache: Any, processes: int) -> None:
    """The search index (entries' analysis kept between builds) and ``entries.json`` of ``kb``."""
    memo = searchmemo.search_memo(page_cache) or search.NO_MEMO
    urls = config.use_directory_urls

    def search_index() -> dict[str, bytes]:
        index = search.write_site_index(kb, config.site_dir, directory_urls=urls, memo=memo, processes=processes)
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
            page_cache.outputs(name, kb.entries, config.site_dir, paths, produce)
