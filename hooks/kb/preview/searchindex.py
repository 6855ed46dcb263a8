"""The live preview's search index and ``entries.json`` (see kb.preview.live,
point 5): written now, or by a background thread so that the page reload does
not wait for them."""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import tempfile
import threading
from pathlib import Path
from typing import Any

log = logging.getLogger("mkdocs.hooks.kb.preview")


class IdentityMemo:
    """The search index's parts (kb.site.search.entrypart ``Memo``) kept in memory between the
    preview's rebuilds. An unchanged entry is the same object from one rebuild to the next
    (kb.model.cache), so a part is keyed by the identity of the entry and its article structure
    plus the plain values (its label, which other entries' titles decide, and its URL); the
    objects are kept alive while their keys are in use, so an identity is never reused. Used by
    one writer at a time (``SearchWriter``); what a write did not use is dropped after it."""

    def __init__(self) -> None:
        self.data: dict[bytes, bytes] = {}
        self.alive: dict[int, Any] = {}  # the objects named by the keys of ``data``
        self.alive_before: dict[int, Any] = {}  # the last write's, alive until this one is done
        self.used: set[bytes] = set()

    def key(self, value: Any) -> bytes | None:
        parts = []
        for x in value:
            if x is None or isinstance(x, (str, int, bytes)) or (
                    isinstance(x, tuple) and all(isinstance(y, str) for y in x)):
                parts.append(repr(x))
            else:
                self.alive[id(x)] = x
                parts.append(f"@{id(x)}:{getattr(x, 'label', '')}")
        key = hashlib.blake2b("\0".join(parts).encode("utf-8"), digest_size=16).digest()
        self.used.add(key)
        return key

    def has(self, key: bytes) -> bool:
        return key in self.data

    def get(self, key: bytes) -> bytes | None:
        return self.data.get(key)

    def put(self, key: bytes, data: bytes) -> None:
        self.data[key] = data

    def start(self) -> None:
        self.used, self.alive_before, self.alive = set(), self.alive, {}

    def finish(self) -> None:
        """Keep what this write used (and the objects its keys name)."""
        self.data = {k: v for k, v in self.data.items() if k in self.used}
        self.alive_before = {}


class SearchWriter:
    """Writes the preview's search index, now or in a background thread (the latest request wins)."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._job: tuple | None = None  # (kb, site_dir, directory_urls) waiting for the thread
        self._busy = False
        self._thread: threading.Thread | None = None
        self.memo = IdentityMemo()  # entries' parts kept between writes

    def write_now(self, kb, site_dir: str, directory_urls: bool) -> None:
        """Write it before returning; a waiting background request is dropped (this one is newer)."""
        with self._cond:
            self._job = None
            self._cond.wait_for(lambda: not self._busy)
            self._busy = True
        try:
            _write_search_index(kb, site_dir, directory_urls, self.memo)
        finally:
            with self._cond:
                self._busy = False
                self._cond.notify_all()

    def request(self, kb, site_dir: str, directory_urls: bool) -> None:
        with self._cond:
            self._job = (kb, site_dir, directory_urls)
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="kb-preview-search", daemon=True)
                self._thread.start()
            self._cond.notify_all()

    def wait(self) -> None:
        """Until no write is waiting or running (tests)."""
        with self._cond:
            self._cond.wait_for(lambda: self._job is None and not self._busy)

    def _run(self) -> None:
        while True:
            with self._cond:
                self._cond.wait_for(lambda: self._job is not None)
                job, self._job, self._busy = self._job, None, True
            try:
                _write_search_index(*job, self.memo)
            except Exception as exc:  # noqa: BLE001 - e.g. the server stopped and removed the site directory
                log.warning(f"预览：搜索索引未能更新（{type(exc).__name__}: {exc}）")
            finally:
                with self._cond:
                    self._busy = False
                    self._cond.notify_all()


def _write_search_index(kb, site_dir: str, directory_urls: bool, memo: IdentityMemo) -> None:
    """The index is written next to the site directory and renamed into place (never served half-written);
    so is ``entries.json`` (made from the same entries)."""
    from kb.site import export, search

    site = Path(site_dir)
    tmp = Path(tempfile.mkdtemp(prefix=".kb-search-", dir=site.parent))
    try:
        memo.start()
        search.write_site_index(kb, tmp, directory_urls=directory_urls, memo=memo)
        memo.finish()
        live = site / search.INDEX_DIR
        live.parent.mkdir(parents=True, exist_ok=True)
        if live.exists():
            os.rename(live, tmp / "old")
        os.rename(tmp / search.INDEX_DIR, live)
        export.write_entries_json(kb, tmp, directory_urls=directory_urls)
        os.replace(tmp / export.ENTRIES_JSON, site / export.ENTRIES_JSON)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
