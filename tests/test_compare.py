"""版本对照: articles matched by number and content, changes marked within the article
(kb.analysis.compare), and the comparison pages of the version families (kb.site.compare)."""

from __future__ import annotations

import re

import pytest

from kb.analysis import compare
from kb.model.knowledge import KnowledgeBase
from kb.site.pages import Generator

from conftest import ROOT

OLD_ID, NEW_ID = "zongjiao-shiwu-tiaoli-2004", "zongjiao-shiwu-tiaoli-2017"
PAGE = f"compare/{OLD_ID}--{NEW_ID}.md"


def doc(*articles: str) -> str:
    return "\n\n".join(articles) + "\n"


A1 = "**第一条** 为了规范社区议事会的组织和活动，制定本规程。"
A2 = "**第二条** 议事会由居民代表、驻区单位代表和社区工作者组成，每届任期三年。"
A3 = "**第三条** 议事会每季度至少召开一次会议，会议议题应当提前七日公布。"
A4 = "**第四条** 议事会的决定应当向全体居民公开，接受居民监督。"


def renumber(text: str, old: str, new: str) -> str:
    return text.replace(f"**{old}**", f"**{new}**", 1)


def rows_by_label(c: compare.Comparison) -> dict[tuple[str | None, str | None], compare.Pair]:
    return {(r.old.label if r.old else None, r.new.label if r.new else None): r for r in c.rows}


def test_an_inserted_article_renumbers_the_rest_and_they_still_match():
    new_first = "**第一条** 本规程适用于本街道各社区。"
    new = doc(new_first, renumber(A1, "第一条", "第二条"), renumber(A2, "第二条", "第三条"),
              renumber(A3, "第三条", "第四条"), renumber(A4, "第四条", "第五条"))
    c = compare.compare(doc(A1, A2, A3, A4), 1, new, 1)
    assert c.mode == "article"
    assert c.counts == {"modified": 0, "added": 1, "removed": 0, "unchanged": 4, "renumbered": 4, "moved": 0}
    rows = rows_by_label(c)
    assert set(rows) == {(None, "第一条"), ("第一条", "第二条"), ("第二条", "第三条"), ("第三条", "第四条"),
                         ("第四条", "第五条")}
    assert rows[(None, "第一条")].new_segments == [compare.Segment("insert", "本规程适用于本街道各社区。")]


def test_a_moved_and_edited_article_is_found_by_its_content():
    # 第四条 becomes 第二条 (moved up, reworded); the others keep their text and shift down.
    moved = "**第二条** 议事会的决定应当在三日内向全体居民公开，接受居民监督。"
    new = doc(A1, moved, renumber(A2, "第二条", "第三条"), renumber(A3, "第三条", "第四条"))
    c = compare.compare(doc(A1, A2, A3, A4), 1, new, 1)
    rows = rows_by_label(c)
    assert set(rows) == {("第一条", "第一条"), ("第四条", "第二条"), ("第二条", "第三条"), ("第三条", "第四条")}
    r = rows[("第四条", "第二条")]
    assert r.status == "modified" and r.moved and r.renumbered
    assert compare.Segment("insert", "在三日内") in r.new_segments
    assert [s for s in r.old_segments if s.op == "delete"] == []  # nothing of the old text was removed
    assert [x.moved for x in c.rows].count(True) == 1  # the others kept their order
    assert c.counts == {"modified": 1, "added": 0, "removed": 0, "unchanged": 3, "renumbered": 3, "moved": 1}
    # Reading order follows the new version.
    assert [x.new.label for x in c.rows] == ["第一条", "第二条", "第三条", "第四条"]


def test_same_number_with_unrelated_text_is_a_deletion_and_an_addition():
    other = "**第三条** 街道办事处为议事会提供场地和经费保障。"
    c = compare.compare(doc(A1, A2, A3), 1, doc(A1, A2, other), 1)
    assert c.counts["added"] == 1 and c.counts["removed"] == 1 and c.counts["modified"] == 0
    assert [r.status for r in c.rows] == ["unchanged", "unchanged", "removed", "added"]


def test_char_diff_marks_deletions_and_insertions_within_the_text():
    old, new = compare.char_diff("议事会每季度至少召开一次会议。", "议事会每月至少召开一次会议，邀请居民旁听。")
    assert "".join(s.text for s in old if s.op != "insert") == "议事会每季度至少召开一次会议。"
    assert "".join(s.text for s in new) == "议事会每月至少召开一次会议，邀请居民旁听。"
    assert compare.Segment("delete", "季度") in old and compare.Segment("insert", "月") in new
    assert compare.Segment("insert", "，邀请居民旁听") in new and new[-1] == compare.Segment("equal", "。")


def test_documents_without_articles_are_compared_by_paragraph():
    old = "区里建立联系制度。\n\n每季度召开一次恳谈会。\n\n试行期两年。\n"
    new = "区里建立联系制度。\n\n每月召开一次恳谈会，听取企业意见。\n\n新设网上受理平台。\n"
    c = compare.compare(old, 1, new, 1)
    assert c.mode == "paragraph"
    assert [(r.old.label if r.old else None, r.new.label if r.new else None, r.status) for r in c.rows] == [
        ("第1段", "第1段", "unchanged"), ("第2段", "第2段", "modified"),
        ("第3段", None, "removed"), (None, "第3段", "added")]


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return KnowledgeBase.load(ROOT)


def test_sample_religion_regulation_2004_to_2017(kb):
    old, new = kb.by_id[OLD_ID], kb.by_id[NEW_ID]
    c = compare.compare(old.doc.body, old.doc.body_line, new.doc.body, new.doc.body_line)
    rows = rows_by_label(c)
    # Read off the two sample texts: what each 2004 article became in 2017.
    assert {k for k, r in rows.items() if r.status == "modified"} == {
        ("第一条", "第一条"), ("第二条", "第二条"), ("第三条", "第四条"), ("第四条", "第五条"), ("第五条", "第六条"),
        ("第十三条", "第二十一条"), ("第十四条", "第二十条"), ("第十五条", "第二十二条"),
        ("第二十七条", "第三十六条"), ("第四十八条", "第七十七条")}
    assert sorted(r.new.label for r in c.of("added")) == ["第三十五条", "第三条", "第十九条", "第四十一条"]
    assert sorted(r.old.label for r in c.of("removed")) == ["第六条", "第十二条"]
    assert c.counts["modified"] == 10 and c.counts["added"] == 4 and c.counts["removed"] == 2
    # 第十四条 (条件) and 第十三条 (筹备) swapped places in 2017 (第二十条 before 第二十一条).
    assert [k for k, r in rows.items() if r.moved] == [("第十四条", "第二十条")]
    # 教职人员备案: 由→经, 并 dropped, 方可→可以.
    r = rows[("第二十七条", "第三十六条")]
    assert [s.text for s in r.old_segments if s.op == "delete"] == ["由", "并", "方可"]
    assert [s.text for s in r.new_segments if s.op == "insert"] == ["经", "可以"]


def test_comparison_page_shows_summary_and_marked_changes(kb):
    md = Generator(kb).render_uri(PAGE)
    assert "<strong>10 条修改，4 条新增，2 条删除</strong>" in md
    row = re.search(r'<tr [^>]*id="new-article-36".*?</tr>', md, re.S).group(0)
    assert '<del class="kb-diff-del">方可</del>' in row and '<ins class="kb-diff-ins">可以</ins>' in row
    assert "第二十七条 → 第三十六条" in row
    added = re.search(r"<li>新增的条文：(.*?)</li>", md).group(1)
    assert re.findall(r">(第[^<]+条)<", added) == ["第三条", "第十九条", "第三十五条", "第四十一条"]
    removed = re.search(r"<li>删除的条文：(.*?)</li>", md).group(1)
    assert re.findall(r">(第[^<]+条)<", removed) == ["第六条", "第十二条"]


def test_every_pair_of_a_three_version_family_and_none_above_the_audience(kb):
    uris = {s.uri for s in Generator(kb).specs() if s.uri.startswith("compare/")}
    q = "qingqing-zhengshang-guanxi-banfa"
    assert uris == {PAGE, "compare/tongzhan-gongzuo-tiaoli-shixing-2015--tongzhan-gongzuo-tiaoli-2020.md",
                    f"compare/{q}-2018--{q}-2023.md", f"compare/{q}-2023--{q}-2026.md", f"compare/{q}-2018--{q}-2026.md"}
    public = {s.uri for s in Generator(kb.restricted_to("public")).specs() if s.uri.startswith("compare/")}
    assert not any(q in u for u in public)  # the 亲清 versions are internal


def test_built_site_links_comparison_from_both_versions_and_the_banner(sample_site):
    target = f"compare/{OLD_ID}--{NEW_ID}/"
    page = (sample_site / target / "index.html").read_text(encoding="utf-8")
    assert "10 条修改，4 条新增，2 条删除" in page
    assert "<title>宗教事务条例 版本对照（2004年 → 2017年修订）" in page and 'title: "' not in page  # front matter read
    old_page = (sample_site / "regulations" / OLD_ID / "index.html").read_text(encoding="utf-8")
    new_page = (sample_site / "regulations" / NEW_ID / "index.html").read_text(encoding="utf-8")
    banner = re.search(r'<div class="kb-banner kb-banner--amended".*?</div>', old_page, re.S).group(0)
    assert f'href="../../{target}"' in banner
    timeline = re.search(r'<ol class="kb-timeline">.*?</ol>', new_page, re.S).group(0)
    assert f'href="../../{target}"' in timeline
    assert f'href="../../{target}"' in re.search(r'<ol class="kb-timeline">.*?</ol>', old_page, re.S).group(0)
