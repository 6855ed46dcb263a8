"""Section classification details the importer relies on (shared with the site)."""

from __future__ import annotations

from kb.source.loader import Problems, read_taxonomy
from kb.analysis.sections import AreaMatcher, classify, heading_kind, split_sections

from conftest import ROOT


def keywords():
    tax = read_taxonomy(ROOT / "data" / "areas.yml", ROOT, Problems())
    return {s: a["keywords"] for s, a in tax.areas.items()}


def test_escaped_headings_are_shown_as_written():
    secs = split_sections("## 一、建设“平安\\*\\*”\n\n正文\n\n### 1\\.宗教工作 {#zj}\n\n正文", 1)
    assert [(s.heading, s.anchor) for s in secs] == [("一、建设“平安**”", "sec-1"), ("1.宗教工作", "zj")]


def test_quotes_do_not_hide_keywords():
    areas, matched = AreaMatcher(keywords()).score("加强统战“三基”建设", "")
    assert areas == ["self-building"] and matched["self-building"] == ["三基建设"]


def test_part_heading_as_context():
    body = ("## 一、做好侨务和海外联谊工作\n\n### 1、接待来访\n\n接待来访团组3批，达成投资意向2个。\n\n"
            "## 二、统战宣传和民族工作\n\n### 1、进场所\n\n深入宗教活动场所开展宣传报道。\n")
    secs = split_sections(body, 1)
    classify(secs, keywords())
    by = {s.heading: s for s in secs}
    # no keyword of its own: leans on the part's heading (and only weakly)
    assert by["1、接待来访"].areas == ["hk-macao-taiwan-overseas"]
    assert by["1、接待来访"].scores["hk-macao-taiwan-overseas"] < 3
    # two areas named in the section: the part's heading breaks the tie
    assert by["1、进场所"].areas[0] == "research-publicity"
    assert by["1、进场所"].scores == {"research-publicity": 2, "religion": 1}
    # context never adds an area to a section that names others (民族工作 is only in the part's heading)
    assert "ethnic" not in by["1、进场所"].scores


def test_set_phrases_are_not_kind_words():
    assert heading_kind("1、深入学习中国特色社会主义理论") is None
    assert heading_kind("二、特色做法") == "experience"


def test_kind_words_inside_ordinary_headings():
    assert heading_kind("2、参政议政提出建议20余条") is None
    assert heading_kind("（二）补齐民营经济短板弱项") is None
    assert heading_kind("四、几点建议") == "suggestion" and heading_kind("三、意见和建议") == "suggestion"
    assert heading_kind("二、存在不足") == "problem" and heading_kind("三、问题与差距") == "problem"
    assert heading_kind("一、上半年重点工作完成情况") == "achievement"
    assert heading_kind("三、下半年重点工作") == "plan"
