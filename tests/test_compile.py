"""汇编 (kb compile): selection, the Word document read back with python-docx, the
print page, audience, atomic no-overwrite writes, and the site's “生成汇编” links."""

from __future__ import annotations

import datetime as dt
import re

import docx
import pytest

from kb.analysis import articles
from kb.compile import run, selection
from kb.compile.selection import Selection, SelectionError
from kb.model.knowledge import KnowledgeBase
from kb.site.pages import Generator

from conftest import ROOT, run_kb

ARTICLE_RE = re.compile(r"^第[零〇一二三四五六七八九十百千0-9]+条(之[一二三四五六七八九十]+)?(\s|\u3000|$)")
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return KnowledgeBase.load(ROOT, audience="all").restricted_to("internal")


def headings(d, level: int) -> list[str]:
    return [p.text for p in d.paragraphs if p.style.name == f"Heading {level}"]


def article_paragraphs(d) -> list[str]:
    """Paragraphs that start with a bold 第X条 label (how an article reads in the document)."""
    return [p.text for p in d.paragraphs if p.runs and p.runs[0].bold and ARTICLE_RE.match(p.text)]


def test_kb_compile_religion_regulations_and_policies(kb, tmp_path):
    ran = run_kb(["compile", "--root", ROOT, "--area", "religion", "--type", "regulation,policy",
                  "--date", "2026-11-30"], cwd=tmp_path)
    assert ran.returncode == 0, ran.stderr
    path = tmp_path / "宗教工作法规、政策文件汇编.docx"
    assert f"已生成 {path.name}" in ran.stdout and "收录 7 个条目" in ran.stdout
    expected = selection.select(kb, Selection(areas=("religion",), types=("regulation", "policy")))
    assert [e.type for e in expected] == ["regulation"] * 6 + ["policy"]

    d = docx.Document(str(path))
    cover = [p.text for p in d.paragraphs[:12] if p.text]
    assert cover[:4] == ["宗教工作法规、政策文件汇编", "工作领域：宗教工作；类型：法规、政策文件", "共收录 7 个条目", "2026年11月30日"]
    assert headings(d, 1) == [e.label for e in expected]
    assert "宗教事务条例（2004年）" in headings(d, 1) and "第一章 总则" in headings(d, 2)
    # A real table of contents field (Word fills in the page numbers), refreshed on opening.
    instr = [el.text for el in d.element.body.iter(f"{W}instrText")]
    assert instr == [' TOC \\o "1-3" \\h \\z \\u ']
    assert d.settings.element.find(f"{W}updateFields").get(f"{W}val") == "true"
    # One metadata table per entry, first of all tables in entry order.
    meta = [t for t in d.tables if t.rows[0].cells[0].text == "类型"]
    assert len(meta) == 7
    rows = {r.cells[0].text: r.cells[1].text for r in meta[[e.id for e in expected].index("zongjiao-shiwu-tiaoli-2017")].rows}
    assert rows["发文字号"] == "国务院令第686号" and rows["时效性"] == "现行有效" and rows["公布日期"] == "2017-08-26"
    # Every article of every selected document, numbered as written.
    want = sum(len(articles.parse(e.doc.body, e.doc.body_line).articles) for e in expected)
    got = article_paragraphs(d)
    assert len(got) == want and want > 30
    assert any(t.startswith("第三十六条 宗教教职人员经宗教团体认定") for t in got)
    # Citations read as text: 《宗教事务条例》 stays a title, no hyperlink.
    assert not list(d.element.body.iter(f"{W}hyperlink"))
    assert d.core_properties.title == "宗教工作法规、政策文件汇编"
    assert d.core_properties.created == dt.datetime(2026, 11, 30, tzinfo=dt.timezone.utc)


def test_never_overwrites_without_force_and_same_input_same_bytes(tmp_path):
    out = tmp_path / "汇编.docx"
    out.write_bytes(b"keep me")
    args = ["compile", "--root", ROOT, "--ids", "zongjiao-shiwu-tiaoli-2017", "-o", out, "--date", "2026-01-02"]
    ran = run_kb(args, cwd=tmp_path)
    assert ran.returncode == 1 and "已存在，未覆盖（确需覆盖请加 --force）" in ran.stderr
    assert out.read_bytes() == b"keep me"
    assert run_kb(args + ["--force"], cwd=tmp_path).returncode == 0
    first = out.read_bytes()
    assert first.startswith(b"PK") and [p.name for p in tmp_path.iterdir()] == ["汇编.docx"]  # no temp file left
    assert run_kb(args + ["--force"], cwd=tmp_path).returncode == 0
    assert out.read_bytes() == first


def test_print_page_format(tmp_path):
    out = tmp_path / "religion.html"
    ran = run_kb(["compile", "--root", ROOT, "--from-url", "https://kb.example/kb/search/?area=religion&type=regulation&status=in-force",
                  "--format", "html", "-o", out, "--date", "2026-11-30"], cwd=tmp_path)
    assert ran.returncode == 0, ran.stderr
    page = out.read_text(encoding="utf-8")
    toc = re.search(r'<nav class="kb-toc".*?</nav>', page, re.S).group(0)
    assert re.findall(r'<li><a href="#entry-\d+">([^<]+)</a></li>', toc) == [
        "宗教教职人员管理办法", "中国共产党统一战线工作条例", "宗教事务条例（2017年修订）"]
    assert page.count('<article class="kb-item"') == 3 and "2026年11月30日" in page
    assert "<strong>第三十六条</strong>" in page and "break-after: page" in page


def test_selection_from_a_search_url_and_clear_errors(kb):
    sel = selection.from_url("https://kb.example/kb/search/?q=%E5%A4%87%E6%A1%88&area=religion&type=case&year=2021")
    assert sel == Selection(areas=("religion",), types=("case",), years=(2021,), query="备案")
    assert [e.id for e in selection.select(kb, sel)] == ["zongjiao-jiaozhi-renyuan-beian-2021"]
    with pytest.raises(SelectionError, match="不认识的参数 page"):
        selection.from_url("https://kb.example/search/?page=2")
    with pytest.raises(SelectionError, match="--type：不认识的值 law"):
        selection.select(kb, Selection(types=("law",)))
    with pytest.raises(SelectionError, match="--year：“17”不是四位年份"):
        selection.from_options(year="17")


PUBLIC = """
---
id: zz-public-rule
type: regulation
title: 公开的示例规定
issuer: 某区人民政府
status: in-force
promulgated: 2024-01-01
areas: [religion]
audience: {audience}
---
**第一条** 本规定适用于{words}。
"""


def test_a_public_compilation_never_holds_restricted_entries(tree, tmp_path):
    tree.write("regulations/zz-public-rule.md", PUBLIC.format(audience="public", words="全区"))
    tree.write("regulations/zz-internal-rule.md", PUBLIC.format(audience="internal", words="内部事项").replace(
        "zz-public-rule", "zz-internal-rule").replace("公开的示例规定", "内部示例规定"))
    tree.write("regulations/zz-secret-rule.md", PUBLIC.format(audience="restricted", words="机密事项甲乙丙").replace(
        "zz-public-rule", "zz-secret-rule").replace("公开的示例规定", "受限示例规定"))
    out = tmp_path / "pub.docx"
    ran = run_kb(["compile", "--root", tree.root, "--area", "religion", "--audience", "public", "-o", out], cwd=tmp_path)
    assert ran.returncode == 0, ran.stderr
    assert "收录 1 个条目" in ran.stdout and "可见范围：public" in ran.stdout
    d = docx.Document(str(out))
    assert headings(d, 1) == ["公开的示例规定"]
    xml = "".join(p.text for p in d.paragraphs) + "".join(c.text for t in d.tables for r in t.rows for c in r.cells)
    assert "受限" not in xml and "机密事项甲乙丙" not in xml and "内部" not in xml
    # Asking for a hidden entry by id reads exactly like asking for one nobody has.
    hidden = run_kb(["compile", "--root", tree.root, "--ids", "zz-secret-rule", "--audience", "public",
                     "-o", tmp_path / "x.docx"], cwd=tmp_path)
    nobody = run_kb(["compile", "--root", tree.root, "--ids", "zz-nobody-rule", "--audience", "public",
                     "-o", tmp_path / "x.docx"], cwd=tmp_path)
    assert hidden.returncode == nobody.returncode == 2
    assert hidden.stderr.replace("zz-secret-rule", "X") == nobody.stderr.replace("zz-nobody-rule", "X")
    assert not (tmp_path / "x.docx").exists()
    # The full build audience does see it.
    ran = run_kb(["compile", "--root", tree.root, "--area", "religion", "--audience", "all", "-o",
                  tmp_path / "all.docx"], cwd=tmp_path)
    assert "收录 3 个条目" in ran.stdout


def test_site_offers_the_area_compilation_built_with_the_site(sample_site):
    area = (sample_site / "areas" / "religion" / "index.html").read_text(encoding="utf-8")
    link = re.search(r'<p class="kb-compile">.*?</p>', area, re.S).group(0)
    assert 'href="../../compilations/religion.docx"' in link and 'href="../../compilations/religion.html"' in link
    built = (sample_site / "compilations" / "religion.docx").read_bytes()
    # The same bytes as the command makes for the same selection and date (the build's reference date).
    kb = KnowledgeBase.load(ROOT)  # the site's default audience (internal)
    again = run.build(kb, Selection(areas=("religion",), types=("regulation", "policy")), "docx",
                      date=Generator(kb).today).data
    assert built == again
    # An area without regulations or policies offers nothing.
    assert '<p class="kb-compile">' not in (sample_site / "areas" / "self-building" / "index.html").read_text(
        encoding="utf-8")


def test_site_compilation_reused_between_rebuilds_of_one_session(kb, monkeypatch):
    """kb serve: a generator handed the session's memo builds an area's file again only when
    what it shows changed; a generator with its own memo (a new build) builds it."""
    from kb.site import compilations

    calls = []
    real = run.build
    monkeypatch.setattr(run, "build", lambda *a, **k: calls.append(a[1]) or real(*a, **k))
    kept: dict = {}
    first = Generator(kb, kept=kept)
    path, render = next((p, r) for p, r in compilations.static_files(first) if p.endswith(".html"))
    data = render()
    assert len(calls) == 1
    again = dict(compilations.static_files(Generator(kb, kept=kept)))[path]()
    assert again == data and len(calls) == 1  # same entries, same session: reused
    dict(compilations.static_files(Generator(kb)))[path]()
    assert len(calls) == 2  # no memo handed over: built
    later = Generator(kb, kept=kept)
    later.today = later.today + dt.timedelta(days=1)
    dict(compilations.static_files(later))[path]()
    assert len(calls) == 3  # the date printed in it changed: built again
