"""kb import of regulations and policies: recognition, header facts, articles, formats, versions, folders."""

from __future__ import annotations

import json
import shutil
import textwrap
from pathlib import Path

import pytest
import yaml

from kb.importer import formats
from kb.importer.dispatch import import_source
from kb.importer.document import DocumentResult
from kb.importer.evaluate_official import score
from kb.importer.official import looks_official, parse
from kb.importer.pipeline import ImportResult
from kb.importer.reading import Block, ReadError, read_blocks
from kb.problems import Problems
from kb.source.loader import read_taxonomy

from conftest import ROOT, run_kb

FIXTURES = ROOT / "tests" / "fixtures" / "import_eval"
LABELLED = sorted(p for p in FIXTURES.glob("*.expected.yml")
                  if yaml.safe_load(p.read_text(encoding="utf-8"))["type"] in ("regulation", "policy"))


@pytest.fixture(scope="module")
def keywords() -> dict[str, list[str]]:
    tax = read_taxonomy(ROOT / "data" / "areas.yml", ROOT, Problems())
    return {s: a["keywords"] for s, a in tax.areas.items()}


def source_of(labels: Path) -> Path:
    name = labels.name[: -len(".expected.yml")]
    (src,) = [p for p in FIXTURES.glob(f"{name}.*") if not p.name.endswith(".yml")]
    return src


def blocks(text: str) -> list[Block]:
    return [Block(line) for line in textwrap.dedent(text).strip().split("\n")]


def test_scorer_notices_wrong_fields_missing_and_extra_anchors_and_furniture(tmp_path, keywords):
    """The fixtures themselves are scored against bench/eval_thresholds.yml (100%) in
    test_import_eval_fixtures.py; here a wrong label must show."""
    from kb.importer.fixture_eval import evaluate_fixtures

    shutil.copy(FIXTURES / "qinghe-zongjiao-tiaoli.html", tmp_path / "x.html")
    labels = yaml.safe_load((FIXTURES / "qinghe-zongjiao-tiaoli.expected.yml").read_text(encoding="utf-8"))
    labels["issuer"] = "青禾省人民政府"
    labels["inserted"] = ["12-1", "13-1"]  # 第十三条之一 is not there
    labels["articles"] = 20  # article-21 is then one too many
    labels["absent"] = ["宗教活动场所"]  # text that is in the body
    (tmp_path / "x.expected.yml").write_text(yaml.safe_dump(labels, allow_unicode=True), encoding="utf-8")
    got = evaluate_fixtures(tmp_path, keywords, ROOT)["regulation"]
    assert got.counts["doc_issuer"] == [0, 1] and got.counts["doc_level"] == [1, 1]
    assert got.counts["anchors"] == [29, 31]  # 29 of 30 expected found, plus one extra
    assert any("缺少锚点 #article-13-1" in e for e in got.errors)
    assert any("多出的锚点 #article-21" in e for e in got.errors)
    assert got.boilerplate == ["x.html: 宗教活动场所"]
    direct = score("x.html", import_source(tmp_path / "x.html", ROOT, keywords), labels)
    assert direct.wrong == ["issuer"] and direct.anchors_extra == ["article-21"]


def test_every_format_is_covered_by_a_labelled_fixture():
    suffixes = {source_of(p).suffix for p in LABELLED}
    assert {".html", ".doc", ".pdf", ".txt"} <= suffixes


def test_regulation_body_markdown(keywords):
    result = import_source(FIXTURES / "qinghe-zongjiao-tiaoli.html", ROOT, keywords)
    assert isinstance(result, DocumentResult) and result.type == "regulation"
    body = result.markdown.split("\n---\n", 1)[1]
    assert body.startswith("## 第一章 总则\n\n**第一条** 为了保障公民宗教信仰自由")
    assert "### 第二节 内部管理" in body and "**第十二条之一** 宗教活动场所应当建立安全管理制度" in body
    assert body.count("## 第一章") == 1  # the 目录 is gone, the chapter is there once
    assert "（一）设立宗旨不违背法律法规的规定；" in body  # items of an article stay paragraphs
    for furniture in ("青禾省人民代表大会常务委员会公告", "现予公布", "索引号", "ICP"):
        assert furniture not in body


def test_report_is_not_taken_for_an_official_document(keywords, tmp_path):
    src = tmp_path / "r.txt"
    src.write_text("某县委统战部2021年度工作总结\n一、主要工作\n（一）宗教工作\n全县按照《宗教事务条例》第十九条要求，"
                   "指导宗教活动场所落实安全管理制度。\n二、存在问题\n统战干部培训不足。\n", encoding="utf-8")
    assert isinstance(import_source(src, tmp_path, keywords), ImportResult)


def test_type_option_overrides_recognition(keywords):
    src = FIXTURES / "linchuan-minying-tongzhi.pdf"
    assert import_source(src, ROOT, keywords).type == "policy"
    forced = import_source(src, ROOT, keywords, etype="regulation")
    assert forced.type == "regulation" and forced.rel.startswith("data/regulations/")


def test_level_inference_and_review_mark():
    cases = {
        "中华人民共和国主席令\n第三十一号\n中华人民共和国某某促进法\n第一条 为了促进某某，制定本法。\n第二条 本法适用于全国。\n第三条 国务院负责实施。": ("法律", True),
        "国家民族事务委员会令\n第5号\n民族团结进步示范单位认定办法\n第一条 为了规范认定，制定本办法。\n第二条 适用范围。\n第三条 认定程序。": ("部门规章", True),
        "某省人民政府令\n第7号\n某省宗教场所消防办法\n第一条 为了防火，制定本办法。\n第二条 适用范围。\n第三条 职责分工。": (None, False),
    }
    for text, (level, sure) in cases.items():
        from kb.importer.document import infer_level

        got = infer_level(parse(blocks(text)))
        assert (got.value, got.sure) == (level, sure), text.split("\n")[0]


def test_dates_from_adoption_note_and_chinese_numerals():
    doc = parse(blocks("""
        某市民族团结进步促进条例
        （二〇二三年八月三十日某市第十七届人民代表大会常务委员会第十二次会议通过　2023年11月24日某省第十四届人民代表大会常务委员会第六次会议批准）
        第一条　为了促进民族团结进步，制定本条例。
        第二条　本条例适用于本市行政区域。
        第三条　本条例自2024年3月1日起施行。
    """))
    assert doc.title == "某市民族团结进步促进条例"
    assert doc.issuer == "某市人民代表大会常务委员会"
    assert str(doc.promulgated) == "2023-11-24"  # the latest date of the note (批准)
    assert str(doc.effective) == "2024-03-01"


def test_no_area_keyword_is_not_a_refusal(tmp_path, keywords):
    src = tmp_path / "x.txt"
    src.write_text("某某设施维护办法\n第一条　为了维护设施，制定本办法。\n第二条　设施每年检修一次。\n"
                   "第三条　本办法自2030年1月1日起施行。\n", encoding="utf-8")
    result = import_source(src, tmp_path, keywords, today=__import__("datetime").date(2026, 1, 1))
    assert result.front["areas"] == [next(iter(keywords))]
    assert "未能识别工作领域" in result.front["review"] and "未能识别公布日期" in result.front["review"]
    assert result.front["status"] == "not-yet-effective"  # 施行日期 2030 is after "today"


def test_looks_official():
    assert looks_official(blocks("某办法\n第一条　甲。\n第二条　乙。\n第三条　丙。"))
    assert looks_official(blocks("某市人民政府办公室文件\n某政办发〔2024〕3号\n关于某事的通知\n各区：\n现通知如下。"))
    assert not looks_official(blocks("某镇2023年上半年统战工作总结\n一、主要工作\n按照《宗教事务条例》第三条开展工作。"))


# -- formats ------------------------------------------------------------------


def test_pdf_page_furniture_and_wrapped_lines():
    page1 = ["某市人民政府公报 2024年第3期", "第一条　为了加强宗教活动场所安全管理，预防和减少事故，保障人身", "财产安全，制定本办法。",
             "第二条　本办法适用于本市行政区域内依法登记的宗教活动场所和临时", "— 1 —"]
    page2 = ["某市人民政府公报 2024年第3期", "活动地点。", "第二章　监督", "第三条　检查每年不少于两次。", "— 2 —"]
    assert formats.pdf_lines([page1, page2]) == [
        "第一条　为了加强宗教活动场所安全管理，预防和减少事故，保障人身财产安全，制定本办法。",
        "第二条　本办法适用于本市行政区域内依法登记的宗教活动场所和临时活动地点。",
        "第二章　监督", "第三条　检查每年不少于两次。"]


def test_scanned_pdf_gets_a_clear_message(tmp_path):
    from pypdf import PdfWriter

    w = PdfWriter()
    w.add_blank_page(595, 842)
    w.add_blank_page(595, 842)
    scan = tmp_path / "scan.pdf"
    with open(scan, "wb") as fh:
        w.write(fh)
    with pytest.raises(ReadError, match="没有可提取的文字（可能是扫描件"):
        read_blocks(scan)
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.4\n1 0 obj <<>> garbage")
    with pytest.raises(ReadError, match="不是有效的 PDF"):
        read_blocks(broken)


def test_doc_and_wps_read_with_antiword(tmp_path):
    doc = FIXTURES / "chengxiang-minzu-tiaoli.doc"
    lines = [b.text for b in read_blocks(doc) if b.text.strip()]
    assert lines[0] == "中华人民共和国国务院令" and "第十三条　本条例自2025年6月1日起施行。" in lines
    wps = tmp_path / "copy.wps"  # WPS saves in the Word 97-2003 format antiword reads
    shutil.copy(doc, wps)
    assert [b.text for b in read_blocks(wps) if b.text.strip()] == lines
    fake = tmp_path / "x.wps"
    fake.write_bytes(b"not a word file at all")
    with pytest.raises(ReadError, match="不是 Word 97–2003 / WPS 文档"):
        read_blocks(fake)
    zipped = tmp_path / "renamed.doc"
    zipped.write_bytes(b"PK\x03\x04" + b"\x00" * 40)
    with pytest.raises(ReadError, match="请把扩展名改为 .docx"):
        read_blocks(zipped)


def test_missing_antiword_is_explained(monkeypatch):
    monkeypatch.setattr(formats, "antiword_path", lambda: None)
    with pytest.raises(ReadError, match="需要 antiword：请运行 make antiword"):
        read_blocks(FIXTURES / "chengxiang-minzu-tiaoli.doc")


def test_unsupported_type_lists_the_supported_ones(tmp_path):
    odd = tmp_path / "table.xlsx"
    odd.write_bytes(b"\x00\x01")
    with pytest.raises(ReadError, match=r"不支持的文件类型“\.xlsx”（支持 .*\.doc、\.wps、\.pdf）"):
        read_blocks(odd)


# -- versions -----------------------------------------------------------------

OLD = """\
---
id: chengxiang-minzu-shiwu-fuwu-tiaoli-2012
type: regulation
title: 城乡民族事务服务条例
issuer: 国务院
doc_number: 国务院令第600号
level: 行政法规
status: in-force
promulgated: 2012-05-10
effective: 2012-07-01
areas: [ethnic]
owner: 民族宗教处   # 人工补写的负责人，导入不得改动
---
> 说明：人工编写的旧版本摘编。

**第一条** 旧版第一条。
"""


def test_version_link_is_proposed_then_applied_on_request(tree):
    old = tree.write("regulations/chengxiang-minzu-shiwu-fuwu-tiaoli-2012.md", OLD)
    src = FIXTURES / "chengxiang-minzu-tiaoli.doc"
    first = run_kb(["import", "--root", tree.root, src], tree.root)
    assert first.returncode == 0, first.stderr
    assert "本文件是较新的版本。建议：本条目写 supersedes: chengxiang-minzu-shiwu-fuwu-tiaoli-2012" in first.stdout
    assert "superseded_by: chengxiang-minzu-shiwu-fuwu-tiaoli-2025，status: amended" in first.stdout
    assert old.read_text(encoding="utf-8") == OLD  # nothing changed without --link-versions
    new = tree.root / "data" / "regulations" / "chengxiang-minzu-shiwu-fuwu-tiaoli-2025.md"
    assert "supersedes" not in new.read_text(encoding="utf-8")

    new.unlink()
    linked = run_kb(["import", "--root", tree.root, "--link-versions", src], tree.root)
    assert linked.returncode == 0, linked.stderr
    assert "supersedes: chengxiang-minzu-shiwu-fuwu-tiaoli-2012\n" in new.read_text(encoding="utf-8")
    after = old.read_text(encoding="utf-8")
    # only the status line and one new line: the person's comment and body are kept
    assert after == OLD.replace("status: in-force", "status: amended").replace(
        "导入不得改动\n", "导入不得改动\nsuperseded_by: chengxiang-minzu-shiwu-fuwu-tiaoli-2025\n")
    check = run_kb(["check", "--root", tree.root], tree.root)
    assert check.returncode == 0, check.stderr

    again = run_kb(["import", "--root", tree.root, src], tree.root)  # the link is there: nothing to change
    assert again.returncode == 0 and "内容相同，未改动" in again.stdout and "版本关系已写入" in again.stdout
    assert old.read_text(encoding="utf-8") == after


def test_importing_an_older_version_and_conflicts():
    import datetime as dt

    from kb.importer.versions import Held, propose

    newer = Held("tiaoli-2017", "宗教事务条例", Path("n.md"), dt.date(2017, 8, 26), "in-force", None, None)
    p = propose("tiaoli-2004", "宗教事务条例", dt.date(2004, 11, 30), "in-force", [newer])
    assert p.links == {"superseded_by": "tiaoli-2017", "status": "amended"} and p.edits == {"supersedes": "tiaoli-2004"}
    taken = Held("tiaoli-2017", "宗教事务条例（2017年修订）", Path("n.md"), dt.date(2017, 8, 26), "in-force",
                 "tiaoli-1994", None)
    p = propose("tiaoli-2004", "宗教事务条例", dt.date(2004, 11, 30), "in-force", [taken])
    assert p.conflict == "它已写明取代 tiaoli-1994" and not p.edits
    assert propose("x-2004", "另一个条例", dt.date(2004, 1, 1), "in-force", [newer]) is None


def test_title_from_the_decree_when_it_has_no_line_of_its_own():
    doc = parse(blocks("""
        中华人民共和国国务院令
        第900号
        《某某事务条例》已经2030年1月5日国务院第9次常务会议通过，现予公布，自2030年3月1日起施行。
        2030年1月10日
        第一条　为了某某，制定本条例。
        第二条　适用范围。
        第三条　本条例自2030年3月1日起施行。
    """))
    assert (doc.title, doc.doc_number, str(doc.promulgated)) == ("某某事务条例", "国务院令第900号", "2030-01-10")


def test_review_mark_is_a_kb_check_warning(tree):
    src = FIXTURES / "linchuan-changsuo-anquan-banfa.pdf"
    r = run_kb(["import", "--root", tree.root, src], tree.root)
    assert r.returncode == 0, r.stderr
    assert "待核对：效力级别：地方政府规章" in r.stdout
    check = run_kb(["check", "--root", tree.root], tree.root)
    assert check.returncode == 0
    assert "review: 警告: kb import 自动识别把握不大：效力级别：地方政府规章" in check.stderr


# -- folders --------------------------------------------------------------------


def test_folder_import_summary_and_rerun(tree, tmp_path):
    inbox = tmp_path / "inbox"
    (inbox / "法规").mkdir(parents=True)
    (inbox / ".hidden").mkdir()
    for name in ("qinghe-zongjiao-tiaoli.html", "chengxiang-minzu-tiaoli.doc", "linchuan-changsuo-anquan-banfa.pdf"):
        shutil.copy(FIXTURES / name, inbox / "法规" / name)
    shutil.copy(FIXTURES / "linchuan-minying-tongzhi.pdf", inbox / "通知.pdf")
    shutil.copy(FIXTURES / "r5_district_no_year.txt", inbox / "总结.txt")  # a report without a year
    (inbox / "坏文件.pdf").write_bytes(b"%PDF-1.4 broken")
    (inbox / "~$临时.doc").write_bytes(b"lock")
    (inbox / ".hidden" / "x.txt").write_text("不导入", encoding="utf-8")
    (inbox / "说明.xlsx").write_bytes(b"not imported")
    summary = tmp_path / "summary.json"
    r = run_kb(["import", "--root", tree.root, "--summary-json", summary, inbox], tree.root)
    assert r.returncode == 1  # one file failed
    assert "导入结果" in r.stdout and "共 6 个文件：已导入 3，待核对 2，未改变 0，跳过 0，失败 1" in r.stdout
    data = json.loads(summary.read_text(encoding="utf-8"))
    by_file = {Path(row["file"]).name: row for row in data["rows"]}
    assert sorted(by_file) == ["chengxiang-minzu-tiaoli.doc", "linchuan-changsuo-anquan-banfa.pdf",
                               "qinghe-zongjiao-tiaoli.html", "坏文件.pdf", "总结.txt", "通知.pdf"]
    assert by_file["坏文件.pdf"]["result_label"] == "失败" and "不是有效的 PDF" in by_file["坏文件.pdf"]["reason"]
    assert by_file["linchuan-changsuo-anquan-banfa.pdf"]["result"] == "review"
    assert by_file["总结.txt"]["result"] == "review" and "原文没有写明年份" in by_file["总结.txt"]["reason"]
    assert by_file["总结.txt"]["entry"].startswith("data/reports/")
    assert by_file["通知.pdf"]["type"] == "policy" and by_file["通知.pdf"]["entry"].startswith("data/policies/")
    assert data["counts"] == {"imported": 3, "review": 2, "unchanged": 0, "skipped": 0, "failed": 1}

    written = {p: p.stat().st_mtime_ns for p in (tree.root / "data").rglob("*.md")}
    again = run_kb(["import", "--root", tree.root, "--summary-json", summary, inbox], tree.root)
    assert "未改变 5" in again.stdout
    assert {p: p.stat().st_mtime_ns for p in (tree.root / "data").rglob("*.md")} == written
    counts = json.loads(summary.read_text(encoding="utf-8"))["counts"]
    assert counts == {"imported": 0, "review": 0, "unchanged": 5, "skipped": 0, "failed": 1}


def test_empty_folder_is_an_error(tree, tmp_path):
    (tmp_path / "empty").mkdir()
    r = run_kb(["import", "--root", tree.root, tmp_path / "empty"], tree.root)
    assert r.returncode == 1 and "没有可导入的文件" in r.stderr


def test_progress_bar_counts_the_files(capsys):
    from kb.importer.batch import progress_bar

    with progress_bar(["a.txt", "b.pdf"], True) as bar:
        assert list(bar) == ["a.txt", "b.pdf"]
    err = capsys.readouterr().err
    assert "导入" in err and "2/2" in err
    with progress_bar(["a.txt"], False) as bar:  # not a terminal: no bar
        assert list(bar) == ["a.txt"]
    assert capsys.readouterr().err == ""
