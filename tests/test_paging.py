"""Listings split over pages: boundaries, stable addresses and the pager
(kb.site.paging); one declaration in kb.site.catalog giving every page; and,
with a few thousand entries, no listing page over the size budget."""

from __future__ import annotations

import math
import posixpath
import re
from pathlib import Path

import pytest

from kb.model.knowledge import KnowledgeBase
from kb.settings import Settings
from kb.site import catalog, filters
from kb.site.catalog import Listing
from kb.site.pages import Generator
from kb.site.paging import GAP, Group, page_uri, paginate
from kb.site.urls import PENDING_URI, REVIEW_URI, area_uri, page_url, type_uri

ROOT = Path(__file__).resolve().parents[1]
PAGE_BUDGET = 300 * 1024  # the largest HTML page allowed at 10,000 entries
CHROME = 60 * 1024  # what Material adds around a generated page (about 30 KB measured), with room to spare


def rows(n: int, key: str = "type-report") -> Group:
    return Group(key, "工作报告", "entries", tuple(range(n)))


def test_exactly_one_page_of_rows_is_one_page():
    (page,) = paginate("reports/index.md", [rows(5)], 5)
    assert (page.number, page.count, page.first, page.last, page.total) == (1, 1, 1, 5, 5)
    assert [p.items for p in page.parts] == [(0, 1, 2, 3, 4)] and not page.parts[0].split
    assert page.prev_uri is None and page.next_uri is None and page.numbers() == [1]


def test_one_row_more_opens_a_second_page():
    first, second = paginate("reports/index.md", [rows(6)], 5)
    assert [first.uri, second.uri] == ["reports/index.md", "reports/page/2/index.md"]
    assert second.parts[0].items == (5,) and (second.first, second.last, second.total) == (6, 6, 6)
    assert first.parts[0].split and (second.parts[0].first, second.parts[0].last) == (6, 6)
    assert first.next_uri == second.uri and second.prev_uri == first.uri and second.next_uri is None


@pytest.mark.parametrize("groups", [[], [rows(0)]])
def test_an_empty_listing_is_one_empty_page(groups):
    (page,) = paginate("years/2020/index.md", groups, 5)
    assert page.uri == "years/2020/index.md" and page.parts == () and page.total == 0 and page.count == 1


def test_groups_continue_across_pages_and_link_to_where_they_start():
    groups = [Group("type-regulation", "法规", "entries", ("r1", "r2", "r3")),
              Group("type-report", "工作报告", "entries", ("p1", "p2", "p3", "p4")),
              Group("kind-plan", "工作计划", "sections", ("k1", "k2"))]
    one, two, three = paginate("areas/religion/index.md", groups, 4)
    assert [(p.group.key, p.start, p.items) for p in one.parts] == [
        ("type-regulation", 0, ("r1", "r2", "r3")), ("type-report", 0, ("p1",))]
    assert [(p.group.key, p.start, p.items) for p in two.parts] == [
        ("type-report", 1, ("p2", "p3", "p4")), ("kind-plan", 0, ("k1",))]
    assert [(p.group.key, p.start, p.items) for p in three.parts] == [("kind-plan", 1, ("k2",))]
    assert (two.parts[0].first, two.parts[0].last) == (2, 4)
    assert one.page_of("type-report") == one.uri and three.page_of("kind-plan") == two.uri
    assert one.page_of("kind-unknown") == three.uri  # a group the listing lacks: its end


def test_addresses_are_stable_below_the_listing():
    assert page_uri("reports/index.md", 1) == "reports/index.md"
    assert page_uri("areas/religion/index.md", 12) == "areas/religion/page/12/index.md"
    small = [p.uri for p in paginate("reports/index.md", [rows(11)], 5)]
    large = [p.uri for p in paginate("reports/index.md", [rows(26)], 5)]
    assert large[: len(small)] == small  # more rows add pages, never move them
    with pytest.raises(ValueError):
        page_uri("guide/fields.md", 2)
    with pytest.raises(ValueError):
        paginate("reports/index.md", [rows(3)], 0)


@pytest.mark.parametrize("number, shown", [
    (1, [1, 2, 3, GAP, 10]),
    (5, [1, 2, 3, 4, 5, 6, 7, GAP, 10]),  # a gap of one page shows that page's number
    (6, [1, GAP, 4, 5, 6, 7, 8, 9, 10]),
    (10, [1, GAP, 8, 9, 10]),
])
def test_pager_numbers(number, shown):
    pages = paginate("reports/index.md", [rows(10)], 1)
    assert pages[number - 1].numbers() == shown


# -- one declaration in the catalog, many pages -----------------------------------


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return KnowledgeBase.load(ROOT)


def resolve(page_src: str, href: str) -> str:
    """The site-relative URL a link on a generated page points at."""
    base = posixpath.dirname(page_url(page_src).rstrip("/") + "/x")
    path = posixpath.normpath(posixpath.join(base, href.split("#")[0]))
    return "" if path == "." else path + "/"


def listing_specs(specs, first_uri: str):
    prefix = first_uri[: -len("index.md")] + "page/"
    return [s for s in specs if s.uri == first_uri or (s.uri.startswith(prefix) and s.uri.count("/") == first_uri.count("/") + 2)]


def test_a_listing_declared_once_gives_one_spec_per_page(kb):
    gen = Generator(kb, settings=Settings(page_size=2))
    specs = gen.specs()
    assert len({s.uri for s in specs}) == len(specs)
    regs = kb.by_type["regulation"]
    pages = listing_specs(specs, type_uri("regulation"))
    assert [s.uri for s in pages] == [page_uri(type_uri("regulation"), n) for n in range(1, math.ceil(len(regs) / 2) + 1)]
    first, *rest = pages
    assert first.in_nav and first.nav_section == "文件类型" and first.title == "法规" and first.is_html
    assert rest and all(not s.in_nav and s.nav_section is None and s.is_html for s in rest)
    assert rest[0].title == "法规（第 2 页）"
    # Pages beyond the first are reached through the pager, not the navigation.
    assert gen.nav() == Generator(kb, settings=Settings(page_size=1000)).nav()
    # Every page has its own signature (the live preview and the page cache key on it).
    sigs = catalog.signatures(specs, "ctx", catalog.Labels.of(kb.entries))
    assert all(s.uri in sigs for s in pages) and len({repr(sigs[s.uri]) for s in pages}) == len(pages)
    # Every regulation once, in listing order, over the pages.
    shown = [resolve(s.uri, href) for s in pages
             for href in re.findall(r'<td class="kb-col-title"><a href="([^"]+)"', gen.render(s))]
    assert shown == [e.url for e in regs]


def test_pager_links_lead_to_the_neighbouring_pages(kb):
    gen = Generator(kb, settings=Settings(page_size=1))
    pages = listing_specs(gen.specs(), type_uri("policy"))
    assert len(pages) >= 4
    md = gen.render(pages[1])
    pager = re.search(r'<nav class="kb-pager" aria-label="分页导航（上）">(.*?)</nav>', md, re.S).group(1)
    assert resolve(pages[1].uri, re.search(r'href="([^"]+)" rel="prev"', pager).group(1)) == page_url(pages[0].uri)
    assert resolve(pages[1].uri, re.search(r'href="([^"]+)" rel="next"', pager).group(1)) == page_url(pages[2].uri)
    numbered = re.findall(r'<li><a href="([^"]+)"([^>]*)>(\d+)</a></li>', pager)
    assert [n for _, _, n in numbered][:4] == ["1", "2", "3", "4"]
    for href, attrs, n in numbered:
        assert resolve(pages[1].uri, href) == page_url(pages[int(n) - 1].uri)
        assert ('aria-current="page"' in attrs) == (n == "2")
    assert "第 2 页，共" in md and md.count('class="kb-pager"') == 2
    # The last page: no next link; the first: no previous link.
    assert 'rel="next"' not in gen.render(pages[-1]) and 'rel="prev"' not in gen.render(pages[0])


def test_area_listing_continues_groups_and_links_counts_to_their_page(kb):
    gen = Generator(kb, settings=Settings(page_size=3))
    pages = listing_specs(gen.specs(), area_uri("religion"))
    rendered = [gen.render(s) for s in pages]
    entries, sections = kb.by_area["religion"], kb.sections_by_area["religion"]
    assert len(pages) == math.ceil((len(entries) + len(sections)) / 3)
    assert sum(md.count('<td class="kb-col-title">') for md in rendered) == len(entries)
    listed = [li for md in rendered for ul in re.findall(r'<ul class="kb-sections">(.*?)</ul>', md, re.S)
              for li in re.findall(r"<li>", ul)]
    assert len(listed) == len(sections) > 0
    # The 报告段落 count on every page links to the page where the sections start.
    start = next(i for i, md in enumerate(rendered) if 'id="sections"' in md)
    for s, md in zip(pages, rendered):
        href = re.search(r'<a href="([^"]+)#sections">报告段落', md).group(1)
        assert resolve(s.uri, href) == page_url(pages[start].uri)


def test_filtered_listing_rows_script_holds_every_row(kb):
    gen = Generator(kb, settings=Settings(page_size=2))
    files = dict(gen.static_files())
    script = files[filters.rows_path("regulation")]
    assert script.startswith('(window.__kbRows=window.__kbRows||{})["regulation"]=')
    for e in kb.by_type["regulation"]:
        assert f'"{e.url}","{e.label}"' in script
    assert script == dict(Generator(kb, settings=Settings(page_size=2)).static_files())[filters.rows_path("regulation")]
    page2 = gen.render(listing_specs(gen.specs(), type_uri("regulation"))[1])
    assert 'data-kb-rows="../../../listings/regulations.js" data-kb-root="../../../"' in page2
    # A listing on one page has all its rows already: no script to load.
    one = Generator(kb, settings=Settings(page_size=1000)).render_uri(type_uri("regulation"))
    assert "data-kb-rows" not in one


# -- a few thousand entries ----------------------------------------------------------


def test_no_listing_page_over_budget_with_thousands_of_entries(kb, monkeypatch):
    """The sample entries repeated to 2,700: every listing (types, areas, years,
    pending, review) keeps its pages to ``page_size`` rows and under the budget;
    the rows grow the number of pages, not the pages."""
    times = 100
    big = KnowledgeBase.load(ROOT)
    for name in ("newest_first", "entries"):
        big.__dict__[name] = [e for e in getattr(kb, name) for _ in range(times)]
    big.__dict__["by_type"] = {t: [e for e in es for _ in range(times)] for t, es in kb.by_type.items()}
    big.__dict__["by_area"] = {a: [e for e in es for _ in range(times)] for a, es in kb.by_area.items()}
    big.__dict__["by_year"] = {y: [e for e in es for _ in range(times)] for y, es in kb.by_year.items()}
    big.__dict__["sections_by_area"] = {a: [x for x in xs for _ in range(times)] for a, xs in kb.sections_by_area.items()}
    big.citations.pending = [p for p in kb.citations.pending for _ in range(times)]
    assert len(big.entries) >= 2000
    declared: list[Listing] = []
    real = Listing.specs

    def record(self, size):
        declared.append(self)
        return real(self, size)

    monkeypatch.setattr(Listing, "specs", record)
    gen = Generator(big, settings=Settings(today=kb_today(kb)))
    specs = {s.uri: s for s in gen.specs()}
    size = gen.settings.page_size
    assert {area_uri("religion"), type_uri("report"), PENDING_URI, REVIEW_URI} <= {d.uri for d in declared}
    largest = (0, "")
    for listing in declared:
        n_rows = sum(len(g.items) for g in listing.groups)
        count = max(1, math.ceil(n_rows / size))
        uris = [page_uri(listing.uri, n) for n in range(1, count + 1)]
        assert all(u in specs for u in uris) and page_uri(listing.uri, count + 1) not in specs
        for uri in {uris[0], uris[len(uris) // 2], uris[-1]}:
            size_bytes = len(gen.render(specs[uri]).encode("utf-8"))
            largest = max(largest, (size_bytes, uri))
    assert largest[0] <= PAGE_BUDGET - CHROME, largest
    assert len(specs[type_uri("report")].context()["page"].parts[0].items) == size


def kb_today(kb: KnowledgeBase):
    return Generator(kb).today
