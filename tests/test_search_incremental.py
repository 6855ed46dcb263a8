"""The search index made incrementally and on every core gives the same bytes as one process
making it from scratch: entries' parts made by forked workers (kb.site.workers), and parts kept
in the build cache (kb.engine.searchmemo) after entries are edited, added and deleted."""

from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path

import pytest

from conftest import ROOT

from kb.engine.pagecache import PageCache
from kb.engine.searchmemo import search_memo
from kb.model.knowledge import KnowledgeBase
from kb.site import search, workers
from kb.site.search import entrypart, groups
from kb.site.urls import page_url

REPORT = "data/reports/moxian-tongzhanbu-2020-niandu.md"  # sections: facets of units
REGULATION = "data/regulations/zongjiao-shiwu-tiaoli-2017.md"  # articles: the structure
CASE = "data/cases/minzu-tuanjie-shequ-2023.md"
POLICY = "data/policies/xin-jieceng-lianxi-huiyi-zhidu-2019.md"


def url(e) -> str:
    return page_url(e.src_uri)


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return KnowledgeBase.load(ROOT)


@pytest.fixture(scope="module")
def serial(kb) -> search.SearchIndex:
    return search.build_index(kb, url, processes=1)


def test_job_count_comes_from_the_environment():
    assert workers.jobs({"KB_JOBS": "1"}) == 1
    assert workers.jobs({"KB_JOBS": "3"}) == 3
    assert workers.jobs({}) >= 1 and workers.jobs({"KB_JOBS": " "}) == workers.jobs({})
    for wrong in ("zwei", "0", "-1"):
        with pytest.raises(ValueError, match="KB_JOBS 应为正整数"):
            workers.jobs({"KB_JOBS": wrong})


def test_fork_map_keeps_the_order_and_runs_elsewhere(fork_allowed):
    parent = os.getpid()
    out = list(workers.fork_map(lambda n: (n * n, os.getpid()), list(range(12)), 2))
    assert [sq for sq, _ in out] == [n * n for n in range(12)]
    assert parent not in {pid for _, pid in out}
    assert list(workers.fork_map(lambda n: os.getpid(), [1, 2], 1)) == [parent, parent]


def test_no_fork_while_other_threads_run():
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        assert not workers.can_fork()
        assert list(workers.fork_map(lambda n: os.getpid(), [1, 2, 3], 2)) == [os.getpid()] * 3
    finally:
        stop.set()
        thread.join()


def test_parallel_index_is_byte_identical(kb, serial, monkeypatch, fork_allowed):
    calls = []

    def spy(fn, items, processes):
        calls.append((len(items), processes))
        return real(fn, items, processes)

    real = workers.fork_map
    monkeypatch.setattr(workers, "fork_map", spy)
    monkeypatch.setattr(groups, "MIN_PARALLEL", 1)  # the sample has fewer entries than a pool needs
    monkeypatch.setattr(groups, "CHUNK", 4)
    monkeypatch.setattr(search.build, "MIN_PARALLEL_POSTINGS", 1)  # postings encoded in the pool too
    parallel = search.build_index(kb, url, processes=2)
    assert calls[0] == (-(-len(kb.entries) // 4), 2)  # entries analysed in chunks of 4
    assert len(calls) == 2 and calls[1][0] >= 4 and calls[1][1] == 2  # ranges of terms encoded
    assert list(parallel.files) == list(serial.files)
    assert parallel.files == serial.files


def test_few_entries_stay_in_this_process(kb, serial, monkeypatch):
    calls = []
    real = workers.fork_map
    monkeypatch.setattr(workers, "fork_map", lambda fn, items, n: calls.append(n) or real(fn, items, n))
    assert search.build_index(kb, url, processes=2).files == serial.files
    assert calls == [1]  # fewer than MIN_PARALLEL entries (and postings): not worth forking


class ForgetfulMemo:
    """Claims every part and returns none (a damaged store): every part is made again."""

    def __init__(self):
        self.put_keys = []

    def key(self, value):
        return repr(value).encode()

    def has(self, key):
        return True

    def get(self, key):
        return None

    def put(self, key, data):
        self.put_keys.append(key)


def test_a_part_the_memo_cannot_give_is_made_again(kb, serial, monkeypatch):
    monkeypatch.setattr(groups, "GROUP", 4)
    memo = ForgetfulMemo()
    index = search.build_index(kb, url, memo=memo, processes=2)
    assert index.files == serial.files
    assert index.stats["analysed"] == len(kb.entries) and index.stats["groups_reused"] == 0
    assert len(memo.put_keys) == len(kb.entries) + index.stats["groups"]  # every entry's and group's part


def test_groups_start_at_entries_not_positions(kb):
    entries = search.date_order(kb.entries)
    spans = groups.spans(entries)
    assert spans[0][0] == 0 and spans[-1][1] == len(entries)
    assert all(b == c for (_, b), (c, _) in zip(spans, spans[1:]))  # consecutive, covering all
    # Removing an entry moves no boundary of the other groups: they keep their entries.
    before = {tuple(e.id for e in entries[a:b]) for a, b in spans}
    rest = entries[:3] + entries[4:]
    after = {tuple(e.id for e in rest[a:b]) for a, b in groups.spans(rest)}
    assert len(before - after) == 1 and len(after - before) <= 1


def _build_with_cache(root: Path, kb: KnowledgeBase) -> search.SearchIndex:
    cache = PageCache(root / "cache", config=None)
    cache.start(b"test-build", [])
    memo = search_memo(cache)
    assert memo is not None
    index = search.build_index(kb, url, memo=memo, processes=1)
    cache.finish()
    return index


def test_warm_index_after_edit_add_and_delete_matches_a_cold_one(tmp_path, kb, serial, monkeypatch):
    monkeypatch.setattr(groups, "GROUP", 4)  # several groups in the sample
    project = tmp_path / "p"
    shutil.copytree(ROOT / "data", project / "data")
    first = _build_with_cache(tmp_path, KnowledgeBase.load(project))
    assert first.files == serial.files
    assert first.stats["analysed"] == len(kb.entries) and first.stats["groups_reused"] == 0
    assert first.stats["groups"] >= 4

    for rel in (REPORT, REGULATION):
        path = project / rel
        path.write_text(path.read_text(encoding="utf-8") + "\n增量索引测试追加的一句话。\n", encoding="utf-8")
    case = (project / CASE).read_text(encoding="utf-8")
    (project / "data/cases/minzu-tuanjie-xinjia-2024.md").write_text(
        case.replace("minzu-tuanjie-shequ-2023", "minzu-tuanjie-xinjia-2024").replace("year: 2023", "year: 2024")
        .replace("\ntitle: ", "\ntitle: 新增案例：", 1),  # another title: not a version of the copied case
        encoding="utf-8")
    (project / POLICY).unlink()
    changed = KnowledgeBase.load(project)
    assert len(changed.entries) == len(kb.entries)

    warm = _build_with_cache(tmp_path, changed)
    cold = search.build_index(changed, url, processes=1)
    assert warm.stats["analysed"] == 3  # the two edited entries and the new one
    assert 0 < warm.stats["groups_reused"] <= warm.stats["groups"] - 3  # groups of unchanged entries
    again = _build_with_cache(tmp_path, changed)  # nothing changed: every group from the memo
    assert again.stats["analysed"] == 0 and again.stats["groups_reused"] == again.stats["groups"]
    assert again.files == cold.files
    assert list(warm.files) == list(cold.files)
    assert warm.files == cold.files
    assert warm.files != serial.files


def test_preview_memo_reuses_the_parts_of_the_same_entry_objects(kb, serial):
    """kb serve: parts kept in memory by object identity; a reloaded (new) entry is analysed again."""
    from kb.preview.searchindex import IdentityMemo

    memo = IdentityMemo()
    serial = search.build_index(kb, url)  # (the module's fixture may have been built before other tests' edits)
    for expected in (len(kb.entries), 0):  # first write: every entry; again: none
        memo.start()
        index = search.build_index(kb, url, memo=memo)
        memo.finish()
        assert index.files == serial.files and index.stats["analysed"] == expected
    fresh = KnowledgeBase.load(ROOT)  # the same files, new objects
    memo.start()
    index = search.build_index(fresh, url, memo=memo)
    memo.finish()
    assert index.stats["analysed"] == len(fresh.entries) and index.files == serial.files
