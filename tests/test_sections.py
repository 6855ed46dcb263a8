"""Report sections: splitting, anchors, kind and area inference, overrides."""

from __future__ import annotations

import sys

from kb.model.knowledge import KnowledgeBase
from kb.analysis.sections import AreaMatcher, heading_kind, split_sections
from kb.source.loader import Problems, read_taxonomy

from conftest import ROOT

REPORT = """
---
id: demo-report
type: report
title: 某区委统战部2024年上半年工作总结
unit: 某区委统战部
year: 2024
period: 上半年
level: 区县
areas: [religion]
{extra}---
开头的概述。

## 一、上半年主要工作

### （一）宗教工作

指导宗教活动场所落实《宗教事务条例》，开展和谐寺观教堂创建，组织教职人员培训。

### （二）非公有制经济

走访民营企业二十余家，支持商会换届，推动光彩事业项目落地。

## 二、存在的问题

### （一）宗教活動場所管理仍有薄弱環節

個別宗教活動場所財務制度不健全，教職人員培訓覆蓋不足。

```text
## 代码块里的标题不是段落
```

## 三、下半年工作思路

深化民族团结进步创建，铸牢中华民族共同体意识，服务少数民族群众。
"""


def keywords():
    tax = read_taxonomy(ROOT / "data" / "areas.yml", ROOT, Problems())
    return {s: a["keywords"] for s, a in tax.areas.items()}


def load_report(tree, extra=""):
    tree.write("reports/demo.md", REPORT.format(extra=extra))
    return KnowledgeBase.load(tree.root)


def test_sections_anchors_lines_and_hierarchy(tree):
    kb = load_report(tree)
    assert kb.problems.errors == []
    secs = kb.entries[0].sections
    assert [s.anchor for s in secs] == ["sec-1", "sec-1-1", "sec-1-2", "sec-2", "sec-2-1", "sec-3"]
    assert [s.level for s in secs] == [1, 2, 2, 1, 2, 1]
    text = (tree.root / "data/reports/demo.md").read_text(encoding="utf-8").split("\n")
    for s in secs:  # the recorded line is the heading's line in the file
        assert text[s.line - 1].lstrip("#").strip() == s.heading
    assert "代码块里的标题" in secs[4].text  # fenced code is text, not a heading


def test_kinds_are_inferred_and_inherited(tree):
    secs = load_report(tree).entries[0].sections
    kinds = {s.anchor: s.kind for s in secs}
    assert kinds == {
        "sec-1": "achievement", "sec-1-1": "achievement", "sec-1-2": "achievement",
        "sec-2": "problem", "sec-2-1": "problem", "sec-3": "plan",
    }


def test_areas_from_keywords_in_both_scripts(tree):
    secs = {s.anchor: s for s in load_report(tree).entries[0].sections}
    assert secs["sec-1-1"].areas[0] == "religion"
    assert secs["sec-1-2"].areas == ["private-economy"]
    assert secs["sec-2-1"].areas[0] == "religion"  # Traditional text
    assert "宗教活动场所" in secs["sec-2-1"].matched["religion"]
    assert secs["sec-3"].areas == ["ethnic"]


def test_front_matter_overrides_kind_and_areas(tree):
    extra = "sections:\n  sec-1-2:\n    kind: experience\n    areas: [central-tasks]\n  二、存在的问题:\n    kind: suggestion\n"
    secs = {s.anchor: s for s in load_report(tree, extra).entries[0].sections}
    assert secs["sec-1-2"].kind == "experience" and secs["sec-1-2"].areas == ["central-tasks"]
    assert secs["sec-2"].kind == "suggestion"
    assert secs["sec-2-1"].kind == "suggestion"  # children inherit an overridden part kind


def test_override_of_unknown_section_or_area_is_an_error(tree):
    extra = "sections:\n  sec-9:\n    kind: plan\n  sec-1-1:\n    areas: [nowhere]\n"
    kb = load_report(tree, extra)
    out = [str(p) for p in kb.problems.errors]
    assert out == [
        "data/reports/demo.md:14: sections.sec-1-1.areas[0]: 未知的工作领域“nowhere”（第 1 项），可用的领域见 data/areas.yml",
    ] or out == [
        "data/reports/demo.md:14: sections.sec-1-1.areas[0]: 未知的工作领域“nowhere”（第 1 项），可用的领域见 data/areas.yml",
        "data/reports/demo.md:11: sections.sec-9: 报告中没有锚点或标题为“sec-9”的段落",
    ]


def test_unknown_section_key(tree):
    kb = load_report(tree, "sections:\n  sec-9:\n    kind: plan\n")
    assert [str(p) for p in kb.problems.errors] == [
        "data/reports/demo.md:11: sections.sec-9: 报告中没有锚点或标题为“sec-9”的段落"
    ]


def test_heading_kinds():
    assert heading_kind("一、上半年主要工作") == "achievement"
    assert heading_kind("（三）工作中存在的不足") == "problem"
    assert heading_kind("三、下一步工作打算") == "plan"
    # In a second-half report 下半年 is the period reported on, not the future.
    assert heading_kind("一、下半年工作开展情况") == "achievement"
    assert heading_kind("二、下半年工作思路") == "plan"
    assert heading_kind("二、下半年工作") == "plan"
    assert heading_kind("四、幾點體會") == "experience"
    assert heading_kind("五、对策建议") == "suggestion"
    assert heading_kind("（一）加强党外代表人士队伍建设") is None


def _heldout_reports() -> list[dict]:
    """The fictional held-out reports (tests/fixtures/heldout/reports.py), as written."""
    sys.path.insert(0, str(ROOT / "tests" / "fixtures" / "heldout"))
    from reports import REPORTS

    return REPORTS


def _as_markdown(report: dict) -> str:
    """A report's outline as Markdown headings (its depth), as the importer writes it."""
    out = list(report["intro"])
    for depth, heading, _kind, _area, paras in report["items"]:
        out.append("#" * (depth + 1) + " " + heading)
        out.extend(paras)
    return "\n\n".join(out)


def test_reports_split_and_classify():
    """Whole reports split into sections and get areas from the taxonomy.

    (The same check on the real reports in ../shared/seeds is part of bench/eval_import.py --check.)
    """
    matcher = AreaMatcher(keywords())
    total, with_area, found = 0, 0, set()
    for report in _heldout_reports():
        secs = split_sections(_as_markdown(report), 1)
        assert len(secs) >= 4, report["file"]
        for s in secs:
            areas, _ = matcher.score(s.heading, s.text)
            total += 1
            with_area += bool(areas)
            found.update(areas)
    assert with_area / total > 0.6
    assert {"religion", "ethnic", "private-economy", "party-cooperation"} <= found
