"""各单位对照 benchmark: page and JSON sizes, and the time to make them, at N entries.

For each size N (default 1000 and 10000) this generates a project with
``gen_corpus.py`` and, in this process (no MkDocs build), loads it and reports:

- the time to load the knowledge base (the anchor) and to render the 13 area
  pages (a second anchor: the pages the units view sits beside);
- the time to render the 13 各单位对照 pages and make their JSON files of
  section texts, from a cold start (every section converted to HTML and
  cleaned) and warm: a second generator over the same entries, as a
  ``kb serve`` rebuild after a change to one report about religion (the
  other areas reuse their files, religion's sections are regrouped from the
  cached HTML);
- the largest page (generated content, without the theme's header and
  navigation, about 30 KB more), whether its table lists units or unit
  levels, the largest JSON file, and all JSON files together.

Times are CPU seconds of this process (``time.process_time``), so a busy
machine does not skew them.

Usage:  .venv/bin/python bench/bench_units.py [N ...] [--workdir DIR]
Not a test: run it by hand (with ``nice``); about two minutes at 10000 entries.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "hooks"))
sys.path.insert(0, str(HERE))

from gen_corpus import generate  # noqa: E402

from kb.model.knowledge import KnowledgeBase  # noqa: E402
from kb.site import compare_units  # noqa: E402
from kb.site.pages import Generator  # noqa: E402
from kb.site.urls import area_uri  # noqa: E402


def units_work(kb: KnowledgeBase) -> tuple[float, list[str], list[str]]:
    gen = Generator(kb)
    t0 = time.process_time()
    pages = [gen.render_uri(compare_units.units_uri(s)) for s in kb.taxonomy.slugs]
    files = [text for _, text in compare_units.static_files(gen)]
    return time.process_time() - t0, pages, files


def measure(n: int, workdir: Path) -> dict:
    root = workdir / f"units-{n}"
    generate(n, root)
    t0 = time.process_time()
    kb = KnowledgeBase.load(root)
    t_load = time.process_time() - t0
    gen = Generator(kb)
    t0 = time.process_time()
    for s in kb.taxonomy.slugs:
        gen.render_uri(area_uri(s))
    t_area = time.process_time() - t0
    compare_units.section_html.cache_clear()
    t_cold, pages, files = units_work(kb)
    compare_units._LAST.pop(("religion", True))  # a rebuild after a change to a report about religion
    t_warm, _, _ = units_work(kb)
    sizes = [len(p.encode("utf-8")) for p in pages]
    jsizes = [len(f.encode("utf-8")) for f in files]
    return {
        "n": n, "visible": len(kb.entries), "sections": sum(len(v) for v in kb.sections_by_area.values()),
        "load": t_load, "area": t_area, "cold": t_cold, "warm": t_warm,
        "page": max(sizes), "level_pages": sum("单位较多" in p for p in pages),
        "json_max": max(jsizes), "json_total": sum(jsizes), "json_files": len(files),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("sizes", nargs="*", type=int, default=[1000, 10000])
    ap.add_argument("--workdir", type=Path, default=None)
    args = ap.parse_args()
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="kb-bench-units-"))
    print("| 条目数 | 可见条目 | 领域段落 | 载入（基准） | 13 个领域页 | 对照页+JSON（冷） | 对照页+JSON（热：改动一个领域） "
          "| 冷/载入 | 热/领域页 | 最大对照页 | 按层级汇总的页 | 最大 JSON | JSON 合计 | JSON 文件数 |")
    print("| --- " * 14 + "|")
    for n in args.sizes:
        r = measure(n, workdir)
        print(f"| {r['n']} | {r['visible']} | {r['sections']} | {r['load']:.1f} s | {r['area']:.2f} s "
              f"| {r['cold']:.2f} s | {r['warm']:.2f} s | {r['cold'] / r['load']:.2f}× | {r['warm'] / r['area']:.2f}× "
              f"| {r['page'] / 1024:.0f} KB | {r['level_pages']}/13 | {r['json_max'] / 1024:.0f} KB "
              f"| {r['json_total'] / 1024 / 1024:.1f} MB | {r['json_files']} |", flush=True)


if __name__ == "__main__":
    main()
