"""``kb compile``: a 汇编 (Word or print-ready HTML) of selected entries."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from kb.cli.zh import ZhCommand


@click.command(name="compile", cls=ZhCommand)
@click.option("--area", help="工作领域标识，逗号分隔，如 religion,ethnic")
@click.option("--type", "etype", help="类型，逗号分隔：regulation / policy / report / case")
@click.option("--status", help="时效性，逗号分隔：in-force / amended / repealed / not-yet-effective")
@click.option("--year", help="年份，逗号分隔，如 2017,2018")
@click.option("--ids", help="条目 id，逗号分隔（按给出的顺序收录）")
@click.option("--from-url", "from_url", metavar="URL",
              help="搜索页的地址（如 …/search/?area=religion&type=policy），按其中的筛选条件选取条目")
@click.option("--format", "fmt", type=click.Choice(["docx", "html"]), default="docx",
              help="docx：Word 文档（默认）；html：一个可直接打印的网页")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="输出文件（默认：按标题命名，写在当前目录）")
@click.option("--title", help="封面标题（默认由领域和类型生成，如“宗教工作法规、政策文件汇编”）")
@click.option("--date", "date", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="封面日期（YYYY-MM-DD，默认：环境变量 KB_TODAY，再次今天）")
@click.option("--audience", type=click.Choice(["public", "internal", "all"]), default=None,
              help="可见范围：汇编只收录这一范围可见的条目（默认：KB_AUDIENCE，其次 mkdocs.yml 的 extra.kb.audience，再次 internal）")
@click.option("--force", is_flag=True, help="输出文件已存在时覆盖它")
@click.option("--root", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="知识库根目录（默认：从当前目录向上查找 mkdocs.yml）")
def compile_cmd(area, etype, status, year, ids, from_url, fmt, output, title, date, audience, force, root) -> None:
    """生成汇编：封面、目录，以及每个条目的基本信息表和全文。"""
    from kb.cli.main import _find_root
    from kb.compile import run, selection
    from kb.model.audience import AudienceError
    from kb.model.knowledge import KnowledgeBase
    from kb.problems import Problems
    from kb.settings import Settings
    from kb.source.atomic import reason

    root = root or _find_root(Path.cwd())
    if not (root / "data").is_dir():
        click.echo(f"错误：在 {root} 下找不到 data/ 目录", err=True)
        sys.exit(2)
    problems = Problems()
    settings = Settings.load(root, problems)
    try:
        sel = selection.from_options(area, etype, status, year, ids)
        if from_url:
            sel = selection.from_url(from_url, sel)
        if sel.empty:
            raise selection.SelectionError("请至少给出一个筛选条件：--area、--type、--status、--year、--ids 或 --from-url")
        # Every file is validated; the compilation sees only what the audience may see.
        kb = KnowledgeBase.load(root, audience="all").restricted_to(audience or settings.audience)
        day = date.date() if date else settings.today
        title = title or selection.default_title(kb, sel)
        path = output or Path(run.default_name(title, fmt))
        if path.suffix.lower() != f".{fmt}":
            raise selection.SelectionError(f"输出文件 {path} 的扩展名应为 .{fmt}")
        if path.exists() and not force:  # say so before the work (the write below refuses it too)
            click.echo(f"错误：{path} 已存在，未覆盖（确需覆盖请加 --force）", err=True)
            sys.exit(1)
        result = run.build(kb, sel, fmt, title, day)
    except (selection.SelectionError, AudienceError) as exc:
        click.echo(f"错误：{exc}", err=True)
        sys.exit(2)
    try:
        run.write(path, result.data, force)
    except FileExistsError:
        click.echo(f"错误：{path} 已存在，未覆盖（确需覆盖请加 --force）", err=True)
        sys.exit(1)
    except OSError as exc:
        click.echo(f"错误：{path}：无法写入（{reason(exc)}），未生成文件", err=True)
        sys.exit(1)
    click.echo(f"已生成 {path}：《{result.title}》，收录 {len(result.entries)} 个条目（可见范围：{kb.audience}）")
