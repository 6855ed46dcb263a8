"""Template placeholders left in an entry body (``kb new`` writes them).

The ``kb new`` templates (``kb/cli/templates``) prompt for content with
bracketed hints such as “（为什么做）”. An entry still holding one is not
finished: ``kb check`` and the build report it as an error at its line.
``tests/test_cli.py`` checks that every hint of the templates is listed here.
"""

from __future__ import annotations

from kb.problems import Problems

PLACEHOLDERS = (
    "（为什么做）", "（做了什么）", "（取得了什么效果）", "（其他单位可以借鉴什么）",
    "（在此概括条文内容）", "（在此概括文件的主要内容：制定背景、主要措施、适用范围。）",
    "（开头概述）", "（工作事项）", "（工作内容和成效）", "（问题）", "（问题描述）", "（工作计划）", "（计划内容）",
)


def check(rel: str, body: str, body_line: int, problems: Problems) -> None:
    """One error per body line that still holds a template placeholder."""
    for offset, line in enumerate(body.splitlines()):
        found = [p for p in PLACEHOLDERS if p in line]
        if found:
            problems.add(rel, body_line + offset, "正文",
                         f"模板占位文字“{found[0]}”尚未替换，请改写为实际内容或删除这一行")
