"""One page list (kb.site.catalog) feeds the navigation, the build's files
and the live preview's signatures."""

from __future__ import annotations

from pathlib import Path

from kb.model.knowledge import KnowledgeBase
from kb.preview import live as preview
from kb.site import catalog
from kb.site.catalog import PageSpec
from kb.site.pages import Generator
from kb.site.urls import AREAS_URI, HOME_URI, PENDING_URI, RECENT_URI, REVIEW_URI, YEARS_URI, area_uri, type_uri, year_uri

ROOT = Path(__file__).resolve().parents[1]


def test_nav_is_derived_from_the_page_list_and_matches_the_site_layout():
    kb = KnowledgeBase.load(ROOT)
    gen = Generator(kb)
    expected = [
        {"首页": HOME_URI},
        {"工作领域": [AREAS_URI] + [{kb.taxonomy.name(s): area_uri(s)} for s in kb.taxonomy.slugs]},
        {"文件类型": ["types/index.md", {"法规": type_uri("regulation")}, {"政策文件": type_uri("policy")},
                      {"工作报告": type_uri("report")}, {"典型案例": type_uri("case")}]},
        {"年度": [YEARS_URI] + [{f"{y} 年": year_uri(y)} for y in kb.by_year]},
        {"待收录文件": PENDING_URI},
        {"最近更新": RECENT_URI},
        {"待复核": REVIEW_URI},
        {"使用指南": ["guide/index.md"]},
    ]
    assert gen.nav([{"使用指南": ["guide/index.md"]}]) == expected


def test_every_page_once_entries_and_search_outside_the_nav():
    kb = KnowledgeBase.load(ROOT)
    specs = Generator(kb).specs()
    uris = [s.uri for s in specs]
    assert len(uris) == len(set(uris))
    entry_specs = {s.uri: s for s in specs if s.template == "entry.md.j2"}
    assert set(entry_specs) == {e.src_uri for e in kb.entries}
    assert all(not s.in_nav and s.nav_section is None for s in entry_specs.values())
    search = next(s for s in specs if s.uri == "search/index.md")
    assert not search.in_nav
    # Every page with a signature: areas, types, years, pending, entries.
    sigs = catalog.signatures(specs, "ctx", catalog.Labels.of(kb.entries))
    assert set(entry_specs) <= set(sigs)
    assert {area_uri(s) for s in kb.taxonomy.slugs} <= set(sigs)
    assert PENDING_URI in sigs and HOME_URI not in sigs


def test_a_page_added_in_one_place_reaches_nav_build_and_preview(monkeypatch):
    real = catalog.page_specs

    def with_extra(gen):
        extra = PageSpec("extra/index.md", "附加页", "fields.md.j2", gen.fields_context,
                         depends=lambda: ("v1",), nav_section=catalog.TOP)
        return real(gen) + [extra]

    monkeypatch.setattr(catalog, "page_specs", with_extra)
    kb = KnowledgeBase.load(ROOT)
    gen = Generator(kb)
    assert {"附加页": "extra/index.md"} in gen.nav()
    pages = {p.src_uri: p for p in gen.pages()}
    assert "附加页" in pages["extra/index.md"].markdown and pages["extra/index.md"].in_nav
    state = preview.PreviewState()
    planned = {p.src_uri: p for p in preview.plan(state, gen)}
    assert "extra/index.md" in planned and not planned["extra/index.md"].kept
    assert state.planned["extra/index.md"].signature == ((gen.site_title, gen.directory_urls), state.labels, ("v1",))


def test_labels_are_one_value_kept_while_no_version_label_changes():
    kb = KnowledgeBase.load(ROOT)
    first = catalog.Labels.of(kb.entries)
    assert first.pairs, "the sample has entries that share a title (version labels)"
    assert catalog.Labels.of(kb.entries, first) is first
    entry = first.pairs[0][0]
    old = entry.version_label
    entry.version_label = "2099年"  # in place, as a reload does for an unchanged entry
    try:
        changed = catalog.Labels.of(kb.entries, first)
        assert changed is not first and changed != first
    finally:
        entry.version_label = old


def test_preview_renders_again_the_pages_of_an_entry_whose_label_changed():
    kb = KnowledgeBase.load(ROOT)
    gen = Generator(kb)
    state = preview.PreviewState()
    list(preview.plan(state, gen))
    state.written, state.planned = state.planned, None  # as a successful build commits it
    assert all(p.kept for p in preview.plan(state, gen) if p.src_uri in state.written)
    state.written, state.planned = state.planned, None
    entry = next(e for e in kb.entries if e.version_label)
    old = entry.version_label
    entry.version_label = "2099年"
    try:
        planned = {p.src_uri: p for p in preview.plan(state, gen)}
    finally:
        entry.version_label = old
    assert not planned[entry.src_uri].kept  # rendered again: its version history shows the label
