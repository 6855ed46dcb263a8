"""The Pagefind column of bench/bench_search.py, and the ground truth both engines are scored against.

Pagefind (https://pagefind.app, the ``extended`` build, which segments
Chinese) is installed by ``ensure_pagefind()`` into a virtual environment of
its own, ``bench/.pagefind-venv`` (git-ignored): it is never a dependency of
the project. It indexes the same entry pages of the built site (the article
of every entry page) into ``<site>/pagefind/``; the browser loads its own
``pagefind.js`` from there.

Both engines are scored against the same ground truth and queries
(bench/search_quality.py: Simplified/Traditional-normalised substring search
over the source entries).
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
import venv
from pathlib import Path

HERE = Path(__file__).resolve().parent
VENV = HERE / ".pagefind-venv"
REQUIREMENT = "pagefind[extended]>=1.5.2,<1.6"
ENTRY_GLOB = "{regulations,policies,reports,cases}/*/index.html"
ROOT_SELECTOR = "article.md-content__inner"


def ensure_pagefind() -> Path:
    """The bench-only virtual environment with Pagefind (created on first use); returns its python."""
    py = VENV / "bin" / "python"
    stamp = VENV / ".installed"
    if not stamp.exists():
        if not py.exists():
            venv.create(VENV, with_pip=True)
        subprocess.run([str(py), "-m", "pip", "install", "--quiet", REQUIREMENT], check=True)
        stamp.write_text(REQUIREMENT + "\n", encoding="utf-8")
    return py


def pagefind_version(py: Path) -> str:
    out = subprocess.run([str(py), "-m", "pagefind", "--version"], capture_output=True, text=True, check=True)
    return out.stdout.strip()


def index_site(site: Path) -> float:
    """Index the entry pages of ``site`` into ``site/pagefind``; returns the seconds it took."""
    py = ensure_pagefind()
    t = time.perf_counter()
    subprocess.run([str(py), "-m", "pagefind", "--site", str(site), "--glob", ENTRY_GLOB,
                    "--root-selector", ROOT_SELECTOR, "--force-language", "zh", "--quiet"], check=True)
    return time.perf_counter() - t


# -- in the browser -----------------------------------------------------------------

# Time to first results: from the query to the first 10 results with their titles and snippets.
PAGEFIND_FIRST = """async ([bundle, q]) => {
  const t0 = performance.now();
  const pf = await import(bundle + 'pagefind.js');
  const s = await pf.search(q);
  const top = await Promise.all(s.results.slice(0, 10).map((r) => r.data()));
  const end = performance.now();
  return { ms: end - t0, end: end, count: s.results.length, top: top.map((d) => d.url) };
}"""

PAGEFIND_ALL = """async ([bundle, q]) => {
  const pf = await import(bundle + 'pagefind.js');
  const s = await pf.search(q);
  const urls = [];
  for (let i = 0; i < s.results.length; i += 50) {
    const batch = await Promise.all(s.results.slice(i, i + 50).map((r) => r.data()));
    batch.forEach((d) => urls.push(d.url));
  }
  return urls;
}"""

OURS_FIRST = """async (q) => {
  const t0 = performance.now();
  const engine = window.KBSearch.create({});
  const res = await engine.search(q, { limit: 10 });
  const end = performance.now();
  return { ms: end - t0, end: end, count: res.total.results, top: res.results.map((r) => r.entry) };
}"""


# The header dropdown (docs/assets/kb-instant.js), warm: after a first query, each query is typed
# one character at a time; the time from each keystroke (input event) to the dropdown showing
# the results for that text.
DROPDOWN_KEYSTROKES = """async ([warmup, qs]) => {
  const input = document.querySelector('.kb-header-search__input');
  input.focus();
  const shown = (q) => new Promise((resolve, reject) => {
    setTimeout(() => reject(new Error('dropdown did not show ' + q)), 30000);
    const check = () => { const l = document.getElementById('kb-instant');
      return l && l.dataset.state === 'done' && l.dataset.query === q; };
    if (check()) return resolve();
    const obs = new MutationObserver(() => { if (check()) { obs.disconnect(); resolve(); } });
    obs.observe(document.body, { attributes: true, subtree: true, childList: true });
  });
  const type = async (text) => { const t0 = performance.now(); input.value = text;
    input.dispatchEvent(new Event('input')); await shown(text); return performance.now() - t0; };
  await type(warmup);
  const times = [];
  for (const q of qs) {
    for (let i = 1; i <= q.length; i++) times.push([q.slice(0, i), await type(q.slice(0, i))]);
  }
  return times;
}"""


def url_to_entry(site: Path, base_path: str) -> dict[str, str]:
    """Pagefind result URL (``/kb/cases/case-00001/``) -> entry id."""
    entries = json.loads((site / "entries.json").read_text(encoding="utf-8"))["entries"]
    return {base_path + e["url"]: e["id"] for e in entries}


def bundle_size(site: Path) -> tuple[int, int]:
    size = files = 0
    for p in (site / "pagefind").rglob("*"):
        if p.is_file():
            size += p.stat().st_size
            files += 1
    return size, files


if __name__ == "__main__":  # install only: .venv/bin/python bench/bench_pagefind.py
    print(pagefind_version(ensure_pagefind()), file=sys.stderr)
