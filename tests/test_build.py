"""Building the bundled sample site: area pages, entry pages, anchors, nav."""

from __future__ import annotations

import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest

from kb.model.knowledge import KnowledgeBase

from conftest import ROOT, copy_project, mkdocs_build

AREAS = [
    "ideology", "leadership", "party-cooperation", "representatives", "intellectuals", "ethnic",
    "religion", "private-economy", "new-social-strata", "hk-macao-taiwan-overseas", "self-building",
    "research-publicity", "central-tasks",
]


@pytest.fixture(scope="module")
def site(sample_site) -> Path:
    return sample_site


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return KnowledgeBase.load(ROOT)


@pytest.fixture(scope="module")
def full_kb() -> KnowledgeBase:
    return KnowledgeBase.load(ROOT, audience="all")


class Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs: list[str] = []
        self.ids: set[str] = set()
        self.nav_hrefs: list[str] = []
        self._nav_depth = 0

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "id" in a:
            self.ids.add(a["id"])
        if tag == "nav":
            self._nav_depth += 1
        if tag == "a" and a.get("href"):
            self.hrefs.append(a["href"])
            if self._nav_depth:
                self.nav_hrefs.append(a["href"])

    def handle_endtag(self, tag):
        if tag == "nav":
            self._nav_depth -= 1


def parse(path: Path) -> Links:
    p = Links()
    p.feed(path.read_text(encoding="utf-8"))
    return p


def test_sample_data_is_valid_and_complete(full_kb):
    kb = full_kb
    assert kb.problems.errors == [], "\n".join(map(str, kb.problems.errors))
    types = {t: len(es) for t, es in kb.by_type.items()}
    assert types["regulation"] >= 6 and types["policy"] >= 6 and types["report"] >= 4 and types["case"] >= 8
    assert sum(len(e.sections) for e in kb.by_type["report"]) >= 20
    assert all(kb.by_area[slug] for slug in AREAS), "every area has entries"
    assert kb.taxonomy.slugs == AREAS


@pytest.mark.slow
def test_every_area_page_lists_its_entries(site, kb):
    for slug in AREAS:
        page = site / "areas" / slug / "index.html"
        assert page.is_file(), slug
        links = parse(page).hrefs
        for e in kb.by_area[slug]:
            assert f"../../{e.url}" in links, (slug, e.id)
        for e, sec in kb.sections_by_area[slug]:
            assert f"../../{e.url}#{sec.anchor}" in links


@pytest.mark.slow
def test_entry_pages_have_card_body_and_section_anchors(site, kb):
    for e in kb.entries:
        page = site / e.url / "index.html"
        html = page.read_text(encoding="utf-8")
        assert 'class="kb-card"' in html, e.id
        ids = parse(page).ids
        for sec in e.sections:
            assert sec.anchor in ids, (e.id, sec.anchor)


@pytest.mark.slow
def test_entries_stay_out_of_the_navigation(site, kb):
    home = parse(site / "index.html")
    nav = set(home.nav_hrefs)
    assert "areas/religion/" in nav and "regulations/" in nav and "years/" in nav
    assert "guide/" in nav
    for e in kb.entries:
        assert e.url not in nav
    # An entry page has the compact navigation (kb.engine.navcache): the top-level items only,
    # each section one link to its index page; it grows neither with entries nor with areas.
    entry_nav = {h.rsplit("../", 1)[-1] for h in parse(site / kb.entries[0].url / "index.html").nav_hrefs}
    assert {"areas/", "types/", "years/", "guide/", "pending/"} <= entry_nav
    assert not {"areas/religion/", "regulations/", "years/2023/", "guide/fields/"} & entry_nav
    assert len(entry_nav) < len(nav)


@pytest.mark.slow
def test_type_and_year_pages(site, kb):
    for t, d in [("regulation", "regulations"), ("policy", "policies"), ("report", "reports"), ("case", "cases")]:
        links = parse(site / d / "index.html").hrefs
        assert {f"{e.id}/" for e in kb.by_type[t]} <= set(links)
    for year, entries in kb.by_year.items():
        links = parse(site / "years" / str(year) / "index.html").hrefs
        assert {f"../../{e.url}" for e in entries} <= set(links)


@pytest.mark.slow
def test_home_has_counts_charts_and_recent(site, kb):
    html = (site / "index.html").read_text(encoding="utf-8")
    assert f"<strong>{len(kb.entries)}</strong>" in html
    assert html.count("<svg") >= 2 and "各领域条目数" in html
    assert 'class="kb-recent"' in html


@pytest.mark.slow
def test_no_external_requests_in_html(site):
    """Nothing is loaded from outside the site; the only outside links are
    plain <a> links to the repository configured in mkdocs.yml (编辑此页)."""
    from kb.problems import Problems
    from kb.settings import Settings

    repo = Settings.load(ROOT, Problems()).repo_url.rstrip("/")
    for page in site.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        for m in re.finditer(r'<(\w+)[^>]*?\s(?:src|href)="((?:https?:)?//[^"]*)"', html):
            tag, url = m.group(1).lower(), m.group(2)
            if tag == "a" and (url == repo or url.startswith(repo + "/")):
                continue
            pytest.fail(f"{page}: external reference {m.group(0)}")


def test_build_fails_on_bad_data(tmp_path):
    project = copy_project(tmp_path / "p")
    bad = project / "data" / "cases" / "broken.md"
    bad.write_text("---\nid: broken\ntype: case\ntitle: 坏\nareas: [nowhere]\nunit: 某部\nyear: 2020\n---\n", encoding="utf-8")
    result = mkdocs_build(project, tmp_path / "site")
    assert result.returncode != 0
    assert "data/cases/broken.md:5: areas[0]: 未知的工作领域“nowhere”" in result.stderr


def test_html_in_front_matter_is_escaped(tmp_path):
    project = tmp_path / "p"
    (project / "docs").mkdir(parents=True)
    (project / "data").mkdir()
    shutil.copy(ROOT / "data" / "areas.yml", project / "data")
    shutil.copy(ROOT / "mkdocs.yml", project / "mkdocs.yml")
    shutil.copytree(ROOT / "docs", project / "docs", dirs_exist_ok=True)
    (project / "hooks").symlink_to(ROOT / "hooks")
    (project / "data" / "x.md").write_text(
        '---\nid: x\ntype: case\ntitle: "<script>alert(1)</script>"\nareas: [religion]\n'
        'unit: "<b>单位</b>"\nyear: 2020\n---\n正文\n', encoding="utf-8")
    result = mkdocs_build(project, tmp_path / "site")
    assert result.returncode == 0, result.stderr
    for page in (tmp_path / "site").rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        assert "<script>alert(1)" not in html, page
        assert "<b>单位</b>" not in html, page
