"""The instant-search dropdown of the header box (docs/assets/kb-instant.js) in headless Chromium,
on the sample site served under a subpath: keyboard use, the same top results as the results page,
Enter on a result or on the query, Esc. (The offline edition: tests/test_deploy_browser.py.)"""

from __future__ import annotations

from urllib.parse import quote

import pytest

from conftest import leave, serve

pytestmark = pytest.mark.browser

SUBPATH = "kb"
BOX = ".md-header .kb-header-search__input"


@pytest.fixture(scope="module")
def base(sample_site):
    assert sample_site.name == SUBPATH
    with serve(sample_site.parent) as port:
        yield f"http://127.0.0.1:{port}/{SUBPATH}/"


@pytest.fixture(scope="module")
def module_page(browser):
    """One page for the module's tests (see conftest.leave); JavaScript errors in ``pg.errors``."""
    ctx = browser.new_context()
    pg = ctx.new_page()
    pg.errors = []
    pg.on("pageerror", lambda e: pg.errors.append(str(e)))
    yield pg
    ctx.close()


@pytest.fixture
def page(module_page):
    module_page.errors.clear()
    yield module_page
    leave(module_page)
    assert not module_page.errors, module_page.errors


ITEMS_JS = """() => Array.from(document.querySelectorAll('#kb-instant .kb-instant__item')).map(a => ({
  entry: a.dataset.entry, anchor: a.dataset.anchor || '', href: a.href, id: a.id,
  active: a.classList.contains('kb-instant__item--active'), title: a.querySelector('.kb-instant__title').textContent,
  marks: Array.from(a.querySelectorAll('mark')).map(m => m.textContent)}))"""


def typed(pg, text: str) -> list[dict]:
    """Type into the focused header box like a user; wait until the dropdown shows this query."""
    pg.keyboard.type(text)
    pg.wait_for_function("q => { const l = document.getElementById('kb-instant');"
                         " return l && !l.hidden && l.dataset.query === q && l.dataset.state === 'done'; }",
                         arg=text, timeout=10_000)
    return pg.evaluate(ITEMS_JS)


def results_page(pg, base: str, q: str) -> list[tuple[str, str]]:
    pg.goto(base + "search/?q=" + quote(q))
    pg.wait_for_selector("#kb-search-results[data-state=done]", state="attached", timeout=10_000)
    return [tuple(k) for k in pg.evaluate("""() => Array.from(document.querySelectorAll(
        '#kb-search-results li.kb-result')).map(li => [li.dataset.entry, li.dataset.anchor || ''])""")]


def test_slash_arrows_and_enter_open_the_highlighted_result(page, base):
    page.goto(base + "areas/religion/")
    assert page.locator("#kb-instant").is_hidden()
    page.keyboard.press("/")  # focuses the header box from anywhere on the page
    assert page.evaluate("document.activeElement.matches('.kb-header-search__input')")
    items = typed(page, "宗教活动场所")
    assert 1 < len(items) <= 8
    assert "宗教活动场所" in items[0]["marks"]  # the query is highlighted
    assert not any(i["active"] for i in items)
    box = page.locator(BOX)
    assert box.get_attribute("aria-expanded") == "true"
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    items = page.evaluate(ITEMS_JS)
    assert [i["active"] for i in items] == [k == 1 for k in range(len(items))]
    assert box.get_attribute("aria-activedescendant") == items[1]["id"]
    page.keyboard.press("ArrowUp")
    page.keyboard.press("ArrowUp")  # from the first result up wraps to the last
    items = page.evaluate(ITEMS_JS)
    assert items[-1]["active"] and sum(i["active"] for i in items) == 1
    page.keyboard.press("ArrowDown")  # and down again wraps to the first
    target = page.evaluate(ITEMS_JS)[0]
    page.keyboard.press("Enter")
    page.wait_for_url(target["href"])
    assert page.url.startswith(base) and f"/{SUBPATH}/" in page.url
    if target["anchor"]:
        assert page.url.endswith("#" + target["anchor"])
        assert page.locator(f"[id='{target['anchor']}']").count() == 1
    assert page.locator("h1").first.inner_text()


def test_dropdown_shows_the_results_pages_top_results(page, base):
    for q in ("统战", "國務院令第686號"):
        expected = results_page(page, base, q)
        page.goto(base + "guide/")
        page.click(BOX)
        items = typed(page, q)
        assert [(i["entry"], i["anchor"]) for i in items] == expected[: len(items)] and items, q
    foot = page.locator("#kb-instant .kb-instant__all")
    assert "查看全部" in foot.inner_text()


def test_enter_without_a_highlighted_result_opens_the_results_page_and_esc_closes(page, base):
    page.goto(base + "regulations/zongjiao-shiwu-tiaoli-2017/")
    page.click(BOX)
    typed(page, "量子计算机")
    assert page.evaluate(ITEMS_JS) == []
    assert "没有找到" in page.inner_text("#kb-instant")
    page.keyboard.press("Escape")
    assert page.locator("#kb-instant").is_hidden()
    assert page.locator(BOX).get_attribute("aria-expanded") == "false"
    assert page.url == base + "regulations/zongjiao-shiwu-tiaoli-2017/"  # still on the page
    page.fill(BOX, "")
    items = typed(page, "統戰")
    assert items
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Escape")  # closing clears the highlight
    assert not any(i["active"] for i in page.evaluate(ITEMS_JS))
    page.keyboard.press("Enter")
    page.wait_for_url("**/search/?q=*")
    assert page.url == base + "search/?q=" + quote("統戰")
    page.wait_for_selector("#kb-search-results[data-state=done]", state="attached", timeout=10_000)
    assert page.input_value("#kb-search-q") == "統戰"
    # On the results page the list itself updates: no dropdown there, "/" focuses the page's box.
    page.locator("h1").first.click()
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.id") == "kb-search-q"
    assert page.locator("#kb-instant").count() == 0
