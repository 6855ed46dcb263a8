"""The `kb` command line: check, new, schema."""

from __future__ import annotations

import json

import pytest

from conftest import ROOT, case, run_kb as run


def test_check_passes_on_the_sample_data():
    r = run(["check"], ROOT)
    assert r.returncode == 0, r.stderr
    assert "错误 0 个" in r.stdout


def test_check_reports_one_line_per_problem_and_fails(tree):
    tree.write("cases/ok.md", case(id="ok"))
    tree.write(
        "somewhere/deep/broken.md",
        """
        ---
        id: broken-case
        type: case
        title: 有三个问题的案例
        areas: [religion, no-such-area]
        year: 去年
        ---
        正文
        """,
    )
    r = run(["check"], tree.root)
    assert r.returncode == 1
    lines = [l for l in r.stderr.splitlines() if l.startswith("data/")]
    assert lines == [
        "data/somewhere/deep/broken.md:1: unit: 缺少必填字段",
        "data/somewhere/deep/broken.md:5: areas[1]: 未知的工作领域“no-such-area”（第 2 项），可用的领域见 data/areas.yml",
        "data/somewhere/deep/broken.md:6: year: “去年”不是年份，应写成四位整数，例如 2024",
    ]


def test_new_case_with_flags_passes_check_and_never_overwrites(tree):
    args = ["new", "case", "--title", "标题", "--areas", "religion,ethnic", "--unit", "某区委统战部", "--year", "2024"]
    first = run(args, tree.root)
    assert first.returncode == 0, first.stderr
    path = tree.root / "data" / "cases" / "biaoti-2024.md"
    original = path.read_text(encoding="utf-8")
    assert "areas: [religion, ethnic]" in original
    second = run(args, tree.root)
    assert second.returncode == 0
    assert path.read_text(encoding="utf-8") == original  # untouched
    assert (tree.root / "data" / "cases" / "biaoti-2024-2.md").is_file()
    # The template's hints are still in both files: kb check names each at its line.
    r = run(["check"], tree.root)
    assert r.returncode == 1
    lines = [l for l in r.stderr.splitlines() if l.startswith("data/cases/biaoti-2024.md")]
    assert lines[0] == "data/cases/biaoti-2024.md:11: 正文: 模板占位文字“（为什么做）”尚未替换，请改写为实际内容或删除这一行"
    assert len(lines) == 4
    body = original.split("---\n", 2)[2]
    for hint in ("（为什么做）", "（做了什么）", "（取得了什么效果）", "（其他单位可以借鉴什么）"):
        body = body.replace(hint, "已写好的内容。")
    path.write_text(original.split("---\n", 2)[0] + "---\n" + original.split("---\n", 2)[1] + "---\n" + body,
                    encoding="utf-8")
    (tree.root / "data" / "cases" / "biaoti-2024-2.md").unlink()
    r = run(["check"], tree.root)
    assert r.returncode == 0, r.stderr


@pytest.mark.parametrize("title, year, expected", [
    ("宗教事务条例", "2017", "zongjiao-shiwu-tiaoli-2017"),
    ("2024年某市统战工作总结", "2024", "moushi-tongzhan-gongzuo-zongjie-2024"),  # the year once
    ("《宗教事务条例》实施细则", "2024", "zongjiao-shiwu-tiaoli-shishi-xize-2024"),
    ("绿色旅游 Demo 案例", "2023", "lvse-lvyou-demo-anli-2023"),
    # too long in full syllables: initials
    ("某区民族团结进步示范社区创建工作经验做法与成效总结报告", "2024", "mqmztjjbsfsqcjgzjyzfycxzjbg-2024"),
    ("！！？", "2024", "case-2024"),  # nothing to spell
])
def test_new_ids_spell_the_title(title, year, expected):
    from kb.cli.scaffold import MAX_STEM, new_id
    from kb.schema.models import ID_RE

    eid = new_id(title, year, "case")
    assert eid == expected
    assert ID_RE.match(eid) and len(eid) <= MAX_STEM + 5


def test_new_ids_are_bounded_and_valid_for_any_title():
    from kb.cli.scaffold import MAX_STEM, new_id
    from kb.schema.models import ID_RE

    for title in ("关于" * 60, "A" * 200 + "条例", "条例" + "x" * 100, "ǖ ü é 中文", "第1号 2号 3号"):
        eid = new_id(title, "2024", "policy")
        assert ID_RE.match(eid), eid
        assert len(eid) <= MAX_STEM + 5, eid


def test_new_with_id_option_and_unique_ids(tree):
    base = ["new", "case", "--areas", "religion", "--unit", "某区委统战部", "--year", "2024"]
    r = run([*base, "--title", "宗教活动场所安全检查"], tree.root)
    assert r.returncode == 0 and "zongjiao-huodong-changsuo-anquan-jiancha-2024" in r.stdout
    r = run([*base, "--title", "宗教活动场所安全检查"], tree.root)
    assert "zongjiao-huodong-changsuo-anquan-jiancha-2024-2" in r.stdout
    r = run([*base, "--title", "宗教活动场所安全检查", "--id", "anjian-2024"], tree.root)
    assert r.returncode == 0 and (tree.root / "data" / "cases" / "anjian-2024.md").is_file()


def test_every_template_hint_is_a_known_placeholder():
    import re

    from kb.schema.placeholders import PLACEHOLDERS

    templates = ROOT / "hooks" / "kb" / "cli" / "templates"
    hints = {h for f in templates.glob("*.j2") for h in re.findall(r"（[^（）]*）", f.read_text(encoding="utf-8"))
             if not re.fullmatch(r"（[一二三四五六七八九十]+）", h)}
    assert hints and hints <= set(PLACEHOLDERS)


def test_new_refuses_bad_values_and_missing_fields(tree):
    r = run(["new", "policy", "--title", "某意见", "--areas", "religion"], tree.root)
    assert r.returncode == 2 and "--issuer" in r.stderr and "--promulgated" in r.stderr
    r = run(["new", "case", "--title", "x", "--areas", "nowhere", "--unit", "u", "--year", "2024"], tree.root)
    assert r.returncode == 1 and "未知的工作领域“nowhere”" in r.stderr
    assert not (tree.root / "data" / "cases").exists() or not any((tree.root / "data" / "cases").iterdir())


def test_schema_is_generated_from_the_models(tree):
    r = run(["schema"], tree.root)
    assert r.returncode == 0
    schema = json.loads(r.stdout)
    defs = schema["$defs"]
    assert set(defs) >= {"Regulation", "Policy", "Report", "Case"}
    assert defs["Case"]["additionalProperties"] is False
    assert set(defs["Report"]["required"]) >= {"id", "type", "title", "areas", "unit", "year", "period", "level"}
    assert "religion" in defs["Case"]["properties"]["areas"]["items"]["enum"]


def _sample_copy(tmp_path):
    import shutil

    root = tmp_path / "kb"
    shutil.copytree(ROOT / "data", root / "data")
    return root


def _break(root, rel, field, value):
    import re

    path = root / rel
    text = path.read_text(encoding="utf-8")
    path.write_text(re.sub(rf"(?m)^{field}: .*$", f"{field}: {value}", text, count=1), encoding="utf-8")


REG_2017 = "data/regulations/zongjiao-shiwu-tiaoli-2017.md"


def test_one_broken_entry_reports_only_its_own_error(tmp_path):
    root = _sample_copy(tmp_path)
    _break(root, REG_2017, "status", "现行")
    r = run(["check", "--format", "json", "--today", "2025-01-01"], root)
    assert r.returncode == 1
    report = json.loads(r.stdout)
    assert [(p["path"], p["field"]) for p in report["errors"]] == [(REG_2017, "status")]
    # nothing about the untouched 2004 version or the entries citing 宗教事务条例 ...
    assert [p for p in report["warnings"] if p["path"] != REG_2017 and "复核" not in p["message"]] == []
    # ... but the failed file says that problems elsewhere were left out because of it
    note = [p for p in report["warnings"] if p["path"] == REG_2017]
    assert len(note) == 1 and "已略去" in note[0]["message"]
    count = int(note[0]["message"].split("由此引起的 ")[1].split(" 处")[0])
    assert count >= 2


def test_problems_of_other_files_are_still_reported(tmp_path):
    root = _sample_copy(tmp_path)
    _break(root, REG_2017, "status", "现行")
    _break(root, "data/regulations/zongjiao-shiwu-tiaoli-2004.md", "superseded_by", "no-such-entry")
    report = json.loads(run(["check", "--format", "json"], root).stdout)
    assert ("data/regulations/zongjiao-shiwu-tiaoli-2004.md", "superseded_by") in {
        (p["path"], p["field"]) for p in report["errors"]}


@pytest.mark.parametrize("value, message", [
    ("2018-02-30", "“2018-02-30”不是有效日期：2018年2月没有30日（这个月只有 28 天）"),
    ("2020-02-30", "“2020-02-30”不是有效日期：2020年2月没有30日（这个月只有 29 天）"),
    ("2017-13-01", "“2017-13-01”不是有效日期：没有13月（月份应为 1–12）"),
    ("2017-8-26", "“2017-8-26”不是有效日期，应写成 YYYY-MM-DD，例如 2017-08-26"),
])
def test_impossible_dates_say_why(tmp_path, value, message):
    root = _sample_copy(tmp_path)
    _break(root, REG_2017, "promulgated", value)
    report = json.loads(run(["check", "--format", "json"], root).stdout)
    assert {"path": REG_2017, "line": 9, "field": "promulgated", "message": message, "severity": "error"} \
        in report["errors"]


def test_cascades_are_left_out_on_cached_reloads_too(tmp_path):
    """The live preview reloads through the per-file cache: an unchanged failed file is not read
    through validation again, and what follows from it is still left out."""
    from kb.model.cache import EntryCache
    from kb.model.knowledge import KnowledgeBase

    root = _sample_copy(tmp_path)
    _break(root, REG_2017, "status", "现行")
    import os
    import time

    old = time.time() - 3600  # not just written: the cache keeps its results
    for path in (root / "data").rglob("*.md"):
        os.utime(path, (old, old))
    cache = EntryCache()
    for _ in range(2):
        kb = KnowledgeBase.load(root, audience="all", cache=cache)
        assert [p.path for p in kb.problems.errors] == [REG_2017]
    assert cache.hits >= len(kb.entries)
