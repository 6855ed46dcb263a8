"""`kb import` on report copies as they circulate: PDF text run on one line, page furniture,
document-sharing sites, town reports without the unit in the title, reports without a year.

All report text here is fictional and written for these tests.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from kb.importer.cleaning import clean
from kb.importer.pipeline import import_file
from kb.importer.reading import Block
from kb.importer.runon import Sequence, drop_page_furniture, split_line
from kb.model.knowledge import KnowledgeBase
from kb.problems import Problems
from kb.source.loader import read_taxonomy

from conftest import ROOT, run_kb as run


@pytest.fixture(scope="module")
def keywords() -> dict:
    tax = read_taxonomy(ROOT / "data" / "areas.yml", ROOT, Problems())
    return {s: a["keywords"] for s, a in tax.areas.items()}


def imported(tmp_path: Path, keywords: dict, text: str, name: str = "r.txt", given: dict | None = None):
    src = tmp_path / name
    src.write_text(text, encoding="utf-8")
    return import_file(src, tmp_path, keywords, given)


def headings(result) -> list[str]:
    return [s.heading for s in result.sections]


# -- run-on text ------------------------------------------------------------

RUNON = ("2022年工作总结 2022年，我镇统战工作扎实推进，现将全年情况汇报如下： 一、2022 年主要工作 一年来，全镇统战系统"
         "围绕中心、服务大局。(一)夯实共同思想政治基础。组织党外人士集中学习4次，开展主题教育。(二)民族宗教工作水平有力提升"
         "1.抓实宗教活动场所管理。对全镇宗教活动场所逐一开展安全检查。2.深化民族团结进步创建。开展民族团结进步示范村创建。"
         " 二、存在问题 统战干部多为兼职，统战干部队伍力量不足。 三、明年工作打算 (一)加强理论武装。组织党外人士学习培训。"
         " 河口镇党委统战办 2022年12月")


def test_headings_found_in_a_report_on_one_line(tmp_path, keywords):
    r = imported(tmp_path, keywords, RUNON)
    assert headings(r) == [
        "一、2022年主要工作", "(一)夯实共同思想政治基础", "(二)民族宗教工作水平有力提升", "1.抓实宗教活动场所管理",
        "2.深化民族团结进步创建", "二、存在问题", "三、明年工作打算", "(一)加强理论武装"]
    kinds = {s.heading: s.kind for s in r.sections}
    assert kinds["二、存在问题"] == "problem" and kinds["(一)加强理论武装"] == "plan"
    assert r.meta.title == "2022年工作总结"
    # the signature run on after the last sentence is not report text, but names the unit
    assert r.meta.unit == "河口镇党委统战办" and r.meta.level == "乡镇"
    assert "河口镇党委统战办" not in r.markdown.split("\n---\n", 1)[1]


def test_a_list_item_glued_to_its_heading_is_split():
    seq = Sequence()
    assert split_line("（二）民族宗教管理水平有力提升1.认真开展场所安全检查。对场所逐一检查。", seq) == [
        "（二）民族宗教管理水平有力提升", "1.认真开展场所安全检查。对场所逐一检查。"]
    # numbers inside prose are not headings: amounts, dates, 第1、2项, a 2 that does not follow a 1
    for prose in ("全年投入资金2.5亿元，完成第1、2项任务，较上年增长1.2倍。",
                  "开展检查工作，走访企业 2、 帮助解决问题5个，推动工作落实。"):
        assert split_line(prose, Sequence()) == [prose]


def test_numbering_sequence_is_the_evidence_for_a_heading_inside_a_line():
    seq = Sequence()
    line = "汇报如下：一、主要工作 全年工作有序推进，成效明显。三、存在问题 基层力量不足，工作不够平衡。"
    # 三、 does not follow 一、: not a heading start, the line keeps it
    assert split_line(line, seq) == ["汇报如下：", "一、主要工作", "全年工作有序推进，成效明显。三、存在问题 基层力量不足，工作不够平衡。"]


def test_a_part_heading_glued_to_its_first_words_is_split():
    assert split_line("二、存在的问题一是力量薄弱，二是渠道不宽。", Sequence()) == ["二、存在的问题", "一是力量薄弱，二是渠道不宽。"]
    assert split_line("一、主要工作情況全年，縣委統戰部完成了各項任務。", Sequence()) == [
        "一、主要工作情況", "全年，縣委統戰部完成了各項任務。"]
    # a heading that is a sentence of its own stays whole
    assert split_line("一、加强组织领导，完善工作机制", Sequence()) == ["一、加强组织领导，完善工作机制"]


# -- page furniture -----------------------------------------------------------

def test_page_counters_numbers_and_file_names_are_dropped():
    assert drop_page_furniture("2、") == ("", ["2、"])
    assert drop_page_furniture("- 3 -") == ("", ["- 3 -"])
    assert drop_page_furniture("某镇工作总结(2).docx") == ("", ["某镇工作总结(2).docx"])
    text, gone = drop_page_furniture("帮助企业解决问题7个_第2页 ，推动工作")
    assert "第2页" not in text and gone == ["_第2页"]
    assert drop_page_furniture("第 2 页 共 3 页")[0] == ""
    assert drop_page_furniture("（二）支持民主党派参政议政。")[1] == []
    assert drop_page_furniture("第 1 頁 共 2 頁") == ("", ["第 1 頁 共 2 頁"])  # Traditional script too


def test_a_page_number_before_the_rest_of_a_broken_sentence_is_dropped():
    cleaned = clean([Block("某县2020年工作总结"), Block("一、主要工作"), Block("（一）知联会工作。组织专家义诊3次，"),
                     Block("2、受到群众好评。"), Block("（二）商会工作。指导商会换届。"), Block("1、商会换届。"),
                     Block("2、会员发展。")])
    assert [b.text for b in cleaned.blocks] == [
        "一、主要工作", "（一）知联会工作。组织专家义诊3次，受到群众好评。", "（二）商会工作。指导商会换届。", "1、商会换届。",
        "2、会员发展。"]


def test_lone_numbers_at_page_breaks_do_not_become_sections(tmp_path, keywords):
    text = ("某县委统战部2021年工作总结\n一、主要工作\n（一）宗教工作。组织宗教活动场所负责人学习培训，\n2、\n"
            "开展和谐寺观教堂创建。\n- 2 -\n（二）民族工作。开展民族团结进步创建。\n第 2 页 共 3 页\n3、\n二、存在问题\n"
            "统战干部队伍力量不足。\n")
    r = imported(tmp_path, keywords, text)
    assert headings(r) == ["一、主要工作", "（一）宗教工作", "（二）民族工作", "二、存在问题"]
    religion = r.sections[1]
    assert "学习培训，开展和谐寺观教堂创建" in religion.text  # the sentence broken by the page is joined
    assert not any(x in r.markdown for x in ("2、", "- 2 -", "第 2 页"))


# -- sharing sites -------------------------------------------------------------

def test_sharing_site_wording_and_site_title_give_way_to_the_report(tmp_path, keywords):
    html = """<html><body><div>某某范文分享站</div><h1>2023年镇统战工作总结范文(精选3篇)</h1>
    <p>本文具有广泛通用性，欢迎各位亲下载参考使用！</p><p>篇一</p>
    <p>石桥镇2023年统战工作总结</p><p>2023年，全镇统战工作有序开展。</p>
    <p>一、主要工作</p><p>（一）宗教工作。开展宗教活动场所安全检查，组织教职人员培训。</p>
    <p>二、存在问题</p><p>统战干部队伍力量不足。</p><p>篇二</p><p>某区2023年统战工作总结</p>
    <p>一、主要工作</p><p>（一）侨务工作。走访归侨侨眷。</p></body></html>"""
    r = imported(tmp_path, keywords, html, "site.html")
    assert r.meta.title == "石桥镇2023年统战工作总结"
    assert (r.meta.unit, r.meta.level) == ("石桥镇", "乡镇")
    assert headings(r) == ["一、主要工作", "（一）宗教工作", "二、存在问题"]  # the next report (篇二) is not this one
    for noise in ("范文", "广泛通用性", "各位亲", "篇一", "篇二", "侨务"):
        assert noise not in r.markdown


def test_site_title_line_in_text_is_passed_over():
    cleaned = clean([Block("统战工作总结怎么写-精品范文下载"), Block("北岭乡统战工作总结"), Block("全年工作有序推进。")])
    assert cleaned.title == "北岭乡统战工作总结"
    assert all("范文" not in b.text for b in cleaned.blocks)


# -- unit and level -------------------------------------------------------------

TOWN = """2021年统战工作总结
2021年，东坪镇统战工作在县委统战部的指导下扎实开展。
一、主要工作
（一）宗教工作。我镇对宗教活动场所开展安全检查，全镇场所全部达标。
（二）民族工作。全镇开展民族团结进步创建，我镇两个村获评示范村。
二、存在问题
全镇统战干部力量不足，我镇统战工作基础薄弱。
"""


def test_town_report_without_unit_in_title(tmp_path, keywords):
    r = imported(tmp_path, keywords, TOWN)
    assert (r.meta.unit, r.meta.level) == ("东坪镇", "乡镇")
    # without the place in the opening, the unit is to be filled, but 我镇/全镇 still give the level
    r = imported(tmp_path, keywords, TOWN.replace("东坪镇统战工作在县委统战部的指导下", "统战工作在上级的指导下"))
    assert r.meta.unit == "（单位待补）" and r.meta.level == "乡镇" and "unit" in r.meta.guessed
    # a unit met only in the body (here the county department) does not make it a county report
    r = imported(tmp_path, keywords, TOWN.replace("东坪镇统战工作在县委统战部的指导下扎实开展",
                                                   "统战工作扎实开展，多次向县委统战部汇报"))
    assert r.meta.level == "乡镇" and r.meta.unit == "（单位待补）"


# -- a missing year -------------------------------------------------------------

NO_YEAR = """关于统战工作情况的汇报
半年来，全区统战工作有序推进。
一、主要工作
（一）多党合作。支持民主党派参政议政，组织无党派人士参加政党协商。
中共江北区委统战部
"""


def test_a_report_without_year_is_imported_for_review(tree, tmp_path, keywords):
    r = imported(tmp_path, keywords, NO_YEAR)
    assert r.meta.review and "year" in r.meta.guessed and "--year" in r.meta.review_reason
    assert "review: true" in r.markdown and "review_reason:" in r.markdown
    src = tmp_path / "r.txt"
    ran = run(["import", str(src)], tree.root)
    assert ran.returncode == 0, ran.stderr
    assert "待核对" in ran.stdout
    ran = run(["import", "--dry-run", "--format", "json", str(src)], tree.root)
    assert '"review": true' in ran.stdout and '"year": 2000' in ran.stdout
    kb = KnowledgeBase.load(tree.root)
    assert kb.problems.errors == []
    assert any(p.field == "review" and "年份" in p.message for p in kb.problems.warnings)
    # the year (and unit, level) from the command line: no review mark
    ran = run(["import", "--dry-run", "--format", "json", "--year", "2019", "--level", "区县", str(src)], tree.root)
    assert ran.returncode == 0, ran.stderr
    assert '"year": 2019' in ran.stdout
    given = imported(tmp_path, keywords, NO_YEAR, given={"year": 2019, "unit": "江北区委统战部"})
    assert (given.meta.year, given.meta.unit, given.meta.review) == (2019, "江北区委统战部", False)
    assert "\nreview:" not in given.markdown and "review_reason" not in given.markdown


def test_year_option_is_checked(tree, tmp_path):
    src = tmp_path / "r.txt"
    src.write_text(NO_YEAR, encoding="utf-8")
    ran = run(["import", "--year", "1800", str(src)], tree.root)
    assert ran.returncode == 2 and "1800" in ran.stderr


# -- areas ---------------------------------------------------------------------

def test_heading_meaning_and_umbrella_areas(tmp_path, keywords):
    text = ("某县委统战部2023年工作总结\n一、主要工作\n（一）坚持党对统战工作的领导。县委听取宗教活动场所规划和民营企业发展情况"
            "汇报，宗教、民营企业等领域的统战工作都有了牵头单位。\n（二）宗教工作。开展宗教活动场所安全检查。\n")
    r = imported(tmp_path, keywords, text)
    secs = {s.heading: s for s in r.sections}
    assert secs["（一）坚持党对统战工作的领导"].areas[0] == "leadership"
    assert secs["一、主要工作"].areas[:2] == ["leadership", "religion"]  # the umbrella gets its children's areas


def test_a_title_in_a_file_name_or_before_a_site_name_is_kept_without_them():
    cleaned = clean([Block("石桥镇2023年统战工作总结(2).docx"), Block("石桥镇2023年统战工作总结_某某文库"),
                     Block("2023年，全镇统战工作有序推进。"), Block("一、主要工作"), Block("还剩5页未读，继续阅读"),
                     Block("（一）宗教工作。开展检查。")])
    assert cleaned.title == "石桥镇2023年统战工作总结"
    assert [b.text for b in cleaned.blocks] == ["2023年，全镇统战工作有序推进。", "一、主要工作", "（一）宗教工作。开展检查。"]
    assert clean([Block("某镇统战工作总结 - 某某资料网"), Block("全镇工作有序推进。")]).title == "某镇统战工作总结"
