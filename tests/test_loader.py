"""Loading and validating entries: every error kind names the right path:line."""

from __future__ import annotations

from kb.model.knowledge import KnowledgeBase

from conftest import case


def problems(tree) -> list[str]:
    kb = KnowledgeBase.load(tree.root)
    return [str(p) for p in kb.problems.errors]


def test_valid_case_loads_with_defaults(tree):
    tree.write("cases/demo-case.md", case())
    kb = KnowledgeBase.load(tree.root)
    assert kb.problems.errors == []
    (e,) = kb.entries
    assert e.id == "demo-case" and e.type == "case"
    assert e.meta.audience == "internal"
    assert e.doc.body.startswith("## 背景")
    assert e.doc.body_line == 9


def test_every_field_error_has_its_own_line(tree):
    tree.write(
        "deep/nested/bad.md",
        """
        ---
        id: bad-case
        type: case
        title: 有问题的案例
        areas: [religion, nowhere]
        year: 二〇二三年
        colour: red
        ---
        正文
        """,
    )
    assert problems(tree) == [
        "data/deep/nested/bad.md:1: unit: 缺少必填字段",
        "data/deep/nested/bad.md:5: areas[1]: 未知的工作领域“nowhere”（第 2 项），可用的领域见 data/areas.yml",
        "data/deep/nested/bad.md:6: year: “二〇二三年”不是年份，应写成四位整数，例如 2024",
        "data/deep/nested/bad.md:7: colour: 未知字段（请检查拼写，可用字段见《字段说明》）",
    ]


def test_wrong_types_enums_and_dates(tree):
    tree.write(
        "regulations/r.md",
        """
        ---
        id: some-reg
        type: regulation
        title: 某条例
        areas: religion
        issuer: 国务院
        status: valid
        promulgated: 2017-13-01
        effective: 明年
        aliases: 条例
        ---
        """,
    )
    out = problems(tree)
    assert "data/regulations/r.md:5: areas: 应为列表，例如 [religion, ethnic]" in out
    assert "data/regulations/r.md:7: status: 取值“valid”无效，应为 in-force、amended、repealed、not-yet-effective 之一" in out
    assert any(p.startswith("data/regulations/r.md:8: promulgated: “2017-13-01”不是有效日期") for p in out)
    assert any(p.startswith("data/regulations/r.md:9: effective: “明年”不是有效日期") for p in out)
    assert any(p.startswith("data/regulations/r.md:10: aliases: 应为列表") for p in out)
    assert len(out) == 5


def test_numeric_date_is_not_taken_as_a_timestamp(tree):
    tree.write(
        "p.md",
        """
        ---
        id: p
        type: policy
        title: 某意见
        areas: [religion]
        issuer: 某部
        status: in-force
        promulgated: 2017
        ---
        """,
    )
    assert problems(tree) == ["data/p.md:8: promulgated: “2017”不是有效日期，应写成 YYYY-MM-DD，例如 2017-08-26"]


def test_bad_ids_and_unknown_type(tree):
    tree.write("a.md", case(id="Bad_ID"))
    tree.write("b.md", case(id="index"))
    tree.write("c.md", case().replace("type: case", "type: memo"))
    out = problems(tree)
    assert out[0].startswith("data/a.md:2: id: “Bad_ID”不是有效的 id")
    assert out[1] == "data/b.md:2: id: “index”是保留字，不能用作 id"
    assert out[2] == "data/c.md:3: type: 未知的条目类型“memo”，应为 regulation / policy / report / case"


def test_duplicate_ids_name_both_files(tree):
    tree.write("one/x.md", case(id="same"))
    tree.write("two/x.md", case(id="same"))
    assert problems(tree) == ["data/two/x.md:2: id: id“same”重复，已在 data/one/x.md:2 使用"]


def test_references_to_missing_or_wrong_entries(tree):
    tree.write("c.md", case().replace("year: 2023", "year: 2023\nreport: no-such-report"))
    tree.write("d.md", case(id="other-case").replace("year: 2023", "year: 2023\nreport: demo-case"))
    out = problems(tree)
    assert "data/c.md:8: report: 引用的条目“no-such-report”不存在" in out
    assert "data/d.md:8: report: “demo-case”不是工作报告" in out


def test_invalid_yaml_reports_its_line(tree):
    tree.write(
        "y.md",
        """
        ---
        id: y
        type: case
        source: **县委统战部
        ---
        """,
    )
    (msg,) = problems(tree)
    assert msg.startswith("data/y.md:4: -: YAML 语法错误：以 * 或 & 开头的取值需要用引号括起来")


def test_unclosed_list_and_missing_front_matter(tree):
    tree.write("z.md", "---\nid: z\ntype: case\nareas: [religion\ntitle: x\n---\n")
    tree.write("n.md", "# 只有正文\n")
    tree.write("u.md", "---\nid: u\ntype: case\n")
    out = problems(tree)
    assert out[0] == "data/n.md:1: -: 文件开头缺少 YAML 头信息（第一行应为 ---）"
    assert out[1] == "data/u.md:1: -: YAML 头信息没有结束标记（缺少单独一行的 ---）"
    assert out[2].startswith("data/z.md:4: -: YAML 语法错误")


def test_yaml_aliases_are_refused(tree):
    tree.write("a.md", "---\nid: a\ntype: case\ntags: &t [x, y]\nareas: *t\n---\n")
    (msg,) = problems(tree)
    assert msg == "data/a.md:5: -: 不支持 YAML 锚点和别名（& 与 *），请直接写出取值"


def test_encodings_bom_and_crlf(tree):
    body = case(id="bom-crlf").lstrip("\n").replace("\n", "\r\n").encode("utf-8")
    tree.write_bytes("bom.md", b"\xef\xbb\xbf" + body)
    tree.write_bytes("gbk.md", case(id="gbk").lstrip("\n").encode("gbk"))
    kb = KnowledgeBase.load(tree.root)
    assert [e.id for e in kb.entries] == ["bom-crlf"]
    (err,) = kb.problems.errors
    assert err.path == "data/gbk.md" and err.line == 4 and "UTF-8" in err.message


def test_problems_of_all_files_are_reported_together(tree):
    for i in range(5):
        tree.write(f"bad{i}.md", case(id=f"bad-{i}", areas="nowhere"))
    assert len(problems(tree)) == 5


def test_entry_files_listings_reread_only_changed_directories(tmp_path, monkeypatch):
    """kb serve keeps data/'s directory listings: an unchanged directory is not read again (its paths
    are the very same objects), and every change (a file added, removed or misnamed, a folder added,
    removed or linked) gives exactly what a fresh walk gives."""
    import os

    from kb.source import listing

    data = tmp_path / "data"
    (data / "cases").mkdir(parents=True)
    (data / "cases" / "a.md").write_text("x", encoding="utf-8")
    (data / "cases" / ".swap.md").write_text("x", encoding="utf-8")
    listings: dict = {}

    def both() -> list:
        fresh_bad: list = []
        fresh = listing.entry_files(data, fresh_bad)
        bad: list = []
        got = listing.entry_files(data, bad, listings)
        assert (got, bad) == (fresh, fresh_bad)
        return got

    monkeypatch.setattr(listing, "RACY_NS", 0)  # ctime cannot be set back: trust listings at once
    first = both()
    assert [p.name for p in first] == ["a.md"]
    assert all(a is b for a, b in zip(first, both()))  # not read again

    (data / "cases" / "b.md").write_text("x", encoding="utf-8")
    (data / "cases" / "c.MD").write_text("x", encoding="utf-8")
    assert [p.name for p in both()] == ["a.md", "b.md"]
    (data / "cases" / "sub").mkdir()
    (data / "cases" / "sub" / "d.md").write_text("x", encoding="utf-8")
    assert [p.relative_to(data).as_posix() for p in both()] == ["cases/a.md", "cases/b.md", "cases/sub/d.md"]
    (data / "cases" / "sub" / "e.md").write_text("x", encoding="utf-8")  # only the subfolder changes
    assert len(both()) == 4
    os.symlink(data / "cases" / "sub", data / "linked")
    both()
    (data / "cases" / "sub" / "d.md").unlink()
    (data / "cases" / "sub" / "e.md").unlink()
    (data / "cases" / "sub").rmdir()
    assert [p.name for p in both()] == ["a.md", "b.md"]
    assert str(data / "cases" / "sub") not in listings  # gone folders forgotten

    monkeypatch.setattr(listing, "RACY_NS", 10**18)  # listed just after a change: read again next time
    (data / "cases" / "f.md").write_text("x", encoding="utf-8")
    kept = both()
    assert not any(a is b for a, b in zip(kept, both()))
