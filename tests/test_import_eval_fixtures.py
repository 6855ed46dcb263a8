"""The labelled import fixtures (tests/fixtures/import_eval/) meet the minimums of
bench/eval_thresholds.yml (`fixtures:`), in process, without building a site; and the
scorer itself notices wrong sections, metadata and surviving boilerplate."""

from __future__ import annotations

import shutil

import pytest
import yaml

from kb.importer.fixture_eval import SCORERS, check_fixture_limits, evaluate_fixtures, fixture_pairs
from kb.problems import Problems
from kb.source.loader import read_taxonomy

from conftest import ROOT

FIXTURES = ROOT / "tests" / "fixtures" / "import_eval"
THRESHOLDS = ROOT / "bench" / "eval_thresholds.yml"


@pytest.fixture(scope="module")
def keywords() -> dict:
    tax = read_taxonomy(ROOT / "data" / "areas.yml", ROOT, Problems())
    return {s: a["keywords"] for s, a in tax.areas.items()}


@pytest.fixture(scope="module")
def scores(keywords):
    return evaluate_fixtures(FIXTURES, keywords, ROOT)


def test_every_fixture_has_one_source_and_a_known_type():
    pairs = fixture_pairs(FIXTURES)
    assert len([p for p in pairs if p[2]["type"] == "report"]) >= 6
    assert all(p[2]["type"] in SCORERS for p in pairs)


def test_fixtures_meet_the_thresholds(scores):
    limits = yaml.safe_load(THRESHOLDS.read_text(encoding="utf-8"))["fixtures"]
    assert set(limits) <= set(scores) | {"regulation", "policy"}
    for kind, score in scores.items():
        failed = check_fixture_limits(kind, score, limits.get(kind, {}))
        assert failed == [], "\n".join(failed + score.errors + score.boilerplate)
    report = scores["report"]
    assert report.counts["sections"][1] >= 50
    assert report.ratio("sections") >= 0.95 and report.boilerplate == []
    for metric in ("year", "period", "level"):
        assert report.ratio(metric) == 1.0, report.errors


def test_scorer_counts_wrong_labels_and_boilerplate(tmp_path, keywords):
    shutil.copy(FIXTURES / "r4_town_no_unit.txt", tmp_path / "x.txt")
    expected = yaml.safe_load((FIXTURES / "r4_town_no_unit.expected.yml").read_text(encoding="utf-8"))
    expected["level"] = "市"
    expected["sections"][1]["area"] = "religion"  # （一）理论学习持续深入 is not religion
    expected["sections"].pop()  # an unlabelled section counts as wrong
    expected["boilerplate"] = ["东坪镇"]  # text that is in the entry
    (tmp_path / "x.expected.yml").write_text(yaml.safe_dump(expected, allow_unicode=True), encoding="utf-8")
    score = evaluate_fixtures(tmp_path, keywords, ROOT)["report"]
    assert score.counts["level"] == [0, 1]
    assert score.counts["sections"] == [len(expected["sections"]) - 1, len(expected["sections"]) + 1]
    assert score.boilerplate and limits_fail(score)


def limits_fail(score) -> bool:
    return bool(check_fixture_limits("report", score, {"min_sections": 0.95, "max_boilerplate": 0}))


def test_an_unknown_type_is_reported(tmp_path, keywords):
    (tmp_path / "a.txt").write_text("x", encoding="utf-8")
    (tmp_path / "a.expected.yml").write_text("type: memo\n", encoding="utf-8")
    score = evaluate_fixtures(tmp_path, keywords, ROOT)["memo"]
    assert score.ratio("scorer") == 0.0 and "memo" in score.errors[0]
