"""Search index benchmark: ``build_index`` cold on one core, cold on every core, and warm after
editing one entry (entries' parts from the build cache), in one process, at N entries.

For a project made by ``gen_corpus.py`` (or one given with ``--project``) this loads the
knowledge base once and reports, for each way of building the index, the CPU seconds of this
process and of its worker processes (``resource.getrusage``), of this process alone (on idle
cores the workers run beside it: the wall time is about the larger of this figure and the
workers' share) and the wall time:

- cold, one process (``processes=1``): the anchor;
- cold, every core (``KB_JOBS`` or the number of cores);
- cold with the build cache (an empty store under the work directory: the parts are stored);
- warm: one entry edited (a line appended), the knowledge base loaded again, the index built
  with the store of the previous step (only the edited entry is analysed).

Every index is compared with the cold one-process index of the same entries (byte for byte).

Usage:  .venv/bin/python bench/bench_search_index.py [N] [--workdir DIR] [--project DIR]
Not a test: run it by hand (with ``nice``).
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "hooks"))
sys.path.insert(0, str(HERE))

from gen_corpus import generate  # noqa: E402

from kb.engine.pagecache import PageCache  # noqa: E402
from kb.engine.searchmemo import search_memo  # noqa: E402
from kb.model.knowledge import KnowledgeBase  # noqa: E402
from kb.site import search, workers  # noqa: E402
from kb.site.urls import page_url  # noqa: E402


def url(e) -> str:
    return page_url(e.src_uri)


def cpu() -> tuple[float, float]:
    """CPU seconds of this process, and of its finished worker processes."""
    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime, kids.ru_utime + kids.ru_stime


def timed(label: str, fn, results: dict) -> search.SearchIndex:
    (own, kids), w = cpu(), time.perf_counter()
    index = fn()
    (own2, kids2) = cpu()
    results[label] = (own2 - own + kids2 - kids, own2 - own, time.perf_counter() - w)
    return index


def run(root: Path, cache_root: Path) -> None:
    kb = KnowledgeBase.load(root)
    results: dict[str, tuple[float, float]] = {}
    serial = timed("冷构建，单进程", lambda: search.build_index(kb, url, processes=1), results)
    parallel = timed(f"冷构建，{workers.jobs()} 个进程", lambda: search.build_index(kb, url), results)
    assert parallel.files == serial.files, "并行构建的索引与单进程不同"

    cache = PageCache(cache_root, config=None)
    cache.start(b"bench", [])
    memo = search_memo(cache)
    filled = timed("冷构建，写入构建缓存", lambda: search.build_index(kb, url, memo=memo), results)
    cache.finish()
    assert filled.files == serial.files, "写入缓存时的索引与单进程不同"

    edited = sorted(kb.entries, key=lambda e: e.id)[len(kb.entries) // 2]
    path = root / edited.doc.rel
    path.write_text(path.read_text(encoding="utf-8") + "\n基准测试追加的一行文字。\n", encoding="utf-8")
    kb = KnowledgeBase.load(root)
    cache = PageCache(cache_root, config=None)
    cache.start(b"bench", [])
    memo = search_memo(cache)
    warm = timed("热构建（修改一个条目后）", lambda: search.build_index(kb, url, memo=memo), results)
    cache.finish()
    reference = search.build_index(kb, url, processes=1)
    assert warm.files == reference.files, "热构建的索引与冷构建不同"
    assert warm.stats["analysed"] == 1, f"热构建分析了 {warm.stats['analysed']} 个条目"

    anchor = results["冷构建，单进程"][0]
    print(f"{len(kb.entries)} 个条目，{warm.units} 个单元，{len(warm.files)} 个索引文件，"
          f"{sum(map(len, warm.files.values())) / 1e6:.1f} MB")
    print(f"{'':28}{'CPU（秒）':>10}{'其中本进程':>10}{'墙钟（秒）':>10}{'CPU 比值':>10}")
    for label, (c, own, w) in results.items():
        print(f"{label:28}{c:10.2f}{own:10.2f}{w:10.2f}{c / anchor:10.2f}")
    print(f"热构建：重新分析 {warm.stats['analysed']} 个条目，沿用 {warm.stats['groups_reused']} 组"
          f"（共 {warm.stats['groups']} 组）")
    print("所有索引与同一批条目的单进程冷构建逐字节相同")


def main() -> None:
    ap = argparse.ArgumentParser(description="搜索索引构建性能测试（冷构建单进程 / 多进程 / 热构建）")
    ap.add_argument("size", type=int, nargs="?", default=3000, help="条目数（默认 3000）")
    ap.add_argument("--workdir", type=Path, default=None, help="工作目录（默认临时目录）")
    ap.add_argument("--project", type=Path, default=None, help="用已有的项目（会修改其中一个条目）")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = args.workdir or Path(tmp)
        root = args.project
        if root is None:
            root = work / f"search-{args.size}"
            generate(args.size, root)
        run(root, work / "cache")


if __name__ == "__main__":
    main()
