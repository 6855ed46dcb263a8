"""The search index's parts kept in the build cache (``kb.site.search.entrypart``, ``groups``).

An entry's part (its display document, its terms with their weights per
unit) is stored under the digest of the entry (its file's content and version
label), its URL and its article structure, within the build's key (the
code, the settings, the configuration: kb.engine.pagekeys), so a build after
an edit analyses only the entries that changed; a group of consecutive
entries' joined part is stored under its entries' keys, so such a build
joins a few dozen groups; the index is then assembled from them (kb.site.search.build). Parts a build uses are kept; parts no
build used for ``KEEP_BUILDS`` builds are dropped with the pages.
"""

from __future__ import annotations

from typing import Any

from kb.engine.pagekeys import Unstable
from kb.engine.pagestore import key_of


class SearchMemo:
    """``kb.site.search.entrypart.Memo`` backed by a build's ``PageCache``."""

    def __init__(self, cache: Any) -> None:
        self.cache = cache

    def key(self, value: Any) -> bytes | None:
        try:
            sig = self.cache.digests.of(value)
        except Unstable:
            return None
        return key_of(self.cache.build, "search-entry", sig.hex())

    def has(self, key: bytes) -> bool:
        return self.cache.store.has(key)

    def get(self, key: bytes) -> bytes | None:
        data = self.cache.store.get(key, bytes)
        if data is not None:
            self.cache.used.append(key)  # kept by this build (not pruned)
        return data

    def put(self, key: bytes, data: bytes) -> None:
        self.cache._stage(key, data)  # written in batches during the build


def search_memo(cache: Any) -> Any:
    """The memo of this build's search index, or None when the cache is off or unusable."""
    return SearchMemo(cache) if cache is not None and cache.open else None
