"""CPU time of each phase of one ``mkdocs build``, measured inside the build process.

    python bench/build_phases.py PROJECT [SITE_DIR]

Runs ``mkdocs build -q -d SITE_DIR`` (default ``site``) in PROJECT (a project made by
bench/gen_corpus.py, or any project of the knowledge base) within this process, with the
events of ``kb.engine.session.BuildSession``, the search index, ``entries.json`` and MkDocs'
per-page steps wrapped in timers (``time.process_time``: user + system CPU of this process),
and prints the CPU seconds of each (of this process: the children of ``on_nav`` and of the
process pools are not counted) and its wall-clock seconds. Run it twice (the second time after editing an entry)
to see what a warm build with the build cache still pays for, with and without the search index.
"""

from __future__ import annotations

import collections
import os
import sys
import time
from pathlib import Path
from typing import Any, Callable

LABELS = {
    "configure": "on_config（读取条目、页面列表）",
    "register_files": "on_files（页面 Markdown、各单位对照等文件）",
    "prerender_pages": "on_nav（缓存中没有的页面在并行子进程中生成）",
    "finish": "on_post_build（合计）",
    "write_site_index": "  其中：搜索索引",
    "write_entries_json": "  其中：entries.json",
    "clean_directory": "MkDocs 清空输出目录",
    "_populate_page": "MkDocs 读页面（头信息、转换或缓存命中）",
    "_build_page": "MkDocs 写页面（模板、on_post_page、写文件）",
}


def main() -> None:
    project = Path(sys.argv[1]).resolve()
    site = sys.argv[2] if len(sys.argv) > 2 else "site"
    os.chdir(project)
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    sys.path.insert(0, str(project / "hooks"))  # the project's own hooks, as MkDocs loads them
    spent: collections.Counter[str] = collections.Counter()
    wall: collections.Counter[str] = collections.Counter()
    start, start_wall = time.process_time(), time.perf_counter()

    def timed(name: str, f: Callable[..., Any]) -> Callable[..., Any]:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            t, w = time.process_time(), time.perf_counter()
            try:
                return f(*args, **kwargs)
            finally:
                spent[name] += time.process_time() - t
                wall[name] += time.perf_counter() - w
        return wrapper

    import mkdocs.commands.build as build
    import mkdocs.utils
    from mkdocs.__main__ import cli

    import kb.engine.session as session
    from kb.site import export, search

    mkdocs.utils.clean_directory = timed("clean_directory", mkdocs.utils.clean_directory)
    for name in ("_populate_page", "_build_page"):
        setattr(build, name, timed(name, getattr(build, name)))
    for name in ("configure", "register_files", "prerender_pages", "finish"):
        setattr(session.BuildSession, name, timed(name, getattr(session.BuildSession, name)))
    search.write_site_index = timed("write_site_index", search.write_site_index)
    export.write_entries_json = timed("write_entries_json", export.write_entries_json)
    imported = time.process_time() - start
    try:
        cli(["build", "-q", "-d", site], standalone_mode=False)
    finally:
        total = time.process_time() - start
        print(f"合计 CPU {total:.2f} s（其中导入 {imported:.2f} s），墙钟 {time.perf_counter() - start_wall:.2f} s")
        print("  本进程 CPU    墙钟")
        for name, label in LABELS.items():
            print(f"{spent[name]:8.2f} s  {wall[name]:8.2f} s  {label}")
        print(f"{total - spent['write_site_index']:8.2f} s  不含搜索索引的合计")


if __name__ == "__main__":
    main()
