"""Scoring the importer on hand-labelled fixtures (``tests/fixtures/import_eval/``).

One source file per fixture (``NAME.txt`` / ``.html`` / ``.docx`` / ``.pdf`` /
``.doc``) beside ``NAME.expected.yml``. The ``type:`` of the expectation picks
the scorer in ``SCORERS``: each scorer imports the file itself and returns a
``FixtureScore`` (named counters ``ok/total``, boilerplate survivors, error
lines). Another document type is added by registering a scorer::

    SCORERS["regulation"] = score_regulation

A report expectation::

    type: report
    args: {year: 2023}          # optional: what the user passes on the command line
    title: 某镇2023年统战工作总结
    unit: 某镇党委统战办
    level: 乡镇
    year: 2023                  # or ``review``: no year in the text, the entry must be marked for review
    period: 上半年
    boilerplate: [_第1页, 欢迎下载]   # strings that must not survive anywhere in the entry
    sections:                   # every section the importer should find, in any order
      - {heading: 一、上半年工作开展情况, kind: achievement}
      - {heading: （一）强化思想引领, kind: achievement, area: ideology}   # area: slug or list of slugs

A section is right when a found section has the same heading (numbering and
spaces ignored), the same kind and, if labelled, a primary area among the
labelled ones. Sections found but not labelled count as wrong (a page-break
``2、`` that became a section). Nothing here reads ``../shared``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import yaml

from kb.analysis.citations import normalize
from kb.analysis.sections import strip_numbering
from kb.importer.evaluate import BOILERPLATE_RE

SOURCE_SUFFIXES = (".txt", ".html", ".htm", ".docx", ".pdf", ".doc", ".wps")
META_FIELDS = ("title", "unit", "level", "year", "period")


@dataclass
class FixtureScore:
    counts: dict[str, list[int]] = field(default_factory=dict)  # metric -> [ok, total]
    boilerplate: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    fixtures: int = 0

    def count(self, metric: str, ok: bool, what: str = "") -> None:
        pair = self.counts.setdefault(metric, [0, 0])
        pair[0] += bool(ok)
        pair[1] += 1
        if not ok and what:
            self.errors.append(what)

    def add(self, other: "FixtureScore") -> None:
        for metric, (ok, total) in other.counts.items():
            pair = self.counts.setdefault(metric, [0, 0])
            pair[0] += ok
            pair[1] += total
        self.boilerplate += other.boilerplate
        self.errors += other.errors
        self.fixtures += other.fixtures

    def ratio(self, metric: str) -> float:
        ok, total = self.counts.get(metric, (0, 0))
        return ok / total if total else 1.0


Scorer = Callable[[str, Path, dict, dict, Path], FixtureScore]  # (name, source, expected, keywords, root)


def heading_norm(heading: str) -> str:
    return re.sub(r"\s+", "", normalize(strip_numbering(heading)))


def _survivors(name: str, text: str, extra: list[str]) -> list[str]:
    out = []
    for line in text.split("\n"):
        if line.startswith("# ") and ("kb import" in line or "核对" in line or "默认值" in line):
            continue  # the importer's own comments
        hits = [s for s in extra if s in line]
        if hits or BOILERPLATE_RE.search(line):
            out.append(f"{name}: {line[:70]}")
    return out


def score_report(name: str, path: Path, expected: dict, keywords: dict, root: Path) -> FixtureScore:
    """Import a report fixture and compare sections, metadata and boilerplate."""
    from kb.importer.pipeline import import_file
    from kb.importer.reading import ReadError
    from kb.importer.pipeline import ImportFailed

    s = FixtureScore(fixtures=1)
    try:
        result = import_file(path, root, keywords, given=expected.get("args") or {})
    except (ReadError, ImportFailed) as exc:
        s.errors.append(f"{name}: 导入失败：{exc}")
        for fld in META_FIELDS:
            if fld in expected:
                s.count(fld, False)
        for _ in expected.get("sections") or []:
            s.count("sections", False)
        return s
    meta = result.meta
    for fld in META_FIELDS:
        if fld not in expected:
            continue
        want, got = expected[fld], getattr(meta, fld)
        if fld == "year" and want == "review":
            ok = bool(meta.review) and "year" in meta.guessed
        elif fld == "title":
            ok = re.sub(r"\s+", "", str(got)) == re.sub(r"\s+", "", str(want))
        else:
            ok = str(got) == str(want)
        s.count(fld, ok, f"{name}: {fld} = {got!r}，应为 {want!r}")
    if "review" in expected:
        s.count("review", bool(meta.review) == bool(expected["review"]),
                f"{name}: review = {meta.review!r}，应为 {expected['review']!r}")
    got_secs: dict[str, list] = {}
    for sec in result.sections:
        got_secs.setdefault(heading_norm(sec.heading), []).append(sec)
    wanted = set()
    for want in expected.get("sections") or []:
        key = heading_norm(want["heading"])
        wanted.add(key)
        found = got_secs.get(key)
        if not found:
            s.count("sections", False, f"{name}: 缺少段落“{want['heading']}”")
            continue
        sec = found[0]
        area = want.get("area")
        allowed = area if isinstance(area, list) else [area]
        primary = sec.areas[0] if sec.areas else None
        ok = sec.kind == want["kind"] and (area is None or primary in allowed)
        s.count("sections", ok, f"{name}: “{want['heading']}” 识别为 {sec.kind}/{primary}，"
                                f"应为 {want['kind']}/{'/'.join(map(str, allowed))}")
    for key, secs in got_secs.items():
        extra = len(secs) - (1 if key in wanted else 0)
        for sec in secs[len(secs) - extra:]:
            s.count("sections", False, f"{name}: 多出的段落“{sec.heading[:30]}”")
    s.boilerplate += _survivors(name, result.markdown, list(expected.get("boilerplate") or []))
    return s


SCORERS: dict[str, Scorer] = {"report": score_report}


def _official(name: str, path: Path, expected: dict, keywords: dict, root: Path) -> FixtureScore:
    from kb.importer.evaluate_official import score_fixture

    return score_fixture(name, path, expected, keywords, root)


SCORERS["regulation"] = SCORERS["policy"] = _official


def fixture_pairs(directory: Path) -> list[tuple[str, Path, dict]]:
    """(name, source file, expectation) for every ``*.expected.yml`` in ``directory``."""
    out = []
    for exp in sorted(directory.glob("*.expected.yml")):
        name = exp.name[: -len(".expected.yml")]
        sources = [p for p in sorted(directory.glob(name + ".*")) if p.suffix.lower() in SOURCE_SUFFIXES]
        expected = yaml.safe_load(exp.read_text(encoding="utf-8")) or {}
        if len(sources) != 1:
            raise FileNotFoundError(f"{exp}: 应有且只有一个同名的源文件（{'/'.join(SOURCE_SUFFIXES)}），找到 {len(sources)} 个")
        out.append((name, sources[0], expected))
    return out


def evaluate_fixtures(directory: Path, keywords: dict, root: Path) -> dict[str, FixtureScore]:
    """Scores per document type (``report``, ``regulation``…), plus ``all``."""
    per_type: dict[str, FixtureScore] = {}
    for name, source, expected in fixture_pairs(directory):
        kind = expected.get("type", "report")
        scorer = SCORERS.get(kind)
        total = per_type.setdefault(kind, FixtureScore())
        if scorer is None:
            total.errors.append(f"{name}: 没有 type: {kind} 的评分方法")
            total.count("scorer", False)
            continue
        total.add(scorer(source.name, source, expected, keywords, root))
    return per_type


METRIC_LABELS = {"sections": "段落（标题、类别、主要领域）", "title": "标题", "unit": "单位", "level": "单位层级",
                 "year": "年份", "period": "报告期", "review": "待核对标记",
                 "doc_type": "类型", "doc_title": "标题", "doc_issuer": "制定机关", "doc_doc_number": "发文字号",
                 "doc_promulgated": "公布日期", "doc_effective": "施行日期", "doc_level": "效力级别",
                 "doc_status": "时效性", "doc_review": "待核对标记", "anchors": "章节条锚点（多出的也算错）"}


def fixture_summary(kind: str, score: FixtureScore) -> str:
    lines = [f"[{kind}] 样例 {score.fixtures} 份"]
    for metric, (ok, total) in score.counts.items():
        lines.append(f"{METRIC_LABELS.get(metric, metric)} {ok}/{total} = {score.ratio(metric):.1%}")
    lines.append(f"残留的样板文字 {len(score.boilerplate)} 处")
    return "\n".join(lines)


def check_fixture_limits(kind: str, score: FixtureScore, limits: dict) -> list[str]:
    """Failed limits: ``min_<metric>`` (ratio) and ``max_boilerplate`` (count)."""
    failed = []
    for key, value in (limits or {}).items():
        if key == "max_boilerplate":
            if len(score.boilerplate) > value:
                failed.append(f"{kind}: 残留样板文字 {len(score.boilerplate)} > {value}")
        elif key.startswith("min_"):
            metric = key[4:]
            if metric not in score.counts:
                failed.append(f"{kind}: 没有可评分的 {metric}")
            elif score.ratio(metric) < value:
                failed.append(f"{kind}: {metric} {score.ratio(metric):.3g} < {value}")
    return failed
