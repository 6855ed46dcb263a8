"""The `kb` command line: check, new, schema."""

from __future__ import annotations

import json

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
    path = tree.root / "data" / "cases" / "case-2024.md"
    original = path.read_text(encoding="utf-8")
    assert "areas: [religion, ethnic]" in original
    second = run(args, tree.root)
    assert second.returncode == 0
    assert path.read_text(encoding="utf-8") == original  # untouched
    assert (tree.root / "data" / "cases" / "case-2024-2.md").is_file()
    assert run(["check"], tree.root).returncode == 0


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
