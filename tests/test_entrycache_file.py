"""The entry cache kept between builds (kb.model.cachefile): after an edit only a
small delta file is written beside the full file, and restoring both gives the
edited entry, the others unchanged and their memoised analyses (citations)."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

from kb.engine import cachedir, pagecache
from kb.engine.pagekeys import Digests
from kb.model import cachefile
from kb.model.cache import EntryCache
from kb.model.knowledge import KnowledgeBase

ROOT = Path(__file__).resolve().parent.parent
STAMP = b"test-stamp"


def _project(tmp_path: Path) -> Path:
    root = tmp_path / "p"
    shutil.copytree(ROOT / "data", root / "data")
    old = time.time() - 3600  # not just written: the cache keeps the results (not racy)
    for path in (root / "data").rglob("*.md"):
        os.utime(path, (old, old))
    return root


def _load(root: Path, path: Path) -> tuple[EntryCache, KnowledgeBase]:
    cache = EntryCache()
    cache.restore(path, STAMP)
    kb = KnowledgeBase.load(root, audience="all", cache=cache)
    cache.save(path, STAMP)
    return cache, kb


def _citations(kb: KnowledgeBase) -> list:
    return sorted((src, [(c.text, c.target, c.line) for c in cs]) for src, cs in kb.citations.by_source.items())


def test_an_edit_writes_a_delta_and_restores_the_same_knowledge_base(tmp_path: Path) -> None:
    root = _project(tmp_path)
    path = tmp_path / "entries.pickle"
    cache, kb = _load(root, path)
    assert cache.misses == len(kb.entries) and path.is_file() and not cachefile.delta_path(path).exists()
    full = path.read_bytes()

    edited = sorted((root / "data").rglob("*.md"))[0]
    edited.write_text(edited.read_text(encoding="utf-8") + "\n缓存文件测试追加的一行。\n", encoding="utf-8")
    old = time.time() - 60
    os.utime(edited, (old, old))
    cache, kb = _load(root, path)
    assert cache.misses == 1 and cache.hits == len(kb.entries) - 1
    assert path.read_bytes() == full  # the full file is left as it was
    delta = cachefile.delta_path(path)
    assert delta.is_file() and delta.stat().st_size * 20 < len(full)

    cache, kb = _load(root, path)  # full file + delta: nothing read again, citations reused
    assert cache.misses == 0 and cache.citations.results
    fresh = KnowledgeBase.load(root, audience="all")
    assert [e.id for e in kb.entries] == [e.id for e in fresh.entries]
    assert any("缓存文件测试追加的一行" in e.doc.body for e in kb.entries)
    assert _citations(kb) == _citations(fresh)

    # A delta tied to another full file is ignored; many changes rewrite the full file.
    for p in sorted((root / "data").rglob("*.md")):
        p.write_text(p.read_text(encoding="utf-8") + "\n", encoding="utf-8")
        os.utime(p, (old, old))
    cache, kb = _load(root, path)
    assert cache.misses == len(kb.entries) and not delta.exists() and path.read_bytes() != full
    cache, _ = _load(root, path)
    assert cache.misses == 0


def test_entry_digests_come_from_the_file_bytes(tmp_path: Path) -> None:
    """The build seeds the page digests with each entry's file digest: the same bytes, the same
    digest in another process; a changed file, another digest."""
    root = _project(tmp_path)
    (root / ".cache").mkdir()
    first, second = Digests(), Digests()
    kb1 = cachedir.load_entries(root, "all", first)
    kb2 = cachedir.load_entries(root, "all", second)  # restored from the cache file
    assert [first.of(e) for e in kb1.entries] == [second.of(e) for e in kb2.entries]
    report = next(e for e in kb1.entries if e.sections)
    assert first.of(tuple(report.sections)) == second.of(tuple(next(e for e in kb2.entries if e.id == report.id).sections))
    path = root / report.doc.rel
    path.write_text(path.read_text(encoding="utf-8") + "\n又一行。\n", encoding="utf-8")
    third = Digests()
    kb3 = cachedir.load_entries(root, "all", third)
    changed = {e.id for e1, e in zip(kb1.entries, kb3.entries) if first.of(e1) != third.of(e)}
    assert changed == {report.id}


def test_citations_found_again_for_an_audience_are_reused_while_the_documents_stay(tmp_path: Path) -> None:
    """A public policy cites a law only the internal edition shows: the public knowledge base scans
    the policy again (the citation is pending there). That rescan is kept with the entry
    (``EntryCache.restricted``, in the cache file too) while no document changed."""
    root = _project(tmp_path)
    law = root / "data/regulations/minying-jingji-cujinfa-2025.md"
    law.write_text(law.read_text(encoding="utf-8").replace("audience: public", "audience: internal"),
                   encoding="utf-8")
    old = time.time() - 3600
    os.utime(law, (old, old))
    src = "cujin-minying-jingji-fazhan-zhuangda-yijian-2023"

    def public(cache: EntryCache | None) -> KnowledgeBase:
        return KnowledgeBase.load(root, audience="public", cache=cache)

    def citations(kb: KnowledgeBase) -> list:
        return [(c.text, c.target) for c in kb.citations.by_source[src]]

    fresh = public(None)
    assert ("《中华人民共和国民营经济促进法》", None) in citations(fresh)  # hidden: pending, not linked
    cache = EntryCache()
    first = public(cache)
    assert [r[0].id for r in cache.restricted.results.values()] == [src]
    second = public(cache)
    assert second.citations.by_source[src] is first.citations.by_source[src]  # reused
    assert citations(second) == citations(fresh)

    path = tmp_path / "entries.pickle"
    cache.save(path, STAMP)
    restored = EntryCache()
    assert restored.restore(path, STAMP) and [r[0].id for r in restored.restricted.results.values()] == [src]
    assert citations(public(restored)) == citations(fresh)

    # A document changed: the rescan is made again (it may resolve differently).
    other = root / "data/regulations/tongzhan-gongzuo-tiaoli-2020.md"
    other.write_text(other.read_text(encoding="utf-8") + "\n补充一行。\n", encoding="utf-8")
    os.utime(other, (old, old))
    third = public(cache)
    assert third.citations.by_source[src] is not first.citations.by_source[src]
    assert citations(third) == citations(public(None))
