"""Where the build cache keeps pages: one SQLite file under ``.cache/kb/``
(see kb.engine.pagecache). Every record carries its digest and is verified
when read; a store that cannot be opened is removed and made again; any
other failure turns the store off for the build (it is only a cache).
"""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
import sqlite3
import zlib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

from kb.source.sync import file_digest as output_digest  # noqa: F401 - the digest of a final page

log = logging.getLogger("mkdocs.hooks.kb.cache")

FORMAT = 5  # bump when the stored record or the tables change
DB_NAME = "pages.sqlite"
KEEP_BUILDS = 4  # a page not used by the last KEEP_BUILDS builds is dropped (editions built in turn: kb publish)


@dataclass
class Record:
    """What a build learned from one page, enough to skip it next time.

    Stored (pickled) without its two HTML texts, which are stored apart, compressed each on its
    own (``PageStore.body``): a record from ``PageStore.get`` has ``content`` and ``output`` None,
    one from ``get_whole`` those compressed bytes (``text()`` gives the text), so that a hit's final
    page can wait for MkDocs to write it without being decompressed and compressed again."""

    content: str | bytes  # the page's HTML after on_page_content
    output: str | bytes = ""  # the final page (after on_post_page)
    title: str | None = None  # the title Markdown gave (first heading)
    anchors: set[str] | None = None  # MkDocs' present_anchor_ids
    links: dict[str, dict[str, str]] = field(default_factory=dict)  # src_uri -> {anchor: link}
    lookups: dict[str, Any] = field(default_factory=dict)  # file lookups of the conversion and their answers
    meta: dict[str, Any] | None = None  # page.meta (the front matter MkDocs read)
    digest: bytes = b""  # of the final page's bytes as MkDocs writes them (``output_digest``)

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        for name in ("content", "output"):
            if isinstance(state[name], str):
                state[name] = zlib.compress(state[name].encode("utf-8"), 1)
        return state

    @staticmethod
    def text(value: str | bytes) -> str:
        """``content`` or ``output`` as text (decompressed if it came from the store)."""
        return value if isinstance(value, str) else zlib.decompress(value).decode("utf-8")


def lookup_answer(files: Any, uri: str) -> Any:
    """What MkDocs' link rewriting learns from looking ``uri`` up (None: no such file)."""
    f = type(files).get_file_from_path(files, uri)
    return None if f is None else (f.url, f.dest_uri, bool(f.inclusion.is_excluded()))


class PageStore:
    """The SQLite file under ``.cache/kb/``; every failure turns it off for this build."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.path = directory / DB_NAME
        self.db: sqlite3.Connection | None = None
        self.generation = 0
        self.prune = True  # drop what the last builds did not use (off for the preview's partial rebuilds)
        self._inherited: sqlite3.Connection | None = None  # in a forked child: the parent's (see reconnect)

    def open(self) -> bool:
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            gitignore = self.directory.parent / ".gitignore"
            if not gitignore.exists():
                from kb.source.atomic import write_atomic

                write_atomic(gitignore, "*\n")  # the cache never goes into git
            self.db = self._connect()
        except (OSError, sqlite3.Error) as exc:
            log.info(f"构建缓存不可用（{self.path}：{exc}），已重建")
            self.reset()
            try:
                self.db = self._connect()
            except (OSError, sqlite3.Error) as exc2:
                log.info(f"构建缓存不可用（{self.path}：{exc2}），本次不使用缓存")
                self.db = None
        return self.db is not None

    def _connect(self) -> sqlite3.Connection:
        # timeout: another build of the project (another edition, another engine) may be writing
        db = sqlite3.connect(self.path, timeout=30, isolation_level=None, check_same_thread=False)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        db.execute("CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT)")
        row = db.execute("SELECT value FROM meta WHERE name='format'").fetchone()
        if row is None or row[0] != str(FORMAT):
            db.execute("DROP TABLE IF EXISTS pages")
            db.execute("DROP TABLE IF EXISTS used")
            db.execute("DROP TABLE IF EXISTS bodies")
            db.execute("INSERT OR REPLACE INTO meta VALUES ('format', ?)", (str(FORMAT),))
        db.execute("CREATE TABLE IF NOT EXISTS pages (key BLOB PRIMARY KEY, digest BLOB, data BLOB)")
        # The last build that used each record, apart: marking a record used rewrites this small row,
        # not the record (tens of kilobytes) on every build.
        db.execute("CREATE TABLE IF NOT EXISTS used (key BLOB PRIMARY KEY, gen INTEGER) WITHOUT ROWID")
        # A page record's two HTML texts, apart from the rest of it (``body``): a build after an edit
        # needs them only for the few pages whose file in the site is not already right.
        db.execute("CREATE TABLE IF NOT EXISTS bodies (key BLOB PRIMARY KEY, digest BLOB, data BLOB)")
        row = db.execute("SELECT value FROM meta WHERE name='generation'").fetchone()
        # A build is one generation; preview rebuilds (``prune`` off) stay in the current one.
        self.generation = (int(row[0]) if row else 0) + (1 if self.prune or not row else 0)
        return db

    def reconnect(self) -> None:
        """A connection of its own for a forked child (kb.engine.prerender), in the same generation.
        The inherited one is the parent's: it is neither used nor closed here."""
        self._inherited = self.db
        try:
            db = sqlite3.connect(self.path, timeout=30, isolation_level=None, check_same_thread=False)
            db.execute("PRAGMA synchronous=NORMAL")
            self.db = db
        except (OSError, sqlite3.Error):
            self.db = None

    def reset(self) -> None:
        self.close()
        for suffix in ("", "-wal", "-shm"):
            try:
                os.unlink(f"{self.path}{suffix}")
            except OSError:
                pass

    def close(self) -> None:
        if self.db is not None:
            try:
                self.db.close()
            except sqlite3.Error:
                pass
            self.db = None

    def has(self, key: bytes) -> bool:
        """Whether a record is stored under ``key`` (not verified: ``get`` may still miss)."""
        if self.db is None:
            return False
        try:
            return self.db.execute("SELECT 1 FROM pages WHERE key=?", (key,)).fetchone() is not None
        except sqlite3.Error as exc:
            self._fail(exc)
            return False

    def get(self, key: bytes, kind: type = object) -> Any:
        """The value stored under ``key`` (None: none, damaged, or not a ``kind``); a page record
        comes without its HTML (``content`` and ``output`` None): see ``body``, ``get_whole``."""
        record = self._read("pages", key)
        return record if isinstance(record, kind) else None

    def body(self, key: bytes) -> tuple[bytes, bytes] | None:
        """The ``content`` and ``output`` of the page record under ``key``, compressed as stored."""
        pair = self._read("bodies", key)
        return pair if isinstance(pair, tuple) and len(pair) == 2 else None

    def get_whole(self, key: bytes) -> "Record | None":
        """The page record under ``key`` with its HTML (None if either half is missing or damaged)."""
        record = self.get(key, Record)
        pair = self.body(key) if record is not None else None
        if pair is None:
            return None
        record.content, record.output = pair
        return record

    def _read(self, table: str, key: bytes) -> Any:
        if self.db is None:
            return None
        try:
            row = self.db.execute(f"SELECT digest, data FROM {table} WHERE key=?", (key,)).fetchone()
        except sqlite3.Error as exc:
            self._fail(exc)
            return None
        if row is None:
            return None
        digest, data = row
        try:
            if hashlib.blake2b(data, digest_size=16).digest() != digest:
                return None  # damaged: rendered again and replaced
            return pickle.loads(zlib.decompress(data[1:]) if data[:1] == b"z" else data[1:])
        except Exception:  # noqa: BLE001 - anything unreadable is a miss
            return None

    def _rows(self, new: dict[bytes, Any]) -> tuple[list[tuple], list[tuple]]:
        """Rows of ``pages`` and of ``bodies`` for the values ``new``."""
        with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:  # zlib runs without the GIL
            blobs = list(pool.map(_blob, new.values()))
        rows, bodies = [], []
        for k, (b, body) in zip(new, blobs):
            rows.append((k, hashlib.blake2b(b, digest_size=16).digest(), b))
            if body is not None:
                bodies.append((k, hashlib.blake2b(body, digest_size=16).digest(), body))
        return rows, bodies

    def put_batch(self, new: dict[bytes, Any]) -> None:
        """Records written during the build (so that they need not all stay in memory). Each is
        complete and verified on reading, so a build killed later leaves nothing wrong behind."""
        if self.db is None or not new:
            return
        rows, bodies = self._rows(new)
        gen = self.generation

        def write(db: sqlite3.Connection) -> None:
            db.executemany("INSERT OR REPLACE INTO pages VALUES (?, ?, ?)", rows)
            db.executemany("INSERT OR REPLACE INTO bodies VALUES (?, ?, ?)", bodies)
            db.executemany("INSERT OR REPLACE INTO used VALUES (?, ?)", [(k, gen) for k in new])

        self._transaction(write)

    def mark_used(self, used: Iterable[bytes]) -> None:
        """Records this build used, kept as if written by it (a forked child's part of the build)."""
        if self.db is None:
            return
        gen = self.generation
        rows = [(k, gen) for k in used]
        self._transaction(lambda db: db.executemany("INSERT OR REPLACE INTO used VALUES (?, ?)", rows))

    def put_all(self, new: dict[bytes, Any], used: Iterable[bytes]) -> None:
        """One transaction: the last new records, the generation of every used key, old records dropped."""
        if self.db is None:
            return
        gen = self.generation
        rows, bodies = self._rows(new)

        def write(db: sqlite3.Connection) -> None:
            db.executemany("INSERT OR REPLACE INTO pages VALUES (?, ?, ?)", rows)
            db.executemany("INSERT OR REPLACE INTO bodies VALUES (?, ?, ?)", bodies)
            db.executemany("INSERT OR REPLACE INTO used VALUES (?, ?)", [(k, gen) for k in (*new, *used)])
            if self.prune:
                old = (gen - KEEP_BUILDS,)
                db.execute("DELETE FROM pages WHERE key IN (SELECT key FROM used WHERE gen<=?)", old)
                db.execute("DELETE FROM bodies WHERE key IN (SELECT key FROM used WHERE gen<=?)", old)
                db.execute("DELETE FROM used WHERE gen<=?", old)
            db.execute("INSERT OR REPLACE INTO meta VALUES ('generation', ?)", (str(gen),))

        self._transaction(write)

    def _transaction(self, write: Any) -> None:
        """``write(db)`` in one write transaction; any failure rolls it back and turns the store off."""
        assert self.db is not None
        try:
            self.db.execute("BEGIN IMMEDIATE")
            write(self.db)
            self.db.execute("COMMIT")
        except sqlite3.Error as exc:
            try:
                self.db.execute("ROLLBACK")
            except sqlite3.Error:
                pass
            self._fail(exc)

    def _fail(self, exc: Exception) -> None:
        if self._inherited is not None:  # a forked child: the parent decides
            self.db = None
            return
        log.info(f"构建缓存读写失败（{self.path}：{exc}），已删除，下次构建重新生成")
        self.reset()


def _blob(value: Any) -> tuple[bytes, bytes | None]:
    """A stored value's bytes, and for a page record those of its HTML apart: the record pickled
    without its HTML, the HTML texts compressed each on its own (see ``Record``) and pickled; anything
    else pickled and compressed."""
    if isinstance(value, Record):
        state = value.__getstate__()
        body = b"p" + pickle.dumps((state["content"], state["output"]), protocol=5)
        head = Record.__new__(Record)
        head.__dict__.update(state, content=None, output=None)
        return b"p" + pickle.dumps(head, protocol=5), body
    return b"z" + zlib.compress(pickle.dumps(value, protocol=5), 1), None


def key_of(build: bytes, src_uri: str, markdown: str) -> bytes:
    """The key of a page's output (or, with a prefixed name, of its Markdown or other outputs)."""
    h = hashlib.blake2b(build, digest_size=20)
    h.update(src_uri.encode() + b"\0")
    h.update(markdown.encode("utf-8"))
    return h.digest()

