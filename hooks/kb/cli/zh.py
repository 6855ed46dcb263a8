"""Chinese help screens for the ``kb`` command: click's own words translated.

click writes "Usage:", "Options:", "Commands:", "Show this message and exit."
and the metavars of its types (TEXT, INTEGER, DIRECTORY…) in English. The
classes here replace them without gettext: ``ZhGroup`` is the ``kb`` group,
and every command added with ``@main.command()`` becomes a ``ZhCommand``.
"""

from __future__ import annotations

import sys
from typing import Any

import click

HELP_TEXT = "显示本帮助并退出"
VERSION_TEXT = "显示版本号并退出"
_SECTIONS = {"Options": "选项", "Commands": "命令", "Arguments": "参数"}
_METAVARS = {"text": "文本", "integer": "整数", "directory": "目录", "file": "文件", "path": "路径",
             "datetime": "日期", "float": "数字", "boolean": "是/否"}


# click's usage errors, most common first; anything else is shown as click words it.
_ERRORS = [
    (r"^No such command '(.+)'\.$", r"没有“\1”这个命令"),
    (r"^No such option:? '?([^'\s]+)'?\.?(?:\s*Did you mean (.+)\?)?$", r"没有选项 \1"),
    (r"^Option '(.+)' requires an argument\.$", r"选项 \1 后面要写一个值"),
    (r"^Missing argument '(.+)'\.(?:\s*Choose from:\s*(.+))?$", r"缺少参数 \1"),
    (r"^Missing option '(.+)'\.$", r"缺少选项 \1"),
    (r"^Got unexpected extra arguments? \((.+)\)$", r"多出了参数：\1"),
    (r"^Invalid value for '(.+)': '(.+)' is not a valid integer\.$", r"\1 的取值“\2”不是整数"),
    (r"^Invalid value for '(.+)': '(.+)' is not one of (.+)\.$", r"\1 的取值“\2”无效，应为 \3 之一"),
    (r"^Invalid value for '(.+)': '(.+)' does not match the formats? (.+)\.$", r"\1 的取值“\2”格式不对，应为 \3"),
    (r"^Invalid value for '(.+)': (.+)$", r"\1 的取值无效（\2）"),
]


def chinese_error(message: str) -> str:
    """click's English usage error in Chinese (unknown ones unchanged)."""
    import re

    text = " ".join(message.split())
    for pattern, repl in _ERRORS:
        m = re.match(pattern, text, re.S)
        if m:
            out = m.expand(repl)
            if "Did you mean" in text and m.lastindex and m.lastindex >= 2 and m.group(2):
                out += f"，是不是要写 {m.group(2)}？"
            return out
    return message


class ZhFormatter(click.HelpFormatter):
    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        super().write_usage(prog, args, prefix="用法：" if prefix is None else prefix)

    def write_heading(self, heading: str) -> None:
        self.write(f"{'':>{self.current_indent}}{_SECTIONS.get(heading, heading)}：\n")


class ZhContext(click.Context):
    formatter_class = ZhFormatter


def _chinese_metavars(params: list[click.Parameter]) -> None:
    for p in params:
        if not isinstance(p, click.Option) or p.is_flag or p.count:
            continue
        if p.metavar is None and not isinstance(p.type, click.Choice):
            kind = p.type.name if not isinstance(p.type, click.Path) else (
                "directory" if not p.type.file_okay else "file" if not p.type.dir_okay else "path")
            if kind in _METAVARS:
                p.metavar = _METAVARS[kind]


class _Zh:
    """Chinese option placeholders and help option text, for commands and groups."""

    context_class = ZhContext

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("options_metavar", "[选项]")
        super().__init__(*args, **kwargs)  # type: ignore[call-arg]
        _chinese_metavars(self.params)  # type: ignore[attr-defined]

    def get_help_option(self, ctx: click.Context) -> click.Option | None:
        opt = super().get_help_option(ctx)  # type: ignore[misc]
        if opt is not None:
            opt.help = HELP_TEXT
        return opt


class ZhCommand(_Zh, click.Command):
    pass


class ZhGroup(_Zh, click.Group):
    command_class = ZhCommand

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("subcommand_metavar", "命令 [参数]...")
        super().__init__(*args, **kwargs)

    def main(self, args: Any = None, prog_name: str | None = None, complete_var: str | None = None,
             standalone_mode: bool = True, **extra: Any) -> Any:
        """click's standalone handling, with the frame of its error messages in Chinese."""
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode, **extra)
        try:
            rv = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except click.UsageError as exc:
            if exc.ctx is not None:
                click.echo(exc.ctx.get_usage(), err=True)
            path = exc.ctx.command_path if exc.ctx is not None else (prog_name or "kb")
            click.echo(f"请运行“{path} -h”查看帮助。\n", err=True)
            click.echo(f"错误：{chinese_error(exc.format_message())}", err=True)
            sys.exit(exc.exit_code)
        except click.ClickException as exc:
            click.echo(f"错误：{exc.format_message()}", err=True)
            sys.exit(exc.exit_code)
        except click.Abort:
            click.echo("已中止", err=True)
            sys.exit(1)
        sys.exit(rv if isinstance(rv, int) else 0)
