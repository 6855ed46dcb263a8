"""Audience filtering: a public build holds no internal or restricted entry
anywhere (pages, listings, counts, search index, sitemap, JSON), a default
build no restricted one; two builds of the same input are byte-identical."""

from __future__ import annotations

import json
import re
import struct
import gzip

import pytest

from canary import INTERNAL, RESTRICTED, build, count_audience, find, plant, tree_files
from conftest import copy_project
from kb.model import audience
from kb.problems import Problems
from kb.settings import Settings
from kb.model.knowledge import KnowledgeBase


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    p = copy_project(tmp_path_factory.mktemp("aud") / "p")
    plant(p)
    return p


@pytest.fixture(scope="module")
def sites(project, tmp_path_factory):
    out = {}
    for level in ("public", None, "all"):
        site = tmp_path_factory.mktemp("site") / (level or "default")
        r = build(project, site, level)
        assert r.returncode == 0, r.stderr
        out[level or "default"] = site
    return out


@pytest.mark.slow
def test_public_build_contains_no_canary(sites):
    assert find(sites["public"], INTERNAL + RESTRICTED) == {}


@pytest.mark.slow
def test_default_build_contains_internal_but_not_restricted(sites):
    hits = find(sites["default"], INTERNAL + RESTRICTED)
    assert sorted(hits) == sorted(INTERNAL)  # every internal canary is published, no restricted one
    assert any(f.startswith("search/idx/") for f in hits["zqintsection"])  # report sections are indexed


@pytest.mark.slow
def test_all_build_contains_restricted(sites):
    hits = find(sites["all"], INTERNAL + RESTRICTED)
    assert sorted(hits) == sorted(INTERNAL + RESTRICTED)


@pytest.mark.parametrize("level,levels", [("public", {"public"}), ("default", {"public", "internal"}),
                                          ("all", {"public", "internal", "restricted"})])
@pytest.mark.slow
def test_counts_follow_the_audience(project, sites, level, levels):
    expected = count_audience(project, levels)
    site = sites[level]
    exported = json.loads((site / "entries.json").read_text(encoding="utf-8"))
    assert exported["count"] == len(exported["entries"]) == expected
    manifest = json.loads((site / "search/idx/manifest.json").read_text(encoding="utf-8"))
    assert manifest["entries"] == expected
    home = (site / "index.html").read_text(encoding="utf-8")
    assert re.search(rf"\b{expected}\b", home), "home page total"


def _pending_row(page: str, title: str) -> str:
    """The 待收录 row of ``title``, with the title replaced, to compare rows' markup."""
    m = re.search(rf"<tr><td>《{re.escape(title)}》</td>.*?</tr>", page, re.S)
    assert m, title
    return m.group(0).replace(title, "TITLE")


@pytest.mark.slow
def test_hidden_citation_looks_like_a_missing_document(sites):
    """A citation of a restricted document is what a citation of a document nobody
    has is: plain text, and listed on 待收录 in the same words (a difference would
    tell a reader that the hidden document exists)."""
    page = (sites["public"] / "cases/zq-pub-case/index.html").read_text(encoding="utf-8")
    assert "《受限办法简称》第一条" in page
    assert not re.search(r"<a [^>]*>[^<]*受限办法简称", page)
    assert not re.search(r"<a [^>]*>[^<]*某省尚未收录的测试细则", page)
    pending = (sites["public"] / "pending/index.html").read_text(encoding="utf-8")
    assert _pending_row(pending, "受限办法简称") == _pending_row(pending, "某省尚未收录的测试细则")
    # In the full build the same citation is a link and not pending.
    full = (sites["all"] / "cases/zq-pub-case/index.html").read_text(encoding="utf-8")
    assert re.search(r"<a [^>]*href=\"[^\"]*zq-res-pol/[^\"]*\"[^>]*>[^<]*受限办法简称", full)
    assert "受限办法简称" not in (sites["all"] / "pending/index.html").read_text(encoding="utf-8")


@pytest.mark.slow
def test_version_family_without_hidden_member(sites):
    public = (sites["public"] / "policies/zq-pub-pol/index.html").read_text(encoding="utf-8")
    assert "版本沿革" not in public and "被取代" not in public
    full = (sites["all"] / "policies/zq-pub-pol/index.html").read_text(encoding="utf-8")
    assert "版本沿革" in full


@pytest.mark.slow
def test_hidden_report_and_case_links(sites):
    case = (sites["public"] / "cases/zq-pub-case/index.html").read_text(encoding="utf-8")
    assert "出自报告" not in case
    report = (sites["public"] / "reports/zq-pub-report/index.html").read_text(encoding="utf-8")
    assert "本报告相关案例" not in report
    assert "本报告相关案例" in (sites["all"] / "reports/zq-pub-report/index.html").read_text(encoding="utf-8")


@pytest.mark.slow
def test_two_builds_are_identical(project, sites, tmp_path):
    again = tmp_path / "again"
    r = build(project, again)
    assert r.returncode == 0, r.stderr
    first, second = tree_files(sites["default"]), tree_files(again)
    assert sorted(first) == sorted(second)
    assert [k for k in first if first[k] != second[k]] == []


@pytest.mark.slow
def test_sitemap_gzip_header_has_data_date(sites, project):
    raw = (sites["default"] / "sitemap.xml.gz").read_bytes()
    mtime = struct.unpack("<I", raw[4:8])[0]
    kb = KnowledgeBase.load(project, audience="internal")
    from kb.analysis.review import reference_date
    import datetime as dt
    data_date = reference_date(kb.entries, kb.history).isoformat()
    assert mtime == int(dt.datetime.fromisoformat(data_date).replace(tzinfo=dt.timezone.utc).timestamp())
    assert gzip.decompress(raw) == (sites["default"] / "sitemap.xml").read_bytes()


def test_invalid_audience_is_a_clear_error(project, tmp_path):
    r = build(project, tmp_path / "bad", "secret")
    assert r.returncode != 0
    assert "KB_AUDIENCE" in r.stderr and "“secret”无效" in r.stderr and "Traceback" not in r.stderr
    assert not (tmp_path / "bad" / "index.html").exists()


def test_resolution_order():
    def level(extra, environ):
        problems = Problems()
        value = Settings.from_mapping({"extra": extra}, problems, environ=environ).audience
        assert not problems, problems
        return value

    assert level({}, {}) == "internal"
    assert level({"kb": {"audience": "public"}}, {}) == "public"
    assert level({"kb": {"audience": "public"}}, {"KB_AUDIENCE": "all"}) == "all"
    assert level({"kb": {"audience": "all"}}, {"KB_AUDIENCE": ""}) == "all"
    problems = Problems()
    Settings.from_mapping({"extra": {"kb": {"audience": "everyone"}}}, problems, environ={})
    assert len(problems.errors) == 1 and "extra.kb.audience" in str(problems.errors[0])
    assert "“everyone”无效" in str(problems.errors[0])


def test_load_validates_hidden_entries_too(tree):
    tree.write("cases/a.md", """
        ---
        id: a
        type: case
        title: 受限但有错
        areas: [religion]
        unit: 某单位
        year: 1800
        audience: restricted
        ---
        正文
        """)
    kb = KnowledgeBase.load(tree.root, audience="public")
    assert kb.entries == []
    assert any("year" in str(p) for p in kb.problems.errors)


@pytest.mark.slow
def test_mkdocs_yml_setting(project, tmp_path):
    p = tmp_path / "p"
    import shutil
    shutil.copytree(project, p, symlinks=True)
    cfg = p / "mkdocs.yml"
    text = cfg.read_text(encoding="utf-8")
    assert "    audience: internal\n" in text
    cfg.write_text(text.replace("    audience: internal\n", "    audience: public\n", 1), encoding="utf-8")
    site = tmp_path / "s"
    r = build(p, site)
    assert r.returncode == 0, r.stderr
    assert json.loads((site / "entries.json").read_text(encoding="utf-8"))["audience"] == "public"
    assert find(site, INTERNAL + RESTRICTED) == {}


@pytest.mark.slow
def test_entries_json_lists_visible_metadata(sites):
    site = sites["default"]
    raw = (site / "entries.json").read_text(encoding="utf-8")
    data = json.loads(raw)
    ids = [e["id"] for e in data["entries"]]
    assert ids == sorted(ids) and data["audience"] == "internal"
    reg = next(e for e in data["entries"] if e["id"] == "zongjiao-shiwu-tiaoli-2017")
    assert reg == {"id": "zongjiao-shiwu-tiaoli-2017", "type": "regulation", "title": "宗教事务条例",
                   "areas": ["religion"], "year": 2017, "promulgated": "2017-08-26", "effective": "2018-02-01",
                   "reviewed": "2026-03-02", "status": "in-force", "audience": "public",
                   "url": "regulations/zongjiao-shiwu-tiaoli-2017/"}
    case = next(e for e in data["entries"] if e["id"] == "zq-int-case")
    assert case["status"] is None and case["promulgated"] is None and case["year"] == 2024
    for e in data["entries"]:
        assert (site / e["url"] / "index.html").is_file(), e["url"]
    assert {e["audience"] for e in data["entries"]} == {"public", "internal"}
