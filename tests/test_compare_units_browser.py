"""各单位对照 in a real browser (headless Chromium via Playwright), against the shared
built sample site: the unit × year table without JavaScript, and the reading view that
shows one kind of section of several units side by side, with its state in the URL."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest

from kb.model.knowledge import KnowledgeBase
from kb.site.search import md_to_text

from conftest import ROOT, serve

pytestmark = pytest.mark.browser

AREA = "self-building"


@pytest.fixture(scope="module")
def base_url(sample_site: Path):
    with serve(sample_site) as port:
        yield f"http://127.0.0.1:{port}/"


@pytest.fixture(scope="module")
def problems():
    """unit -> [(year, section)] of the area's 存在问题 sections in the sample data (the built audience)."""
    kb = KnowledgeBase.load(ROOT)
    out: dict[str, list] = {}
    for e, s in kb.sections_by_area[AREA]:
        if s.kind == "problem":
            out.setdefault(e.meta.unit, []).append((e.year, s))
    assert len(out) >= 2, "the sample data needs two units with 存在问题 sections in one area"
    return out


def _page(browser, js: bool = True):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, java_script_enabled=js)
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
    return context, pg, outside, errors


@pytest.fixture
def page(browser):
    context, pg, outside, errors = _page(browser)
    yield pg
    context.close()
    assert outside == [], f"requests outside the site: {outside}"
    assert errors == [], f"JavaScript errors: {errors}"


def columns(pg) -> list[dict]:
    return pg.eval_on_selector_all(".kb-units-col", """cols => cols.map(c => ({
        head: c.querySelector('.kb-units-colhead').firstChild.textContent,
        box: c.getBoundingClientRect().toJSON(),
        secs: Array.from(c.querySelectorAll('.kb-units-sec')).map(s => ({
            title: s.querySelector('h4').innerText, text: s.querySelector('.kb-units-text').innerText,
            href: s.querySelector('h4 a').getAttribute('href')}))}))""")


def test_table_reads_without_javascript(browser, base_url, problems):
    context, pg, outside, _ = _page(browser, js=False)
    try:
        pg.goto(base_url + f"areas/{AREA}/")
        pg.click("a:has-text('各单位对照阅读')")
        pg.wait_for_url(f"**/areas/{AREA}/units/")
        assert not pg.is_visible("form.kb-units-form")
        rows = pg.eval_on_selector_all(".kb-units-table tbody th[scope=row]", "hs => hs.map(h => h.textContent)")
        assert set(problems) <= set(rows)
        # every unit's 问题 count links to its first 存在问题 section in the report
        for unit, items in problems.items():
            row = pg.locator(".kb-units-table tbody tr", has=pg.locator(f"th[scope=row]:text-is('{unit}')"))
            links = row.locator("a.kb-units-k--problem")
            assert links.count() == len({y for y, _ in items})
            href = links.first.get_attribute("href")
            assert href.startswith("../../../reports/") and "#" in href
        assert outside == []
    finally:
        context.close()


def test_pick_problems_shows_units_side_by_side(page, base_url, problems):
    page.goto(base_url + f"areas/{AREA}/units/")
    assert page.is_visible("form.kb-units-form") and not page.is_visible(".kb-units-read")
    page.check("input[name=kind][value=problem]")
    page.wait_for_selector(".kb-units-col")
    cols = columns(page)
    assert len(cols) >= 2
    assert {c["head"] for c in cols} == set(problems)  # the newest three years hold them all here
    # side by side: the columns share their top edge, left to right
    tops = {round(c["box"]["top"]) for c in cols}
    lefts = [c["box"]["left"] for c in cols]
    assert len(tops) == 1 and lefts == sorted(lefts) and len(set(lefts)) == len(lefts)
    for c in cols:
        expected = problems[c["head"]]
        assert [s["title"].split(" · ", 1)[1] for s in c["secs"]] == [s.heading for _, s in sorted(
            expected, key=lambda ys: ys[0])]
        for shown, (_, sec) in zip(c["secs"], sorted(expected, key=lambda ys: ys[0])):
            assert md_to_text(sec.text)[:20] in shown["text"]
            assert shown["href"].endswith("#" + sec.anchor)
    query = parse_qs(urlparse(page.url).query)
    assert query["kind"] == ["problem"] and sorted(query["year"]) == sorted({str(y) for v in problems.values()
                                                                            for y, _ in v})
    # follow a section to its report
    first = cols[0]["secs"][0]
    page.click(f".kb-units-col >> nth=0 >> .kb-units-sec h4 a >> nth=0")
    page.wait_for_url("**" + first["href"].lstrip("./").split("#")[0] + "*")


def test_url_state_is_restored_and_updated(page, base_url, problems):
    units = sorted(problems)
    unit = units[0]
    years = sorted({y for v in problems.values() for y, _ in v})
    page.goto(base_url + f"areas/{AREA}/units/?kind=problem&by=year&unit={unit}&"
              + "&".join(f"year={y}" for y in years))
    page.wait_for_selector(".kb-units-col")
    assert page.is_checked("input[name=kind][value=problem]") and page.is_checked("input[name=by][value=year]")
    cols = columns(page)
    assert [c["head"] for c in cols] == [f"{y} 年" for y in sorted({y for y, _ in problems[unit]})]
    assert all(s["title"] for c in cols for s in c["secs"])
    # another unit added: its sections join, and the URL says so
    page.check(f"input[name=unit][value='{units[1]}']")
    page.wait_for_function("document.querySelectorAll('.kb-units-sec').length === %d"
                           % sum(len(problems[u]) for u in units[:2]))
    assert parse_qs(urlparse(page.url).query)["unit"] == units[:2] or \
        sorted(parse_qs(urlparse(page.url).query)["unit"]) == sorted(units[:2])
    # back to no kind: the reading view goes away and the URL forgets the choice
    page.goto(base_url + f"areas/{AREA}/units/?kind=bogus")
    assert not page.is_visible(".kb-units-read")
    assert not page.is_checked("input[name=kind][value=problem]")
