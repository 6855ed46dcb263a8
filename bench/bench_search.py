"""Search benchmark: build synthetic sites and measure the search in headless Chromium.

For each size N (default 1000 and 10000) this generates a project with
``gen_corpus.py``, builds it with MkDocs, serves it under a subpath on
127.0.0.1 and reports:

- build time and the size of the search index on disk (``search/idx``);
- for several first queries, each in a fresh browser context (empty cache):
  the time from typing (the input event, so including the 120 ms input
  debounce) to the results being shown ("ms"), the same for a second query
  on the same page ("warm ms"), the bytes fetched from the search index for
  the first query including the manifest prefetched when the page opens
  ("index KB", "req"), and all bytes of the page load plus that query
  (Material's own CSS/JS included, "page+query KB").

With Pagefind as the anchor (bench/bench_pagefind.py installs it into a
bench-only virtualenv and indexes the same entry pages), for both engines:
index size, the time from the query to the first 10 results and the bytes
it fetched (fresh browser context, engine API, no input debounce), and
recall and P@10 against a brute-force ground truth (Simplified/Traditional-
normalised substring search over the source entries).

Usage:  .venv/bin/python bench/bench_search.py [N ...] [--workdir DIR] [--no-pagefind]
Not a test: run it by hand; it takes a few minutes at 10000 entries.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync"]
QUERIES = [("统战", {}), ("民营企业", {}), ("統戰工作", {}), ("宗教活动场所", {"type": "report"}),
           ("示例〔2010〕", {})]

TYPE_AND_WAIT = """async (q) => {
  const input = document.getElementById('kb-search-q');
  const results = document.getElementById('kb-search-results');
  const t0 = performance.now();
  input.value = q;
  input.dispatchEvent(new Event('input'));
  await new Promise((resolve) => {
    const check = () => results.dataset.state === 'done' && results.dataset.query === q;
    if (check()) return resolve();
    new MutationObserver((_, obs) => { if (check()) { obs.disconnect(); resolve(); } })
      .observe(results, { attributes: true });
  });
  const end = performance.now();
  return { ms: end - t0, end: end, count: Number(results.dataset.count) };
}"""


def du(path: Path) -> tuple[int, int]:
    size = files = 0
    for p in path.rglob("*"):
        if p.is_file():
            size += p.stat().st_size
            files += 1
    return size, files


def build(n: int, work: Path) -> tuple[Path, float]:
    project = work / f"kb{n}"
    subprocess.run([sys.executable, str(HERE / "gen_corpus.py"), str(n), str(project)], check=True,
                   stdout=subprocess.DEVNULL)
    www = work / f"www{n}"
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    t = time.perf_counter()
    subprocess.run([sys.executable, "-m", "mkdocs", "build", "-q", "--site-dir", str(www / "kb")], cwd=project,
                   check=True, env=env)
    return www, time.perf_counter() - t


def measure(www: Path) -> list[dict]:
    from playwright.sync_api import sync_playwright

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(www)))
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{srv.server_port}/kb/"
    rows = []
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            for q, facets in QUERIES:
                ctx = browser.new_context()
                page = ctx.new_page()
                url = base + "search/" + ("?" + "&".join(f"{k}={v}" for k, v in facets.items()) if facets else "")
                page.goto(url)
                page.wait_for_load_state("networkidle")
                res = page.evaluate(TYPE_AND_WAIT, q)
                warm = page.evaluate(TYPE_AND_WAIT, q + "的")  # a second query on the same page
                entries = page.evaluate("""() => performance.getEntriesByType('resource').concat(
                    performance.getEntriesByType('navigation')).map(e => [e.name, e.decodedBodySize, e.startTime])""")
                idx = [e for e in entries if "/search/idx/" in e[0] and e[2] <= res["end"]]
                first = [e for e in entries if e[2] <= res["end"]]
                rows.append({
                    "query": q + ("".join(f" {k}={v}" for k, v in facets.items())),
                    "results": res["count"],
                    "ms": res["ms"],
                    "warm_ms": warm["ms"],
                    "query_kb": sum(e[1] for e in idx) / 1024,
                    "requests": len(idx),
                    "total_kb": sum(e[1] for e in first) / 1024,
                })
                ctx.close()
            browser.close()
    finally:
        srv.shutdown()
    return rows


# Queries scored for recall and P@10 (vocabulary of gen_corpus.py; both scripts; a 文号 prefix).
QUALITY = ["民营企业", "統戰工作", "宗教活动场所规范管理", "光彩事业", "新联会建设", "教职人员培训", "党外代表人士",
           "乡村振兴同心行动", "亲清政商关系", "归侨侨眷", "民族團結進步", "示例〔2010〕", "理想信念教育",
           "政黨協商座談會", "海外联谊", "统战信息报送", "商会 光彩事业", "区委统战部 宗教"]
FIRST = ["统战", "民营企业", "統戰工作", "宗教活动场所", "新联会建设"]
DROPDOWN = ["宗教事务条例", "民营企业", "統戰工作", "新联会建设", "光彩事业"]


def compare(www: Path, project: Path) -> dict:
    """Both engines on the same site: first-results time and bytes, recall and P@10."""
    import bench_pagefind as pfb
    from playwright.sync_api import sync_playwright

    site = www / "kb"
    texts = pfb.source_texts(project, site)
    to_entry = pfb.url_to_entry(site, "/kb/")

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(www)))
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{srv.server_port}/kb/"
    out: dict = {"first": {"ours": [], "pagefind": []}, "quality": []}
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)

            def fresh_page():
                ctx = browser.new_context()
                page = ctx.new_page()
                page.goto(base)  # the home page: neither engine has loaded anything yet
                page.wait_for_load_state("networkidle")
                return ctx, page

            for q in FIRST:
                for name, js, arg, prefix in (("ours", pfb.OURS_FIRST, q, "/kb/search/idx/"),
                                              ("pagefind", pfb.PAGEFIND_FIRST, [base + "pagefind/", q], "/kb/pagefind/")):
                    ctx, page = fresh_page()
                    # Network events, not the page's resource timing: Pagefind fetches from a worker.
                    seen: list = []
                    ctx.on("requestfinished", lambda r: seen.append(r))
                    res = page.evaluate(js, arg)
                    got = [r.sizes()["responseBodySize"] for r in seen if prefix in r.url]
                    out["first"][name].append({"query": q, "ms": res["ms"], "kb": sum(got) / 1024,
                                               "requests": len(got), "count": res["count"]})
                    ctx.close()
            ctx, page = fresh_page()
            out["dropdown"] = page.evaluate(pfb.DROPDOWN_KEYSTROKES, ["统战", DROPDOWN])
            ctx.close()
            ctx, page = fresh_page()
            for q in QUALITY:
                relevant = pfb.truth(texts, q)
                ours = page.evaluate(pfb.OURS_ALL, q)
                theirs = [to_entry.get(u, u) for u in page.evaluate(pfb.PAGEFIND_ALL, [base + "pagefind/", q])]
                r1, p1 = pfb.scores(ours, relevant)
                r2, p2 = pfb.scores(theirs, relevant)
                out["quality"].append({"query": q, "truth": len(relevant), "ours": (r1, p1), "pagefind": (r2, p2)})
            ctx.close()
            browser.close()
    finally:
        srv.shutdown()
    return out


def report_comparison(n: int, www: Path, project: Path, pf_secs: float) -> None:
    import statistics

    import bench_pagefind as pfb

    ours_size, ours_files = du(www / "kb" / "search" / "idx")
    pf_size, pf_files = pfb.bundle_size(www / "kb")
    res = compare(www, project)
    print(f"\n-- {n} entries: this site vs Pagefind ({pfb.pagefind_version(pfb.ensure_pagefind())}, "
          f"indexed in {pf_secs:.1f} s)")
    print(f"index: ours {ours_size / 2**20:.2f} MB in {ours_files} files; "
          f"pagefind {pf_size / 2**20:.2f} MB in {pf_files} files")
    print(f"{'first query':<14}{'ours ms':>9}{'KB':>8}{'req':>5}{'pf ms':>9}{'KB':>8}{'req':>5}")
    for a, b in zip(res["first"]["ours"], res["first"]["pagefind"]):
        print(f"{a['query']:<14}{a['ms']:>9.0f}{a['kb']:>8.1f}{a['requests']:>5}{b['ms']:>9.0f}{b['kb']:>8.1f}"
              f"{b['requests']:>5}")
    med = lambda name, key: statistics.median(r[key] for r in res["first"][name])  # noqa: E731
    print(f"{'median':<14}{med('ours', 'ms'):>9.0f}{med('ours', 'kb'):>8.1f}{'':>5}"
          f"{med('pagefind', 'ms'):>9.0f}{med('pagefind', 'kb'):>8.1f}")
    ms = sorted(t for _, t in res["dropdown"])
    print(f"header dropdown, warm, {len(ms)} keystrokes: median {statistics.median(ms):.0f} ms, "
          f"90th percentile {ms[int(len(ms) * 0.9)]:.0f} ms, max {ms[-1]:.0f} ms")
    print(f"{'quality query':<16}{'truth':>6}{'ours R':>8}{'P@10':>6}{'pf R':>8}{'P@10':>6}")
    for r in res["quality"]:
        print(f"{r['query']:<16}{r['truth']:>6}{r['ours'][0]:>8.2f}{r['ours'][1]:>6.2f}"
              f"{r['pagefind'][0]:>8.2f}{r['pagefind'][1]:>6.2f}")
    mean = lambda name, i: statistics.mean(r[name][i] for r in res["quality"])  # noqa: E731
    print(f"{'mean':<16}{'':>6}{mean('ours', 0):>8.3f}{mean('ours', 1):>6.3f}"
          f"{mean('pagefind', 0):>8.3f}{mean('pagefind', 1):>6.3f}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("sizes", nargs="*", type=int, default=[1000, 10000])
    ap.add_argument("--workdir", type=Path, default=None, help="keep the generated projects and sites here")
    ap.add_argument("--no-pagefind", action="store_true", help="skip the Pagefind comparison")
    ap.add_argument("--reuse", action="store_true", help="reuse the sites already built in --workdir")
    args = ap.parse_args()
    work = args.workdir or Path(tempfile.mkdtemp(prefix="kb-bench-search-"))
    work.mkdir(parents=True, exist_ok=True)
    for n in args.sizes:
        if args.reuse and (work / f"www{n}" / "kb" / "search").is_dir():
            www, secs = work / f"www{n}", float("nan")
        else:
            www, secs = build(n, work)
        size, files = du(www / "kb" / "search" / "idx")
        site, _ = du(www / "kb")
        print(f"\n== {n} entries: build {secs:.1f} s, site {site / 2**20:.1f} MB, "
              f"search index {size / 2**20:.2f} MB in {files} files")
        print(f"{'query':<28}{'results':>8}{'ms':>8}{'warm ms':>8}{'index KB':>10}{'req':>5}{'page+query KB':>15}")
        for r in measure(www):
            print(f"{r['query']:<28}{r['results']:>8}{r['ms']:>8.0f}{r['warm_ms']:>8.0f}{r['query_kb']:>10.1f}{r['requests']:>5}"
                  f"{r['total_kb']:>15.1f}")
        if not args.no_pagefind:
            import bench_pagefind

            report_comparison(n, www, work / f"kb{n}", bench_pagefind.index_site(www / "kb"))
    print(f"\nprojects and sites in {work}")


if __name__ == "__main__":
    main()
