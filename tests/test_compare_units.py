"""各单位对照 (kb.site.compare_units), in process: the page and its JSON files of section
texts stay within the page budget with thousands of reports, lose no section, hold only
the build's audience, carry no script from an entry, and are the same bytes every time."""

from __future__ import annotations

import html
import json
import random
import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from kb.analysis.sections import Section
from kb.model.entry import Entry
from kb.model.knowledge import KnowledgeBase
from kb.problems import Problems
from kb.schema.models import Report
from kb.settings import Settings
from kb.site import compare_units as cu
from kb.site.pages import Generator
from kb.source.loader import SourceDoc, read_taxonomy

from conftest import ROOT

AREA = "religion"
KINDS = [("achievement", "工作开展情况"), ("achievement", "主要成效"), ("problem", "存在问题"), ("plan", "下一步工作")]
PHRASES = ["宗教活动场所安全检查", "教职人员备案", "和谐寺观教堂创建", "宗教政策宣传", "消防设施整改",
           "联系走访宗教界人士", "场所财务管理", "宗教团体自身建设"]


def _text(rng: random.Random, n: int) -> str:
    """A synthetic paragraph or list of about ``n`` sentences."""
    sents = [f"{rng.choice(PHRASES)}方面，本年度开展工作{rng.randint(2, 40)}次，覆盖场所{rng.randint(3, 90)}处，"
             f"发现并推动解决问题{rng.randint(1, 20)}个，群众反映良好。" for _ in range(n)]
    if rng.random() < 0.3:
        return "\n".join(f"{i + 1}. {s}" for i, s in enumerate(sents))
    return "".join(sents)


def synthetic_kb(n_reports: int, n_units: int, years: range, seed: int = 7) -> KnowledgeBase:
    """``n_reports`` reports built in memory (no files, no classification), each with
    four sections about religion: a realistic load for the unit page of one area."""
    rng = random.Random(seed)
    problems = Problems()
    taxonomy = read_taxonomy(ROOT / "data" / "areas.yml", ROOT, problems)
    pool = [_text(rng, rng.randint(2, 6)) for _ in range(60)]  # distinct texts, each rendered once
    units = [(f"第{i}区委统战部", ("市", "区县", "乡镇")[i % 3]) for i in range(n_units)]
    entries = []
    for k in range(n_reports):
        unit, level = units[k % n_units]
        year = years[(k // n_units) % len(years)]
        period = ("上半年", "年度")[(k // (n_units * len(years))) % 2]
        rid = f"report-{k:05d}"
        meta = Report.model_construct(id=rid, type="report", title=f"{unit}{year}年{period}工作总结", unit=unit,
                                      year=year, period=period, level=level, areas=[AREA], audience="internal",
                                      sections={}, tags=[])
        secs = [Section(anchor=f"sec-{i + 1}-1", heading=f"（一）{head}", level=2, line=10 + i, text=rng.choice(pool),
                        parent=None, kind=kind, areas=[AREA]) for i, (kind, head) in enumerate(KINDS)]
        doc = SourceDoc(path=ROOT / "data" / "reports" / f"{rid}.md", rel=f"data/reports/{rid}.md", meta={},
                        lines={}, body="", body_line=10)
        entries.append(Entry(meta=meta, doc=doc, sections=secs))
    return KnowledgeBase(ROOT, taxonomy, entries, problems, audience="internal")


@pytest.fixture(scope="module")
def big():
    kb = synthetic_kb(3000, 150, range(2010, 2026))
    gen = Generator(kb)
    page = gen.render_uri(cu.units_uri(AREA))
    files = dict(gen.static_files())
    return kb, gen, page, files


def _records(files: dict[str, str]) -> list[dict]:
    out = []
    for path, text in sorted(files.items()):
        if path.startswith(f"areas/{AREA}/units/") and path.endswith(".json"):
            out += json.loads(text)["sections"]
    return out


def test_big_area_page_and_files_stay_within_budget(big):
    kb, gen, page, files = big
    size = len(page.encode("utf-8"))
    assert size <= cu.CONTENT_BUDGET < cu.PAGE_BUDGET, size
    assert "单位层级" in page and "单位较多" in page  # 150 units x 16 years: the rows are the levels
    au = cu.area_units(gen, AREA)
    assert sum(len(r.cells) for r in au.rows) == 150 * 16
    data = {p: t for p, t in files.items() if p.startswith(f"areas/{AREA}/units/")}
    sizes = [len(t.encode("utf-8")) for t in data.values()]
    assert max(sizes) <= cu.CHUNK_BUDGET, max(sizes)
    assert any(p.endswith("-2.json") for p in data)  # big years are split in parts
    # every section once, in the files its page names
    records = _records(data)
    assert len(records) == 3000 * len(KINDS)
    manifest = au.manifest
    named = {f"areas/{AREA}/units/{cu.data_name(k, int(y), i)}" for k, ys in manifest.items()
             for y, n in ys.items() for i in range(1, n + 1)}
    assert named == set(data)
    attr = re.search(r'data-files="([^"]*)"', page).group(1)
    assert json.loads(html.unescape(attr)) == manifest


def test_unit_rows_while_they_fit(big):
    _, _, page, _ = big
    kb = synthetic_kb(240, 20, range(2019, 2025))
    small = Generator(kb).render_uri(cu.units_uri(AREA))
    assert "单位 × 年度" in small and "单位较多" not in small
    assert small.count('<th scope="row">') == 20
    assert small.count('class="kb-units-k kb-units-k--problem"') == 240
    assert len(small.encode("utf-8")) < cu.CONTENT_BUDGET
    assert small.count('<th scope="row">') != page.count('<th scope="row">')


def test_files_are_the_same_bytes_every_time():
    kb = synthetic_kb(120, 12, range(2020, 2024))
    a = dict(Generator(kb).static_files())
    kept: dict = {}  # what kb serve keeps between rebuilds (its PreviewState)
    reused = cu.area_units(Generator(kb, kept=kept), AREA)
    assert reused is cu.area_units(Generator(kb, kept=kept), AREA)  # a rebuild over the same entries reuses them
    assert cu.area_units(Generator(kb), AREA) is not reused  # another build: made again
    cu.section_html.cache_clear()
    gen = Generator(synthetic_kb(120, 12, range(2020, 2024)))
    assert cu.area_units(gen, AREA) is not reused
    b = dict(gen.static_files())
    assert a == b and any(p.endswith(".json") for p in a)


HOSTILE = """
---
id: {id}
type: report
title: 某县委统战部{year}年度工作总结
unit: {unit}
year: {year}
period: 年度
level: 区县
areas: [religion]
audience: {audience}
---
## 一、存在问题

### （一）宗教活动场所管理不到位

宗教活动场所安全检查不够深入。<script>alert(1)</script><img src=x onerror="alert(2)">
[点这里](javascript:alert(3)) {marker}
"""


def test_files_hold_only_the_audience_and_no_script(tree):
    tree.write("reports/a.md", HOSTILE.format(id="a", unit="甲县委统战部", year=2022, audience="internal",
                                                marker="公开段落"))
    tree.write("reports/b.md", HOSTILE.format(id="b", unit="乙县委统战部", year=2023, audience="restricted",
                                                marker="受限段落"))
    internal = dict(Generator(KnowledgeBase.load(tree.root, audience="internal")).static_files())
    everything = dict(Generator(KnowledgeBase.load(tree.root, audience="all")).static_files())
    texts = "".join(t for p, t in internal.items() if p.endswith(".json"))
    assert "公开段落" in texts and "受限段落" not in texts and "乙县委统战部" not in texts
    assert not any("2023" in p for p in internal)
    assert "受限段落" in "".join(everything.values())  # the same files, with the restricted report, when allowed
    assert "<" not in texts  # HTML-safe JSON: markup only as \u003c escapes
    rec = _records(internal)
    assert [r["unit"] for r in rec] == ["甲县委统战部"]
    shown = rec[0]["html"]
    assert "宗教活动场所安全检查不够深入" in shown
    # as on the entry page: the script is gone with its content, the image kept without its handler
    soup = BeautifulSoup(shown, "html.parser")
    assert soup.find("script") is None and "alert(1)" not in shown
    assert [img.attrs for img in soup.find_all("img")] == [{"src": "x"}]
    assert not any(a.get("href", "").startswith("javascript") for a in soup.find_all("a"))
    assert all(not k.startswith("on") for tag in soup.find_all(True) for k in tag.attrs)
    assert rec[0]["href"] == "../../../reports/a/#sec-1-1"


def test_offline_edition_ships_scripts(tree):
    tree.write("reports/a.md", HOSTILE.format(id="a", unit="甲县委统战部", year=2022, audience="internal",
                                                marker="公开段落"))
    gen = Generator(KnowledgeBase.load(tree.root, audience="internal"), settings=Settings(offline=True))
    files = dict(gen.static_files())
    script = files[f"areas/{AREA}/units/problem-2022.json.js"]
    data = json.loads(files[f"areas/{AREA}/units/problem-2022.json"])
    prefix = f'(window.{cu.SCRIPT_GLOBAL}=window.{cu.SCRIPT_GLOBAL}||{{}})["{AREA}/problem-2022.json"]='
    assert script.startswith(prefix) and json.loads(script[len(prefix):].rstrip().rstrip(";")) == data
    assert "</script" not in script.lower()


def test_json_is_html_safe_as_entries_json():
    from kb.site.export import dumps_html_safe

    value = {"html": "<p>a & b</p>\u2028\u2029“引号”\\ \"", "n": [1, "</script>"]}
    assert cu._dumps(value) == dumps_html_safe(value)
    assert json.loads(cu._dumps(value)) == value
