"""The ``kb`` command line (messages in Simplified Chinese)."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click

from .model import KnowledgeBase


def _find_root(start: Path) -> Path:
    """The project root: the nearest directory holding mkdocs.yml or data/areas.yml."""
    for d in (start, *start.parents):
        if (d / "mkdocs.yml").is_file() or (d / "data" / "areas.yml").is_file():
            return d
    return start


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="tongzhan-kb", message="kb %(version)s")
def main() -> None:
    """统战工作政策知识库工具。"""


@main.command()
@click.option("--root", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="知识库根目录（默认：从当前目录向上查找 mkdocs.yml）")
@click.option("--quiet", "-q", is_flag=True, help="只输出错误，不输出统计信息")
def check(root: Path | None, quiet: bool) -> None:
    """校验 data/ 中的全部条目（不生成网站）。有错误时以非零状态退出。"""
    started = time.perf_counter()
    root = root or _find_root(Path.cwd())
    if not (root / "data").is_dir():
        click.echo(f"错误：在 {root} 下找不到 data/ 目录", err=True)
        sys.exit(2)
    kb = KnowledgeBase.load(root)
    errors, warnings = kb.problems.errors, kb.problems.warnings
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


if __name__ == "__main__":  # pragma: no cover
    main()
