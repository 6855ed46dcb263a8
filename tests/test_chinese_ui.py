"""Chinese wherever a reader or a contributor looks: built pages and every ``kb`` help screen."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import ROOT, run_kb

# Words of the theme's and click's own English interface (not entry content).
ENGLISH_UI = ("Not found", "Permanent link", "Show this message", "Show the version", "Usage:", "Options:",
              "Commands:", "[OPTIONS]", "Error:", "Try '")
COMMANDS = ([], ["check"], ["new"], ["schema"], ["import"], ["publish"], ["serve"])


@pytest.mark.parametrize("args", COMMANDS, ids=lambda a: " ".join(a) or "kb")
def test_every_help_screen_is_in_chinese(args):
    for flag in ("-h", "--help"):
        r = run_kb([*args, flag], ROOT)
        assert r.returncode == 0, r.stderr
        assert "用法：kb" in r.stdout and "显示本帮助并退出" in r.stdout
        assert [w for w in ENGLISH_UI if w in r.stdout] == []
        # no click type names as metavars (TEXT, INTEGER, DIRECTORY…)
        assert not re.search(r"\b(TEXT|INTEGER|DIRECTORY|FILENAME|BOOLEAN)\b", r.stdout), r.stdout


@pytest.mark.parametrize("args, message", [
    (["no-such-command"], "错误：没有“no-such-command”这个命令"),
    (["check", "--bogus"], "错误：没有选项 --bogus"),
    (["check", "--root"], "错误：选项 --root 后面要写一个值"),
    (["check", "extra"], "错误：多出了参数：extra"),
    (["new"], "错误：缺少参数 TYPE"),
    (["new", "case", "--year", "x"], "错误：--year 的取值“x”不是整数"),
    (["new", "memo"], "错误：TYPE 的取值“memo”无效"),
])
def test_usage_errors_are_in_chinese(args, message):
    r = run_kb(args, ROOT)
    assert r.returncode == 2
    assert message in r.stderr
    assert "请运行“kb" in r.stderr and "查看帮助" in r.stderr
    assert [w for w in ENGLISH_UI if w in r.stderr] == []
    assert not re.search(r"\b(Invalid value|No such|Missing|requires an argument|unexpected)\b", r.stderr)


def test_no_built_page_shows_english_interface_words(sample_site: Path):
    pages = list(sample_site.rglob("*.html"))
    assert len(pages) > 50
    found = {}
    for page in pages:
        text = page.read_text(encoding="utf-8")
        hits = [w for w in ("Not found", "Permanent link") if w in text]
        if hits:
            found[page.relative_to(sample_site).as_posix()] = hits
    assert found == {}
    page_404 = (sample_site / "404.html").read_text(encoding="utf-8")
    assert "页面不存在" in page_404
    assert 'title="本节链接"' in (sample_site / "guide" / "index.html").read_text(encoding="utf-8")


@pytest.mark.slow
def test_build_messages_are_in_chinese(law_site):
    from conftest import law_log

    stderr = law_log(law_site)  # what `mkdocs build --strict` of a copy of the project printed
    assert "网站生成完毕，用时" in stderr and "生成网站到目录：" in stderr
    assert "Documentation built" not in stderr and "Building documentation" not in stderr
    assert "end of life" not in stderr
