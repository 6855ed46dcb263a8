"""kb import on the real reports in ../shared/seeds, against the hand-made
annotation in tests/fixtures/seeds_expected.yml (heading hashes, no text)."""

from __future__ import annotations


import pytest

from kb.importer.evaluate import evaluate, load_annotation
from kb.importer.pipeline import import_file
from kb.importer.run import run_import
from kb.source.loader import read_taxonomy
from kb.model.knowledge import KnowledgeBase
from kb.problems import Problems

from conftest import ROOT, SEEDS, seed_texts

EXPECTED = ROOT / "tests" / "fixtures" / "seeds_expected.yml"


@pytest.fixture(scope="module")
def results():
    seed_texts()  # fails clearly when ../shared/seeds is missing
    tax = read_taxonomy(ROOT / "data" / "areas.yml", ROOT, Problems())
    keywords = {s: a["keywords"] for s, a in tax.areas.items()}
    annotation = load_annotation(EXPECTED)
    assert set(annotation) == {p.name for p in SEEDS.glob("*.txt")}
    return {name: import_file(SEEDS / name, ROOT, keywords) for name in annotation}, annotation


def test_seed_figures_meet_the_targets(results):
    got, annotation = results
    total = evaluate(got, annotation)
    detail = "\n".join(total.errors + total.boilerplate)
    assert total.kind_total >= 60 and total.area_total >= 40
    assert total.missing_sections == 0 and total.extra_sections == 0, detail
    assert total.kind_accuracy >= 0.9, detail
    assert total.area_accuracy >= 0.9, detail
    assert total.meta_accuracy == 1.0, detail
    assert total.cite_recall >= 0.9, detail
    assert total.boilerplate == [], detail


def test_seeds_import_byte_for_byte_the_same(results):
    got, _ = results
    tax = read_taxonomy(ROOT / "data" / "areas.yml", ROOT, Problems())
    keywords = {s: a["keywords"] for s, a in tax.areas.items()}
    for name, first in got.items():
        again = import_file(SEEDS / name, ROOT, keywords)
        assert again.markdown == first.markdown
        assert again.meta.id == first.meta.id


def test_imported_seeds_pass_kb_check(tree):
    outcome = run_import(sorted(SEEDS.glob("*.txt")), tree.root, dry_run=False, force=False, progress=False)
    assert [o.status for o in outcome.outcomes] == ["written"] * 3
    kb = KnowledgeBase.load(tree.root)
    assert kb.problems.errors == []
    assert len(kb.by_type["report"]) == 3
    # Traditional report: the body keeps its script; the site still classifies it
    trad = next(e for e in kb.entries if e.meta.year == 2020)
    assert "統戰" in trad.doc.body and "统战" not in trad.doc.body
    assert any("religion" in s.areas for s in trad.sections)


def test_imported_seeds_build_into_the_site(tmp_path):
    """The written Markdown renders as written: headings become report sections, no stray escapes."""
    from conftest import copy_project, mkdocs_build

    project = copy_project(tmp_path / "p")
    outcome = run_import(sorted(SEEDS.glob("*.txt")), project, dry_run=False, force=False, progress=False)
    assert all(o.status == "written" for o in outcome.outcomes)
    site = tmp_path / "site"
    r = mkdocs_build(project, site)
    assert r.returncode == 0, r.stderr
    entry = next(o for o in outcome.outcomes if o.result.meta.year == 2007)
    html = (site / "reports" / entry.result.meta.id / "index.html").read_text(encoding="utf-8")
    assert 'id="sec-1-4-2"' in html  # third-level section of the outline
    assert "建设“富裕**”" in html and "\\*" not in html  # anonymised names stay literal, not bold
    assert "<strong>" not in html.split('id="sec-1"', 1)[1]
