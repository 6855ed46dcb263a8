"""In a real browser (headless Chromium via Playwright), against the built site
served from 127.0.0.1: the listing filters of regulations/ and policies/, and
scrolling to an article anchor. Nothing may be fetched from outside."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlparse

import pytest

from kb.site.filters import issuers, row_attrs
from kb.model.knowledge import KnowledgeBase

from conftest import ROOT, leave, serve

pytestmark = pytest.mark.browser

@pytest.fixture(scope="module")
def base_url(law_site: Path):
    with serve(law_site) as port:
        yield f"http://127.0.0.1:{port}/"


@pytest.fixture(scope="module")
def watched_page(browser):
    """One page for the module's tests (see conftest.leave); requests leaving the site are aborted
    and recorded, with JavaScript errors, in ``pg.outside`` and ``pg.errors``."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    pg = context.new_page()
    pg.outside, pg.errors = [], []

    def route(r):
        if urlparse(r.request.url).hostname == "127.0.0.1":
            r.continue_()
        else:
            pg.outside.append(r.request.url)
            r.abort()

    pg.route("**/*", route)
    pg.on("pageerror", lambda exc: pg.errors.append(str(exc)))
    yield pg
    context.close()


@pytest.fixture
def page(watched_page, base_url):
    pg = watched_page
    pg.outside.clear()
    pg.errors.clear()
    yield pg
    leave(pg)
    assert pg.outside == [], f"requests outside the site: {pg.outside}"
    assert pg.errors == [], f"JavaScript errors: {pg.errors}"


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


# -- a listing split over pages (kb.site.paging): the filter covers every page ------


PAGE_SIZE = 3


@pytest.fixture(scope="module")
def paged_url(tmp_path_factory):
    """The sample project built with three rows to a listing page, served from 127.0.0.1."""
    from conftest import copy_project, mkdocs_build

    project = copy_project(tmp_path_factory.mktemp("paged") / "p")
    yml = project / "mkdocs.yml"
    text = yml.read_text(encoding="utf-8")
    assert "    page_size: 100\n" in text
    yml.write_text(text.replace("    page_size: 100\n", f"    page_size: {PAGE_SIZE}\n"), encoding="utf-8")
    result = mkdocs_build(project, project / "site")
    assert result.returncode == 0, result.stderr
    with serve(project / "site") as port:
        yield f"http://127.0.0.1:{port}/"


def row_cells(pg) -> list[tuple]:
    """Each visible row of the filtered table: where its link goes, its cells' text and data-* values."""
    return pg.eval_on_selector_all(
        ".kb-filterable tbody tr:not([hidden])",
        """rows => rows.map(r => [r.querySelector('a').href,
             Array.from(r.cells).map(c => [c.className, c.getAttribute('data-label'), c.innerHTML.replace(/ href="[^"]*"/g, '')]),
             ['status', 'level', 'issuer', 'year'].map(k => r.getAttribute('data-' + k))])""")


def shown_ids(pg) -> list[str]:
    """The entries of the visible rows (links are relative to the page, or built from the site root)."""
    return [href.rstrip("/").split("/")[-1] for href in visible_ids(pg)]


def pager_visible(pg) -> bool:
    return pg.is_visible(".kb-pager")


@pytest.mark.slow
def test_filter_on_a_paged_listing_shows_matches_from_every_page(page, paged_url, kb):
    regs = kb.by_type["regulation"]
    assert len(regs) > 2 * PAGE_SIZE  # at least three pages
    page.goto(paged_url + "regulations/")
    first_page = [e.id for e in regs[:PAGE_SIZE]]
    assert shown_ids(page) == first_page and shown(page) == str(PAGE_SIZE) and pager_visible(page)

    page.select_option("select[name=status]", "repealed")
    expected = [e.id for e in regs if e.meta.status == "repealed"]
    assert any(e.id in expected for e in regs[PAGE_SIZE:])  # some only on later pages
    page.wait_for_function("document.querySelector('[data-kb-shown]').textContent === '%d'" % len(expected))
    assert shown_ids(page) == expected and not pager_visible(page)
    assert not page.is_visible(".kb-page-status")
    assert page.url.endswith("/regulations/?status=repealed")

    page.click("button[type=reset]")
    page.wait_for_function("document.querySelector('[data-kb-shown]').textContent === '%d'" % PAGE_SIZE)
    assert shown_ids(page) == first_page and pager_visible(page) and page.url.endswith("/regulations/")


@pytest.mark.slow
def test_filter_state_in_the_url_works_on_any_page(page, paged_url, kb):
    regs = kb.by_type["regulation"]
    expected = [e.id for e in regs if e.meta.status == "repealed"]
    page.goto(paged_url + "regulations/page/3/?status=repealed")
    page.wait_for_function("document.querySelector('[data-kb-shown]').textContent === '%d'" % len(expected))
    # Links built in the browser resolve from page 3 as from page 1.
    links = page.eval_on_selector_all(".kb-filterable tbody tr:not([hidden]) a", "as => as.map(a => a.href)")
    assert links == [paged_url + e.url for e in regs if e.id in expected]
    page.select_option("select[name=status]", "")
    page.wait_for_function("!document.querySelector('.kb-pager').hidden")
    assert shown_ids(page) == [e.id for e in regs[2 * PAGE_SIZE:3 * PAGE_SIZE]]


@pytest.mark.slow
def test_rows_built_in_the_browser_are_the_rows_the_pages_carry(page, paged_url, kb):
    """Every policy row, as the listing pages render it (server) and as the filter
    builds it from the rows script (browser), is the same row."""
    pols = kb.by_type["policy"]
    server = []
    for n in range(1, -(-len(pols) // PAGE_SIZE) + 1):
        page.goto(paged_url + ("policies/" if n == 1 else f"policies/page/{n}/"))
        server += row_cells(page)
    assert [r[0] for r in server] == [paged_url + e.url for e in pols]
    built = {}
    statuses = page.eval_on_selector_all("select[name=status] option", "os => os.map(o => o.value).filter(Boolean)")
    for status in statuses:
        page.select_option("select[name=status]", status)
        page.wait_for_function("document.querySelector('.kb-pager').hidden")
        for row in row_cells(page):
            built[row[0]] = row
    assert [built.get(r[0]) for r in server] == server


@pytest.mark.slow
def test_paged_listing_reads_without_javascript(browser, paged_url, kb):
    context = browser.new_context(java_script_enabled=False)
    try:
        pg = context.new_page()
        regs = kb.by_type["regulation"]
        pg.goto(paged_url + "regulations/")
        ids = lambda: pg.eval_on_selector_all(  # noqa: E731
            ".kb-index tbody tr td.kb-col-title a", "as => as.map(a => a.getAttribute('href').replace(/\\/$/, '').split('/').pop())")
        assert ids() == [e.id for e in regs[:PAGE_SIZE]]
        assert not pg.is_visible("form.kb-filter")  # the filter needs JavaScript; the rows do not
        nav = pg.locator("nav.kb-pager").first
        assert nav.get_attribute("aria-label") == "分页导航（上）"
        assert nav.locator("[aria-current=page]").inner_text() == "1"
        nav.locator("a[rel=next]").click()
        assert pg.url == paged_url + "regulations/page/2/"
        assert ids() == [e.id for e in regs[PAGE_SIZE:2 * PAGE_SIZE]]
        assert pg.locator("nav.kb-pager").first.locator("[aria-current=page]").inner_text() == "2"
        assert "第 2 页，共" in pg.inner_text(".kb-page-status")
    finally:
        context.close()
