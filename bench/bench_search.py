"""Search benchmark: build synthetic sites and measure the search in headless Chromium.

For each size N (default 1000 and 10000) this generates a project with
``gen_corpus.py``, builds it with MkDocs, serves it under a subpath on
127.0.0.1 and reports:

- build time and the size of the search index on disk (``search/idx``);
- recall and P@10 against a brute-force ground truth (``search_quality.py``: Simplified/Traditional
  normalised substring search over the source entries), for 20 queries;
- for several first queries, each in a fresh browser context (empty cache):
  the time from typing (the input event, so including the 120 ms input
  debounce) to the results being shown ("ms"), the same for a second query
  on the same page ("warm ms"), the bytes fetched from the search index for
  the first query including the manifest prefetched when the page opens
  ("index KB", "req"), and all bytes of the page load plus that query
  (Material's own CSS/JS included, "page+query KB").

Usage:  .venv/bin/python bench/bench_search.py [N ...] [--workdir DIR]
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


def measure(www: Path, project: Path | None = None) -> list[dict]:
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
            if project is not None:
                from search_quality import quality

                ctx = browser.new_context()
                rows_q = quality(ctx.new_page(), base, project, www / "kb" / "search" / "idx")
                ctx.close()
                print(f"{'quality query':<24}{'relevant':>9}{'found':>7}{'recall':>8}{'P@10':>6}")
                for r in rows_q:
                    print(f"{r['query']:<24}{r['relevant']:>9}{r['found']:>7}{r['recall']:>8.3f}{r['p10']:>6.2f}")
                n = len(rows_q)
                print(f"{'mean':<24}{'':>9}{'':>7}{sum(r['recall'] for r in rows_q) / n:>8.3f}"
                      f"{sum(r['p10'] for r in rows_q) / n:>6.2f}")
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


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("sizes", nargs="*", type=int, default=[1000, 10000])
    ap.add_argument("--workdir", type=Path, default=None, help="keep the generated projects and sites here")
    args = ap.parse_args()
    work = args.workdir or Path(tempfile.mkdtemp(prefix="kb-bench-search-"))
    work.mkdir(parents=True, exist_ok=True)
    for n in args.sizes:
        www, secs = build(n, work)
        size, files = du(www / "kb" / "search" / "idx")
        site, _ = du(www / "kb")
        print(f"\n== {n} entries: build {secs:.1f} s, site {site / 2**20:.1f} MB, "
              f"search index {size / 2**20:.2f} MB in {files} files")
        rows = measure(www, work / f"kb{n}")
        print(f"{'query':<28}{'results':>8}{'ms':>8}{'warm ms':>8}{'index KB':>10}{'req':>5}{'page+query KB':>15}")
        for r in rows:
            print(f"{r['query']:<28}{r['results']:>8}{r['ms']:>8.0f}{r['warm_ms']:>8.0f}{r['query_kb']:>10.1f}{r['requests']:>5}"
                  f"{r['total_kb']:>15.1f}")
    print(f"\nprojects and sites in {work}")


if __name__ == "__main__":
    main()
