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


def test_area_pages_list_reports_by_share_and_show_their_sections(sample_site):
    import re

    kb = KnowledgeBase.load(ROOT)
    report = kb.by_id["mouzhen-tongzhan-2024-shangbannian"]
    shares = report.area_shares()
    minor = next(a for a in report.meta.areas if a not in report.listed_areas and shares.get(a))
    major = report.listed_areas[0]

    def report_table(slug):
        html = (sample_site / "areas" / slug / "index.html").read_text(encoding="utf-8")
        m = re.search(r'<table class="kb-table kb-table--report">.*?</table>', html, re.S)
        return html, (m.group(0) if m else "")

    html, table = report_table(minor)
    assert report.id not in table  # a paragraph or two: not listed as a report of the area ...
    assert f"{report.id}/#" in html  # ... its sections still are, under 报告段落
    html, table = report_table(major)
    row = re.search(rf'<tr>(?:(?!</tr>).)*{report.id}/"(?:(?!</tr>).)*</tr>', table, re.S).group(0)
    n = len([s for s in report.classified_sections if major in s.areas])
    assert f"本领域段落 {n} 个" in row and row.count(f"{report.id}/#") == n
