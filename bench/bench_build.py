"""Build benchmark: the knowledge base against a naive MkDocs baseline.

    python bench/bench_build.py [--sizes 1000 10000] [--baseline-timeout 1800] [--out DIR]

For each size N it generates a synthetic corpus (bench/gen_corpus.py) and
reports: `kb check` time, full build wall time, peak memory (RSS), output
size, search index size, and the share of build time spent in the project's
own code (profile-based: cumulative time of the MkDocs hook functions, which
includes the libraries they call, over the whole profiled build). Side by
side it builds a naive baseline: the same entries as plain Markdown pages in
a default Material site (every page in the nav, built-in search), and prints
the time ratio. Prints a Markdown table; paste it into bench/RESULTS.md.
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
print(json.dumps({"seconds": time.perf_counter() - t, "rc": code, "stderr": err,
                  "peak_rss_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}))
"""


def measure(cmd: list[str], cwd: Path, timeout: float = 7200) -> dict:
    out = subprocess.run([PY, "-c", MEASURE, str(timeout), *cmd], cwd=cwd, env=ENV,
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def tree_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


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


def baseline_project(project: Path, out: Path) -> None:
    """The same entries as plain pages in a default Material site."""
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
    (out / "mkdocs.yml").write_text(
        "site_name: baseline\ntheme:\n  name: material\n  language: zh\nplugins:\n  - search\n", encoding="utf-8")


def run(n: int, work: Path, baseline_timeout: float) -> dict:
    project = work / f"kb-{n}"
    generate(n, project)
    row: dict = {"n": n}
    check = measure([str(Path(PY).parent / "kb"), "check", "-q"], project)
    row["check_s"] = check["seconds"]
    site = project / "site"
    build = measure([PY, "-m", "mkdocs", "build", "-q", "-d", str(site)], project)
    if build["rc"] != 0:
        raise SystemExit(f"build failed: {build['stderr']}")
    row["build_s"] = build["seconds"]
    row["peak_rss_mb"] = build["peak_rss_mb"]
    row["site_mb"] = tree_size(site) / 2**20
    row["pages"] = sum(1 for _ in site.rglob("index.html"))
    index_dirs = [site / "search", site / "pagefind"]
    row["search_mb"] = sum(tree_size(d) for d in index_dirs if d.exists()) / 2**20
    row["own_share"] = own_code_share(project, work / f"prof-site-{n}")
    base = work / f"baseline-{n}"
    baseline_project(project, base)
    b = measure([PY, "-m", "mkdocs", "build", "-q", "-d", str(base / "site")], base, timeout=baseline_timeout)
    row["baseline_s"] = b["seconds"] if b["rc"] == 0 else None
    row["baseline_note"] = "" if b["rc"] == 0 else f"未完成（{b['rc']}，>{baseline_timeout:.0f} s）"
    row["baseline_rss_mb"] = b["peak_rss_mb"]
    return row


def main() -> None:
    ap = argparse.ArgumentParser(description="知识库构建性能测试")
    ap.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    ap.add_argument("--baseline-timeout", type=float, default=1800)
    ap.add_argument("--out", type=Path, default=None, help="工作目录（默认临时目录）")
    args = ap.parse_args()
    work = args.out or Path(tempfile.mkdtemp(prefix="kb-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    rows = []
    for n in args.sizes:
        t = time.perf_counter()
        rows.append(run(n, work, args.baseline_timeout))
        print(f"# N={n} done in {time.perf_counter() - t:.0f} s", file=sys.stderr, flush=True)
    print(f"机器：{platform.machine()}，{os.cpu_count()} 核，Python {platform.python_version()}")
    print(f"命令：python bench/bench_build.py --sizes {' '.join(map(str, args.sizes))}\n")
    print("| 条目数 | 页面数 | kb check | 完整构建 | 峰值内存 | 输出大小 | 搜索索引 | 项目代码占比 | 基线构建 | 基线/本项目 |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for r in rows:
        ratio = f"{r['baseline_s'] / r['build_s']:.1f}×" if r["baseline_s"] else "—"
        base = f"{r['baseline_s']:.1f} s" if r["baseline_s"] else r["baseline_note"]
        print(f"| {r['n']} | {r['pages']} | {r['check_s']:.2f} s | {r['build_s']:.1f} s | {r['peak_rss_mb']:.0f} MB | "
              f"{r['site_mb']:.0f} MB | {r['search_mb']:.1f} MB | {r['own_share'] * 100:.0f}% | {base} | {ratio} |")
    if len(rows) >= 2 and rows[0]["build_s"]:
        a, b = rows[0], rows[-1]
        print(f"\n构建时间增长：{b['n'] / a['n']:.0f} 倍条目 → {b['build_s'] / a['build_s']:.1f} 倍时间")


if __name__ == "__main__":
    main()
