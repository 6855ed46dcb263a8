"""kb import: plain text in several encodings, HTML pages and Word .docx files."""

from __future__ import annotations

from pathlib import Path

import pytest

from kb.importer.pipeline import import_file
from kb.importer.reading import ReadError, read_blocks
from kb.source.loader import read_taxonomy
from kb.problems import Problems

from conftest import ROOT

TEXT = """某县委统战部2021年度工作总结
一、主要工作
（一）民族宗教工作
全县开展民族团结进步创建，指导宗教活动场所落实安全管理制度。
（二）服务民营企业
走访民营企业32家，支持商会开展光彩事业。
二、存在问题
（一）统战干部队伍偏弱
乡镇统战委员均为兼职，统战干部培训不足。
"""


def keywords() -> dict[str, list[str]]:
    tax = read_taxonomy(ROOT / "data" / "areas.yml", ROOT, Problems())
    return {s: a["keywords"] for s, a in tax.areas.items()}


def texts(path: Path) -> list[str]:
    return [b.text for b in read_blocks(path) if b.text.strip()]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030", "utf-16"])
def test_text_encodings_are_detected(tmp_path, encoding):
    src = tmp_path / f"report-{encoding}.txt"
    src.write_bytes(TEXT.encode(encoding))
    assert texts(src) == [line for line in TEXT.split("\n") if line]


def test_gb18030_only_characters(tmp_path):
    text = TEXT + "（三）少数民族服务\n为㐀姓群众办理事项，服务少数民族群众。\n"  # 㐀 is outside GBK
    src = tmp_path / "r.txt"
    src.write_bytes(text.encode("gb18030"))
    assert "为㐀姓群众办理事项，服务少数民族群众。" in texts(src)


def test_import_of_gbk_text_gives_sections(tmp_path):
    src = tmp_path / "r.txt"
    src.write_bytes(TEXT.replace("\n", "\r\n").encode("gbk"))
    r = import_file(src, tmp_path, keywords())
    assert [s.heading for s in r.sections] == ["一、主要工作", "（一）民族宗教工作", "（二）服务民营企业", "二、存在问题",
                                               "（一）统战干部队伍偏弱"]
    assert (r.meta.year, r.meta.period, r.meta.level) == (2021, "年度", "区县")


PAGE = """<!DOCTYPE html>
<html><head><meta http-equiv="Content-Type" content="text/html; charset=gbk">
<title>某县委统战部2021年度工作总结_某某范文网</title>
<script>var x = "一、不是正文";</script><style>p { color: red }</style></head>
<body>
<div class="top-nav"><a href="/">首页</a> <a href="/zj/">工作总结</a></div>
<div class="breadcrumb">当前位置：<a href="/">首页</a> &gt; <a href="/zj/">工作总结</a> &gt; 正文</div>
<div class="content">
<h1>某县委统战部2021年度工作总结</h1>
<p class="info">来源：某县委统战部 编辑：某某 发布时间：2022-01-10</p>
<p>2021年，县委统战部在县委领导下，围绕中心工作开展统战工作，现总结如下。</p>
<h2>一、主要工作</h2>
<h3>（一）民族宗教工作</h3>
<p>全县开展民族团结进步创建，<b>指导</b>宗教活动场所落实安全管理制度。<br>全年检查场所<span>26</span>处次。</p>
<h3>（二）服务民营企业</h3>
<p>走访民营企业32家，支持商会开展光彩事业。</p>
<h2>二、存在问题</h2>
<p>（一）统战干部队伍偏弱。乡镇统战委员均为兼职，统战干部培训不足。</p>
<div class="share-bar">分享到：微信 微博</div>
<p>推荐阅读：</p>
<ul class="list"><li><a href="/1.html">某乡2021年工作总结</a></li><li><a href="/2.html">2022年工作计划范文</a></li></ul>
</div>
<div class="related"><h3>相关文章</h3><ul><li>某局年度总结</li></ul></div>
<div id="footer">版权所有 &copy; 某某范文网 备案号：京ICP备00000000号</div>
</body></html>
"""


def test_html_page_with_boilerplate(tmp_path):
    src = tmp_path / "page.html"
    src.write_bytes(PAGE.encode("gbk"))
    r = import_file(src, tmp_path, keywords())
    assert r.meta.title == "某县委统战部2021年度工作总结"
    assert [(s.level, s.heading) for s in r.sections] == [
        (1, "一、主要工作"), (2, "（一）民族宗教工作"), (2, "（二）服务民营企业"), (1, "二、存在问题"),
        (2, "（一）统战干部队伍偏弱")]
    assert r.sections[1].text == "全县开展民族团结进步创建，指导宗教活动场所落实安全管理制度。\n全年检查场所26处次。"
    body = r.markdown.split("\n---\n", 1)[1]
    for noise in ("首页", "当前位置", "来源", "分享到", "推荐阅读", "相关文章", "版权所有", "范文", "不是正文", "color"):
        assert noise not in body, noise
    assert r.sections[4].kind == "problem"


def make_docx(path: Path) -> None:
    import docx

    d = docx.Document()
    d.add_paragraph("某区委统战部2023年上半年工作总结", style="Title")
    d.add_paragraph("上半年，区委统战部认真履行职责，各项工作有序推进。")
    d.add_paragraph("上半年主要工作", style="Heading 1")
    d.add_paragraph("宗教和侨务工作", style="Heading 2")
    d.add_paragraph("1.宗教工作")  # numbering typed as text
    d.add_paragraph("开展宗教活动场所安全检查，指导教职人员学习政策法规。")
    d.add_paragraph("2.侨务工作")
    d.add_paragraph("走访归侨侨眷18户，开展海外联谊活动。")
    d.add_paragraph("存在问题", style="Heading 1")
    d.add_paragraph("新的社会阶层人士底数不清", style="List Number")  # Word's own numbering
    d.add_paragraph("新联会尚未成立，联系新的社会阶层人士的渠道不多。")
    table = d.add_table(rows=1, cols=2)
    table.rows[0].cells[0].text = "网络人士"
    table.rows[0].cells[1].text = "12人"
    d.save(str(path))


def test_docx_heading_styles_and_numbering(tmp_path):
    src = tmp_path / "report.docx"
    make_docx(src)
    r = import_file(src, tmp_path, keywords())
    assert r.meta.title == "某区委统战部2023年上半年工作总结"
    assert (r.meta.unit, r.meta.year, r.meta.period) == ("某区委统战部", 2023, "上半年")
    assert [(s.level, s.heading, s.kind) for s in r.sections] == [
        (1, "上半年主要工作", "achievement"), (2, "宗教和侨务工作", "achievement"), (3, "1.宗教工作", "achievement"),
        (3, "2.侨务工作", "achievement"), (1, "存在问题", "problem"), (2, "新的社会阶层人士底数不清", "problem")]
    assert r.sections[2].areas[0] == "religion" and r.sections[3].areas[0] == "hk-macao-taiwan-overseas"
    assert "网络人士 | 12人" in r.sections[5].text
    # the typed "1." survives in Markdown as text, not as a list
    assert "#### 2\\.侨务工作" in r.markdown


def test_unreadable_files_give_clear_messages(tmp_path):
    bad = tmp_path / "broken.docx"
    bad.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(ReadError, match="不是有效的 .docx"):
        read_blocks(bad)
    old = tmp_path / "old.doc"
    old.write_bytes(b"\xd0\xcf\x11\xe0")
    with pytest.raises(ReadError, match="另存为 .docx"):
        read_blocks(old)
    with pytest.raises(ReadError, match="文件不存在"):
        read_blocks(tmp_path / "missing.txt")
    binary = tmp_path / "image.txt"
    binary.write_bytes(b"\x89PNG\x00\x00\x01")
    with pytest.raises(ReadError, match="二进制"):
        read_blocks(binary)
    odd = tmp_path / "sheet.pdf.xlsx"
    odd.write_bytes(b"%PDF-1.4")
    with pytest.raises(ReadError, match="不支持的文件类型"):
        read_blocks(odd)


def test_html_content_with_lookalike_class_names_is_kept(tmp_path):
    page = """<html><body><div class="main position-relative"><h1>某区委统战部2022年度工作总结</h1></div>
    <div class="hotNews"><a>热点一</a></div>
    <div class="article-share-and-content"><p class="photo-caption">一、主要工作</p>
    <p>全年走访民营企业40家，指导商会换届2个。</p><p>二、存在问题</p><p>商会覆盖面不广，会员结构单一，作用发挥不够。</p></div>
    </body></html>"""
    src = tmp_path / "p.htm"
    src.write_text(page, encoding="utf-8")
    lines = texts(src)
    assert "热点一" not in lines  # hotNews: page furniture
    assert lines == ["某区委统战部2022年度工作总结", "一、主要工作", "全年走访民营企业40家，指导商会换届2个。", "二、存在问题",
                     "商会覆盖面不广，会员结构单一，作用发挥不够。"]  # most of the text sits in the "share" block


def test_big5_traditional_text(tmp_path):
    text = "某區委統戰部2020年工作總結\n一、主要工作\n（一）宗教工作\n全年開展宗教活動場所安全檢查，指導教職人員學習政策法規。\n"
    src = tmp_path / "trad.txt"
    src.write_bytes(text.encode("big5"))
    r = import_file(src, tmp_path, keywords())
    assert r.meta.unit == "某區委統戰部"  # as written, not converted
    assert r.sections[1].text == "全年開展宗教活動場所安全檢查，指導教職人員學習政策法規。"
    assert r.sections[1].areas[0] == "religion"


def test_markdown_headings(tmp_path):
    src = tmp_path / "notes.md"
    src.write_text("# 某区委统战部2022年度工作总结\n\n## 主要工作\n\n### 宗教工作\n\n开展宗教活动场所安全检查。\n\n"
                   "## 存在问题\n\n### 一、党外干部储备不足\n\n党外干部后备人才偏少。\n", encoding="utf-8")
    r = import_file(src, tmp_path, keywords())
    assert r.meta.title == "某区委统战部2022年度工作总结"
    assert [(s.level, s.heading, s.kind) for s in r.sections] == [
        (1, "主要工作", "achievement"), (2, "宗教工作", "achievement"), (1, "存在问题", "problem"),
        (2, "一、党外干部储备不足", "problem")]
