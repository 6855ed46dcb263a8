"""The phone's navigation drawer of a page that is not in the navigation (an entry page) in
headless Chromium, JavaScript off: the compact navigation lists the top-level sections and
its links open them (kb.engine.navcache)."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import serve

pytestmark = pytest.mark.browser

ENTRY = "cases/minqi-zhuanchang-zhaopinhui-2022/"


@pytest.fixture(scope="module")
def base_url(sample_site: Path):
    with serve(sample_site) as port:
        yield f"http://127.0.0.1:{port}/"


def test_the_drawer_of_an_entry_page_lists_the_sections_without_javascript(browser, base_url):
    context = browser.new_context(viewport={"width": 390, "height": 844}, java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(base_url + ENTRY)
        drawer = page.locator(".md-sidebar--primary .md-nav--primary")
        links = drawer.locator(":scope > .md-nav__list > .md-nav__item > a.md-nav__link")
        assert page.locator(".md-sidebar--primary").bounding_box()["x"] < 0  # the drawer is closed
        page.locator('label.md-header__button[for="__drawer"]').click()  # the menu button: a checkbox
        for _ in range(50):  # the drawer slides in (a CSS transition; no script runs on this page)
            if page.locator(".md-sidebar--primary").bounding_box()["x"] >= 0:
                break
            page.wait_for_timeout(100)
        assert page.locator(".md-sidebar--primary").bounding_box()["x"] >= 0
        assert [t.strip() for t in links.all_inner_texts()] == [
            "首页", "工作领域", "文件类型", "年度", "待收录文件", "最近更新", "待复核", "使用指南"]
        assert all(link.is_visible() for link in links.all())
        assert drawer.locator(".md-nav__source, .md-nav__toggle, nav").count() == 0
        links.filter(has_text="工作领域").click()
        page.wait_for_url(base_url + "areas/")
        assert page.locator("article h1").first.inner_text().strip() == "工作领域"
    finally:
        context.close()


def test_the_repository_icon_has_the_pixels_of_materials_inline_svg(browser, base_url):
    # The header's repository icon is a CSS mask (docs/assets/kb.css), not 0.8 KB of SVG per page:
    # put Material's inline SVG back into the same page and compare the two screenshots.
    import material

    svg = (Path(material.__file__).parent / "templates" / ".icons" / "fontawesome" / "brands" / "git-alt.svg")
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    try:
        page = context.new_page()
        page.goto(base_url + ENTRY)
        icon = page.locator(".md-header__source .md-source__icon")
        assert icon.locator("svg").count() == 0 and icon.locator(".kb-icon-repo").count() == 1
        box = icon.bounding_box()
        ours = page.screenshot(clip=box, animations="disabled")
        page.evaluate("([el, svg]) => { el.innerHTML = svg; }", [icon.element_handle(), svg.read_text()])
        assert icon.locator("svg").count() == 1 and icon.bounding_box() == box
        assert page.screenshot(clip=box, animations="disabled") == ours
    finally:
        context.close()
