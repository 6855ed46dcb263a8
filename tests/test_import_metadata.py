"""kb import: title, unit, level, year, period and a stable id."""

from __future__ import annotations

from kb.importer.cleaning import clean
from kb.importer.metadata import find_period, find_unit, find_year, infer, unit_level
from kb.importer.reading import Block


def test_unit_from_title_then_text():
    m = infer("中共某市委统一战线工作部2024年工作总结", "", "x")
    assert (m.unit, m.level, m.year, m.period) == ("中共某市委统一战线工作部", "市", 2024, "年度")
    m = infer("某鎮2023年上半年統戰工作總結", "今年以來，鎮黨委在縣委統戰部指導下開展工作。", "x")
    assert (m.unit, m.level, m.period) == ("某鎮", "乡镇", "上半年")
    # the unit named as giving guidance is the superior, not the author
    m = infer("2020年统战工作总结", "一年来，在市委统战部的指导下，区委统战部围绕中心工作开展统战工作。", "x")
    assert (m.unit, m.level, m.year) == ("区委统战部", "区县", 2020)
    m = infer("2021年工作总结", "全年工作有序推进。", "x")
    assert m.unit == "（单位待补）" and m.guessed == ["unit", "level"]


def test_levels_years_periods():
    assert [unit_level(u) for u in ("某省委统战部", "某自治州委统战部", "某县委统战部", "某街道党工委统战办", "某乡党委统战办")] == [
        "省", "市", "区县", "乡镇", "乡镇"]
    assert find_unit("某某网讯 近日，XX旗委统战部召开会议") == "XX旗委统战部"
    assert find_year("二〇二一年度工作总结") == 2021
    assert find_year("第1234号文件，2019年") == 2019
    assert [find_period(t) for t in ("2020年上半年工作总结及下半年工作计划", "2020年下半年工作总结", "2020年度总结",
                                    "2020年統戰工作年終總結", "关于宗教工作的专项报告", "第三季度情况")] == [
        "上半年", "下半年", "年度", "年度", "专项", None]


def test_id_is_stable_and_distinct():
    a = infer("某区委统战部2019年上半年工作总结", "", "x")
    b = infer("某区委统战部2019年上半年工作总结", "", "y")
    c = infer("某区委统战部2019年下半年工作总结", "", "x")
    assert a.id == b.id == "mouquweitongzhanbu-2019-shangbannian-" + a.id.rsplit("-", 1)[1]
    assert c.id != a.id and c.id.startswith("mouquweitongzhanbu-2019-xiabannian-")


def test_signature_at_the_end_is_dropped():
    c = clean([Block(x) for x in ("某县委统战部2021年工作总结", "一、主要工作", "全年开展调研5次。", "某县委统战部",
                                  "2021年12月28日")])
    assert [b.text for b in c.blocks] == ["一、主要工作", "全年开展调研5次。"]
    assert [r for r, _ in c.removed] == ["signature", "signature"]
