"""The live preview's search index written by a process of its own (see kb.preview.searchindex).

``SearchWriter`` runs ``python -m kb.preview.searchworker`` once per ``kb serve`` and sends it
jobs, one JSON object per line on its standard input::

    {"n": 3, "root": "...", "audience": "internal", "site_dir": "...", "directory_urls": true,
     "write": true}

For each it loads the knowledge base with a per-file cache of its own (kb.model.cache: an
unchanged file gives the same entry as before, so the index's per-entry parts are reused,
``IdentityMemo``) and writes the search index and ``entries.json`` into ``site_dir``
(``"write": false``: only loads and makes the index, so that the first real job finds both
caches warm). It answers one line per job on its standard output: ``{"n": 3, "ok": true}``
or ``{"n": 3, "ok": false, "error": "..."}``. Jobs that arrived while one ran are done once,
as the newest of them, and all answered. It ends at the end of its input (the server stopped,
or died).

Why a process: the index of 10,000 entries takes seconds to assemble and encode; in a thread it
held the interpreter lock against the preview's next rebuild, which then took up to twice as
long. Here it runs on another core.
"""

from __future__ import annotations

import gc
import json
import sys
import threading
from typing import Any


def _do(job: dict[str, Any], cache: Any, memo: Any) -> str | None:
    """One job; the error in one line, or None."""
    from kb.model.knowledge import KnowledgeBase
    from kb.preview.searchindex import write_search_index
    from kb.site import search
    from kb.site.urls import page_url

    kb = KnowledgeBase.load(job["root"], audience=job["audience"], cache=cache)
    if kb.problems.errors:  # the data changed again since the build and is broken: the build will say so
        return f"知识库数据有 {len(kb.problems.errors)} 个错误"
    if job.get("write", True):
        write_search_index(kb, job["site_dir"], job["directory_urls"], memo)
    else:
        memo.start()
        search.build_index(kb, lambda e: page_url(e.src_uri, job["directory_urls"]), memo=memo)
        memo.finish()
    return None


def main() -> None:
    from kb.model.cache import EntryCache
    from kb.preview.searchindex import IdentityMemo
    from kb.site import gcpolicy

    answers = sys.stdout
    sys.stdout = sys.stderr  # anything printed by the way is not an answer
    jobs: list[dict[str, Any]] = []
    ended = False
    cond = threading.Condition()

    def read() -> None:
        nonlocal ended
        for line in sys.stdin:
            with cond:
                jobs.append(json.loads(line))
                cond.notify()
        with cond:
            ended = True
            cond.notify()

    threading.Thread(target=read, name="kb-search-jobs", daemon=True).start()
    cache, memo = EntryCache(), IdentityMemo()
    first = True
    while True:
        with cond:
            cond.wait_for(lambda: jobs or ended)
            if not jobs:
                return
            batch = jobs[:]
            jobs.clear()
        try:
            with gcpolicy.paused():  # a load makes millions of objects and few cycles
                error = _do(batch[-1], cache, memo)
        except Exception as exc:  # noqa: BLE001 - answered; the server writes the index itself
            error = f"{type(exc).__name__}: {exc}"
        if first:  # the cached entries, out of every later collection's sight (as in kb.preview.live)
            first = False
            gc.collect()
            gc.freeze()
        for job in batch:
            answers.write(json.dumps({"n": job["n"], "ok": error is None, "error": error}, ensure_ascii=False) + "\n")
        answers.flush()


if __name__ == "__main__":
    main()
