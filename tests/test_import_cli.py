"""`kb import`: writing entries, never overwriting, dry runs, JSON, failures, kb check."""

from __future__ import annotations

import json
from pathlib import Path

from kb.importer.run import run_import
from kb.model.knowledge import KnowledgeBase

from conftest import run_kb as run

REPORT_A = """某区委统战部2022年上半年工作总结
当前位置：首页 > 工作总结
某区委统战部2022年上半年工作总结
上半年，区委统战部在区委领导下扎实开展工作。现将有关情况报告如下。
一、上半年主要工作
（一）宗教工作
组织宗教活动场所负责人学习《宗教事务条例》，对照《条例》开展自查，创建和谐寺观教堂2处。
（二）党外代表人士工作
推荐党外代表人士担任人大代表、政协委员人选8名，选派党外干部挂职锻炼。
（三）其他工作
完成上级交办的各项任务。
二、存在问题
（一）基层统战力量薄弱
镇街统战委员多为兼职，统战干部队伍不稳定。
三、下半年工作思路
（一）做好民营经济统战工作
走访民营企业，指导商会换届，推动光彩事业项目。
版权声明：本站文章来自互联网，转载请注明出处。
"""

REPORT_B = """某市委统战部2019年度工作总结
一、主要工作
（一）民族工作
开展民族团结进步示范创建，服务少数民族流动人口。
二、下一步打算
（一）侨务工作
走访归侨侨眷，加强海外联谊。
"""


def sources(tmp_path: Path) -> tuple[Path, Path]:
    a = tmp_path / "in" / "a.txt"
    b = tmp_path / "in" / "b.txt"
    a.parent.mkdir()
    a.write_text(REPORT_A, encoding="utf-8")
    b.write_bytes(REPORT_B.encode("gbk"))
    return a, b


def files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_import_writes_valid_entries_and_check_lists_review_marks(tree, tmp_path):
    a, b = sources(tmp_path)
    r = run(["import", str(a), str(b)], tree.root)
    assert r.returncode == 0, r.stderr
    written = sorted((tree.root / "data" / "reports").glob("*.md"))
    assert len(written) == 2
    assert "已导入 data/reports/" in r.stdout
    kb = KnowledgeBase.load(tree.root)
    assert kb.problems.errors == []
    entry = next(e for e in kb.entries if e.meta.unit == "某区委统战部")
    assert (entry.meta.year, entry.meta.period, entry.meta.level) == (2022, "上半年", "区县")
    assert {"religion", "representatives"} <= set(entry.meta.areas)
    text = entry.doc.path.read_text(encoding="utf-8")
    assert "当前位置" not in text and "版权声明" not in text
    assert text.count("某区委统战部2022年上半年工作总结") == 1  # title only in the front matter
    # the site splits the written entry into the same sections, with the same kinds and areas
    secs = {s.heading: s for s in entry.sections}
    assert secs["（一）宗教工作"].kind == "achievement" and secs["（一）宗教工作"].areas[0] == "religion"
    assert secs["（一）基层统战力量薄弱"].kind == "problem"
    assert secs["（一）做好民营经济统战工作"].kind == "plan"
    # the reason is kept; the section with no keywords is marked and listed by kb check
    other = secs["（三）其他工作"]
    override = entry.meta.sections[other.anchor]
    assert override.review is True
    assert "宗教事务条例" in entry.meta.sections[secs["（一）宗教工作"].anchor].reason
    warnings = [str(p) for p in kb.problems.warnings if "review" in p.message]
    line = entry.doc.line_of(("sections", other.anchor, "review"))
    assert f"{entry.doc.rel}:{line}: sections.{other.anchor}: 警告: 段落“（三）其他工作”" in warnings[0]
    assert len(warnings) == sum(1 for ov in entry.meta.sections.values() if ov.review) + sum(
        1 for e in kb.entries if e is not entry for ov in e.meta.sections.values() if ov.review)
    check = run(["check"], tree.root)
    assert check.returncode == 0 and "请核对后删除 review 标记" in check.stderr


def test_no_overwrite_without_force_and_a_backup_with_force(tree, tmp_path):
    a, _ = sources(tmp_path)
    assert run(["import", str(a)], tree.root).returncode == 0
    (entry,) = (tree.root / "data" / "reports").glob("*.md")
    again = run(["import", "--force", str(a)], tree.root)  # same text: nothing to do, no backup
    assert again.returncode == 0 and "内容相同，未改动" in again.stdout
    assert list(entry.parent.iterdir()) == [entry]
    edited = entry.read_text(encoding="utf-8") + "\n人工补充的一段说明。\n"
    entry.write_text(edited, encoding="utf-8")
    r = run(["import", str(a)], tree.root)
    assert r.returncode == 1
    assert "已存在，未覆盖" in r.stderr and str(a) in r.stderr
    assert entry.read_text(encoding="utf-8") == edited
    r = run(["import", "--force", str(a)], tree.root)
    assert r.returncode == 0, r.stderr
    backup = entry.with_name(entry.name + ".bak")
    assert backup.read_text(encoding="utf-8") == edited
    assert "人工补充" not in entry.read_text(encoding="utf-8")
    assert "已备份" in r.stdout
    assert KnowledgeBase.load(tree.root).problems.errors == []  # the backup is not read as an entry


def test_dry_run_json_writes_nothing_and_is_stable(tree, tmp_path):
    a, b = sources(tmp_path)
    before = files(tree.root)
    one = run(["import", "--dry-run", "--format", "json", str(a)], tree.root)
    assert one.returncode == 0, one.stderr
    assert files(tree.root) == before
    obj = json.loads(one.stdout)
    assert list(obj) == ["id", "title", "unit", "level", "year", "period", "sections"]
    assert obj["title"] == "某区委统战部2022年上半年工作总结"
    assert list(obj["sections"][0]) == ["heading", "level", "kind", "areas", "cites", "text"]
    sec = next(s for s in obj["sections"] if s["heading"] == "（一）宗教工作")
    assert sec == {"heading": "（一）宗教工作", "level": 2, "kind": "achievement", "areas": ["religion"],
                   "cites": ["宗教事务条例"],
                   "text": "组织宗教活动场所负责人学习《宗教事务条例》，对照《条例》开展自查，创建和谐寺观教堂2处。"}
    both = run(["import", "--dry-run", "--format", "json", str(a), str(b)], tree.root)
    arr = json.loads(both.stdout)
    assert [o["id"] for o in arr] == [obj["id"], arr[1]["id"]] and arr[0] == obj  # same file -> same id
    assert arr[1]["level"] == "市" and arr[1]["year"] == 2019 and arr[1]["period"] == "年度"
    assert files(tree.root) == before


def test_a_bad_file_is_named_and_the_others_still_import(tree, tmp_path):
    a, b = sources(tmp_path)
    bad = tmp_path / "in" / "broken.docx"
    bad.write_bytes(b"PK\x03\x04 broken")
    r = run(["import", str(bad), str(a), str(tmp_path / "in" / "missing.html"), str(b)], tree.root)
    assert r.returncode == 1
    assert f"{bad}: 错误: 无法导入：不是有效的 .docx 文件" in r.stderr
    assert "missing.html: 错误: 无法导入：文件不存在" in r.stderr
    assert len(list((tree.root / "data" / "reports").glob("*.md"))) == 2


def test_same_report_twice_in_one_run(tree, tmp_path):
    a, _ = sources(tmp_path)
    copy = tmp_path / "in" / "copy.txt"
    copy.write_text(REPORT_A, encoding="utf-8")
    outcome = run_import([a, copy], tree.root, dry_run=False, force=False, progress=False)
    assert [o.status for o in outcome.outcomes] == ["written", "skipped"]
    assert outcome.outcomes[0].result.meta.id == outcome.outcomes[1].result.meta.id
    assert "是同一份报告" in outcome.outcomes[1].message
    assert len(list((tree.root / "data" / "reports").glob("*.md"))) == 1


def test_progress_bar_for_several_files(tree, tmp_path, capsys):
    a, b = sources(tmp_path)
    run_import([a, b], tree.root, dry_run=True, force=False, progress=True)
    assert "导入" in capsys.readouterr().err
    run_import([a], tree.root, dry_run=True, force=False, progress=True)
    assert capsys.readouterr().err == ""  # one file: no bar


def test_no_taxonomy_is_a_clear_error(tmp_path):
    a, _ = sources(tmp_path)
    empty = tmp_path / "empty"
    empty.mkdir()
    r = run(["import", "--root", str(empty), str(a)], tmp_path)
    assert r.returncode == 2
    assert r.stderr.startswith("错误：无法读取工作领域分类 data/areas.yml")
    assert "Traceback" not in r.stderr and not (empty / "data").exists()
