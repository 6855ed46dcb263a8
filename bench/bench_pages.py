"""Page generation and entry-page Markdown: the two parts of a cold build issue 15 item 4 puts on both cores
and item 2 keeps out of Markdown.

    python bench/bench_pages.py [N] [--jobs J] [--convert K]

On a generated corpus of N entries (bench/gen_corpus.py, default 3000), in one run:

(a) render: the Markdown of every generated page (``Generator.render`` over all page specs, what
    ``on_files`` does without the build cache), serially and with ``kb.site.parallel`` on J
    processes (default: the cores); wall and CPU time (the workers' included), and whether both
    give the same bytes;
(b) convert: MkDocs' conversion (``Page.render``) of K entry pages (default 500), whole as before,
    and with the generated blocks stashed (kb.site.entryblocks); CPU time, and whether the content,
    table of contents and anchors are the same.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from gen_corpus import generate  # noqa: E402


def cpu() -> float:
    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def timed(fn):
    w, c = time.perf_counter(), cpu()
    out = fn()
    return out, time.perf_counter() - w, cpu() - c


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("n", nargs="?", type=int, default=3000)
    ap.add_argument("--jobs", type=int, default=None)
    ap.add_argument("--convert", type=int, default=500)
    args = ap.parse_args()

    from mkdocs.config import load_config
    from mkdocs.structure.files import File, Files
    from mkdocs.structure.pages import Page

    from kb.model.knowledge import KnowledgeBase
    from kb.site import entryblocks, parallel
    from kb.site.pages import Generator

    with tempfile.TemporaryDirectory(prefix="kb-bench-pages-") as tmp:
        root = Path(tmp) / "p"
        generate(args.n, root)
        jobs = args.jobs or parallel.jobs()
        kb = KnowledgeBase.load(root, audience="internal")
        gen = Generator(kb)
        specs = gen.specs()
        print(f"{args.n} 个条目，{len(specs)} 个生成页面，{os.cpu_count()} 核，并行进程数 {jobs}")

        # (a) page generation. A fresh generator each time: nothing computed by the first run is reused.
        serial, sw, sc = timed(lambda: [gen.render(s) for s in specs])
        gen2 = Generator(KnowledgeBase.load(root, audience="internal"))
        par, pw, pc = timed(lambda: parallel.render_all(gen2, gen2.specs(), processes=jobs))
        print(f"(a) 页面生成：串行 墙钟 {sw:.1f} s / CPU {sc:.1f} s；并行 墙钟 {pw:.1f} s / CPU {pc:.1f} s；"
              f"墙钟比 {pw / sw:.2f}；输出相同：{'是' if par == serial else '否'}")

        # (b) entry pages through MkDocs' Markdown conversion, whole and with the blocks stashed.
        config = load_config(str(root / "mkdocs.yml"))
        config.plugins._current_plugin = None
        files = Files([File.generated(config, s.uri, content="") for s in specs])
        entries = [(s, md) for s, md in zip(specs, serial) if s.template == entryblocks.ENTRY_TEMPLATE]
        entries = entries[:: max(1, len(entries) // args.convert)][: args.convert]
        split = [entryblocks.split(md) for _, md in entries]
        entries, split = [e for e, r in zip(entries, split) if r], [r for r in split if r]

        def convert(uri: str, markdown: str) -> Page:
            page = Page(None, File.generated(config, uri, content=markdown), config)
            page.read_source(config)
            page.render(config, files)
            return page

        whole, _, wc = timed(lambda: [convert(s.uri, md) for s, md in entries])
        parts, _, tc = timed(lambda: [convert(s.uri, r[0]) for (s, _), r in zip(entries, split)])
        same = all(r[1].restore(p.content) == w.content and str(p.toc) == str(w.toc)
                   and p.present_anchor_ids | r[1].anchors() == w.present_anchor_ids
                   for r, p, w in zip(split, parts, whole))
        print(f"(b) {len(entries)} 个条目页的 Markdown 转换 CPU：整页 {wc:.2f} s，生成块不经 Markdown {tc:.2f} s，"
              f"比 {tc / wc:.2f}；内容、目录、锚点相同：{'是' if same else '否'}")


if __name__ == "__main__":
    main()
