"""Hostile and broken input: escaped everywhere, clear path:line errors, no
traceback, no hang; property-based fuzzing of the loader and the citation linker."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import case, copy_project, mkdocs_build
from kb.analysis import citations
from kb.source.loader import MAX_ENTRY_BYTES, decode, parse_entry
from kb.model.knowledge import KnowledgeBase
from kb.problems import Problems

XSS = ['<script>alert("x1")</script>', '"><img src=x onerror=alert(2)>', "<b>粗体x3</b>", "a&b<i>x4</i>"]
RAW_MARKUP = re.compile(r'<script>alert\("x1"\)|<img src=x onerror|<b>粗体x3</b>|<i>x4</i>')


def problems(tree) -> list[str]:
    return [str(p) for p in KnowledgeBase.load(tree.root, audience="all").problems.errors]


# -- HTML in front matter -------------------------------------------------------------

HOSTILE_REG = f"""---
id: hostile-reg
type: regulation
title: {json.dumps("条例" + XSS[0], ensure_ascii=False)}
issuer: {json.dumps(XSS[1], ensure_ascii=False)}
doc_number: {json.dumps(XSS[2], ensure_ascii=False)}
status: in-force
promulgated: 2021-01-01
aliases: [{json.dumps(XSS[3], ensure_ascii=False)}]
areas: [religion]
tags: [{json.dumps(XSS[2], ensure_ascii=False)}, {json.dumps(XSS[1], ensure_ascii=False)}]
source: {json.dumps(XSS[3], ensure_ascii=False)}
summary: {json.dumps("摘要" + XSS[1], ensure_ascii=False)}
audience: public
---
**第一条** 条文。
"""

HOSTILE_REPORT = f"""---
id: hostile-report
type: report
title: {json.dumps("报告" + XSS[2], ensure_ascii=False)}
unit: {json.dumps(XSS[0], ensure_ascii=False)}
year: 2022
period: 年度
level: 市
areas: [religion]
tags: [{json.dumps(XSS[3], ensure_ascii=False)}]
---
## 一、工作成效

依照《{"条例" + XSS[0]}》第一条开展工作。
"""


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory) -> Path:
    project = copy_project(tmp_path_factory.mktemp("hostile") / "p")
    (project / "data" / "regulations" / "hostile-reg.md").write_text(HOSTILE_REG, encoding="utf-8")
    (project / "data" / "reports" / "hostile-report.md").write_text(HOSTILE_REPORT, encoding="utf-8")
    site = project / "site"
    r = mkdocs_build(project, site)
    assert r.returncode == 0, r.stderr
    return site


@pytest.mark.slow
def test_front_matter_markup_is_escaped_in_every_page_and_json(hostile_site):
    checked = 0
    for path in sorted(hostile_site.rglob("*")):
        if path.suffix in (".html", ".json", ".xml"):
            text = path.read_text(encoding="utf-8")
            assert not RAW_MARKUP.search(text), path
            checked += 1
    assert checked > 50
    page = (hostile_site / "regulations/hostile-reg/index.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(" in page  # shown as text, not dropped
    exported = json.loads((hostile_site / "entries.json").read_text(encoding="utf-8"))
    titles = {e["id"]: e["title"] for e in exported["entries"]}
    assert titles["hostile-reg"] == "条例" + XSS[0]  # the JSON still decodes to the original


@pytest.mark.parametrize("bad_id", ["a/b", "a\\b", "..", "../etc", "a..b", "条例", "café", "a b", "-a", "A"])
def test_unsafe_ids_are_rejected(tree, bad_id):
    tree.write("cases/x.md", case(id=json.dumps(bad_id, ensure_ascii=False)))
    (msg,) = problems(tree)
    assert msg.startswith("data/cases/x.md:2: id: ") and "不是有效的 id" in msg


# -- broken files ---------------------------------------------------------------------


def test_alias_bomb_is_refused_quickly(tree):
    lines = ["---", "id: bomb", "type: case", 'a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for i in range(1, 12):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]")
    lines += ["---", "正文", ""]
    tree.write("cases/bomb.md", "\n".join(lines))
    (msg,) = problems(tree)
    assert msg.startswith("data/cases/bomb.md:4: -: ") and "锚点" in msg  # the anchored value's line


def test_ten_megabyte_entry_is_refused(tree):
    big = case(id="big").lstrip("\n") + ("统战工作" * 300 + "\n") * (10 * 1024 * 1024 // 3600)
    tree.write("cases/big.md", big)
    assert len((tree.root / "data/cases/big.md").read_bytes()) > MAX_ENTRY_BYTES
    (msg,) = problems(tree)
    assert msg.startswith("data/cases/big.md:1: -: 文件过大")


def test_invalid_utf8_and_gbk_name_their_line(tree):
    tree.write_bytes("cases/bad.md", case(id="bad").lstrip("\n").encode("utf-8").replace(b"\xe6\xa1\x88", b"\xff\xfe", 1))
    tree.write_bytes("cases/gbk.md", case(id="gbk").lstrip("\n").encode("gbk"))
    msgs = problems(tree)
    assert msgs[0].startswith("data/cases/bad.md:4: -: 文件不是有效的 UTF-8 编码")
    assert msgs[1].startswith("data/cases/gbk.md:4: -: 文件不是有效的 UTF-8 编码") and "GBK" in msgs[1]


def test_bom_crlf_and_lone_cr_are_handled(tree):
    text = case(id="crlf").lstrip("\n")
    tree.write_bytes("cases/a.md", b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode("utf-8"))
    tree.write_bytes("cases/b.md", text.replace("crlf", "cr").replace("\n", "\r").encode("utf-8"))
    kb = KnowledgeBase.load(tree.root, audience="all")
    assert kb.problems.errors == [] and sorted(e.id for e in kb.entries) == ["cr", "crlf"]


def test_tab_indentation_is_a_clear_error(tree):
    tree.write("cases/tab.md", "---\nid: tab\ntype: case\nsections:\n\tx: 1\n---\n正文\n")
    (msg,) = problems(tree)
    assert msg.startswith("data/cases/tab.md:") and "制表符" in msg


def test_control_characters_and_nul(tree):
    tree.write_bytes("cases/nul.md", case(id="nul").lstrip("\n").replace("示例案例", "示例\x00案例").encode("utf-8"))
    (msg,) = problems(tree)
    assert msg.startswith("data/cases/nul.md:4: -: ") and "控制字符" in msg


# -- fuzzing --------------------------------------------------------------------------

LINE = re.compile(r"^data/f\.md:\d+: \S+: .+")
yaml_chars = st.sampled_from(list("abc:-[]{}&*!|>'\"#%@` \t\n\r\\,?0123456789") + ["统战", "《", "》", "\ufeff", "\x00", "---"])


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(yaml_chars, max_size=80).map("".join), st.text(max_size=200))
@pytest.mark.slow
def test_fuzz_parse_entry_never_raises(front, body):
    """What read_entry does with a file's bytes: decode (BOM, CR/CRLF), then parse."""
    problems = Problems()
    raw = ("---\n" + front + "\n---\n" + body).encode("utf-8", errors="surrogatepass")
    text = decode(raw, "data/f.md", problems)
    if text is None:
        assert len(problems.errors) == 1 and LINE.match(str(problems.errors[0]))
        return
    doc = parse_entry(text, Path("f.md"), "data/f.md", problems)
    assert (doc is None) == bool(problems.errors)
    for p in problems.errors:
        assert LINE.match(str(p)), str(p)
        assert 1 <= p.line <= text.count("\n") + 1


field_value = st.one_of(st.text(max_size=30), st.integers(), st.none(), st.booleans(), st.lists(st.text(max_size=8), max_size=3))


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.sampled_from(["id", "type", "title", "areas", "unit", "year", "tags", "audience",
                                        "report", "issuer", "status", "promulgated", "sections", "x"]),
                       field_value, max_size=10))
def test_fuzz_front_matter_fields_give_line_errors(tmp_path_factory, fields):
    root = tmp_path_factory.mktemp("fz")
    (root / "data").mkdir()
    (root / "data" / "areas.yml").write_text("religion:\n  name: 宗教\n  keywords: [宗教]\n", encoding="utf-8")
    (root / "data" / "f.md").write_text("---\n" + json.dumps(fields, ensure_ascii=False) + "\n---\n正文\n",
                                        encoding="utf-8")
    kb = KnowledgeBase.load(root, audience="all")
    assert len(kb.entries) + (1 if kb.problems.errors else 0) >= 1
    for p in kb.problems.errors:
        assert LINE.match(str(p)), str(p)


cite_text = st.lists(st.one_of(
    st.sampled_from(["《宗教事务条例》", "《宗教事務條例》第三十六条", "《条例》", "《某办法》第一条之二第三款",
                     "《", "》", "`", "```\n", "<a href='x'>", "</a>", "[《宗教事务条例》](x)", "<!--", "-->",
                     "\n", "\n## 标题\n", "第", "条"]),
    st.text(max_size=10)), max_size=40).map("".join)


@pytest.fixture(scope="module")
def cite_kb(tmp_path_factory):
    from conftest import ROOT
    return KnowledgeBase.load(ROOT, audience="all")


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cite_text)
def test_fuzz_citation_linker(cite_kb, body):
    """Any body: the scan never raises, spans are ordered and exact, and rendering
    with the identity link gives back the body unchanged."""
    from dataclasses import replace
    base = next(e for e in cite_kb.entries if e.type == "case")
    e = replace(base, doc=replace(base.doc, body=body), sections=[])
    titles = citations.TitleIndex([d for d in cite_kb.entries if d.type in ("regulation", "policy")], cite_kb.families)
    found = citations._scan(e, titles, cite_kb.structures, cite_kb.by_id, Problems())
    last = 0
    for c in found:
        assert last <= c.start < c.end <= len(body) and body[c.start:c.end] == c.text
        assert c.text.startswith("《")
        last = c.end
    assert citations.render(body, found, lambda c: c.text) == body
    rendered = citations.render(body, found, lambda c: "@@" if c.target else None)
    assert rendered.count("@@") == sum(1 for c in found if c.target) + body.count("@@")


# -- strict headers -------------------------------------------------------------------


def test_duplicate_header_key_is_an_error_naming_both_lines(tree):
    """PyYAML keeps the last of two equal keys: a restricted entry would be published."""
    text = case(id="dup").lstrip("\n").replace("type: case\n", "type: case\naudience: restricted\n")
    text = text.replace("year: 2023\n", "year: 2023\naudience: public\n")
    tree.write("cases/dup.md", text)
    (msg,) = problems(tree)
    assert msg.startswith("data/cases/dup.md:9: audience: ") and "第 4 行和第 9 行" in msg
    kb = KnowledgeBase.load(tree.root, audience="public")
    assert kb.entries == []


def test_duplicate_nested_key_is_an_error(tree):
    text = case(id="dupn").lstrip("\n").replace("year: 2023\n", "year: 2023\nsections:\n  背景: {category: 工作成效}\n"
                                                                "  背景: {category: 存在问题}\n")
    tree.write("cases/dupn.md", text)
    (msg,) = problems(tree)
    assert msg.startswith("data/cases/dupn.md:10: sections.背景: ") and "第 9 行和第 10 行" in msg


@pytest.mark.parametrize("escaped, code", [(r"\x9b", "009B"), (r"\x85", "0085"), (r"\0", "0000"),
                                           (r"\x1b", "001B"), (r"\x7f", "007F")])
def test_control_characters_in_a_field_are_errors_with_the_line(tree, escaped, code):
    """Escapes in double-quoted YAML let through what the YAML reader refuses raw."""
    tree.write("cases/c1.md", case(id="c1", title=f'"示例{escaped}案例"'))
    (msg,) = problems(tree)
    assert msg.startswith("data/cases/c1.md:4: title: ") and f"U+{code}" in msg


def test_raw_c1_control_in_title_is_an_error(tree):
    tree.write("cases/nel.md", case(id="nel", title="示例\x85案例"))
    (msg,) = problems(tree)
    assert msg.startswith("data/cases/nel.md:4: -: ") and "U+0085" in msg


def test_nul_in_body_is_an_error_at_its_line(tree):
    tree.write("cases/nulbody.md", case(id="nulbody").replace("正文。", "正文\x00。"))
    (msg,) = problems(tree)
    assert msg.startswith("data/cases/nulbody.md:11: -: ") and "空字符" in msg


# -- only regular files inside the project --------------------------------------------


def test_symlink_outside_the_project_is_refused(tree, tmp_path):
    secret = tmp_path / "outside" / "secret.md"
    secret.parent.mkdir()
    secret.write_text(case(id="secret-case").lstrip("\n").replace("year: 2023", "year: 2023\naudience: public"),
                      encoding="utf-8")
    (tree.root / "data" / "cases").mkdir(parents=True)
    (tree.root / "data" / "cases" / "x.md").symlink_to(secret)
    (msg,) = problems(tree)
    assert msg.startswith("data/cases/x.md:1: -: ") and "项目目录之外" in msg
    assert KnowledgeBase.load(tree.root, audience="public").entries == []


def test_symlink_inside_the_project_is_read(tree):
    target = tree.write("cases/real.md", case(id="real"))
    (tree.root / "data" / "cases" / "alias.md").symlink_to(target)
    msgs = problems(tree)  # read twice: the id is reported as a duplicate, not refused as a link
    assert not any("符号链接" in m for m in msgs) and any("real" in m for m in msgs)


def test_device_file_is_refused_without_traceback(tree):
    (tree.root / "data" / "x.md").symlink_to("/dev/zero")
    (msg,) = problems(tree)
    assert msg.startswith("data/x.md:1: -: ") and "项目目录之外" in msg


def test_fifo_named_like_an_entry_does_not_hang(tree):
    import os
    import time
    os.mkfifo(tree.root / "data" / "x.md")
    start = time.monotonic()
    (msg,) = problems(tree)
    assert time.monotonic() - start < 10
    assert msg.startswith("data/x.md:1: -: ") and "不是普通文件" in msg


@pytest.mark.parametrize("name", ["x.MD", "x.markdown", "x.md "])
def test_files_that_look_like_entries_are_reported(tree, name):
    tree.write(f"cases/{name}", case(id="odd"))
    (msg,) = problems(tree)
    assert msg.startswith(f"data/cases/{name}:1: -: ") and "不会被收录" in msg


def test_raw_c1_csi_in_title_is_an_error(tree):
    tree.write("cases/csi.md", case(id="csi", title="示例\x9b案例"))
    (msg,) = problems(tree)
    assert msg.startswith("data/cases/csi.md:4: -: ") and "U+009B" in msg


# -- docs/: only regular files of the project -----------------------------------------


@pytest.fixture
def docs_project(tmp_path):
    project = copy_project(tmp_path / "p")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("zqoutsidesecret\n", encoding="utf-8")
    return project, outside


def _built_files(site: Path) -> str:
    return "\n".join(p.read_text(encoding="utf-8", errors="replace") for p in site.rglob("*")
                     if p.is_file() and p.suffix in (".txt", ".html", ".md", ""))


@pytest.mark.slow
def test_docs_symlink_to_a_file_outside_stops_the_build(docs_project):
    project, outside = docs_project
    (project / "docs" / "assets" / "p.txt").symlink_to(outside / "secret.txt")
    site = project / "site"
    r = mkdocs_build(project, site)
    assert r.returncode != 0
    assert "docs/assets/p.txt: 是指向项目目录之外的符号链接" in r.stderr and "Traceback" not in r.stderr
    assert not site.exists() or "zqoutsidesecret" not in _built_files(site)


@pytest.mark.slow
def test_docs_symlinked_directory_outside_stops_the_build(docs_project):
    project, outside = docs_project
    (project / "docs" / "assets" / "etc").symlink_to(outside, target_is_directory=True)
    site = project / "site"
    r = mkdocs_build(project, site)
    assert r.returncode != 0 and "docs/assets/etc: 是指向项目目录之外的目录链接" in r.stderr
    assert not site.exists() or "zqoutsidesecret" not in _built_files(site)


def test_docs_tree_check_names_devices_fifos_and_loops(tmp_path):
    import os
    from kb.source.files import tree_problems

    docs = tmp_path / "docs"
    (docs / "sub").mkdir(parents=True)
    (docs / "ok.md").write_text("# 好\n", encoding="utf-8")
    (docs / "inside.md").symlink_to(docs / "ok.md")
    (docs / "zero.md").symlink_to("/dev/zero")
    os.mkfifo(docs / "fifo.md")
    (docs / "sub" / "loop").symlink_to(docs, target_is_directory=True)
    assert tree_problems(docs, tmp_path) == [
        "docs/fifo.md: 不是普通文件（设备文件、命名管道或套接字），已拒绝",
        "docs/zero.md: 是指向项目目录之外的符号链接，已拒绝（只能收录项目中的文件）",
        "docs/sub/loop: 目录链接指向它自己所在的目录，会无限循环，已拒绝",
    ]


def test_on_files_refuses_docs_files_that_leave_the_project(docs_project):
    """What MkDocs hands over in on_files is checked again (theme files aside)."""
    from mkdocs.structure.files import File, Files

    from kb.source.files import listed_problems

    project, outside = docs_project
    docs = project / "docs"
    (docs / "assets" / "p.txt").symlink_to(outside / "secret.txt")
    theme_file = File("x.css", str(outside), str(project / "site"), True)  # not from docs/: not ours to judge
    files = Files([File("assets/p.txt", str(docs), str(project / "site"), True),
                   File("assets/kb.css", str(docs), str(project / "site"), True), theme_file])
    assert listed_problems((f.abs_src_path for f in files), docs, project) == [
        "docs/assets/p.txt: 是指向项目目录之外的符号链接，已拒绝（只能收录项目中的文件）"]


def test_fifo_as_areas_file_does_not_hang(tree):
    import os
    (tree.root / "data" / "areas.yml").unlink()
    os.mkfifo(tree.root / "data" / "areas.yml")
    msgs = problems(tree)
    assert msgs and msgs[0].startswith("data/areas.yml:1: -: ") and "不是普通文件" in msgs[0]


def test_directory_link_under_data_is_reported(tree, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.md").write_text(case(id="secret"), encoding="utf-8")
    (tree.root / "data" / "cases").symlink_to(outside, target_is_directory=True)
    (msg,) = problems(tree)
    assert msg.startswith("data/cases:1: -: ") and "目录链接" in msg
    assert KnowledgeBase.load(tree.root, audience="all").entries == []
