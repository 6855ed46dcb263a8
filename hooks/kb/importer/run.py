"""`kb import`: import many files, never overwriting without --force."""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import click

from kb.source.listing import entry_files
from kb.source.loader import read_taxonomy
from kb.problems import Problems
from kb.importer.pipeline import ImportFailed, ImportResult
from kb.importer.reading import ReadError
from kb.importer.document import DocumentResult
from kb.importer.dispatch import import_source
from kb.importer import versions
from kb.source.atomic import reason, write_atomic

_ID_LINE = re.compile(r"^id:\s*['\"]?([a-z0-9-]+)['\"]?\s*$", re.M)


class SetupError(Exception):
    """The project itself is not usable (no taxonomy); nothing was imported."""


@dataclass
class Outcome:
    source: Path
    result: ImportResult | DocumentResult | None = None
    path: Path | None = None  # where the entry is (or would be) written
    status: str = ""  # written / unchanged / would-write / skipped / failed
    message: str = ""
    backup: Path | None = None


@dataclass
class Run:
    outcomes: list[Outcome] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        return any(o.status in ("failed", "skipped") for o in self.outcomes)


def existing_ids(data_dir: Path) -> dict[str, Path]:
    """id -> file for every entry (one read of each front matter, once per run)."""
    out: dict[str, Path] = {}
    for path in entry_files(data_dir):
        try:
            with open(path, encoding="utf-8", errors="replace") as fh:
                head = fh.read(4096)
        except OSError:
            continue
        end = head.find("\n---", 3)
        m = _ID_LINE.search(head[: end if end > 0 else len(head)])
        if m:
            out.setdefault(m.group(1), path)
    return out


def free_backup(path: Path) -> Path:
    candidate = path.with_name(path.name + ".bak")
    n = 1
    while candidate.exists():
        candidate = path.with_name(f"{path.name}.bak{n}")
        n += 1
    return candidate


def write_entry(path: Path, text: str, force: bool) -> Path | None:
    """Write ``text`` to ``path``; an existing file is kept as a backup (only with ``force``).

    Returns the backup path, if one was made.
    Every file is written completely or not at all (``kb.source.atomic``): on
    a full disk neither a partial entry nor a partial backup is left.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        write_atomic(path, text, exclusive=True)
        return None
    if not force:
        raise FileExistsError(path)
    backup = free_backup(path)
    write_atomic(backup, path.read_bytes(), exclusive=True)
    try:
        write_atomic(path, text)
    except OSError:
        backup.unlink(missing_ok=True)  # the entry is unchanged: no backup of it
        raise
    return backup


@dataclass
class Options:
    etype: str | None = None  # --type: report / regulation / policy (default: recognised)
    link_versions: bool = False  # --link-versions: write the proposed version links


def run_import(files: list[Path], root: Path, dry_run: bool, force: bool, progress: bool,
               given: dict | None = None, options: Options | None = None) -> Run:
    """Import ``files``; ``given`` is metadata from the command line (year, unit, level, period)."""
    data = root / "data"
    problems = Problems()
    taxonomy = read_taxonomy(data / "areas.yml", root, problems)
    if problems.errors or not taxonomy.slugs:
        raise SetupError("无法读取工作领域分类 data/areas.yml：" + "；".join(str(p) for p in problems.errors))
    keywords = {slug: spec["keywords"] for slug, spec in taxonomy.areas.items()}
    ids = existing_ids(data) if data.is_dir() else {}
    options = options or Options()
    held = versions.held_documents(data) if data.is_dir() else []
    produced: dict[str, Path] = {}
    run = Run()
    show = progress and len(files) > 1
    from kb.importer.batch import progress_bar

    with progress_bar(files, show) as bar:
        for source in bar:
            run.outcomes.append(_one(source, root, keywords, ids, produced, dry_run, force, options, held, given))
    return run


def _one(source: Path, root: Path, keywords: dict, ids: dict, produced: dict, dry_run: bool, force: bool,
         options: Options, held: list, given: dict | None = None) -> Outcome:
    out = Outcome(source)
    try:
        result = import_source(source, root, keywords, options.etype, held, options.link_versions, given=given)
    except (ReadError, ImportFailed) as exc:
        out.status, out.message = "failed", str(exc)
        return out
    except Exception as exc:  # noqa: BLE001 - one bad file must not stop the others
        out.status, out.message = "failed", f"无法解析（{type(exc).__name__}: {exc}）"
        return out
    out.result = result
    eid = result.id if isinstance(result, DocumentResult) else result.meta.id
    target = ids.get(eid, root / (result.rel if isinstance(result, DocumentResult) else f"data/reports/{eid}.md"))
    out.path = target
    if eid in produced:
        out.status, out.message = "skipped", f"与 {produced[eid]} 是同一份{'文件' if isinstance(result, DocumentResult) else '报告'}（id {eid}），本次只导入一次"
        return out
    produced[eid] = source
    if dry_run:
        out.status = "would-write"
        if target.exists() and not force:
            out.message = "条目已存在，实际导入时不会覆盖（需 --force）"
        return out
    try:
        if target.is_file() and target.read_bytes() == result.markdown.encode("utf-8"):
            out.status, out.message = "unchanged", "条目已存在且内容相同，未改动"
            return out
        out.backup = write_entry(target, result.markdown, force)
        out.status = "written"
        proposal = getattr(result, "versions", None)
        if options.link_versions and proposal is not None and proposal.conflict is None and not proposal.done:
            versions.apply(proposal)  # only after the new entry is in place
    except FileExistsError:
        out.status, out.message = "skipped", "条目已存在，未覆盖（确需覆盖请加 --force，原文件会备份在旁边）"
    except OSError as exc:
        out.status, out.message = "failed", f"无法写入 {target}（{reason(exc)}），未写入任何文件"
    return out


def report(run: Run, root: Path, fmt: str) -> None:
    def rel(p: Path) -> str:
        try:
            return p.resolve().relative_to(root.resolve()).as_posix()
        except ValueError:
            return str(p)

    for o in run.outcomes:
        src = str(o.source)
        if o.status == "failed":
            click.echo(f"{src}: 错误: 无法导入：{o.message}", err=True)
            continue
        assert o.result is not None and o.path is not None
        r = o.result
        if isinstance(r, DocumentResult):
            from kb.importer.batch import document_line

            click.echo(document_line(o, rel), err=fmt == "json" or o.status == "skipped")
            continue
        review = sum(s.review for s in r.sections)
        stats = f"{len(r.sections)} 个段落，{review} 个待核对"
        guessed = f"；未识别、已填默认值：{'、'.join(r.meta.guessed)}" if r.meta.guessed else ""
        if r.meta.review:
            guessed += f"；已标记待核对（review: true）：{r.meta.review_reason}"
        if o.status == "unchanged":
            click.echo(f"{src}: {rel(o.path)}：{o.message}", err=fmt == "json")
        elif o.status == "skipped":
            click.echo(f"{src}: 警告: 跳过 {rel(o.path)}：{o.message}", err=True)
        elif o.status == "would-write":
            note = f"（{o.message}）" if o.message else ""
            click.echo(f"{src}: 将导入为 {rel(o.path)}（{stats}{guessed}）{note}", err=fmt == "json")
        else:
            bak = f"，原文件已备份为 {rel(o.backup)}" if o.backup else ""
            click.echo(f"{src}: 已导入 {rel(o.path)}（{stats}{guessed}{bak}）", err=fmt == "json")
    if fmt == "json":
        objs = [o.result.as_json() for o in run.outcomes if o.result is not None]
        payload = objs[0] if len(run.outcomes) == 1 and objs else objs
        if len(run.outcomes) == 1 and not objs:
            return
        click.echo(json.dumps(payload, ensure_ascii=False, indent=2))
