"""In a real browser (headless Chromium via Playwright), against the built site
served from 127.0.0.1: the listing filters of regulations/ and policies/, and
scrolling to an article anchor. Nothing may be fetched from outside."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlparse

import pytest

from kb.site.filters import issuers, row_attrs
from kb.model.knowledge import KnowledgeBase

from conftest import ROOT, serve

pytestmark = pytest.mark.browser

@pytest.fixture(scope="module")
def base_url(law_site: Path):
    with serve(law_site) as port:
        yield f"http://127.0.0.1:{port}/"


@pytest.fixture
def page(browser, base_url):
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    pg = context.new_page()
    outside: list[str] = []
    errors: list[str] = []

    def route(r):
        if urlparse(r.request.url).hostname == "127.0.0.1":
            r.continue_()
        else:
            outside.append(r.request.url)
            r.abort()

    pg.route("**/*", route)
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    yield pg
    context.close()
    assert outside == [], f"requests outside the site: {outside}"
    assert errors == [], f"JavaScript errors: {errors}"


@pytest.fixture(scope="module")
def kb():
    return KnowledgeBase.load(ROOT)


def visible_ids(pg) -> list[str]:
    return pg.eval_on_selector_all(
        ".kb-filterable tbody tr:not([hidden])",
        "rows => rows.filter(r => r.offsetParent !== null).map(r => r.querySelector('a').getAttribute('href').replace(/\\/$/, ''))",
    )


def shown(pg) -> str:
    return pg.inner_text("[data-kb-shown]")


def test_status_level_issuer_year_filters_on_regulations(page, base_url, kb):
    regs = kb.by_type["regulation"]
    page.goto(base_url + "regulations/")
    assert page.is_visible("form.kb-filter")
    assert visible_ids(page) == [e.id for e in regs] and shown(page) == str(len(regs))

    page.select_option("select[name=status]", "repealed")
    expected = [e.id for e in regs if e.meta.status == "repealed"]
    assert len(expected) >= 2 and visible_ids(page) == expected and shown(page) == str(len(expected))
    assert page.url.endswith("/regulations/?status=repealed")

    page.select_option("select[name=level]", "党内法规")
    expected = [e.id for e in regs if e.meta.status == "repealed" and e.meta.level == "党内法规"]
    assert visible_ids(page) == expected == ["tongzhan-gongzuo-tiaoli-shixing-2015"]

    page.select_option("select[name=year]", "2004")  # nothing matches all three
    assert visible_ids(page) == [] and shown(page) == "0"
    assert page.is_visible(".kb-filter-empty")

    page.click("button[type=reset]")
    page.wait_for_function("document.querySelector('[data-kb-shown]').textContent === '%d'" % len(regs))
    assert visible_ids(page) == [e.id for e in regs] and not page.is_visible(".kb-filter-empty")
    assert page.url.endswith("/regulations/")

    page.select_option("select[name=issuer]", "国务院")
    assert visible_ids(page) == [e.id for e in regs if e.meta.issuer == "国务院"]
    page.select_option("select[name=issuer]", "")
    page.select_option("select[name=year]", "2017")
    assert visible_ids(page) == ["zongjiao-shiwu-tiaoli-2017"]


def test_policies_filter_joint_issuers_and_url_state(page, base_url, kb):
    pols = kb.by_type["policy"]
    # The state in the URL is applied on load, so a filtered list can be shared.
    page.goto(base_url + "policies/?status=in-force&issuer=" + "国务院")
    assert page.input_value("select[name=status]") == "in-force"
    expected = [e.id for e in pols if e.meta.status == "in-force" and "国务院" in issuers(e)]
    assert expected == ["cujin-minying-jingji-fazhan-zhuangda-yijian-2023"]  # 中共中央 国务院: a joint issuer
    assert visible_ids(page) == expected
    page.select_option("select[name=issuer]", "")
    page.select_option("select[name=status]", "not-yet-effective")
    assert visible_ids(page) == ["qingqing-zhengshang-guanxi-banfa-2026"]
    # Options and their counts come from the same values the rows carry.
    options = page.eval_on_selector_all("select[name=level] option", "os => os.map(o => o.value)")
    assert options[1:] == sorted({row_attrs(e)["level"] for e in pols})


def test_unknown_url_values_are_ignored(page, base_url, kb):
    page.goto(base_url + "regulations/?status=bogus")
    assert page.input_value("select[name=status]") == ""
    assert shown(page) == str(len(kb.by_type["regulation"]))


def test_article_link_scrolls_to_the_article(page, base_url):
    page.goto(base_url + "cases/zz-citing-case/")
    page.click("a.kb-cite--article")
    page.wait_for_url("**/regulations/zongjiao-shiwu-tiaoli-2017/#article-36")
    page.wait_for_function("window.scrollY > 0")
    box = page.eval_on_selector(
        "#article-36", "a => { const r = a.parentElement.getBoundingClientRect(); return [r.top, r.bottom, innerHeight]; }")
    top, bottom, height = box
    assert 0 <= top < height and bottom <= height, box  # the article paragraph is in view
    header = page.eval_on_selector(".md-header", "h => h.getBoundingClientRect().bottom")
    assert top >= header - 1, (top, header)  # not hidden under the sticky header
