"""kb import: heading forms, levels, inline headings and part kinds."""

from __future__ import annotations

from pathlib import Path

from kb.importer.pipeline import import_file, section_cites
from kb.importer.reading import Block
from kb.importer.structure import outline
from kb.source.loader import read_taxonomy
from kb.problems import Problems

from conftest import ROOT


def heads(*lines: str) -> list[tuple[int, str]]:
    return [(s.level, s.heading) for s in outline([Block(x) for x in lines]).sections]


P = "组织党外人士开展专题调研，形成调研报告2篇。"


def test_each_numbering_form_nests():
    assert heads("一、主要工作", "（一）思想引领", P, "1、学习培训", P, "（1）集中轮训", P, "①分片轮训", P,
                 "(二)多党合作", "1.政党协商", P, "二、存在问题", P) == [
        (1, "一、主要工作"), (2, "（一）思想引领"), (3, "1、学习培训"), (4, "（1）集中轮训"), (5, "①分片轮训"),
        (2, "(二)多党合作"), (3, "1.政党协商"), (1, "二、存在问题"),
    ]


def test_restarts_skips_and_mixed_widths():
    out = heads("一、上半年主要工作", "(一)宗教工作", P, "（三）民族工作", P, "二、下半年重点工作", "（一）继续抓好培训", P,
                "(二) 加强调研", P, "2，做好信息报送", P, "四、其他", P)
    assert out == [(1, "一、上半年主要工作"), (2, "(一)宗教工作"), (2, "（三）民族工作"), (1, "二、下半年重点工作"),
                   (2, "（一）继续抓好培训"), (2, "(二) 加强调研"), (3, "2，做好信息报送"), (1, "四、其他")]


def test_inner_numbering_before_outer_is_ranked():
    # a report that starts with 1、 items and later has 一、 parts
    assert [lvl for lvl, _ in heads("1、开展学习", P, "一、存在问题", "1、基层力量弱", P)] == [1, 1, 2]


def test_heading_with_text_on_one_line_splits_at_first_stop():
    doc = outline([Block("（一）强化思想引领，凝聚共识。一是组织学习。二是开展教育。"), Block("1、民族工作方面：协助做好少数民族服务。")])
    assert [(s.heading, s.paragraphs) for s in doc.sections] == [
        ("（一）强化思想引领，凝聚共识", ["一是组织学习。二是开展教育。"]),
        ("1、民族工作方面", ["协助做好少数民族服务。"]),
    ]


def test_one_sentence_items_become_sections_with_text():
    doc = outline([Block(x) for x in ("二、存在问题", "1、乡镇统战力量不足，委员多为兼职，业务不熟。", "2、经费保障不够。")])
    s = doc.sections
    assert s[1].heading == "1、乡镇统战力量不足" and s[1].paragraphs == ["乡镇统战力量不足，委员多为兼职，业务不熟。"]
    assert s[2].heading == "2、经费保障不够" and s[2].paragraphs == []


def test_not_headings():
    doc = outline([Block(x) for x in ("一、主要工作", "一是加强学习。二是开展调研。", "1.5万元用于慰问困难群众，全年慰问120户。",
                                      "2020年4月，召开座谈会。")])
    assert [s.heading for s in doc.sections] == ["一、主要工作"]
    assert len(doc.sections[0].paragraphs) == 3


def test_broken_lines_are_joined():
    doc = outline([Block(x) for x in ("（一）侨务工作", "共接待港澳台来访团组3批，落实投资意向2",
                                      "个，涉及资金800万元。", "（二）宣传工作", "全年报送信息40条。")])
    assert doc.sections[0].paragraphs == ["共接待港澳台来访团组3批，落实投资意向2个，涉及资金800万元。"]


def test_unnumbered_part_names_are_headings():
    assert heads("上半年工作回顾", "一、宗教工作", P, "存在问题", "一、人员不足", P, "下半年工作打算", P) == [
        (1, "上半年工作回顾"), (2, "一、宗教工作"), (1, "存在问题"), (2, "一、人员不足"), (1, "下半年工作打算")]


def test_markup_headings_without_numbers():
    doc = outline([Block("主要工作", 2), Block("宗教工作", 3), Block(P), Block("民族工作", 3), Block(P),
                   Block("问题与不足", 2), Block(P)])
    assert [(s.level, s.heading) for s in doc.sections] == [(1, "主要工作"), (2, "宗教工作"), (2, "民族工作"),
                                                           (1, "问题与不足")]


def test_plain_paragraph_numbered_like_a_styled_heading_is_its_sibling():
    # Word files often style only some headings: （一）（二）as Heading 2, （三）typed by hand.
    doc = outline([Block("一、主要工作", 1), Block("（一）思想引领", 2), Block(P), Block("（二）多党合作", 2), Block(P),
                   Block("（三）民族宗教"), Block(P), Block("1、宗教场所", None), Block(P), Block("二、存在问题", 1)])
    assert [(s.level, s.heading) for s in doc.sections] == [
        (1, "一、主要工作"), (2, "（一）思想引领"), (2, "（二）多党合作"), (2, "（三）民族宗教"), (3, "1、宗教场所"),
        (1, "二、存在问题")]


REPORT = """某镇党委统战办2022年上半年工作总结及下半年工作计划
2022年上半年，镇党委统战办在镇党委领导下开展工作，现总结如下。
一、上半年主要工作
（一）宗教活动场所管理
对辖区3处宗教活动场所开展消防检查，组织教职人员学习《宗教事务条例》，宣讲《条例》第十条。
（二）新的社会阶层人士工作
摸底新的社会阶层人士45人，筹建新联会，组织网络人士参加培训。
二、经验做法
（一）“一所一策”联系制度
为每处宗教活动场所明确联系干部，和谐寺观教堂创建覆盖全部场所。
三、存在问题
（一）统战干部力量不足
镇统战委员为兼职，统战干部队伍培训不够。
四、下半年工作思路
（一）开展民族团结进步创建
在两个村开展民族团结进步示范创建，服务少数民族群众。
五、几点建议
（一）加大对基层的经费支持
建议县里设立民营企业和商会工作专项经费，支持工商联基层商会建设。
"""


def test_parts_give_kinds_and_sections_inherit(tmp_path: Path):
    src = tmp_path / "zongjie.txt"
    src.write_text(REPORT, encoding="utf-8")
    tax = read_taxonomy(ROOT / "data" / "areas.yml", ROOT, Problems())
    keywords = {s: a["keywords"] for s, a in tax.areas.items()}
    r = import_file(src, tmp_path, keywords)
    got = [(s.heading, s.kind, s.areas[:1]) for s in r.sections]
    # A part with no text of its own gets the areas of its sections.
    assert got == [
        ("一、上半年主要工作", "achievement", ["religion"]),
        ("（一）宗教活动场所管理", "achievement", ["religion"]),
        ("（二）新的社会阶层人士工作", "achievement", ["new-social-strata"]),
        ("二、经验做法", "experience", ["religion"]),
        ("（一）“一所一策”联系制度", "experience", ["religion"]),
        ("三、存在问题", "problem", ["self-building"]),
        ("（一）统战干部力量不足", "problem", ["self-building"]),
        ("四、下半年工作思路", "plan", ["ethnic"]),
        ("（一）开展民族团结进步创建", "plan", ["ethnic"]),
        ("五、几点建议", "suggestion", ["private-economy"]),
        ("（一）加大对基层的经费支持", "suggestion", ["private-economy"]),
    ]
    m = r.meta
    assert (m.title, m.unit, m.level, m.year, m.period) == (
        "某镇党委统战办2022年上半年工作总结及下半年工作计划", "某镇党委统战办", "乡镇", 2022, "上半年")
    # the reason is kept: which keywords matched
    assert "宗教活动场所" in r.sections[1].reason and r.sections[1].reason.startswith("religion")
    assert r.sections[1].cites == ["宗教事务条例"]  # 《条例》 resolved to the full title in the section


def test_short_form_citations():
    assert section_cites("开展《條例》宣传", "学习新修订的《宗教事務條例》，发放《条例》。") == ["宗教事務條例"]
    assert section_cites("", "执行《准则》《条例》。") == []  # nothing to refer back to
    assert section_cites("", "落实《中国共产党统一战线工作条例（试行）》和《条例》要求，学习《宪法》。") == [
        "中国共产党统一战线工作条例（试行）", "宪法"]


def test_plan_documents_and_completed_key_work(tmp_path: Path):
    src = tmp_path / "yaodian.txt"
    src.write_text("某县委统战部2024年统战工作要点\n一、加强思想政治引领\n组织党外人士专题培训2期，开展主题教育。\n"
                   "二、做好宗教工作\n开展和谐寺观教堂创建，加强宗教活动场所管理。\n", encoding="utf-8")
    tax = read_taxonomy(ROOT / "data" / "areas.yml", ROOT, Problems())
    keywords = {s: a["keywords"] for s, a in tax.areas.items()}
    r = import_file(src, tmp_path, keywords)
    assert [s.kind for s in r.sections] == ["plan", "plan"]
    assert "sec-1:\n    kind: plan" in r.markdown or "sec-1: {kind: plan" in r.markdown  # the site agrees
    assert r.meta.guessed == ["period"]  # 要点 names no period: 年度 is filled in and flagged
    src.write_text("某县委统战部2024年上半年工作总结\n一、上半年重点工作完成情况\n（一）宗教工作\n开展和谐寺观教堂创建。\n"
                   "二、下半年重点工作\n（一）民族工作\n开展民族团结进步创建。\n", encoding="utf-8")
    r = import_file(src, tmp_path, keywords)
    assert [s.kind for s in r.sections] == ["achievement", "achievement", "plan", "plan"]
