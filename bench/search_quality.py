"""Recall and P@10 of the site search against a brute-force ground truth (used by bench_search.py).

Ground truth: an entry is relevant to a query when every word of the query is a substring of
the entry's source file (front matter values and body as plain text), both converted to
Simplified with OpenCC's phrase-level t2s and stripped of whitespace. Only entries that are in
the built site (its ``search/idx/d/N.json``) count.

Measured through the engine API in headless Chromium (``KBSearch.default``):
recall = relevant entries among all results / relevant entries; P@10 = share of the first ten
results (or fewer, if fewer) whose entry is relevant.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "hooks"))

from kb.site.search import md_to_text  # noqa: E402
from kb.text.script import to_simplified  # noqa: E402

QUERIES = ["统战", "民营企业", "統戰工作", "宗教活动场所", "教职人员培训", "亲清政商关系构建", "光彩事业", "新联会建设",
           "归侨侨眷走访慰问", "乡村振兴同心行动", "党外代表人士", "政党协商座谈会", "招商引资服务", "理论调研课题",
           "取得明显成效", "和諧寺觀教堂", "认真贯彻", "示例〔2010〕", "宗教 培训", "民主党派 监督"]

RUN = """async (queries) => {
  const engine = KBSearch.default, out = {};
  for (const q of queries) {
    const first = await engine.search(q, {limit: 10});
    out[q] = {top: first.results.map((r) => r.entry), all: await engine.allEntries(q)};
  }
  return out;
}"""


def _flatten(value) -> list[str]:
    if isinstance(value, dict):
        return [s for v in value.values() for s in _flatten(v)]
    if isinstance(value, list):
        return [s for v in value for s in _flatten(v)]
    return [str(value)] if value is not None else []


def source_texts(project: Path) -> dict[str, str]:
    """entry id -> Simplified text of its source file, whitespace removed."""
    out = {}
    for path in sorted((project / "data").rglob("*.md")):
        raw = path.read_text(encoding="utf-8")
        _, head, body = raw.split("---\n", 2)
        meta = yaml.safe_load(head)
        text = "\n".join(_flatten(meta)) + "\n" + md_to_text(body)
        out[meta["id"]] = re.sub(r"\s+", "", to_simplified(text))
    return out


def ground_truth(project: Path, idx: Path, queries=QUERIES) -> tuple[list[str], dict[str, set[str]]]:
    """(entry ids in index order, query -> relevant entry ids)."""
    ids = []
    for n in range(json.loads((idx / "manifest.json").read_text(encoding="utf-8"))["entries"]):
        path = idx / "d" / f"{n}.json"
        if not path.exists():
            path = idx / "d" / f"{n}-0.json"  # a split display file
        ids.append(json.loads(path.read_text(encoding="utf-8"))["id"])
    texts = source_texts(project)
    truth = {}
    for q in queries:
        words = [re.sub(r"\s+", "", to_simplified(w)) for w in q.split()]
        truth[q] = {i for i in ids if all(w in texts[i] for w in words)}
    return ids, truth


def quality(page, base: str, project: Path, idx: Path, queries=QUERIES) -> list[dict]:
    ids, truth = ground_truth(project, idx, queries)
    page.goto(base + "search/")
    got = page.evaluate(RUN, list(queries))
    rows = []
    for q in queries:
        rel = truth[q]
        found = {ids[n] for n in got[q]["all"]}
        top = got[q]["top"]
        rows.append({"query": q, "relevant": len(rel), "found": len(found),
                     "recall": len(found & rel) / len(rel) if rel else 1.0,
                     "p10": sum(e in rel for e in top) / len(top) if top else (1.0 if not rel else 0.0)})
    return rows
