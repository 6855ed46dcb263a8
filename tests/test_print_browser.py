"""Printing a regulation to PDF in Chromium: the document and its metadata, not the site."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import ROOT, serve

pytestmark = pytest.mark.browser

PAGE = "regulations/zongjiao-shiwu-tiaoli-2017/"
HIDDEN = [".md-header", ".md-tabs", ".md-sidebar--primary", ".md-search", ".kb-actions", ".kb-edit",
          ".kb-outline", ".headerlink", ".md-footer"]
KEPT = [".kb-card", "p:has(> #article-1)", "h1"]


# Disables (true) or enables (false) the print stylesheet of the page: docs/assets/kb-print.css is
# part of the page's one bundle of the project's style sheets (kb.site.assets), so the bundle is
# replaced, in its place, by a copy without it.
TOGGLE_PRINT_CSS = """async ([off, printCss]) => {
  const link = document.querySelector('link[rel=stylesheet][href*="assets/kb."]');
  if (!off) { document.getElementById('kb-without-print').remove(); link.disabled = false; return; }
  const bundle = await (await fetch(link.href)).text();
  if (!bundle.includes(printCss)) throw new Error('kb-print.css is not in ' + link.href);
  const style = document.createElement('style');
  style.id = 'kb-without-print';
  style.textContent = bundle.replace(printCss, '');
  link.after(style);
  link.disabled = true;
}"""
PRINT_CSS = (ROOT / "docs" / "assets" / "kb-print.css").read_text(encoding="utf-8")


def pdf_pages(page) -> int:
    """Pages of the A4 PDF Chromium prints of ``page``."""
    return len(re.findall(rb"/Type\s*/Page[^s]", page.pdf(format="A4")))


@pytest.fixture(scope="module")
def url(sample_site: Path):
    with serve(sample_site) as port:
        yield f"http://127.0.0.1:{port}/{PAGE}"


def test_regulation_prints_without_the_site_around_it(browser, url):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    try:
        page.goto(url)
        for sel in (".kb-actions", ".kb-outline", ".md-header"):  # there on screen
            assert page.locator(sel).first.is_visible(), sel
        pages = pdf_pages(page)
        # The page count depends on the fonts installed (without a CJK font Chromium draws narrower
        # boxes: 2 pages here, 3 with Noto CJK or WenQuanYi), so it is compared with references
        # printed in this run with the same fonts: the page without the print stylesheet (the site
        # around the document takes at least one more page) and, below, the article alone.
        page.evaluate(TOGGLE_PRINT_CSS, [True, PRINT_CSS])
        without_stylesheet = pdf_pages(page)
        page.evaluate(TOGGLE_PRINT_CSS, [False, PRINT_CSS])
        assert 1 <= pages < without_stylesheet, (pages, without_stylesheet)
        page.emulate_media(media="print")
        shown = {sel: page.locator(sel).first.is_visible() for sel in HIDDEN}
        assert [sel for sel, v in shown.items() if v] == []
        for sel in KEPT:
            assert page.locator(sel).first.is_visible(), sel
        assert page.locator("p:has(> #article-1)").inner_text().startswith("第一条")  # article numbers kept
        # the document starts at the top of the first page: no header or margin above the title
        assert page.locator("h1").first.bounding_box()["y"] < 60
        # an article is never split over two pages; headings stay with what follows
        rules = page.evaluate("""() => {
            const p = document.querySelector('#article-1').parentElement, h = document.querySelector('h2');
            return [getComputedStyle(p).breakInside, getComputedStyle(h).breakAfter,
                    getComputedStyle(document.querySelector('.kb-card')).breakInside];
        }""")
        assert rules == ["avoid", "avoid", "avoid"]
        # Nothing but the document takes room on paper: as many pages as its article printed alone.
        page.emulate_media(media="screen")
        page.evaluate("() => document.body.replaceChildren(document.querySelector('article'))")
        alone = pdf_pages(page)
        assert pages <= alone, (pages, alone)
    finally:
        context.close()
