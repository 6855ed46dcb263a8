"""The live preview's rebuilds timed in one process, without a browser or a server.

    python bench/preview_rebuilds.py PROJECT [N] [--body]

Builds PROJECT (e.g. one made by bench/gen_corpus.py) as ``kb serve`` does
(kb.preview.server.rebuild, one PreviewState), then N times (default 6)
changes the title of the report in the middle of data/reports/ (``--body``:
appends a paragraph instead), waits a second and rebuilds, printing each
rebuild's wall time (configuration loading included) after the preview's
own log line. The file is restored at the end. To profile the rebuilds only,
run it under a sampling profiler and keep the stacks through ``again``.
"""

from __future__ import annotations

import argparse
import logging
import os
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path


def main() -> None:
    ap = argparse.ArgumentParser(description="预览重新生成计时（同一进程，不开浏览器）")
    ap.add_argument("project", type=Path, help="项目目录（含 mkdocs.yml、data/）")
    ap.add_argument("n", type=int, nargs="?", default=6, help="重新生成次数（默认 6）")
    ap.add_argument("--body", action="store_true", help="改正文（追加一段）而不是改标题")
    args = ap.parse_args()
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    from mkdocs.config import load_config

    from kb.preview.live import PreviewState, attach
    from kb.preview.server import rebuild
    from kb.site.gcpolicy import QuietAfter

    logging.basicConfig(level=logging.INFO, format="%(message)s")
    logging.getLogger("mkdocs.livereload").setLevel(logging.WARNING)
    project = args.project.resolve()
    state = PreviewState()
    site = tempfile.mkdtemp(prefix="kb-preview-rebuilds-")
    url = "http://127.0.0.1:8000/"
    collector = QuietAfter()  # as kb serve's

    def again() -> float:
        started = time.perf_counter()
        config = load_config(config_file=str(project / "mkdocs.yml"), site_dir=site)
        config.site_url = url
        rebuild(attach(config, state), url, state, collector)
        return time.perf_counter() - started

    print(f"首次生成 {again():.2f} s", flush=True)
    reports = sorted((project / "data" / "reports").glob("*.md"))
    entry = reports[len(reports) // 2]
    original = entry.read_text(encoding="utf-8")
    times = []
    try:
        for i in range(args.n):
            if args.body:
                text = original + f"\n\n重新生成计时追加段落{i}。\n"
            else:
                text = re.sub(r"(?m)^title: (.*)$", lambda m: f"title: {m.group(1)}（计时{i}）", original, count=1)
            entry.write_text(text, encoding="utf-8")
            times.append(again())
            print(f"重新生成 {i + 1}：{times[-1]:.2f} s", flush=True)
            time.sleep(1)
    finally:
        entry.write_text(original, encoding="utf-8")
        state.search.close()
    if times:
        print(f"重新生成 {len(times)} 次：{min(times):.2f}–{max(times):.2f} s，中位 {statistics.median(times):.2f} s")


if __name__ == "__main__":
    sys.exit(main())
