"""Live preview latency: from saving an entry to the change showing in the browser.

    python bench/bench_preview.py N [--dir DIR] [--runs 5] [--type report]

Generates (or reuses) an N-entry project (bench/gen_corpus.py), starts
`kb serve` on a free port, opens pages in headless Chromium and, several
times each, edits one entry's file and measures the time from the write to
the new text appearing in the open page (MkDocs livereload):

- entry page, title changed;
- entry page, a paragraph added to the body;
- index page (the page of the listing of the entry's type that lists
  it: listings are paginated), title changed; and, for comparison, the time the browser
  takes just to reload that page without any change.

Prints the startup time (until the server answers), the median and maximum
of each series, and the server's own rebuild times from its log. The
entry's file is restored at the end.
"""

from __future__ import annotations

import argparse
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from gen_corpus import generate  # noqa: E402

KB = Path(sys.executable).parent / "kb"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]
DATA_DIRS = {"regulation": "regulations", "policy": "policys", "report": "reports", "case": "cases"}  # gen_corpus


def project_for(n: int, where: Path) -> Path:
    """An N-entry project in ``where`` (generated once, reused when the count matches)."""
    data = where / "data"
    if data.is_dir() and sum(1 for _ in data.rglob("*.md")) == n:
        return where
    generate(n, where)
    return where


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_text(page, selector: str, text: str, timeout: float = 120.0) -> float:
    """Poll the open page (across livereload navigations) until ``selector`` contains ``text``."""
    deadline = time.perf_counter() + timeout
    # textContent of one element: cheap even on the 1 MB index page (innerText of
    # the whole article would force a layout of the page on every poll).
    script = "([s, t]) => { const el = document.querySelector(s); return !!el && el.textContent.includes(t); }"
    while time.perf_counter() < deadline:
        try:
            if page.evaluate(script, [selector, text]):
                return time.perf_counter()
        except Exception:  # the page is navigating (livereload): try again
            pass
        time.sleep(0.02)
    raise SystemExit(f"timeout: “{text}” did not appear in {selector}")


def goto(page, url: str) -> None:
    """Open ``url``; a livereload of the previous page may abort the first try."""
    for _ in range(5):
        try:
            page.goto(url)
            return
        except Exception:
            time.sleep(0.5)
    page.goto(url)


def listing_page(page, first_url: str, entry_id: str) -> str:
    """The URL of the page of the type's (paginated) listing that lists the entry."""
    url = first_url
    for _ in range(1000):
        goto(page, url)
        if page.query_selector(f'article a[href$="{entry_id}/"]') is not None:
            return page.url
        nxt = page.query_selector('a.kb-pager-step[rel="next"]')
        if nxt is None:
            break
        url = nxt.evaluate("a => a.href")
    raise SystemExit(f"{entry_id} 不在 {first_url} 的任何一页上")


def main() -> None:
    ap = argparse.ArgumentParser(description="kb serve 预览延迟测试")
    ap.add_argument("n", type=int, help="条目数")
    ap.add_argument("--dir", type=Path, default=None, help="语料目录（默认 /tmp/kb-preview-N，已有则复用）")
    ap.add_argument("--runs", type=int, default=5, help="每项测量次数")
    ap.add_argument("--type", default="report", choices=sorted(DATA_DIRS), help="被编辑条目的类型")
    args = ap.parse_args()

    from playwright.sync_api import sync_playwright

    from kb.schema.models import TYPE_DIRS  # URL directories of the generated pages

    project = project_for(args.n, args.dir or Path(tempfile.gettempdir()) / f"kb-preview-{args.n}")
    entries = sorted((project / "data" / DATA_DIRS[args.type]).glob("*.md"))
    entry = entries[len(entries) // 2]
    original = entry.read_text(encoding="utf-8")
    entry_id = re.search(r"(?m)^id: (.*)$", original).group(1).strip()
    title = re.search(r"(?m)^title: (.*)$", original).group(1).strip()
    port = free_port()
    base = f"http://127.0.0.1:{port}/"
    log_path = project / "bench-serve.log"
    log = log_path.open("w", encoding="utf-8")
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    started = time.perf_counter()
    proc = subprocess.Popen([str(KB), "serve", "--root", str(project), "--dev-addr", f"127.0.0.1:{port}"],
                            stdout=log, stderr=subprocess.STDOUT, env=env)
    results: dict[str, list[float]] = {"条目页（改标题）": [], "条目页（改正文）": [], "索引页（改标题）": [],
                                       "索引页（只刷新，不改动）": []}
    try:
        while "Serving on" not in log_path.read_text(encoding="utf-8"):
            if proc.poll() is not None:
                raise SystemExit(log_path.read_text(encoding="utf-8"))
            time.sleep(0.2)
        startup = time.perf_counter() - started
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
            page = browser.new_page()
            entry_url = f"{base}{TYPE_DIRS[args.type]}/{entry_id}/"
            index_url = f"{base}{TYPE_DIRS[args.type]}/"
            index_url = listing_page(page, index_url, entry_id)  # listings are paginated
            text = original
            for i in range(args.runs):
                goto(page, entry_url)
                time.sleep(1.0)  # let the server settle (and the file's racy window pass)
                marker = f"{title}（预览{i}）"
                text = re.sub(r"(?m)^title: .*$", f"title: {marker}", text, count=1)
                t0 = time.perf_counter()
                entry.write_text(text, encoding="utf-8")
                results["条目页（改标题）"].append(wait_for_text(page, "h1", marker) - t0)

                time.sleep(1.0)
                para = f"预览测试段落{i}号"
                text = text.replace("\n---\n", f"\n---\n\n{para}\n", 1)
                t0 = time.perf_counter()
                entry.write_text(text, encoding="utf-8")
                results["条目页（改正文）"].append(wait_for_text(page, "article", para) - t0)

                goto(page, index_url)
                time.sleep(1.0)
                marker = f"{title}（索引{i}）"
                text = re.sub(r"(?m)^title: .*$", f"title: {marker}", text, count=1)
                t0 = time.perf_counter()
                entry.write_text(text, encoding="utf-8")
                link = f'article a[href$="{entry_id}/"]'
                results["索引页（改标题）"].append(wait_for_text(page, link, marker) - t0)
                time.sleep(1.0)
                t0 = time.perf_counter()
                page.reload()
                results["索引页（只刷新，不改动）"].append(time.perf_counter() - t0)
                print(f"# run {i + 1}: " + ", ".join(f"{k} {v[-1]:.2f} s" for k, v in results.items()),
                      file=sys.stderr, flush=True)
            browser.close()
    finally:
        entry.write_text(original, encoding="utf-8")
        proc.terminate()
        proc.wait(timeout=60)
        log.close()

    builds = [float(x) for x in re.findall(r"预览：重新生成 .*?（用时 ([0-9.]+) 秒", log_path.read_text(encoding="utf-8"))]
    print(f"条目数 {args.n}，被编辑条目 {entry.relative_to(project).as_posix()}，每项 {args.runs} 次")
    print(f"命令：python bench/bench_preview.py {args.n} --runs {args.runs} --type {args.type}\n")
    print(f"启动（首次完整生成到可以访问）：{startup:.1f} s\n")
    print("| 测量 | 中位数 | 最大值 |")
    print("| --- | --- | --- |")
    for name, values in results.items():
        print(f"| {name} | {statistics.median(values):.2f} s | {max(values):.2f} s |")
    if len(builds) > 1:
        rebuilds = builds[1:]
        print(f"\n服务端每次重新生成用时（不含首次）：中位数 {statistics.median(rebuilds):.2f} s，"
              f"最大 {max(rebuilds):.2f} s，共 {len(rebuilds)} 次")


if __name__ == "__main__":
    main()
