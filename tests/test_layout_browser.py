"""Listings and charts as a reader sees them, in headless Chromium at a desktop and
a phone width: cells with dates, numbers, badges and headers stay on one line, nothing
overflows sideways, narrow screens get cards, chart labels are readable."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import leave, serve

pytestmark = pytest.mark.browser

WIDTHS = {"desktop": (1366, 900), "mobile": (390, 844)}
LISTINGS = ["regulations/", "policies/", "reports/", "cases/", "areas/religion/", "years/2023/", "recent/",
            "review/"]

# Cells with a piece of text broken over lines (“2021-01-/18”, “现行有/效”, “报/告/期”): the
# distinct line tops of each text node. Chips may wrap between each other, never inside.
WRAPPED = """() => {
  const out = [];
  const cells = document.querySelectorAll(
    '.kb-table th, .kb-table td.kb-nowrap, .kb-table .kb-status, .kb-table .kb-chip');
  for (const el of cells) {
    if (!el.offsetParent) continue;  // hidden (the header row on phones)
    const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      if (!node.textContent.trim()) continue;
      const range = document.createRange();
      range.selectNodeContents(node);
      const tops = new Set([...range.getClientRects()].filter(r => r.width > 0).map(r => Math.round(r.top)));
      if (tops.size > 1) out.push(el.tagName + ': ' + node.textContent.trim());
    }
  }
  return out;
}"""


@pytest.fixture(scope="module")
def base_url(sample_site: Path):
    with serve(sample_site) as port:
        yield f"http://127.0.0.1:{port}/"


@pytest.fixture(scope="module")
def pages(browser):
    """A browser context and page per width, made once for the module (see conftest.leave):
    each test navigates it to what it checks."""
    made = {}

    def get(name: str):
        if name not in made:
            width, height = WIDTHS[name]
            made[name] = browser.new_context(viewport={"width": width, "height": height}).new_page()
            made[name].width_name = name
        return made[name]

    yield get
    for pg in made.values():
        pg.context.close()


@pytest.fixture(params=list(WIDTHS))
def page(request, pages):
    pg = pages(request.param)
    yield pg
    leave(pg)


@pytest.mark.parametrize("url", LISTINGS)
def test_listing_cells_never_wrap_and_nothing_overflows(page, base_url, url):
    page.goto(base_url + url)
    assert page.locator(".kb-table").count() > 0
    assert page.evaluate(WRAPPED) == []
    overflow = page.evaluate("() => document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0
    rows = page.locator(".kb-table tbody tr")
    first = rows.first.bounding_box()
    if page.width_name == "mobile":  # a card per entry: the header row hidden, one cell under another
        assert page.locator(".kb-table thead").first.is_hidden()
        cells = rows.first.locator("td")
        assert cells.nth(1).bounding_box()["y"] > cells.nth(0).bounding_box()["y"]
        assert first["width"] > 300
        label = page.evaluate("() => getComputedStyle(document.querySelector('.kb-table td[data-label]'), '::before')"
                              ".content")
        assert "：" in label
    else:
        assert page.locator(".kb-table thead").first.is_visible()


def test_home_chart_labels_are_readable_and_summaries_upright(page, base_url):
    page.goto(base_url)
    sizes = page.evaluate("() => [...document.querySelectorAll('.kb-svg text')].map("
                          "t => t.getBoundingClientRect().height)")
    assert sizes and min(sizes) >= 11, sizes
    page.goto(base_url + "regulations/zongjiao-shiwu-tiaoli-2017/")
    assert page.evaluate("() => getComputedStyle(document.querySelector('.kb-summary')).fontStyle") == "normal"


def test_the_types_tab_opens_an_overview_of_the_four_types(page, base_url):
    page.goto(base_url)
    if page.width_name == "mobile":
        page.goto(base_url + "types/")
    else:
        page.locator(".md-tabs__link", has_text="文件类型").click()
    assert page.url.endswith("/types/")
    assert page.locator("h1").inner_text() == "文件类型"
    cards = page.locator(".kb-type-grid > li")
    assert cards.count() == 4
    if page.width_name == "desktop":  # the sidebar still lists every type, 法规 included
        sidebar = page.locator(".md-sidebar--primary").inner_text()
        assert all(t in sidebar for t in ("法规", "政策文件", "工作报告", "典型案例"))
