"""The ``kb`` command line (messages in Simplified Chinese)."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click

from kb.cli.zh import VERSION_TEXT, ZhGroup
from kb.model.knowledge import KnowledgeBase


def _find_root(start: Path) -> Path:
    """The project root: the nearest directory holding mkdocs.yml or data/areas.yml."""
    for d in (start, *start.parents):
        if (d / "mkdocs.yml").is_file() or (d / "data" / "areas.yml").is_file():
            return d
    return start


@click.group(cls=ZhGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="tongzhan-kb", message="kb %(version)s", help=VERSION_TEXT)
def main() -> None:
    """统战工作政策知识库工具。"""


@main.command()
@click.option("--root", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="知识库根目录（默认：从当前目录向上查找 mkdocs.yml）")
@click.option("--quiet", "-q", is_flag=True, help="只输出错误，不输出统计信息")
@click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="按这一天检查复核期限（YYYY-MM-DD，默认今天）")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              help="json：在标准输出给出全部问题（供编辑器和持续集成读取），退出状态不变")
def check(root: Path | None, quiet: bool, today, fmt: str) -> None:
    """校验 data/ 中的全部条目（不生成网站）。有错误时以非零状态退出。

    超过复核期限的条目作为警告列出（不影响退出状态）。
    """
    import datetime as dt

    from kb.analysis import review
    from kb.settings import Settings

    started = time.perf_counter()
    root = root or _find_root(Path.cwd())
    if not (root / "data").is_dir():
        click.echo(f"错误：在 {root} 下找不到 data/ 目录", err=True)
        sys.exit(2)
    kb = KnowledgeBase.load(root, audience="all")  # every entry, whatever its audience
    settings = Settings.load(root, kb.problems)
    review.warn(kb.entries, settings.review_every, kb.history,
                today.date() if today else dt.date.today(), kb.problems)
    errors, warnings = kb.problems.errors, kb.problems.warnings
    if fmt == "json":
        import json

        def row(p):
            return {"path": p.path, "line": p.line, "field": p.field, "message": p.message, "severity": p.severity}

        click.echo(json.dumps({"entries": len(kb.entries), "errors": [row(p) for p in errors],
                               "warnings": [row(p) for p in warnings]}, ensure_ascii=False, indent=2))
        sys.exit(1 if errors else 0)
    for p in warnings:
        click.echo(str(p), err=True)
    for p in errors:
        click.echo(str(p), err=True)
    elapsed = time.perf_counter() - started
    if not quiet:
        sections = sum(len(e.classified_sections) for e in kb.entries)
        click.echo(
            f"已检查 {len(kb.entries)} 个有效条目（其中报告段落 {sections} 个），"
            f"错误 {len(errors)} 个，警告 {len(warnings)} 个，用时 {elapsed:.2f} 秒",
            err=bool(errors),
        )
    sys.exit(1 if errors else 0)


@main.command(name="schema")
@click.option("--root", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="知识库根目录，用于读取 data/areas.yml 中的领域列表")
@click.option("--snippets", "as_snippets", is_flag=True,
              help="输出 VS Code 代码片段（.vscode/kb.code-snippets）而不是 JSON Schema")
@click.option("--check", "check_file", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="不输出，只检查该文件是否与当前规则一致（不一致时以非零状态退出）")
def schema_cmd(root: Path | None, as_snippets: bool, check_file: Path | None) -> None:
    """输出条目头信息的 JSON Schema（由校验所用的同一套模型生成）。"""
    text = schema_text(root or _find_root(Path.cwd()), as_snippets)
    if check_file is None:
        click.echo(text, nl=False)
        return
    current = check_file.read_text(encoding="utf-8") if check_file.is_file() else None
    if current != text:
        option = " --snippets" if as_snippets else ""
        click.echo(f"错误：{check_file} 与当前字段规则不一致，请运行 kb schema{option} > {check_file} 重新生成", err=True)
        sys.exit(1)


def schema_text(root: Path, as_snippets: bool = False) -> str:
    """The JSON Schema (or the VS Code snippets) as the exact text of the committed files."""
    import json

    from kb.source.loader import read_taxonomy
    from kb.problems import Problems
    from kb.schema.models import json_schema
    from kb.schema.snippets import snippets

    areas_file = root / "data" / "areas.yml"
    slugs = read_taxonomy(areas_file, root, Problems()).slugs if areas_file.is_file() else None
    doc = json_schema(slugs)
    return json.dumps(snippets(doc) if as_snippets else doc, ensure_ascii=False, indent=2) + "\n"


_NEW_FIELDS = {
    "title": "标题", "areas": "工作领域（英文标识，逗号分隔，如 religion,ethnic）", "unit": "单位",
    "year": "年份", "issuer": "制定机关", "status": "时效性（in-force/amended/repealed/not-yet-effective）",
    "promulgated": "公布日期（YYYY-MM-DD）", "period": "报告期（年度/上半年/下半年/专项）",
    "level": "单位层级（省/市/区县/乡镇）",
}


@main.command()
@click.argument("etype", metavar="TYPE", type=click.Choice(["regulation", "policy", "report", "case"]))
@click.option("--title", help="标题")
@click.option("--areas", help="逗号分隔的领域标识，如 religion,ethnic")
@click.option("--unit", help="单位")
@click.option("--year", type=int, help="年份（四位数）")
@click.option("--issuer", help="制定机关")
@click.option("--status", help="时效性：in-force / amended / repealed / not-yet-effective")
@click.option("--promulgated", help="公布日期（YYYY-MM-DD）")
@click.option("--doc-number", "doc_number", help="文号")
@click.option("--period", help="报告期：年度 / 上半年 / 下半年 / 专项")
@click.option("--level", help="单位层级：省 / 市 / 区县 / 乡镇")
@click.option("--audience", help="可见范围：public / internal / restricted")
@click.option("--id", "entry_id", help="指定 id（默认由标题的拼音和年份生成）")
@click.option("--root", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="知识库根目录（默认：从当前目录向上查找 mkdocs.yml）")
def new(etype: str, entry_id: str | None, root: Path | None, **fields) -> None:
    """按模板新建条目（TYPE：regulation / policy / report / case）。不会覆盖已有文件。"""
    import datetime as dt

    from kb.cli.scaffold import REQUIRED, render, write_new

    root = root or _find_root(Path.cwd())
    values: dict = {k: v for k, v in fields.items() if v not in (None, "")}
    missing = [f for f in REQUIRED[etype] if f not in values]
    if missing and sys.stdin.isatty():
        for f in missing:
            values[f] = click.prompt(_NEW_FIELDS.get(f, f), type=int if f == "year" else str)
        missing = []
    if missing:
        names = "、".join(f"--{f}（{_NEW_FIELDS.get(f, f)}）" for f in missing)
        click.echo(f"错误：缺少必填项 {names}", err=True)
        sys.exit(2)
    if "areas" in values:
        values["areas"] = [a.strip() for a in str(values["areas"]).replace("，", ",").split(",") if a.strip()]
    if "promulgated" in values:
        try:
            values["promulgated"] = dt.date.fromisoformat(str(values["promulgated"]))
        except ValueError:
            click.echo(f"错误：--promulgated “{values['promulgated']}”不是有效日期，应写成 YYYY-MM-DD", err=True)
            sys.exit(2)
    if entry_id:
        values["id"] = entry_id
    kb = KnowledgeBase.load(root, audience="all")  # every entry, whatever its audience
    scaffold = render(etype, values, root / "data", {e.id for e in kb.entries})
    # Validate the new text with the same rules as `kb check` before writing it.
    from kb.source.loader import parse_entry
    from kb.problems import Problems
    from kb.schema.validate import validate_entry

    problems = Problems()
    rel = scaffold.path.relative_to(root).as_posix()
    doc = parse_entry(scaffold.text, scaffold.path, rel, problems)
    if doc is not None:
        validate_entry(doc, set(kb.taxonomy.slugs), problems)
    if problems:
        for p in problems.errors:
            click.echo(str(p), err=True)
        click.echo("未写入文件：请修正以上参数后重试", err=True)
        sys.exit(1)
    try:
        write_new(scaffold)
    except FileExistsError:
        click.echo(f"错误：{rel} 已存在，不会覆盖", err=True)
        sys.exit(1)
    except OSError as exc:
        from kb.source.atomic import reason

        click.echo(f"错误：{rel}：无法写入（{reason(exc)}），未新建任何文件", err=True)
        sys.exit(1)
    click.echo(f"已新建 {rel}（id: {scaffold.id}）")


def _check_year(value: int | None) -> int | None:
    if value is not None and not 1949 <= value <= 2100:
        raise click.BadParameter(f"年份 {value} 超出范围（1949–2100）")
    return value


@main.command(name="import")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--dry-run", is_flag=True, help="只显示识别结果，不写入任何文件")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              help="json：在标准输出给出每个文件的识别结果（多个文件时为数组）")
@click.option("--force", is_flag=True, help="覆盖已存在的条目（原文件备份为同目录下的 .bak）")
@click.option("--type", "etype", type=click.Choice(["report", "regulation", "policy"]), default=None,
              help="按此类型导入（默认自动识别：法规、政策文件或工作报告）")
@click.option("--link-versions", is_flag=True,
              help="知识库中已有同名法规或政策文件时，写入新旧版本关系（supersedes / superseded_by、旧版本的时效性）")
@click.option("--summary-json", type=click.Path(dir_okay=False, path_type=Path), default=None, metavar="文件",
              help="把导入结果汇总（每个文件的结果和原因）写入这个 JSON 文件")
@click.option("--root", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="知识库根目录（默认：从当前目录向上查找 mkdocs.yml）")
@click.option("--year", type=int, metavar="年份", default=None, callback=lambda ctx, param, v: _check_year(v),
              help="报告年份（原文没有写明年份时使用，优先于原文）")
@click.option("--unit", default=None, help="报送单位（优先于从原文识别的单位）")
@click.option("--level", type=click.Choice(["省", "市", "区县", "乡镇"]), default=None, help="单位层级（优先于识别结果）")
@click.option("--period", type=click.Choice(["年度", "上半年", "下半年", "专项"]), default=None,
              help="报告期（优先于识别结果）")
def import_cmd(files: tuple[Path, ...], dry_run: bool, fmt: str, force: bool, etype: str | None,
               link_versions: bool, summary_json: Path | None, root: Path | None, year: int | None,
               unit: str | None, level: str | None, period: str | None) -> None:
    """把工作报告、法规和政策文件导入为条目（.txt / .html / .docx / .doc / .wps / .pdf，也可以是文件夹）。

    FILES 中的文件夹会连同子文件夹中所有支持的文件一起导入，最后列出汇总表。
    --year / --unit / --level / --period 只用于工作报告。
    """
    from kb.importer import batch
    from kb.importer.run import Options, SetupError, report, run_import

    root = root or _find_root(Path.cwd())
    given = {k: v for k, v in (("year", year), ("unit", unit and unit.strip()), ("level", level), ("period", period))
             if v}
    paths = batch.expand(list(files))
    folders = any(f.is_dir() for f in files)
    if not paths:
        click.echo("错误：所给文件夹中没有可导入的文件（支持 .txt、.md、.html、.htm、.docx、.doc、.wps、.pdf）", err=True)
        sys.exit(1)
    try:
        result = run_import(paths, root, dry_run=dry_run, force=force, progress=sys.stderr.isatty(), given=given,
                            options=Options(etype=etype, link_versions=link_versions))
    except SetupError as exc:
        click.echo(f"错误：{exc}", err=True)
        sys.exit(2)
    report(result, root, fmt)

    def rel(p: Path) -> str:
        try:
            return p.resolve().relative_to(root.resolve()).as_posix()
        except ValueError:
            return str(p)

    rows = batch.rows(result, rel)
    if folders or len(paths) > 1:
        batch.print_summary(rows, err=fmt == "json")
    if summary_json is not None:
        try:
            batch.write_summary(summary_json, rows)
        except OSError as exc:
            from kb.source.atomic import reason

            click.echo(f"错误：无法写入 {summary_json}（{reason(exc)}）", err=True)
            sys.exit(1)
    sys.exit(1 if result.failed else 0)


@main.command()
@click.argument("dest", type=click.Path(path_type=Path))
@click.option("--root", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="知识库根目录（默认：从当前目录向上查找 mkdocs.yml）")
@click.option("--audience", type=click.Choice(["public", "internal", "all"]), default=None,
              help="可见范围（默认：环境变量 KB_AUDIENCE，其次 mkdocs.yml 的 extra.kb.audience，再次 internal）")
@click.option("--offline", is_flag=True, help="生成可直接从文件系统（file://）打开的离线版")
@click.option("--base-path", default=None,
              help="网站所在的网址路径（如 /kb/，默认取 KB_SITE_URL / site_url 的路径），用于校验以 / 开头的链接")
@click.option("--rollback", is_flag=True, help="把 DEST 恢复为上一次发布的版本")
def publish(dest: Path, root: Path | None, audience: str | None, offline: bool, base_path: str | None,
            rollback: bool) -> None:
    """构建、校验并原子地发布网站到 DEST（DEST 是指向版本目录的链接，保留上一版本以便回滚）。"""
    from kb.publish import release as pub
    from kb.model.audience import AudienceError

    try:
        if rollback:
            name = pub.rollback(dest)
            click.echo(f"已回滚：{dest} 现在指向版本 {name}")
            return
        root = root or _find_root(Path.cwd())
        result = pub.publish(root, dest, audience, offline=offline, base_path=base_path,
                             say=lambda s: click.echo(s, err=True))
    except (pub.PublishError, AudienceError) as exc:
        click.echo(f"错误：{exc}", err=True)
        sys.exit(1)
    r = result.report
    click.echo(f"已发布到 {dest}（版本 {result.release.name}，{r.pages} 个页面，校验链接 {r.links} 个，"
               f"扫描文件 {r.files} 个）")
    click.echo(f"归档：{result.archive}（SHA-256 {result.sha256}，校验文件 {result.archive.name}.sha256）")


@main.command()
@click.option("--root", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="知识库根目录（默认：从当前目录向上查找 mkdocs.yml）")
@click.option("--dev-addr", "-a", metavar="IP:PORT", default=None, help="预览地址（默认 127.0.0.1:8000）")
@click.option("--open", "open_in_browser", is_flag=True, help="启动后在浏览器中打开")
def serve(root: Path | None, dev_addr: str | None, open_in_browser: bool) -> None:
    """本地预览：保存条目后只重新生成改动涉及的页面，浏览器自动刷新（说明见“使用指南 → 本地预览”）。"""
    import logging

    from mkdocs.exceptions import Abort, ConfigurationError

    from kb.preview import server as preview

    root = root or _find_root(Path.cwd())
    config_file = root / "mkdocs.yml"
    if not config_file.is_file():
        click.echo(f"错误：在 {root} 下找不到 mkdocs.yml", err=True)
        sys.exit(2)
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(levelname)-7s -  %(message)s"))
    mkdocs_log = logging.getLogger("mkdocs")
    mkdocs_log.addHandler(handler)
    mkdocs_log.setLevel(logging.INFO)
    try:
        preview.serve(config_file, dev_addr=dev_addr, open_in_browser=open_in_browser)
    except ConfigurationError as exc:
        click.echo(f"错误：mkdocs.yml 有误，预览无法启动：{exc}", err=True)
        sys.exit(1)
    except Abort:
        click.echo("错误：首次生成失败，预览无法启动；请先改正上面列出的问题（也可运行 kb check）", err=True)
        sys.exit(1)
    except preview.ServeError as exc:
        click.echo(f"错误：{exc}", err=True)
        sys.exit(1)


from kb.cli.compile_cmd import compile_cmd  # noqa: E402 - a command of its own module

main.add_command(compile_cmd)


if __name__ == "__main__":  # pragma: no cover - python -m kb.cli.main
    main()
