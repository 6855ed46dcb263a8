"""Site search in a real headless Chromium, against the sample site served under a subpath.

The expected hits are computed independently of the search code's character
table: every unit (entry or report section) is converted with OpenCC's
phrase-level t2s (``kb.textnorm.to_simplified``) and checked for the phrase.
"""

from __future__ import annotations

from urllib.parse import quote, urlencode

import pytest

from conftest import ROOT, serve

pytestmark = pytest.mark.browser

SUBPATH = "kb"


@pytest.fixture(scope="module")
def server(sample_site):
    """The sample site served under a subpath (/kb/) from 127.0.0.1."""
    assert sample_site.name == SUBPATH
    with serve(sample_site.parent) as port:
        yield f"http://127.0.0.1:{port}/{SUBPATH}/", sample_site


@pytest.fixture
def page(browser, server):
    ctx = browser.new_context()
    pg = ctx.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    pg.requests = []  # type: ignore[attr-defined]
    pg.on("request", lambda r: pg.requests.append(r.url))  # type: ignore[attr-defined]
    yield pg
    ctx.close()
    assert not errors, errors


RESULTS_JS = """() => Array.from(document.querySelectorAll('#kb-search-results li.kb-result')).map(li => ({
  entry: li.dataset.entry, anchor: li.dataset.anchor || '', type: li.dataset.type, areas: li.dataset.areas.split(' '),
  year: li.dataset.year, status: li.dataset.status, level: li.dataset.level,
  href: li.querySelector('a.kb-result__title').getAttribute('href'),
  title: li.querySelector('a.kb-result__title').textContent,
  marks: Array.from(li.querySelectorAll('mark')).map(m => m.textContent),
  snippet: li.querySelector('.kb-result__snippet').textContent,
}))"""


def wait_done(pg):
    pg.wait_for_selector("#kb-search-results[data-state=done]", state="attached", timeout=10_000)


def search(pg, base: str, everything: bool = True, **params) -> list[dict]:
    pg.goto(base + "search/?" + urlencode(params, quote_via=quote))
    wait_done(pg)
    while everything and pg.is_visible("#kb-search-more"):
        pg.click("#kb-search-more")
        wait_done(pg)
    return pg.evaluate(RESULTS_JS)


def keys(results: list[dict]) -> list[tuple[str, str]]:
    return [(r["entry"], r["anchor"]) for r in results]


# -- ground truth -------------------------------------------------------------


@pytest.fixture(scope="module")
def units():
    """(entry id, anchor) -> (Simplified text of the unit, entry, unit) for every searchable unit."""
    from kb.site import search as kbsearch
    from kb.model.knowledge import KnowledgeBase
    from kb.text.script import to_simplified

    kb = KnowledgeBase.load(ROOT)
    out = {}
    for e in kb.entries:
        meta = kbsearch._meta_line(e, kb.taxonomy.name)
        for u in kbsearch.entry_units(e, kb.taxonomy.name, kb.structures.get(e.id)):
            text = u.title + "\n" + (u.text if u.anchor else meta + "\n" + u.text)
            out[(e.id, u.anchor)] = (to_simplified(text).replace("\n", "").replace(" ", ""), e, u)
    return out


def truth(units, phrase: str, **facets) -> set[tuple[str, str]]:
    from kb.text.script import to_simplified

    p = to_simplified(phrase)
    hits = set()
    for key, (text, e, u) in units.items():
        if p not in text:
            continue
        if "type" in facets and e.type != facets["type"]:
            continue
        if "area" in facets and facets["area"] not in u.areas:
            continue
        hits.add(key)
    return hits


# -- script equivalence ---------------------------------------------------------

PAIRS = [("统战", "統戰"), ("宗教事务条例", "宗教事務條例"), ("民营企业", "民營企業"), ("新联会", "新聯會"),
         ("宗教活动场所", "宗教活動場所"), ("脱贫攻坚", "脫貧攻堅")]


@pytest.mark.parametrize("simplified,traditional", PAIRS)
def test_simplified_and_traditional_queries_are_equivalent(page, server, units, simplified, traditional):
    base, _ = server
    a = search(page, base, q=simplified)
    b = search(page, base, q=traditional)
    assert keys(a) == keys(b) and a, f"{simplified} / {traditional} differ"
    assert set(keys(a)) == truth(units, simplified)


def test_traditional_report_found_by_simplified_and_vice_versa(page, server):
    base, _ = server
    found = {r["entry"] for r in search(page, base, q="统战", type="report")}
    assert "moxian-tongzhanbu-2020-niandu" in found  # written in Traditional script
    found = {r["entry"] for r in search(page, base, q="統戰", type="report")}
    assert {"mouqu-tongzhanbu-2019-shangbannian", "moushi-tongzhanbu-2022-niandu"} <= found
    # the text is shown as written
    res = search(page, base, q="疫情防控", type="report")
    assert any("統一戰線" in r["title"] or "統戰" in r["snippet"] or "疫情防控" in r["snippet"] for r in res)
    trad = [r for r in res if r["entry"] == "moxian-tongzhanbu-2020-niandu"]
    assert trad and any("縣" in r["snippet"] or "戰" in r["title"] or "戰" in r["snippet"] for r in trad)


# -- phrase precision and recall ---------------------------------------------------

PHRASES = ["光彩事业", "两个健康", "宗教事务条例", "亲清政商关系", "新的社会阶层人士", "民主党派", "教职人员", "乡村振兴",
           "港澳同胞", "知联会", "政党协商", "铸牢中华民族共同体意识", "網絡統戰", "民族團結", "理想信念教育"]


@pytest.mark.parametrize("phrase", PHRASES)
def test_phrase_recall_and_precision(page, server, units, phrase):
    base, _ = server
    expected = truth(units, phrase)
    assert expected, f"test data has no {phrase}"
    results = search(page, base, q=phrase)
    got = keys(results)
    assert len(got) == len(set(got)), "duplicate results"
    assert expected <= set(got), f"missing: {expected - set(got)}"  # recall 1.0
    top = got[:10]
    precision = sum(k in expected for k in top) / len(top)
    assert precision >= 0.9, (phrase, precision, top)
    # exact-phrase results come first
    exact = [k in expected for k in got]
    assert exact == sorted(exact, reverse=True)


def test_multi_character_query_is_not_or_of_characters(page, server, units):
    base, _ = server
    got = set(keys(search(page, base, q="光彩事业")))
    assert got == truth(units, "光彩事业")
    assert len(got) < 5
    assert ("mouqu-tongzhanbu-2019-shangbannian", "sec-1-5") in got
    assert not any(e == "moxian-tongzhanbu-2020-niandu" for e, _ in got)


def test_quoted_query_requires_the_phrase(page, server, units):
    base, _ = server
    expected = truth(units, "第二条")
    loose = set(keys(search(page, base, q="第二条")))
    strict = set(keys(search(page, base, q='"第二条"')))
    assert strict == expected
    assert loose - strict, "the unquoted query also finds 第…二条 (e.g. 第十二条) that the quoted one excludes"
    assert set(keys(search(page, base, q="“第二条”"))) == expected  # Chinese quotes too


def test_several_terms_are_all_required(page, server, units):
    base, _ = server
    got = keys(search(page, base, q="民主党派 提案"))
    together = truth(units, "民主党派") & truth(units, "提案")
    assert together and together <= set(got)
    # an entry whose units hold the words between them is found too, once, with one of those units
    spread = {e for e, _ in truth(units, "民主党派")} & {e for e, _ in truth(units, "提案")}
    assert {e for e, _ in got} == spread
    extra = [k for k in got if k not in together]
    assert len({e for e, _ in extra}) == len(extra)
    assert all(k in truth(units, "民主党派") | truth(units, "提案") for k in extra)


def test_words_in_different_sections_of_one_report(page, server, units):
    """宗教 培训: reports with the words in different sections are found (one result each)."""
    base, _ = server
    got = keys(search(page, base, q="宗教 培训"))
    entries = {e for e, _ in truth(units, "宗教")} & {e for e, _ in truth(units, "培训")}
    spread_only = entries - {e for e, _ in truth(units, "宗教") & truth(units, "培训")}
    assert spread_only, "the sample data should have a report with the words in different sections"
    assert {e for e, _ in got} == entries


# -- metadata -------------------------------------------------------------------------

def test_doc_number_issuer_unit_year(page, server, units):
    base, _ = server
    res = search(page, base, q="国务院令第686号")
    assert res[0]["entry"] == "zongjiao-shiwu-tiaoli-2017"
    assert "zongjiao-shiwu-tiaoli-2004" not in {r["entry"] for r in res}
    res = search(page, base, q="國務院令第426號")
    assert res[0]["entry"] == "zongjiao-shiwu-tiaoli-2004"
    assert {r["entry"] for r in search(page, base, q="国家宗教事务局令")} >= {
        "zongjiao-jiaozhi-renyuan-guanli-banfa-2021", "zongjiao-huodong-changsuo-sheli-shenpi-dengji-banfa-2005"}
    res = search(page, base, q="2022", type="report")
    assert res and set(keys(res)) == truth(units, "2022", type="report")
    assert "moushi-tongzhanbu-2022-niandu" in {r["entry"] for r in res}


# -- facets ------------------------------------------------------------------------------

def test_facets_filter_results(page, server, units):
    base, _ = server
    res = search(page, base, q="统战", type="case", area="religion")
    assert res and all(r["type"] == "case" and "religion" in r["areas"] for r in res)
    assert set(keys(res)) == truth(units, "统战", type="case", area="religion")
    res = search(page, base, q="宗教", type="regulation", status="repealed")
    assert res and all(r["status"] == "repealed" for r in res)
    res = search(page, base, q="统战", year="2020")
    assert res and all(r["year"] == "2020" for r in res)
    res = search(page, base, q="统战", level="乡镇")
    assert res and all(r["level"] == "乡镇" for r in res)
    res = search(page, base, q="", area="religion", type="case")  # facets alone
    expected = {k for k, (_, e, u) in units.items() if e.type == "case" and "religion" in u.areas}
    assert res and set(keys(res)) == expected
    res = search(page, base, q="统战", kind="problem")
    assert res and all(r["anchor"] for r in res)


# -- results page: display, anchors, URL state, header box ---------------------------------------

def test_result_shows_title_type_area_and_highlighted_snippet(page, server):
    base, _ = server
    res = search(page, base, q="光彩事业")
    assert res
    for r in res:
        assert "光彩事业" in r["marks"]
    item = page.locator("#kb-search-results li.kb-result").first
    meta = item.locator(".kb-result__meta").inner_text()
    assert any(t in meta for t in ("政策文件", "工作报告")) and "非公有制经济领域统战工作" in meta


def test_section_results_link_to_the_section_anchor(page, server):
    base, site = server
    res = search(page, base, q="光彩事业", type="report")
    sec = [r for r in res if r["anchor"]]
    assert sec and sec[0]["href"].endswith("#" + sec[0]["anchor"])
    page.click(f"#kb-search-results a[href$='#{sec[0]['anchor']}']")
    page.wait_for_load_state()
    assert page.url.split("#")[1] == sec[0]["anchor"]
    assert page.locator(f"[id='{sec[0]['anchor']}']").count() == 1
    assert f"/{SUBPATH}/reports/" in page.url


def test_url_holds_the_state_and_header_box_leads_there(page, server):
    base, _ = server
    page.goto(base + "areas/religion/")
    box = page.locator(".md-header .kb-header-search input[name=q]")
    box.fill("統戰")
    box.press("Enter")
    page.wait_for_url("**/search/?q=*")
    wait_done(page)
    assert page.url.startswith(base + "search/")
    assert page.input_value("#kb-search-q") == "統戰"
    assert page.locator("#kb-search-results a").count() > 0
    page.select_option("#kb-filter-type", "case")
    wait_done(page)
    page.wait_for_function("location.search.includes('type=case')")
    bookmarked = page.url
    results = page.evaluate(RESULTS_JS)
    assert results and all(r["type"] == "case" for r in results)
    page.goto("about:blank")
    page.goto(bookmarked)
    wait_done(page)
    assert page.input_value("#kb-filter-type") == "case"
    assert keys(page.evaluate(RESULTS_JS)) == keys(results)
    # typing on the results page updates the address
    page.fill("#kb-search-q", "宗教")
    page.wait_for_function("new URLSearchParams(location.search).get('q') === '宗教'")
    wait_done(page)
    # every result link is inside #kb-search-results
    links = page.evaluate("""() => Array.from(document.querySelectorAll('a.kb-result__title'))
        .every(a => a.closest('#kb-search-results'))""")
    assert links


def test_offline_under_subpath(page, server):
    base, _ = server
    search(page, base, q="统战")
    search(page, base, q="民营企业", type="policy")
    assert page.requests
    outside = [u for u in page.requests if not u.startswith(base)]
    assert not outside, outside


def test_no_results_message(page, server):
    base, _ = server
    assert search(page, base, q="量子计算机") == []
    assert "没有找到" in page.inner_text("#kb-search-status")
