"""Importing whole folders: which files, a progress bar, and the summary of a run.

``kb import DIR`` takes every supported file below DIR (hidden files and
folders and Word's ``~$`` lock files excepted), in a fixed order. After the
run a table sorts every file into 已导入 / 待核对 / 未改变 / 跳过 / 失败 with
the reason, and ``--summary-json FILE`` writes the same rows as JSON.
"""

from __future__ import annotations

import json
import sys
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Iterator

from kb.importer.document import DocumentResult
from kb.importer.reading import SUPPORTED_SUFFIXES
from kb.source.atomic import write_atomic

if TYPE_CHECKING:
    from kb.importer.run import Outcome, Run

CATEGORIES = {"imported": "已导入", "review": "待核对", "unchanged": "未改变", "skipped": "跳过", "failed": "失败"}
TYPE_NAMES = {"report": "工作报告", "regulation": "法规", "policy": "政策文件"}


def expand(paths: list[Path]) -> list[Path]:
    """Files named on the command line, and every supported file below each folder named."""
    out: list[Path] = []
    for path in paths:
        if path.is_dir():
            found = [p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in SUPPORTED_SUFFIXES
                     and not any(part.startswith(".") for part in p.relative_to(path).parts)
                     and not p.name.startswith("~$")]
            out.extend(sorted(found, key=lambda p: p.relative_to(path).as_posix()))
        else:
            out.append(path)
    return out


@contextmanager
def progress_bar(items: list, show: bool) -> Iterator:
    """Iterate ``items``; with ``show`` a rich progress bar on standard error."""
    if not show:
        yield iter(items)
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    console = Console(file=sys.stderr)
    with Progress(TextColumn("导入"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  TextColumn("{task.description}"), console=console, transient=False) as progress:
        task = progress.add_task("", total=len(items))

        def walk():
            for item in items:
                progress.update(task, description=Path(item).name[:40])
                yield item
                progress.advance(task)

        yield walk()


def needs_review(o: "Outcome") -> list[str]:
    r = o.result
    if r is None:
        return []
    if isinstance(r, DocumentResult):
        return list(r.review)
    out = [f"段落“{s.heading}”的类别或领域把握不大" for s in r.sections if s.review]
    if r.meta.guessed:
        out.insert(0, "未识别、已填默认值：" + "、".join(r.meta.guessed))
    if getattr(r.meta, "review_reason", ""):
        out.insert(0, r.meta.review_reason)
    return out


@dataclass
class Row:
    source: str
    category: str  # a key of CATEGORIES
    type: str | None
    entry: str | None
    reason: str

    def as_json(self) -> dict:
        return {"file": self.source, "result": self.category, "result_label": CATEGORIES[self.category],
                "type": self.type, "entry": self.entry, "reason": self.reason}


def rows(run: "Run", rel) -> list[Row]:
    out: list[Row] = []
    for o in run.outcomes:
        r = o.result
        etype = (r.type if isinstance(r, DocumentResult) else "report") if r is not None else None
        entry = rel(o.path) if o.path is not None else None
        review = needs_review(o)
        if o.status == "failed":
            cat, why = "failed", o.message
        elif o.status == "skipped":
            cat, why = "skipped", o.message
        elif o.status == "unchanged":
            cat, why = "unchanged", o.message
        elif review:
            cat, why = "review", "；".join(review)
        else:
            cat, why = "imported", "将写入（试运行）" if o.status == "would-write" else ""
        versions = getattr(r, "versions", None)
        if versions is not None and o.path is not None:
            why = "；".join(x for x in (why, versions.describe(rel(versions.other.path))) if x)
        out.append(Row(str(o.source), cat, etype, entry, why))
    return out


def print_summary(table_rows: list[Row], err: bool) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console(file=sys.stderr if err else sys.stdout, width=160, soft_wrap=False)
    table = Table(title="导入结果", show_lines=False)
    for name in ("文件", "结果", "类型", "条目", "说明"):
        table.add_column(name, overflow="fold")
    for row in table_rows:
        table.add_row(row.source, CATEGORIES[row.category], TYPE_NAMES.get(row.type or "", ""), row.entry or "",
                      row.reason)
    console.print(table)
    counts = {k: sum(r.category == k for r in table_rows) for k in CATEGORIES}
    console.print("共 {} 个文件：".format(len(table_rows)) + "，".join(f"{CATEGORIES[k]} {n}" for k, n in counts.items()))


def write_summary(path: Path, table_rows: list[Row]) -> None:
    counts = {k: sum(r.category == k for r in table_rows) for k in CATEGORIES}
    payload = {"files": len(table_rows), "counts": counts, "rows": [r.as_json() for r in table_rows]}
    write_atomic(path, json.dumps(payload, ensure_ascii=False, indent=2) + "\n")


def document_line(o: "Outcome", rel) -> str:
    """The one-line report of a regulation or policy."""
    r: DocumentResult = o.result  # type: ignore[assignment]
    f = r.front
    kind = TYPE_NAMES[r.type]
    facts = "，".join(str(x) for x in (f.get("issuer"), f.get("doc_number"), f.get("level")) if x)
    articles = sum(a.startswith("article-") for a in r.anchors)
    stats = f"{kind}《{f['title']}》，{facts}，{articles} 条"
    review = f"；待核对：{'；'.join(r.review)}" if r.review else ""
    versions = f"；{r.versions.describe(rel(r.versions.other.path))}" if r.versions is not None else ""
    src, target = str(o.source), rel(o.path)
    if o.status == "unchanged":
        return f"{src}: {target}：{o.message}{versions}"
    if o.status == "skipped":
        return f"{src}: 警告: 跳过 {target}：{o.message}"
    if o.status == "would-write":
        note = f"（{o.message}）" if o.message else ""
        return f"{src}: 将导入为 {target}（{stats}{review}）{note}{versions}"
    bak = f"，原文件已备份为 {rel(o.backup)}" if o.backup else ""
    return f"{src}: 已导入 {target}（{stats}{review}{bak}）{versions}"
