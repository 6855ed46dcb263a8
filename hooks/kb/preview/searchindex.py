"""The live preview's search index and ``entries.json`` (see kb.preview.live,
point 5): written now, or in the background (a process of its own,
kb.preview.searchworker, or a thread) so that the page reload does not wait
for them."""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import shutil
import subprocess
import sys
import tempfile
import threading
from pathlib import Path
from typing import Any

log = logging.getLogger("mkdocs.hooks.kb.preview")

PROCESS_FROM = 300  # entries from which the index is written by a process of its own (SearchWriter)


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
    """Writes the preview's search index, now or in the background (the latest request wins).

    A knowledge base of at least ``process_from`` entries is indexed in the background by a
    process of its own (kb.preview.searchworker), started after the first index is written and
    kept for the server's life: on another core, it does not slow the next rebuild down (a thread
    holds the interpreter lock). It loads the entries itself (the files, a moment later: the same
    data or newer). Smaller ones, and every request while that process cannot run (it failed to
    start, died or failed a job), are indexed in a background thread of this process."""

    def __init__(self, process_from: int = PROCESS_FROM) -> None:
        self.process_from = process_from
        self._cond = threading.Condition()
        self._job: tuple | None = None  # (kb, site_dir, directory_urls) waiting for the thread
        self._busy = False
        self._thread: threading.Thread | None = None
        self.memo = IdentityMemo()  # entries' parts kept between writes
        self.worker: subprocess.Popen | None = None  # the process (None: not started, or gone)
        self._sent = 0  # jobs sent to it / answered by it (their numbers)
        self._answered = 0
        self._failed: dict[int, str] = {}  # job number -> the worker's error
        self._latest: tuple[int, tuple] = (0, ())  # the newest job sent: (number, (kb, site_dir, directory_urls))
        self._waiting = 0  # the job write_now waits for

    # -- the caller's side ---------------------------------------------------------

    def write_now(self, kb, site_dir: str, directory_urls: bool) -> None:
        """Write it before returning; a waiting background request is dropped (this one is newer)."""
        if self.worker is not None:
            n = self._waiting = self._send(kb, site_dir, directory_urls)
            if n and self._wait_answer(n):
                return
        with self._cond:
            self._job = None
            self._cond.wait_for(lambda: not self._busy)
            self._busy = True
        try:
            write_search_index(kb, site_dir, directory_urls, self.memo)
        finally:
            with self._cond:
                self._busy = False
                self._cond.notify_all()
        if self.worker is None and len(kb.entries) >= self.process_from:
            self._start(kb, directory_urls)

    def request(self, kb, site_dir: str, directory_urls: bool) -> None:
        if self.worker is not None and self._send(kb, site_dir, directory_urls):
            return
        self._in_thread((kb, site_dir, directory_urls))

    def _in_thread(self, job: tuple) -> None:
        with self._cond:
            self._job = job
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="kb-preview-search", daemon=True)
                self._thread.start()
            self._cond.notify_all()

    def wait(self) -> None:
        """Until no write is waiting or running (tests)."""
        with self._cond:
            self._cond.wait_for(lambda: self._job is None and not self._busy and (
                self.worker is None or self._answered >= self._sent))

    def close(self) -> None:
        """Stop the process (the server stops)."""
        worker, self.worker = self.worker, None
        if worker is None:
            return
        with contextlib.suppress(OSError):
            worker.stdin.close()
        try:
            worker.wait(timeout=10)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()

    # -- the thread ----------------------------------------------------------------

    def _run(self) -> None:
        while True:
            with self._cond:
                self._cond.wait_for(lambda: self._job is not None)
                job, self._job, self._busy = self._job, None, True
            try:
                write_search_index(*job, self.memo)
            except Exception as exc:  # noqa: BLE001 - e.g. the server stopped and removed the site directory
                log.warning(f"预览：搜索索引未能更新（{type(exc).__name__}: {exc}）")
            finally:
                with self._cond:
                    self._busy = False
                    self._cond.notify_all()

    # -- the process ---------------------------------------------------------------

    def _start(self, kb, directory_urls: bool) -> None:
        """Start the process and let it load the entries and make the index once (not written)."""
        import kb as package

        env = dict(os.environ)
        where = str(Path(package.__file__).resolve().parent.parent)  # this very kb package
        env["PYTHONPATH"] = os.pathsep.join(p for p in (where, env.get("PYTHONPATH", "")) if p)
        try:
            self.worker = subprocess.Popen([sys.executable, "-m", "kb.preview.searchworker"], env=env,
                                           stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                                           encoding="utf-8")
        except OSError as exc:
            log.info(f"预览：搜索索引进程未能启动（{exc}），在本进程中更新")
            return
        self._sent = self._answered = 0
        threading.Thread(target=self._answers, args=(self.worker,), name="kb-preview-search-answers",
                         daemon=True).start()
        self._send(kb, "", directory_urls, write=False)

    def _send(self, kb, site_dir: str, directory_urls: bool, write: bool = True) -> int:
        """Send a job; its number, or 0 when the process is gone."""
        worker = self.worker
        if worker is None:
            return 0
        with self._cond:
            n = self._sent + 1
            job = {"n": n, "root": str(kb.root), "audience": kb.audience, "site_dir": str(site_dir),
                   "directory_urls": directory_urls, "write": write}
            try:
                worker.stdin.write(json.dumps(job, ensure_ascii=False) + "\n")
                worker.stdin.flush()
            except (OSError, ValueError):
                self._gone(worker, "进程已退出")
                return 0
            self._sent = n
            if write:
                self._latest = (n, (kb, site_dir, directory_urls))
            return n

    def _wait_answer(self, n: int) -> bool:
        """Until job ``n`` is answered; whether it was done."""
        with self._cond:
            self._cond.wait_for(lambda: self._answered >= n or self.worker is None)
            return self._answered >= n and n not in self._failed

    def _answers(self, worker: subprocess.Popen) -> None:
        """Read the process's answers (a thread) until it ends."""
        for line in worker.stdout:
            answer = json.loads(line)
            with self._cond:
                self._answered = max(self._answered, answer["n"])
                if not answer["ok"]:
                    self._failed[answer["n"]] = answer["error"]
                    log.info(f"预览：搜索索引进程未能更新索引（{answer['error']}），在本进程中更新")
                    # The build's own entries (valid) indexed here, unless write_now does it already.
                    if answer["n"] == self._latest[0] and answer["n"] != self._waiting:
                        self._in_thread(self._latest[1])
                self._cond.notify_all()
        self._gone(worker, f"进程已退出，退出码 {worker.wait()}")

    def _gone(self, worker: subprocess.Popen, why: str) -> None:
        with self._cond:
            if self.worker is worker:
                self.worker = None
                log.warning(f"预览：搜索索引进程{why}，之后在本进程中更新")
            self._cond.notify_all()


def write_search_index(kb, site_dir: str, directory_urls: bool, memo: IdentityMemo) -> None:
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
