"""Known items, articles, date sort and facet counts of the site search, in headless Chromium.

The known-item set runs in one page through the engine API (``KBSearch``); a few queries go through
the real results page. Every expectation below is read off the sample data in ``data/``.
"""

from __future__ import annotations

from collections import Counter
from urllib.parse import quote, urlencode

import pytest

from test_search_browser import RESULTS_JS, page, server, wait_done  # noqa: F401  (fixtures)

pytestmark = pytest.mark.browser

Z17, Z04 = "zongjiao-shiwu-tiaoli-2017", "zongjiao-shiwu-tiaoli-2004"
TZ20, TZ15 = "tongzhan-gongzuo-tiaoli-2020", "tongzhan-gongzuo-tiaoli-shixing-2015"
MY25, QQ18, QQ23, QQ26 = ("minying-jingji-cujinfa-2025", "qingqing-zhengshang-guanxi-banfa-2018",
                          "qingqing-zhengshang-guanxi-banfa-2023", "qingqing-zhengshang-guanxi-banfa-2026")
GL21, SP05 = "zongjiao-jiaozhi-renyuan-guanli-banfa-2021", "zongjiao-huodong-changsuo-sheli-shenpi-dengji-banfa-2005"

# query -> (entry, anchor, why) of the first result
KNOWN = {
    # titles (both scripts); a version family shows its in-force version first
    "宗教事务条例": (Z17, "", "标题"),
    "宗教事務條例": (Z17, "", "标题"),
    "中国共产党统一战线工作条例": (TZ20, "", "标题"),
    "中国共产党统一战线工作条例（试行）": (TZ15, "", "标题"),
    "中華人民共和國民營經濟促進法": (MY25, "", "标题"),
    "关于加强新时代党外代表人士队伍建设的实施意见": ("dangwai-daibiao-renshi-duiwu-shishi-yijian-2022", "", "标题"),
    "关于构建亲清新型政商关系的实施办法": (QQ23, "", "标题"),
    "关于构建亲清新型政商关系的实施办法（试行）": (QQ18, "", "标题"),
    "宗教活动场所设立审批和登记办法": (SP05, "", "标题"),
    "宗教教职人员管理办法": (GL21, "", "标题"),
    "新的社会阶层人士统战工作联席会议制度": ("xin-jieceng-lianxi-huiyi-zhidu-2019", "", "标题"),
    "关于推进宗教活动场所“四进”工作常态化的通知": ("zongjiao-changsuo-sijin-tongzhi-2021", "", "标题"),
    "某区委统战部2019年上半年工作总结及下半年工作计划": ("mouqu-tongzhanbu-2019-shangbannian", "", "标题"),
    "縣新聯會構建“統戰部—新聯會—聯絡站”三級聯動機制": ("xinlianhui-sanji-liandong-2020", "", "标题"),
    "县新联会构建统战部新联会联络站三级联动机制": ("xinlianhui-sanji-liandong-2020", "", "标题"),
    # aliases
    "统战工作条例": (TZ20, "", "简称"),
    "統戰工作條例": (TZ20, "", "简称"),
    "民营经济促进法": (MY25, "", "简称"),
    "民营经济31条": ("cujin-minying-jingji-fazhan-zhuangda-yijian-2023", "", "简称"),
    "新修订宗教事务条例": (Z17, "", "简称"),
    "亲清政商关系实施办法": (QQ23, "", "简称"),
    "民营经济统战工作意见": ("minying-jingji-tongzhan-yijian-2020", "", "简称"),
    # 文号
    "国务院令第686号": (Z17, "", "文号"),
    "國務院令第426號": (Z04, "", "文号"),
    "国家宗教事务局令第15号": (GL21, "", "文号"),
    "国家宗教事务局令第2号": (SP05, "", "文号"),
    # title + article, every form
    "宗教事务条例第三十六条": (Z17, "article-36", "标题"),
    "宗教事务条例36条": (Z17, "article-36", "标题"),
    "《宗教事务条例》第三十六条": (Z17, "article-36", "标题"),
    "宗教事务条例 三十六条": (Z17, "article-36", "标题"),
    "宗教事务条例 第36条": (Z17, "article-36", "标题"),
    "宗教事務條例第三十六條": (Z17, "article-36", "标题"),
    "《宗教事務條例》第３６條": (Z17, "article-36", "标题"),
    "宗教事务条例第十二条": (Z04, "article-12", "标题"),  # the 2017 text here has no article 12
    "统战工作条例第二条": (TZ20, "article-2", "简称"),
    "民营经济促进法第七十八条": (MY25, "article-78", "简称"),
    "民營經濟促進法第10條": (MY25, "article-10", "简称"),
    "关于构建亲清新型政商关系的实施办法第十二条之一": (QQ26, "article-12-1", "标题"),
    "宗教教职人员管理办法第5条": (GL21, "article-5", "标题"),
    "中国共产党统一战线工作条例（试行）第三条": (TZ15, "article-3", "标题"),
    # versions named by year
    "宗教事务条例（2004年）": (Z04, "", "标题"),
    "宗教事务条例 2004": (Z04, "", "标题"),
    "2004年宗教事务条例": (Z04, "", "标题"),
    "宗教事务条例（2017年修订）": (Z17, "", "标题"),
    "宗教事务条例（2004年）第十三条": (Z04, "article-13", "标题"),
    "宗教事務條例（2004年）第四條": (Z04, "article-4", "标题"),
    "宗教事务条例2004年第3条": (Z04, "article-3", "标题"),
    "关于构建亲清新型政商关系的实施办法（2026年修订）": (QQ26, "", "标题"),
}

FIRST_RESULTS = """async (queries) => {
  const engine = KBSearch.default, out = {};
  for (const q of queries) {
    const r = await engine.search(q, {limit: 3});
    out[q] = r.results.map((x) => [x.entry, x.anchor, x.why, x.url]);
  }
  return out;
}"""


def test_known_items_and_articles_come_first(page, server):  # noqa: F811
    base, _ = server
    assert len(KNOWN) >= 40
    page.goto(base + "search/")
    got = page.evaluate(FIRST_RESULTS, list(KNOWN))
    wrong = {q: (got[q][:1], want) for q, want in KNOWN.items() if not got[q] or tuple(got[q][0][:3]) != want}
    assert not wrong, wrong
    for q, (entry, anchor, _) in KNOWN.items():
        url = got[q][0][3]
        assert url.startswith(base) and url.endswith(f"/{entry}/" + (f"#{anchor}" if anchor else ""))
    # the other version of the family follows the in-force one
    assert [r[0] for r in got["宗教事务条例"][:2]] == [Z17, Z04]


def ui_search(pg, base, **params):
    pg.goto(base + "search/?" + urlencode(params, quote_via=quote))
    wait_done(pg)
    return pg.evaluate(RESULTS_JS)


def test_article_query_on_the_results_page_opens_the_article(page, server):  # noqa: F811
    base, _ = server
    for q in ("宗教事务条例36条", "《宗教事務條例》第三十六條"):
        res = ui_search(page, base, q=q)
        assert res[0]["entry"] == Z17 and res[0]["anchor"] == "article-36"
        assert res[0]["href"].endswith("#article-36")
    first = page.locator("#kb-search-results li.kb-result").first
    assert "匹配标题" in first.inner_text()
    page.click("#kb-search-results li.kb-result >> nth=0 >> a.kb-result__title")
    page.wait_for_load_state()
    assert page.url.endswith("#article-36")
    assert page.locator("[id='article-36']").count() == 1
    # typing on the results page
    page.goto(base + "search/")
    page.fill("#kb-search-q", "国务院令第426号")
    page.wait_for_function("new URLSearchParams(location.search).get('q') === '国务院令第426号'")
    wait_done(page)
    res = page.evaluate(RESULTS_JS)
    assert res[0]["entry"] == Z04
    assert "匹配文号" in page.locator("#kb-search-results li.kb-result").first.inner_text()


def all_results(pg):
    while pg.is_visible("#kb-search-more"):
        pg.click("#kb-search-more")
        wait_done(pg)
    return pg.evaluate("""() => Array.from(document.querySelectorAll('#kb-search-results li.kb-result')).map(li => ({
        entry: li.dataset.entry, anchor: li.dataset.anchor || '', date: li.dataset.date, type: li.dataset.type,
        areas: li.dataset.areas.split(' ')}))""")


def test_sort_by_date_newest_and_oldest(page, server):  # noqa: F811
    base, _ = server
    ui_search(page, base, q="统战", sort="newest")
    assert page.input_value("#kb-sort") == "newest"
    newest = all_results(page)
    dates = [r["date"] for r in newest]
    assert len(dates) > 20 and dates == sorted(dates, reverse=True) and dates[0] > dates[-1]
    page.select_option("#kb-sort", "oldest")
    page.wait_for_function("new URLSearchParams(location.search).get('sort') === 'oldest'")
    wait_done(page)
    oldest = all_results(page)
    assert [r["date"] for r in oldest] == sorted(dates)
    assert {(r["entry"], r["anchor"]) for r in oldest} == {(r["entry"], r["anchor"]) for r in newest}
    page.select_option("#kb-sort", "relevance")
    page.wait_for_function("!new URLSearchParams(location.search).has('sort')")
    wait_done(page)
    relevance = all_results(page)
    assert {(r["entry"], r["anchor"]) for r in relevance} == {(r["entry"], r["anchor"]) for r in newest}
    # by relevance a known item leads; by date the newest mention does
    assert ui_search(page, base, q="统战工作条例")[0]["entry"] == TZ20
    ui_search(page, base, q="统战工作条例", sort="newest")
    by_date = all_results(page)
    assert by_date[0]["entry"] != TZ20 and by_date[0]["date"] > "2020-12-21"


def option_counts(pg, name: str) -> dict[str, int]:
    pg.focus(f"#kb-filter-{name}")  # counts are fetched when the filters are first used
    pg.wait_for_selector("form.kb-search-form[data-counts=done]", state="attached", timeout=10_000)
    return pg.evaluate("""(name) => Object.fromEntries(Array.from(document.querySelectorAll('#kb-filter-' + name + ' option'))
        .filter(o => o.value && o.dataset.count !== undefined).map(o => [o.value, Number(o.dataset.count)]))""", name)


def test_facet_counts_follow_the_query_and_filters_stay_in_the_url(page, server):  # noqa: F811
    base, _ = server
    ui_search(page, base, q="宗教")
    res = all_results(page)
    types = option_counts(page, "type")
    assert {k: v for k, v in types.items() if v} == dict(Counter(r["type"] for r in res))
    areas = option_counts(page, "area")
    assert {k: v for k, v in areas.items() if v} == dict(Counter(a for r in res for a in r["areas"]))
    label = page.evaluate("() => document.querySelector('#kb-filter-type option[value=case]').textContent")
    assert label.endswith(f"（{types['case']}）")
    # a filter: results and the other facets' counts narrow; the filtered facet keeps its counts
    page.select_option("#kb-filter-type", "case")
    page.wait_for_function("location.search.includes('type=case')")
    wait_done(page)
    cases = all_results(page)
    assert len(cases) == types["case"] and all(r["type"] == "case" for r in cases)
    page.wait_for_function("document.querySelector('#kb-filter-type option[value=case]').dataset.count !== undefined")
    assert option_counts(page, "type") == types
    narrowed = option_counts(page, "area")
    assert {k: v for k, v in narrowed.items() if v} == dict(Counter(a for r in cases for a in r["areas"]))
    area = next(a for a, v in narrowed.items() if v)
    page.select_option("#kb-filter-area", area)
    page.wait_for_function(f"location.search.includes('area={area}') && location.search.includes('type=case')")
    wait_done(page)
    both = all_results(page)
    assert len(both) == narrowed[area] and all(area in r["areas"] and r["type"] == "case" for r in both)
    page.goto(page.url)
    wait_done(page)
    assert page.input_value("#kb-filter-type") == "case" and page.input_value("#kb-filter-area") == area
