"""Version families (supersedes / superseded_by): validation rules, banners, timelines."""

from __future__ import annotations

import re

import pytest
from click.testing import CliRunner

from kb.cli.main import main
from kb.model.knowledge import KnowledgeBase

from conftest import ROOT


def policy(tree, id: str, status: str = "in-force", promulgated: str = "2020-01-01", **extra) -> None:
    lines = [f"{k}: {v}" for k, v in extra.items()]
    tree.write(f"policies/{id}.md", "\n".join([
        "---", f"id: {id}", "type: policy", f"title: 文件{id}", "issuer: 某区委", f"status: {status}",
        f"promulgated: {promulgated}", *lines, "areas: [religion]", "---", "正文。", ""]))


def errors(tree) -> list[str]:
    return [str(p) for p in KnowledgeBase.load(tree.root).problems.errors]


def test_sample_families_and_current_versions():
    kb = KnowledgeBase.load(ROOT)
    assert kb.problems.errors == []
    fams = {tuple(m.id for m in f.members): f.current.id for f in kb.families.by_id.values()}
    assert fams == {
        ("zongjiao-shiwu-tiaoli-2004", "zongjiao-shiwu-tiaoli-2017"): "zongjiao-shiwu-tiaoli-2017",
        ("tongzhan-gongzuo-tiaoli-shixing-2015", "tongzhan-gongzuo-tiaoli-2020"): "tongzhan-gongzuo-tiaoli-2020",
        ("qingqing-zhengshang-guanxi-banfa-2018", "qingqing-zhengshang-guanxi-banfa-2023",
         "qingqing-zhengshang-guanxi-banfa-2026"): "qingqing-zhengshang-guanxi-banfa-2023",
    }
    statuses = {e.meta.status for e in kb.entries if e.type in ("regulation", "policy")}
    assert statuses == {"in-force", "amended", "repealed", "not-yet-effective"}


def test_mutual_supersedes_fails_kb_check_naming_both_files(tree):
    policy(tree, "a", supersedes="b")
    policy(tree, "b", status="repealed", supersedes="a")
    result = CliRunner().invoke(main, ["check", "--root", str(tree.root)])
    assert result.exit_code == 1
    cycle = "版本关系（supersedes / superseded_by）形成循环：data/policies/a.md → data/policies/b.md → data/policies/a.md"
    assert f"data/policies/a.md:8: supersedes: {cycle}" in result.output
    assert f"data/policies/b.md:8: supersedes: {cycle}" in result.output
    assert "两边必须一致" not in result.output  # the cycle is the one problem reported


def test_longer_cycle_and_self_reference(tree):
    policy(tree, "a", superseded_by="b")
    policy(tree, "b", supersedes="a", superseded_by="c", status="amended")
    policy(tree, "c", supersedes="b", superseded_by="a", status="amended")
    policy(tree, "d", supersedes="d")
    errs = errors(tree)
    assert sum("形成循环：data/policies/a.md → data/policies/b.md → data/policies/c.md → data/policies/a.md" in e
               for e in errs) == 3
    assert "data/policies/d.md:8: supersedes: 版本关系（supersedes / superseded_by）形成循环：data/policies/d.md → data/policies/d.md" in errs


def test_missing_id_and_wrong_type(tree):
    policy(tree, "a", supersedes="nowhere")
    tree.write("cases/c.md", "---\nid: c\ntype: case\ntitle: 案例\nunit: 某部\nyear: 2020\nareas: [religion]\n---\n")
    policy(tree, "b", superseded_by="c", status="repealed")
    assert errors(tree) == [
        "data/policies/a.md:8: supersedes: 引用的条目“nowhere”不存在",
        "data/policies/b.md:8: superseded_by: “c”的类型与本条目不同，版本只能在同类文件之间关联",
    ]


def test_effective_before_promulgated(tree):
    policy(tree, "a", promulgated="2020-05-01", effective="2020-04-30")
    policy(tree, "b", promulgated="2020-05-01", effective="2020-05-01")
    assert errors(tree) == ["data/policies/a.md:8: effective: 施行日期（2020-04-30）早于公布日期（2020-05-01）"]


def test_two_in_force_versions_in_a_family(tree):
    policy(tree, "old", promulgated="2018-01-01", superseded_by="new")
    policy(tree, "new", promulgated="2023-01-01", supersedes="old")
    assert errors(tree) == [
        "data/policies/new.md:6: status: 同一文件的多个版本同时为现行有效（另见 data/policies/old.md:6），旧版本应改为 amended 或 repealed",
        "data/policies/old.md:6: status: 同一文件的多个版本同时为现行有效（另见 data/policies/new.md:6），旧版本应改为 amended 或 repealed",
    ]


def test_superseded_by_must_agree_with_the_other_side(tree):
    policy(tree, "v1", status="repealed", promulgated="2015-01-01", superseded_by="v3")
    policy(tree, "v2", status="repealed", promulgated="2018-01-01", superseded_by="v3")
    policy(tree, "v3", promulgated="2021-01-01", supersedes="v2")
    policy(tree, "w1", status="repealed", promulgated="2015-01-01")
    policy(tree, "w2", promulgated="2019-01-01", supersedes="w1")
    assert errors(tree) == [
        "data/policies/v1.md:8: superseded_by: 新版本“v3”的 supersedes 写的是“v2”，应为“v1”（data/policies/v3.md:8），两边必须一致",
        "data/policies/w2.md:8: supersedes: 旧版本“w1”的 superseded_by 没有填写，应为“w2”（data/policies/w1.md:1），两边必须一致",
    ]


def test_superseded_version_must_be_older(tree):
    policy(tree, "a", status="repealed", promulgated="2022-01-01", superseded_by="b")
    policy(tree, "b", promulgated="2020-01-01", supersedes="a")
    assert errors(tree) == [
        "data/policies/b.md:8: supersedes: 被取代的旧版本“a”公布日期（2022-01-01）晚于本文件（2020-01-01）"]


def test_valid_chain_has_no_problems(tree):
    policy(tree, "p1", status="repealed", promulgated="2010-01-01", superseded_by="p2")
    policy(tree, "p2", status="amended", promulgated="2015-01-01", supersedes="p1", superseded_by="p3")
    policy(tree, "p3", promulgated="2020-01-01", supersedes="p2", superseded_by="p4")
    policy(tree, "p4", status="not-yet-effective", promulgated="2024-01-01", effective="2030-01-01", supersedes="p3")
    kb = KnowledgeBase.load(tree.root)
    assert kb.problems.items == []
    fam = kb.families.of(kb.by_id["p1"])
    assert [m.id for m in fam.members] == ["p1", "p2", "p3", "p4"] and fam.current.id == "p3"
    assert kb.families.current(kb.by_id["p4"]).id == "p3" and kb.families.current(kb.by_id["p3"]) is None


# -- the built site ----------------------------------------------------------


def entry_html(site, url: str) -> str:
    return (site / url / "index.html").read_text(encoding="utf-8")


def banner(html: str) -> str:
    m = re.search(r'<div class="kb-banner kb-banner--([a-z-]+)" role="note">(.*?)</div>', html, re.S)
    if not m:
        return ""
    text = re.sub(r"<[^>]+>", "", m.group(2))
    hrefs = re.findall(r'href="([^"]+)"', m.group(2))
    return f"{m.group(1)}: {text} -> {hrefs}"


@pytest.mark.slow
def test_banners_link_to_the_version_in_force(law_site):
    assert banner(entry_html(law_site, "regulations/zongjiao-shiwu-tiaoli-2004")) == (
        "amended: 已修改：现行有效版本见 宗教事务条例（2017-08-26 公布）。 查看两个版本的逐条对照 -> ['../zongjiao-shiwu-tiaoli-2017/', '../../compare/zongjiao-shiwu-tiaoli-2004--zongjiao-shiwu-tiaoli-2017/']")
    assert banner(entry_html(law_site, "regulations/tongzhan-gongzuo-tiaoli-shixing-2015")) == (
        "repealed: 已废止：现行有效版本见 中国共产党统一战线工作条例（2020-12-21 公布）。 查看两个版本的逐条对照"
        " -> ['../tongzhan-gongzuo-tiaoli-2020/', '../../compare/tongzhan-gongzuo-tiaoli-shixing-2015--tongzhan-gongzuo-tiaoli-2020/']")
    assert banner(entry_html(law_site, "policies/qingqing-zhengshang-guanxi-banfa-2018")) == (
        "repealed: 已废止：现行有效版本见 关于构建亲清新型政商关系的实施办法（2023-09-08 公布）。 查看两个版本的逐条对照"
        " -> ['../qingqing-zhengshang-guanxi-banfa-2023/',"
        " '../../compare/qingqing-zhengshang-guanxi-banfa-2018--qingqing-zhengshang-guanxi-banfa-2023/']")
    assert banner(entry_html(law_site, "policies/qingqing-zhengshang-guanxi-banfa-2026")) == (
        "not-yet-effective: 尚未生效：本文件自 2027-01-01 起施行，施行前适用 关于构建亲清新型政商关系的实施办法（2023-09-08 公布）。 查看两个版本的逐条对照"
        " -> ['../qingqing-zhengshang-guanxi-banfa-2023/',"
        " '../../compare/qingqing-zhengshang-guanxi-banfa-2023--qingqing-zhengshang-guanxi-banfa-2026/']")
    assert banner(entry_html(law_site, "policies/qingqing-zhengshang-guanxi-banfa-2023")) == (
        "upcoming: 即将修订：新版本 关于构建亲清新型政商关系的实施办法（2026-09-28 公布） 将于 2027-01-01 起施行，届时本文件失效。 查看两个版本的逐条对照"
        " -> ['../qingqing-zhengshang-guanxi-banfa-2026/',"
        " '../../compare/qingqing-zhengshang-guanxi-banfa-2023--qingqing-zhengshang-guanxi-banfa-2026/']")
    assert banner(entry_html(law_site, "regulations/zongjiao-shiwu-tiaoli-2017")) == ""
    # A repealed document without a newer version says so, without a link.
    assert banner(entry_html(law_site, "regulations/zongjiao-huodong-changsuo-sheli-shenpi-dengji-banfa-2005")) == (
        "repealed: 已废止。 -> []")


@pytest.mark.slow
def test_every_family_member_shows_the_timeline(law_site):
    kb = KnowledgeBase.load(ROOT)
    for fam in {id(f): f for f in kb.families.by_id.values()}.values():
        for e in fam.members:
            html = entry_html(law_site, e.url)
            tl = html[html.index('<ol class="kb-timeline">'):html.index("</ol>", html.index('<ol class="kb-timeline">'))]
            items = re.findall(r"<li class=\"kb-timeline-item kb-timeline-item--([a-z-]+)( kb-timeline-item--here)?\">", tl)
            assert [s for s, _ in items] == [m.meta.status for m in fam.members]
            assert [bool(h) for _, h in items] == [m is e for m in fam.members]
            links = re.findall(r'<a href="\.\./([^/]+)/">', tl)
            assert links == [m.id for m in fam.members if m is not e]
            assert tl.count("当前适用") == 1
    single = entry_html(law_site, "regulations/zongjiao-jiaozhi-renyuan-guanli-banfa-2021")
    assert "kb-timeline" not in single


# -- same-title versions are named -------------------------------------------------


def test_same_title_versions_get_distinguishing_labels():
    kb = KnowledgeBase.load(ROOT, audience="all")
    by_id = kb.by_id
    assert by_id["zongjiao-shiwu-tiaoli-2017"].label == "宗教事务条例（2017年修订）"
    assert by_id["zongjiao-shiwu-tiaoli-2004"].label == "宗教事务条例（2004年）"
    titles = [e.title for e in kb.entries]
    for e in kb.entries:
        if titles.count(e.title) == 1:
            assert e.label == e.title
    labels = [e.label for e in kb.entries]
    assert len(set(labels)) == len(labels)


def _visible_text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.mark.slow
def test_pages_name_the_version_beside_its_namesake(sample_site):
    import json

    page = _visible_text(entry_html(sample_site, "regulations/zongjiao-shiwu-tiaoli-2017"))
    assert "取代 宗教事务条例（2004年）" in page
    assert "宗教事务条例（2017年修订）" in page and "宗教事务条例（2004年）" in page  # timeline
    recent = _visible_text((sample_site / "recent" / "index.html").read_text(encoding="utf-8"))
    assert "宗教事务条例（2017年修订）" in recent and "宗教事务条例（2004年）" in recent
    listing = _visible_text((sample_site / "regulations" / "index.html").read_text(encoding="utf-8"))
    assert "宗教事务条例（2017年修订）" in listing and "宗教事务条例（2004年）" in listing
    # search results show the document's title from the index: named too
    titles = {json.loads(p.read_text(encoding="utf-8"))["title"]
              for p in (sample_site / "search" / "idx" / "d").glob("*.json")}
    assert {"宗教事务条例（2017年修订）", "宗教事务条例（2004年）"} <= titles
