"""Contributor workflow: git dates, 最近更新, feed.xml, review cycle, edit links,
field reference, editor schema files and the pre-commit hook."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from conftest import ROOT, case, copy_project, mkdocs_build, run_kb
from kb.source import gitinfo
from kb.analysis import review
from kb.model.knowledge import KnowledgeBase
from kb.site.pages import Generator
from kb.site.urls import REVIEW_URI
from kb.problems import Problems
from kb.settings import Settings

ATOM = "{http://www.w3.org/2005/Atom}"
GIT_ENV = {"PATH": "/usr/bin:/bin", "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": "/dev/null"}


def git(cwd: Path, *args: str, author: str = "张三", date: str = "2024-01-10T09:00:00+08:00") -> None:
    env = {**GIT_ENV, "GIT_AUTHOR_NAME": author, "GIT_AUTHOR_EMAIL": "editor@example.cn",
           "GIT_COMMITTER_NAME": author, "GIT_COMMITTER_EMAIL": "editor@example.cn",
           "GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date, "HOME": str(cwd)}
    subprocess.run(["git", "-c", "commit.gpgsign=false", *args], cwd=cwd, env=env, check=True, capture_output=True)


EDITED = "data/cases/minqi-zhuanchang-zhaopinhui-2022.md"


def git_project(dest: Path) -> Path:
    """The sample project in a git repository: everything added on 2024-01-10 by 张三,
    one case changed on 2026-05-01 by 李四."""
    project = copy_project(dest)
    # Display names for two of the three committers the tests use (王五 is not listed).
    (project / "data" / "editors.yml").write_text("张三: 张三\n李四: 李四（民族宗教处）\n", encoding="utf-8")
    git(project, "init", "-q", "-b", "main")
    git(project, "add", "data", "docs", "mkdocs.yml")
    git(project, "commit", "-q", "-m", "初始导入")
    path = project / EDITED
    path.write_text(path.read_text(encoding="utf-8") + "\n补充一段说明。\n", encoding="utf-8")
    git(project, "commit", "-q", "-am", "补充案例", author="李四", date="2026-05-01T15:30:00+08:00")
    return project


@pytest.fixture(scope="module")
def git_site(tmp_path_factory) -> Path:
    project = git_project(tmp_path_factory.mktemp("git") / "p")
    site = project / "site"
    result = mkdocs_build(project, site)
    assert result.returncode == 0, result.stderr
    return site


def text_of(path: Path) -> str:
    """Visible text of a built page's article."""
    html = path.read_text(encoding="utf-8")
    article = re.search(r"<article.*?</article>", html, re.S).group(0)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", article))


# -- git history ---------------------------------------------------------------


def test_parse_log_takes_first_and_last_commit_per_file():
    log = ("\x1e2026-05-01T15:30:00+08:00\x1f李四\x1fli@example.cn\n\ndata/a.md\n"
           "\x1e2024-01-10T09:00:00+08:00\x1f张三\n\ndata/a.md\ndata/b.md\n")
    h = gitinfo.parse_log(log)
    assert h["data/a.md"].updated.date() == dt.date(2026, 5, 1)
    assert h["data/a.md"].created.date() == dt.date(2024, 1, 10)
    assert h["data/a.md"].author == "李四" and not h["data/a.md"].is_new
    assert h["data/a.md"].email == "li@example.cn" and h["data/b.md"].email == ""
    assert h["data/b.md"].author == "张三" and h["data/b.md"].is_new


def test_editor_names_come_from_editors_yml_never_from_git(tmp_path):
    from kb.problems import Problems

    path = tmp_path / "editors.yml"
    path.write_text("Zhang.San@Example.cn: 张三\nlisi: 李四\n", encoding="utf-8")
    editors = gitinfo.read_editors(path, "data/editors.yml", Problems())
    when = dt.datetime(2024, 1, 1, tzinfo=dt.timezone.utc)
    def who(author, email):
        return gitinfo.editor_name(gitinfo.FileHistory(when, when, author, 1, email), editors)
    assert who("zs", "zhang.san@example.cn") == "张三"  # by e-mail, case-insensitive
    assert who("lisi", "x@y") == "李四"  # by git name
    assert who("root", "root@build-host") == ""  # unmapped: no name, never the raw identity
    path.write_text("- 张三\n", encoding="utf-8")
    problems = Problems()
    assert gitinfo.read_editors(path, "data/editors.yml", problems) == {}
    assert "data/editors.yml:1" in str(problems.errors[0])


def test_history_outside_a_repository_is_empty(tree):
    tree.write("cases/a.md", case(id="a"))
    assert gitinfo.read_history(tree.root) == {}


def test_one_git_call_for_a_whole_build(tmp_path, monkeypatch):
    project = git_project(tmp_path / "p")
    calls = []
    real = gitinfo.subprocess.run
    monkeypatch.setattr(gitinfo.subprocess, "run", lambda *a, **k: calls.append(a) or real(*a, **k))
    kb = KnowledgeBase.load(project)
    gen = Generator(kb)
    pages = list(gen.pages()) + list(gen.static_files())
    assert len(pages) > len(kb.entries)
    assert len(calls) == 1
    assert kb.history[EDITED].author == "李四（民族宗教处）"  # the name from data/editors.yml


def test_history_cache_asks_git_again_only_after_a_commit(tmp_path):
    project = git_project(tmp_path / "p")
    cache = gitinfo.HistoryCache()
    first = cache.get(project)
    assert cache.get(project) is first and cache.calls == 1
    (project / EDITED).write_text((project / EDITED).read_text(encoding="utf-8") + "\n再改一句。\n",
                                  encoding="utf-8")
    assert cache.get(project) is first and cache.calls == 1  # saving a file is not a commit
    git(project, "commit", "-q", "-am", "再次修改", author="王五", date="2026-06-01T10:00:00+08:00")
    second = cache.get(project)
    assert cache.calls == 2 and second[EDITED].author == "王五"  # the raw git identity
    assert KnowledgeBase.load(project).history[EDITED].author == ""  # not in editors.yml: no name shown
    assert gitinfo.HistoryCache().get(tmp_path / "elsewhere") == {}


@pytest.mark.slow
def test_entry_pages_show_git_date_author_and_edit_link(git_site):
    edited = (git_site / "cases/minqi-zhuanchang-zhaopinhui-2022/index.html").read_text(encoding="utf-8")
    assert '<time datetime="2026-05-01">2026-05-01</time> · 李四（民族宗教处）' in edited
    assert ('href="https://git.tongzhan.example/kb/kb/edit/main/data/cases/minqi-zhuanchang-zhaopinhui-2022.md"'
            in edited)
    assert ">编辑此页<" in edited
    other = (git_site / "regulations/zongjiao-shiwu-tiaoli-2017/index.html").read_text(encoding="utf-8")
    assert '<time datetime="2024-01-10">2024-01-10</time> · 张三' in other


@pytest.mark.slow
def test_recent_page_lists_the_latest_change_first(git_site):
    text = text_of(git_site / "recent/index.html")
    first_row = re.search(r"日期 条目 类型 变更 修改人 (.*?) 2024-01-10", text).group(1)
    assert "2026-05-01" in first_row and "工商联牵头举办民营企业专场招聘会" in first_row
    assert "修改 李四（民族宗教处）" in first_row
    assert "新增 张三" in text


@pytest.mark.slow
def test_feed_is_valid_atom_with_the_latest_change_first(git_site):
    root = ET.parse(git_site / "feed.xml").getroot()
    assert root.tag == f"{ATOM}feed"
    assert root.find(f"{ATOM}updated").text == "2026-05-01T15:30:00+08:00"
    entries = root.findall(f"{ATOM}entry")
    assert 1 <= len(entries) <= 50
    first = entries[0]
    assert first.find(f"{ATOM}title").text.startswith("工商联牵头举办民营企业专场招聘会")
    assert first.find(f"{ATOM}author/{ATOM}name").text == "李四（民族宗教处）"
    href = first.find(f"{ATOM}link").get("href")
    assert (git_site / href / "index.html").is_file()  # relative to the feed, which is at the site root
    assert len({e.find(f"{ATOM}id").text for e in entries}) == len(entries)


@pytest.mark.slow
def test_review_page_lists_overdue_entries_with_owners(git_site):
    # The build's "today" is the newest change in the data: 2026-05-01.
    text = text_of(git_site / "review/index.html")
    assert "按 2026-05-01 计算" in text
    assert "工商联牵头举办民营企业专场招聘会" in text  # reviewed 2023-09-01, every 24 months
    assert "经济处" in text
    assert "多民族聚居社区" in text  # reviewed 2024-03-15 → due 2026-03-15
    assert "民族宗教处" in text
    assert "促进民营经济发展壮大" not in text  # reviewed 2025-06-30, due 2026-06-30
    assert "中华人民共和国宗教事务条例" not in text or "2026-03-02" not in text
    # Amended / repealed versions are history, never reviewed.
    assert "已废止" not in text and "（2004" not in text


def test_review_page_reference_date_can_be_fixed(tmp_path):
    project = copy_project(tmp_path / "p")  # no git: dates come from the data
    settings = Settings.load(project, Problems(), environ={"KB_TODAY": "2040-01-01"})
    gen = Generator(KnowledgeBase.load(project), settings=settings)
    assert gen.today == dt.date(2040, 1, 1)
    assert "按 2040-01-01 计算" in gen.render_uri(REVIEW_URI)
    problems = Problems()
    Settings.load(project, problems, environ={"KB_TODAY": "2040-02-30"})
    assert [str(p) for p in problems.errors] == ["环境变量 KB_TODAY=“2040-02-30”不是有效日期，应写成 YYYY-MM-DD"]


@pytest.mark.slow
def test_build_without_git_still_has_feed_and_pages(law_site):
    site = law_site  # a copy of the sample project (no git repository) plus one case, built once for the run
    assert not (site.parent / ".git").exists()
    root = ET.parse(site / "feed.xml").getroot()
    assert root.findall(f"{ATOM}entry")
    assert "没有版本库（git）记录" in text_of(site / "recent/index.html")
    page = (site / "cases/minqi-zhuanchang-zhaopinhui-2022/index.html").read_text(encoding="utf-8")
    assert "最后更新" not in page and "编辑此页" in page
    assert (site / "review/index.html").is_file()


def test_no_edit_link_without_repo_url(tree):
    tree.write("cases/a.md", case(id="a"))
    kb = KnowledgeBase.load(tree.root)
    page = Generator(kb, settings=Settings()).render_uri(kb.by_id["a"].src_uri)
    assert "编辑此页" not in page
    page = Generator(kb, settings=Settings(repo_url="https://git.example.cn/x/kb/", edit_path="-/edit/dev/")).render_uri(
        kb.by_id["a"].src_uri)
    assert 'href="https://git.example.cn/x/kb/-/edit/dev/data/cases/a.md"' in page


# -- review cycle --------------------------------------------------------------


def test_add_months_clamps_to_the_end_of_the_month():
    assert review.add_months(dt.date(2024, 1, 31), 1) == dt.date(2024, 2, 29)
    assert review.add_months(dt.date(2023, 11, 15), 14) == dt.date(2025, 1, 15)


REVIEWED_POLICY = """
---
id: {id}
type: policy
title: 测试政策{id}
issuer: 某市委统战部
status: {status}
promulgated: 2020-01-01
areas: [religion]
{extra}
---
正文。
"""


def policy(id, status="in-force", extra=""):
    return REVIEWED_POLICY.format(id=id, status=status, extra=extra)


def test_review_state_counts_from_reviewed_then_from_git(tree):
    tree.write("policies/a.md", policy("a", extra="reviewed: 2025-01-31\nreview_every: 1\nowner: 法规处"))
    tree.write("policies/b.md", policy("b"))
    tree.write("policies/c.md", policy("c", status="repealed", extra="reviewed: 2000-01-01"))
    kb = KnowledgeBase.load(tree.root)
    assert not kb.problems.errors
    defaults = Settings().review_every
    a = review.state(kb.by_id["a"], defaults, {})
    assert (a.every, a.since_kind, a.due) == (1, "reviewed", dt.date(2025, 2, 28))
    added = gitinfo.FileHistory(created=dt.datetime(2024, 6, 1, tzinfo=dt.timezone.utc),
                                updated=dt.datetime(2024, 6, 1, tzinfo=dt.timezone.utc), author="x", commits=1)
    b = review.state(kb.by_id["b"], defaults, {"data/policies/b.md": added})
    assert (b.every, b.since_kind, b.due) == (12, "added", dt.date(2025, 6, 1))
    assert review.state(kb.by_id["b"], defaults, {}).due is None  # no start date known: not overdue
    assert review.state(kb.by_id["c"], defaults, {}) is None  # repealed
    late = review.overdue(kb.entries, defaults, {"data/policies/b.md": added}, dt.date(2025, 7, 1))
    assert [s.entry.id for s in late] == ["a", "b"]


def test_kb_check_warns_about_overdue_entries_with_path_line_and_owner(tree):
    tree.write("policies/a.md", policy("a", extra="reviewed: 2024-03-01\nowner: 法规处"))
    r = run_kb(["check", "--today", "2025-05-01"], tree.root)
    assert r.returncode == 0, r.stderr  # a warning, not an error
    assert re.search(r"data/policies/a\.md:\d+: reviewed: 警告: 已超过复核期限 61 天.*负责人：法规处", r.stderr)
    r = run_kb(["check", "--today", "2025-02-01"], tree.root)
    assert "复核期限" not in r.stderr


def test_review_every_is_validated(tree):
    tree.write("policies/a.md", policy("a", extra="review_every: 0"))
    r = run_kb(["check"], tree.root)
    assert r.returncode == 1
    assert re.search(r"data/policies/a\.md:\d+: review_every: 不能小于 1", r.stderr)


def test_bad_review_defaults_in_mkdocs_yml_are_errors(tree):
    (tree.root / "mkdocs.yml").write_text("site_name: x\nextra:\n  kb:\n    review_every:\n      policy: 十二\n",
                                          encoding="utf-8")
    tree.write("cases/a.md", case(id="a"))
    r = run_kb(["check"], tree.root)
    assert r.returncode == 1
    assert "mkdocs.yml:5: extra.kb.review_every.policy:" in r.stderr  # the line of the mistake
    problems = Problems()
    s = Settings.from_mapping({"extra": {"kb": {"review_every": {"case": 0, "report": 6}}}}, problems)
    assert not problems and "case" not in s.review_every and s.review_every["report"] == 6


# -- field reference and editor files ------------------------------------------


@pytest.mark.slow
def test_field_page_covers_every_schema_field(law_site):
    from kb.schema.models import json_schema

    html = (law_site / "guide/fields/index.html").read_text(encoding="utf-8")
    schema = json_schema()
    for model in schema["$defs"].values():
        for name in model["properties"]:
            assert f"<code>{name}</code>" in html, name
    assert "现行有效" in html and "hk-macao-taiwan-overseas" in html
    ids = re.findall(r'id="(field-[^"]+)"', html)
    assert len(ids) == len(set(ids))
    nav = (law_site / "index.html").read_text(encoding="utf-8")
    assert "guide/fields/" in nav


@pytest.mark.parametrize("path,flag", [("schema/entry.schema.json", []), (".vscode/kb.code-snippets", ["--snippets"])])
def test_committed_editor_files_match_the_models(path, flag):
    r = run_kb(["schema", *flag, "--check", path], ROOT)
    assert r.returncode == 0, r.stderr


def test_schema_check_fails_on_a_stale_file(tmp_path):
    stale = tmp_path / "old.json"
    stale.write_text("{}\n", encoding="utf-8")
    r = run_kb(["schema", "--check", str(stale)], ROOT)
    assert r.returncode == 1 and "重新生成" in r.stderr


def test_snippets_offer_the_required_fields_and_choices():
    snippets = json.loads((ROOT / ".vscode/kb.code-snippets").read_text(encoding="utf-8"))
    body = "\n".join(next(s for s in snippets.values() if "kb-case" in s["prefix"])["body"])
    for field in ("id:", "type: case", "title:", "areas:", "unit:", "year:"):
        assert field in body
    assert "religion" in body
    remarkrc = (ROOT / ".remarkrc.mjs").read_text(encoding="utf-8")
    assert "./schema/entry.schema.json" in remarkrc and "./data/**/*.md" in remarkrc


# -- pre-commit ----------------------------------------------------------------


@pytest.mark.slow
def test_pre_commit_runs_kb_check_and_blocks_a_broken_entry(tmp_path):
    project = copy_project(tmp_path / "p")
    shutil.copy(ROOT / ".pre-commit-config.yaml", project)
    shutil.copytree(ROOT / "schema", project / "schema")
    (project / ".venv").symlink_to(Path(sys.executable).parent.parent)
    git(project, "init", "-q", "-b", "main")
    git(project, "add", "-A")
    env = {**GIT_ENV, "HOME": str(tmp_path), "PRE_COMMIT_HOME": str(tmp_path / "pc")}
    pre_commit = [sys.executable, "-m", "pre_commit", "run", "--all-files"]
    ok = subprocess.run(pre_commit, cwd=project, env=env, capture_output=True, text=True)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "kb check" in ok.stdout
    broken = project / "data/cases/broken.md"
    broken.write_text(case(id="broken").replace("year: 2023", "year: 去年").lstrip("\n"), encoding="utf-8")
    git(project, "add", "-A")
    bad = subprocess.run(pre_commit, cwd=project, env=env, capture_output=True, text=True)
    assert bad.returncode != 0
    assert "data/cases/broken.md:7: year:" in bad.stdout
