"""A report is listed under the areas its sections are substantially about, not under
every area one of its paragraphs touches."""

from __future__ import annotations

from kb.model.entry import REPORT_AREA_SHARE
from kb.model.knowledge import KnowledgeBase

from conftest import ROOT


def test_reports_are_listed_by_the_share_of_their_sections():
    kb = KnowledgeBase.load(ROOT, audience="all")
    reports = kb.by_type["report"]
    assert reports
    n_areas = len(kb.taxonomy.slugs)
    for r in reports:
        shares = r.area_shares()
        listed = r.listed_areas
        assert listed and set(listed) <= set(r.meta.areas)
        top = max((a for a in r.meta.areas if a in shares), key=shares.get)
        assert top in listed
        for a in r.meta.areas:
            assert (a in listed) == (a == top or shares.get(a, 0) >= REPORT_AREA_SHARE), (r.id, a)
        for slug in kb.taxonomy.slugs:
            assert (r in kb.by_area[slug]) == (slug in listed)
    # the sample reports declare 7–10 areas each; listed under far fewer
    assert all(len(r.listed_areas) < len(r.meta.areas) for r in reports)
    assert max(len(r.listed_areas) for r in reports) <= n_areas // 2


def test_a_section_still_shows_on_its_area_page_when_the_report_is_not_listed_there():
    kb = KnowledgeBase.load(ROOT, audience="all")
    for r in kb.by_type["report"]:
        for sec in r.classified_sections:
            for slug in sec.areas:
                if slug in kb.by_area:
                    assert (r, sec) in kb.sections_by_area[slug]
