"""Held-out test of kb import: five fictional reports the importer was not developed on
(tests/fixtures/heldout/, annotated in expected.yml before the importer was run on them).

The requirement: on reports never seen before, at least 90% of sections get the right kind
and primary area, year and period are right, cited regulations are extracted, and no
boilerplate survives.
"""

from __future__ import annotations

import sys

import pytest

from kb.importer.evaluate import evaluate, load_annotation
from kb.importer.pipeline import import_file
from kb.source.loader import read_taxonomy
from kb.problems import Problems

from conftest import ROOT

HELDOUT = ROOT / "tests" / "fixtures" / "heldout"
EXPECTED = HELDOUT / "expected.yml"

# Noise put into the fixtures (web furniture, notices, lead-ins, readings, signatures' sites).
NOISE = ["首页 >", "您的位置", "当前位置", "来源：", "编辑：", "发布时间", "浏览次数", "版权所有", "转载",
         "上一篇", "下一篇", "相关文章", "分享到", "打印本页", "关闭窗口", "备案号", "网站标识码", "技术支持",
         "编者按", "供各地参考", "临江统一战线网", "(tǒng)", "(zhàn)", "(zōng)", "(jiào)", "\u3000"]


@pytest.fixture(scope="module")
def results():
    tax = read_taxonomy(ROOT / "data" / "areas.yml", ROOT, Problems())
    keywords = {s: a["keywords"] for s, a in tax.areas.items()}
    annotation = load_annotation(EXPECTED)
    assert len(annotation) == 5
    return {name: import_file(HELDOUT / name, ROOT, keywords) for name in annotation}, annotation


def _detail(total) -> str:
    return "\n".join(total.errors + total.boilerplate)


def test_sections_found_as_annotated(results):
    got, annotation = results
    total = evaluate(got, annotation)
    assert total.kind_total >= 70 and total.area_total >= 50
    assert total.missing_sections == 0 and total.extra_sections == 0, _detail(total)


def test_kind_accuracy_at_least_90_percent(results):
    total = evaluate(*results)
    assert total.kind_accuracy >= 0.9, _detail(total)


def test_primary_area_accuracy_at_least_90_percent(results):
    total = evaluate(*results)
    assert total.area_accuracy >= 0.9, _detail(total)


def test_year_and_period_right(results):
    got, annotation = results
    wrong = [f"{name}: {r.meta.year} {r.meta.period}" for name, r in got.items()
             if (r.meta.year, r.meta.period) != (annotation[name]["year"], annotation[name]["period"])]
    assert wrong == []


def test_cited_documents_extracted(results):
    total = evaluate(*results)
    assert total.cite_recall == 1.0, _detail(total)


def test_no_boilerplate_survives(results):
    got, annotation = results
    total = evaluate(got, annotation)
    assert total.boilerplate == [], _detail(total)
    survivors = []
    for name, r in got.items():
        body = r.markdown.split("\n---\n", 1)[-1]  # after the front matter
        texts = [body, r.meta.title] + [s.heading + "\n" + s.text for s in r.sections]
        survivors += [f"{name}: {n!r}" for n in NOISE if any(n in t for t in texts)]
    assert survivors == []


def test_body_text_unchanged(results):
    sys.path.insert(0, str(HELDOUT))
    from make_fixtures import clean
    from reports import REPORTS

    got, _ = results
    changed = []
    for report in REPORTS:
        r = got[report["file"]]
        body = r.markdown.split("\n---\n", 1)[-1]
        for para in report["intro"] + [p for item in report["items"] for p in item[4]]:
            if clean(para) not in body:
                changed.append(f"{report['file']}: {clean(para)[:30]}")
    assert changed == []
