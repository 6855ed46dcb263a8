"""Build benchmark: the knowledge base against stock Material with the same bodies.

    python bench/bench_build.py [N ...] [--out DIR] [--stock-timeout S] [--profile]

Default N: 1000 10000 (50000 is supported: ``python bench/bench_build.py 50000``,
about ten minutes per build on a 2-core machine). For each N, in one run:

(a) cold: ``mkdocs build`` of the knowledge base from a generated corpus
    (bench/gen_corpus.py) into an empty site directory;
(b) stock: the same entry bodies (front matter removed) as plain Markdown pages
    of a stock Material site: no plugins, no hooks, every page ``not_in_nav``
    (so the navigation is the home page only) -- the theme's floor;
(c) warm: the knowledge base again, into the same site directory, after
    appending one line to one entry, with the build cache (.cache/kb) the cold
    build left (kb.engine.pagecache); the cold build starts without one.
    ``--no-cache-cold`` adds a cold build with ``KB_NO_CACHE=1`` (what the
    cache's writing costs).

Reported per N: wall times (process, Python start-up included), the ratios
to stock, warm/cold, peak RSS of the build process tree, output size, the number of
pages, the largest page. ``--profile`` also profiles one build with cProfile
and prints the share of time in the project's hook functions. Prints a
Markdown table for bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import pstats
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from gen_corpus import generate  # noqa: E402

PY = sys.executable
ENV = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}

# Run a command and print its wall time and the peak RSS of its process tree.
MEASURE = r"""
import json, resource, subprocess, sys, time
t = time.perf_counter()
try:
    rc = subprocess.run(sys.argv[2:], timeout=float(sys.argv[1]), stdout=subprocess.DEVNULL,
                        stderr=subprocess.PIPE, text=True)
    code, err = rc.returncode, rc.stderr[-2000:]
except subprocess.TimeoutExpired:
    code, err = "timeout", ""
use = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"seconds": time.perf_counter() - t, "rc": code, "stderr": err,
                  "cpu_s": use.ru_utime + use.ru_stime, "peak_rss_mb": use.ru_maxrss / 1024}))
"""

STOCK_CONFIG = """\
site_name: stock
theme:
  name: material
  language: zh
plugins: []
nav:
  - index.md
not_in_nav: |
  /**/*.md
"""


def measure(cmd: list[str], cwd: Path, timeout: float = 7200) -> dict:
    out = subprocess.run([PY, "-c", MEASURE, str(timeout), *cmd], cwd=cwd, env=ENV,
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def build(project: Path, site: Path, timeout: float = 7200, env: dict | None = None) -> dict:
    cmd = [PY, "-m", "mkdocs", "build", "-q", "-d", str(site)]
    if env:
        cmd = ["env", *(f"{k}={v}" for k, v in env.items()), *cmd]
    result = measure(cmd, project, timeout)
    if result["rc"] not in (0, "timeout"):
        raise SystemExit(f"构建失败（{project}）：{result['stderr']}")
    return result


def site_stats(site: Path) -> dict:
    sizes = {p: p.stat().st_size for p in site.rglob("*") if p.is_file()}
    pages = {p: s for p, s in sizes.items() if p.suffix == ".html"}
    largest = max(pages, key=pages.get)
    return {"site_mb": sum(sizes.values()) / 2**20, "pages": len(pages),
            "largest_kb": pages[largest] / 1024, "largest": largest.relative_to(site).as_posix()}


def stock_project(project: Path, out: Path) -> None:
    """The same entry bodies as plain pages of a stock Material site, none in the nav."""
    if out.exists():
        shutil.rmtree(out)
    docs = out / "docs"
    docs.mkdir(parents=True)
    for md in sorted((project / "data").rglob("*.md")):
        text = md.read_text(encoding="utf-8")
        _, _, body = text[4:].partition("\n---\n")
        dest = docs / md.relative_to(project / "data")
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_text(body, encoding="utf-8")
    (docs / "index.md").write_text("# 首页\n", encoding="utf-8")
    (out / "mkdocs.yml").write_text(STOCK_CONFIG, encoding="utf-8")


def own_code_share(project: Path, site: Path) -> float:
    """Profile one build; share of time under the project's hook functions."""
    prof = project / "build.prof"
    subprocess.run([PY, "-m", "cProfile", "-o", str(prof), "-m", "mkdocs", "build", "-q", "-d", str(site)],
                   cwd=project, env=ENV, check=True, capture_output=True)
    stats = pstats.Stats(str(prof))
    total = max(v[3] for v in stats.stats.values())  # the outermost cumulative time
    own = sum(v[3] for (fname, _, func), v in stats.stats.items()
              if fname.endswith("mkdocs_hooks.py") and func.startswith("on_"))
    return own / total


def touch_one_entry(project: Path) -> Path:
    """Append a line to one entry the build shows (the first report not marked ``audience: restricted``,
    else the first entry): an edit of a hidden entry changes no page."""
    entries = sorted((project / "data").rglob("*.md"))
    shown = [p for p in entries if "\naudience: restricted\n" not in p.read_text(encoding="utf-8")] or entries
    entry = next((p for p in shown if "report" in p.as_posix()), shown[0])
    with entry.open("a", encoding="utf-8") as f:
        f.write("\n基准测试追加的一行。\n")
    return entry


def run(n: int, work: Path, stock_timeout: float, profile: bool, nocache_cold: bool = False,
        keep_corpus: bool = False) -> dict:
    project = work / f"kb-{n}"
    if not (keep_corpus and (project / "mkdocs.yml").is_file()):
        if project.exists():
            shutil.rmtree(project)
        generate(n, project)
    row: dict = {"n": n}
    site = project / "site"
    shutil.rmtree(project / ".cache", ignore_errors=True)
    nocache = build(project, site, env={"KB_NO_CACHE": "1"}) if nocache_cold else None
    row["nocache_s"] = nocache["seconds"] if nocache else None
    row["nocache_cpu_s"] = nocache["cpu_s"] if nocache else None
    cold = build(project, site)
    row["cold_s"], row["cold_cpu_s"], row["peak_rss_mb"] = cold["seconds"], cold["cpu_s"], cold["peak_rss_mb"]
    row.update(site_stats(site))
    stock = work / f"stock-{n}"
    stock_project(project, stock)
    s = build(stock, stock / "site", stock_timeout)
    row["stock_s"] = s["seconds"] if s["rc"] == 0 else None
    row["stock_cpu_s"] = s["cpu_s"] if s["rc"] == 0 else None
    row["stock_rss_mb"] = s["peak_rss_mb"]
    touch_one_entry(project)
    warm = build(project, site)
    row["warm_s"], row["warm_cpu_s"] = warm["seconds"], warm["cpu_s"]
    row["own_share"] = own_code_share(project, work / f"prof-site-{n}") if profile else None
    return row


def main() -> None:
    ap = argparse.ArgumentParser(description="知识库构建性能测试（与同样正文的原版 Material 站点对比）")
    ap.add_argument("sizes", type=int, nargs="*", default=[1000, 10000], help="条目数，可给多个（默认 1000 10000）")
    ap.add_argument("--stock-timeout", type=float, default=3600, help="原版 Material 构建的时限（秒）")
    ap.add_argument("--profile", action="store_true", help="另做一次 cProfile 构建，给出项目代码占比")
    ap.add_argument("--no-cache-cold", action="store_true", help="另做一次不用构建缓存（KB_NO_CACHE=1）的冷构建")
    ap.add_argument("--keep-corpus", action="store_true", help="工作目录中已有该规模的项目时直接使用，不重新生成")
    ap.add_argument("--out", type=Path, default=None, help="工作目录（默认临时目录）")
    args = ap.parse_args()
    work = args.out or Path(tempfile.mkdtemp(prefix="kb-bench-", dir=tempfile.gettempdir()))
    work.mkdir(parents=True, exist_ok=True)
    rows = []
    for n in args.sizes:
        t = time.perf_counter()
        rows.append(run(n, work, args.stock_timeout, args.profile, args.no_cache_cold, args.keep_corpus))
        print(f"# N={n} 用时 {time.perf_counter() - t:.0f} s：{json.dumps(rows[-1], ensure_ascii=False)}",
              file=sys.stderr, flush=True)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"机器：{platform.machine()}，{os.cpu_count()} 核，Python {platform.python_version()}，"
          f"结束时 1 分钟平均负载 {load:.1f}")
    print(f"命令：python bench/bench_build.py {' '.join(map(str, args.sizes))}\n")
    print("CPU 时间（用户态+内核态，机器繁忙时比墙钟时间可靠）：\n")
    print("| 条目数 | 冷构建 | 冷构建（KB_NO_CACHE=1） | 改一个条目后再构建（用缓存） | 再构建/冷构建 | 原版 Material | 冷构建/原版 |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for r in rows:
        nc, st = r["nocache_cpu_s"], r["stock_cpu_s"]
        cold_cpu = r["cold_cpu_s"]
        print(f"| {r['n']} | {cold_cpu:.1f} s | {f'{nc:.1f} s' if nc else '—'} | {r['warm_cpu_s']:.1f} s | "
              f"{r['warm_cpu_s'] / cold_cpu:.2f} | {f'{st:.1f} s' if st else '—'} | "
              f"{f'{cold_cpu / st:.1f}×' if st else '—'} |")
    print("\n墙钟时间：\n")
    print("| 条目数 | 页面数 | 冷构建 | 冷构建（KB_NO_CACHE=1） | 改一个条目后再构建（用缓存） | 再构建/冷构建 "
          "| 原版 Material | 冷构建/原版 | 再构建/原版 | 峰值内存 | 输出大小 | 最大页面 | 项目代码占比 |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for r in rows:
        stock = r["stock_s"]
        ratio = (lambda x: f"{x / stock:.1f}×" if stock else "—")
        share = f"{r['own_share'] * 100:.0f}%" if r["own_share"] is not None else "—"
        nocache = f"{r['nocache_s']:.1f} s" if r["nocache_s"] is not None else "—"
        print(f"| {r['n']} | {r['pages']} | {r['cold_s']:.1f} s | {nocache} | {r['warm_s']:.1f} s | "
              f"{r['warm_s'] / r['cold_s']:.2f} | "
              f"{f'{stock:.1f} s' if stock else '未完成'} | {ratio(r['cold_s'])} | {ratio(r['warm_s'])} | "
              f"{r['peak_rss_mb']:.0f} MB | {r['site_mb']:.0f} MB | {r['largest_kb']:.0f} KB（{r['largest']}） | {share} |")


if __name__ == "__main__":
    main()
