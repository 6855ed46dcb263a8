"""kb.engine.pagestore: records kept while some build of the last KEEP_BUILDS uses them, marking
a record used leaves the record itself alone, an older format's file is emptied, damage is a miss."""

from __future__ import annotations

import random
import sqlite3
from pathlib import Path

from kb.engine import pagestore
from kb.engine.pagestore import KEEP_BUILDS, PageStore, Record


def build(directory: Path, new: dict | None = None, used: tuple = ()) -> PageStore:
    """One build's use of the store: open, write, close."""
    store = PageStore(directory)
    assert store.open()
    store.put_all(new or {}, used)
    store.close()
    return store


def keys(directory: Path) -> set[bytes]:
    with sqlite3.connect(directory / pagestore.DB_NAME) as con:
        return {k for (k,) in con.execute("SELECT key FROM pages")}


def test_records_live_while_recent_builds_use_them(tmp_path: Path) -> None:
    build(tmp_path, {b"page": Record(content="<p>页</p>", output="<html>页</html>"), b"other": {"x": 1}})
    for _ in range(KEEP_BUILDS + 2):  # builds that use one record only
        build(tmp_path, used=(b"page",))
    assert keys(tmp_path) == {b"page"}
    store = PageStore(tmp_path)
    assert store.open()
    assert store.get(b"page", Record).output is None  # the record without its HTML ...
    record = store.get_whole(b"page")  # ... and with it
    assert Record.text(record.output) == "<html>页</html>" and Record.text(record.content) == "<p>页</p>"
    assert store.get(b"other") is None
    store.close()


def test_marking_used_does_not_rewrite_the_record(tmp_path: Path) -> None:
    rng = random.Random(0)
    text = "".join(chr(rng.randrange(0x4E00, 0x9FA5)) for _ in range(30_000))  # hardly compressible
    big = Record(content=text, output=text[::-1])
    build(tmp_path, {b"page": big})
    with sqlite3.connect(tmp_path / pagestore.DB_NAME) as con:
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    store = PageStore(tmp_path)
    assert store.open()
    store.mark_used([b"page"])  # a forked child's part of the build
    store.put_all({}, [b"page"])
    store.close()
    wal = tmp_path / f"{pagestore.DB_NAME}-wal"
    assert not wal.exists() or wal.stat().st_size < 40_000  # the record is some 150 KB


def test_a_store_of_another_format_starts_empty(tmp_path: Path) -> None:
    tmp_path.mkdir(exist_ok=True)
    with sqlite3.connect(tmp_path / pagestore.DB_NAME) as con:  # the format before the used table
        con.execute("CREATE TABLE meta (name TEXT PRIMARY KEY, value TEXT)")
        con.execute("INSERT INTO meta VALUES ('format', '3')")
        con.execute("CREATE TABLE pages (key BLOB PRIMARY KEY, digest BLOB, data BLOB, used INTEGER)")
        con.execute("INSERT INTO pages VALUES (x'01', x'00', x'00', 1)")
    build(tmp_path, {b"new": {"v": 2}})
    assert keys(tmp_path) == {b"new"}


def test_a_damaged_record_is_a_miss(tmp_path: Path) -> None:
    build(tmp_path, {b"page": {"v": 1}})
    with sqlite3.connect(tmp_path / pagestore.DB_NAME) as con:
        con.execute("UPDATE pages SET data = x'00' || data")
    store = PageStore(tmp_path)
    assert store.open() and store.get(b"page") is None
    store.close()
    build(tmp_path, {b"html": Record(content="<p>段</p>", output="<html></html>")})
    with sqlite3.connect(tmp_path / pagestore.DB_NAME) as con:
        con.execute("UPDATE bodies SET data = x'00' || data")
    store = PageStore(tmp_path)
    assert store.open() and store.get(b"html", Record) is not None
    assert store.body(b"html") is None and store.get_whole(b"html") is None
    store.close()
