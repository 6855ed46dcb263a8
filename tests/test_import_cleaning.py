"""kb import: each noise form is removed, and report text is kept as written."""

from __future__ import annotations

from kb.importer.cleaning import clean, line_noise, strip_pinyin, tidy_spaces
from kb.importer.reading import Block


def kept(*lines: str) -> list[str]:
    return [b.text for b in clean([Block(x) for x in lines]).blocks]


BODY = "今年以来，县委统战部围绕全县中心工作，组织党外人士开展调研9次，形成报告3篇。"


def test_breadcrumbs_in_both_scripts():
    out = kept("當前位置:某某網 >", "首页 > 工作总结 > 统战工作", "您的位置：首页>>总结", "工作總結 >工作總結精選 >",
               "某县委统战部2023年工作总结", BODY)
    assert out == [BODY]


def test_copyright_and_reprint_notices():
    out = kept("某县委统战部2023年工作总结", BODY,
               "• 文章版權屬於文章作者所有,轉載請註明 https://example.com/a/1.html",
               "如若转载，请注明出处：https://example.org/2.html",
               "Copyright © 2024 某某网 All Rights Reserved 京ICP备00000000号")
    assert out == [BODY]


def test_related_article_lists_end_at_report_text():
    out = kept("某县委统战部2023年工作总结", "一、主要工作", BODY, "推荐访问：", "- 1 某乡2023年工作总结",
               "- 2 2024年工作计划（精选）", "二、存在问题", "基层统战力量偏弱，专职干部只有2人，经费保障不足，阵地建设滞后。",
               "相关文章", "某局2022年述职报告", "版权声明:", "1.本站资料来自互联网，仅供学习参考。",
               "2.如侵犯了您的权益，请联系删除。")
    assert out == ["一、主要工作", BODY, "二、存在问题", "基层统战力量偏弱，专职干部只有2人，经费保障不足，阵地建设滞后。"]


def test_bylines_nav_and_editor_lead_ins():
    out = kept("某县委统战部2023年工作总结", "来源：某县委统战部  作者：办公室  发布时间：2024-01-05",
               "责任编辑：某某", "【编者按】年终岁末，本网刊发各地总结，供交流。", "下面是小编为大家整理的工作总结，欢迎阅读！",
               "分享到：", "【打印】【关闭】", "专题", BODY, "（责任编辑：某某）", "本文链接：https://example.com/1",
               "扫描二维码，关注我们", "立即下载（共3页）", "原标题：某县统战工作综述")
    assert out == [BODY]


def test_repeated_titles_leave_the_body():
    title = "某县委统战部2023年工作总结"
    c = clean([Block(x) for x in (title, title, BODY, " 某县委统战部 2023年工作总结 ", "某县委统战部2023年工作总结（全文）",
                                  "某县委统战部2023年工作总结_某某范文", "一、主要工作")])
    assert c.title == title
    assert [b.text for b in c.blocks] == [BODY, "一、主要工作"]
    # the copy with a site's suffix (_某某范文) already goes as a site title
    assert sorted(rule for rule, _ in c.removed) == ["repeated-title"] * 3 + ["site"]
    # a sentence that starts like the title is text
    s = "某县委统战部2023年工作总结会议召开，各镇街汇报全年工作。"
    assert s in [b.text for b in clean([Block(title), Block(s)]).blocks]


def test_pinyin_readings_after_characters():
    assert strip_pinyin("加強統(tǒng)戰(zhàn)工作") == "加強統戰工作"
    assert strip_pinyin("团（tuán）结（jié）") == "团结"
    # toneless readings only when the document is full of them
    assert strip_pinyin("统(tong)战(zhan)") == "统(tong)战(zhan)"
    assert strip_pinyin("统(tong)战(zhan)", loose=True) == "统战"
    assert kept("统(tong)战(zhan)部(bu)开展调研，形成报告。") == ["统战部开展调研，形成报告。"]
    # English abbreviations and numbers in brackets are text
    assert strip_pinyin("世界贸易组织(WTO)成员，增长(3%)") == "世界贸易组织(WTO)成员，增长(3%)"


def test_stray_whitespace():
    assert tidy_spaces("\u3000\u3000核心价  值观 ") == "核心价值观"
    assert tidy_spaces("五、 堅持團結") == "五、堅持團結"
    assert tidy_spaces("(二) 认真做好") == "(二)认真做好"
    assert tidy_spaces("“三胞” 10人") == "“三胞”10人"
    assert tidy_spaces("使用 Windows 系统") == "使用 Windows 系统"
    assert tidy_spaces("a\u200bb") == "ab"


def test_body_text_is_kept_as_written():
    trad = "全年開展宗教活動場所安全檢查12次，發放《宗教事務條例》1200冊，推荐3名党外人士为政协委员人选。"
    news = "全年报送统战信息86条，其中被省委统战部网站转载5条。"
    assert kept("某区委统战部2020年工作总结", trad, news) == [trad, news]
    assert line_noise("编辑出版《统战信息》12期，印发学习资料。") is None
    assert line_noise("利用微信公众号、网站等平台推送统战信息56条，扫码关注人数增加。") is None
    assert line_noise("时间紧、任务重，全部门加班加点完成换届工作。") is None


def test_short_lines_above_the_title_are_kept_for_metadata_only():
    c = clean([Block("某某范文网", 1), Block("工作总结频道"), Block("某县委统战部"), Block("2021年度工作总结", 2),
               Block("一、主要工作"), Block(BODY)])
    assert c.title == "2021年度工作总结"  # the site's <h1> names no report
    assert [b.text for b in c.blocks] == ["一、主要工作", BODY]
    assert c.preamble == ["工作总结频道", "某县委统战部"]  # (the site name is already noise)


def test_unit_on_its_own_line_above_the_title(tmp_path):
    from kb.importer.pipeline import import_file
    from test_import_formats import keywords

    src = tmp_path / "r.txt"
    src.write_text("某县委统战部\n2021年度工作总结\n一、主要工作\n" + BODY + "\n", encoding="utf-8")
    r = import_file(src, tmp_path, keywords())
    assert (r.meta.title, r.meta.unit, r.meta.level) == ("2021年度工作总结", "某县委统战部", "区县")
    assert "某县委统战部\n" not in r.markdown.split("\n---\n", 1)[1]
