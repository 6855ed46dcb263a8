"""Measuring the importer against a hand-made annotation of real reports.

The annotation (YAML, per file name) holds no report text: sections are keyed
by a short hash of their heading, with the expected kind and primary area;
metadata and cited titles are given as values. Used by ``bench/eval_import.py``
and by the tests on ``../shared/seeds``.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

from kb.analysis.citations import normalize
from kb.analysis.sections import strip_numbering
from kb.importer.pipeline import ImportResult

# Text that must not survive cleaning (web furniture, notices, lead-ins).
BOILERPLATE_RE = re.compile(
    r"当前位置|您的位置|版权|著作权|转载请|如若转载|转载或引用|侵犯|本栏目|栏目最新|阅读排行|推荐访问|推荐阅读|相关推荐|"
    r"相关文章|https?://|www\.|范文网|文范网|小编|编者按|责任编辑|来源[：:]|上一篇|下一篇"
)
PINYIN_RE = re.compile(r"[\u4e00-\u9fff][（(][a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]{1,7}[)）]")


def heading_key(heading: str) -> str:
    return hashlib.sha1(normalize(strip_numbering(heading)).encode("utf-8")).hexdigest()[:8]


@dataclass
class Score:
    kind_ok: int = 0
    kind_total: int = 0
    area_ok: int = 0
    area_total: int = 0
    meta_ok: int = 0
    meta_total: int = 0
    cites_found: int = 0
    cites_total: int = 0
    missing_sections: int = 0
    extra_sections: int = 0
    boilerplate: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # human-readable mismatches

    def add(self, other: "Score") -> None:
        for name in ("kind_ok", "kind_total", "area_ok", "area_total", "meta_ok", "meta_total", "cites_found",
                     "cites_total", "missing_sections", "extra_sections"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.boilerplate += other.boilerplate
        self.errors += other.errors

    @staticmethod
    def ratio(a: int, b: int) -> float:
        return a / b if b else 1.0

    @property
    def kind_accuracy(self) -> float:
        return self.ratio(self.kind_ok, self.kind_total)

    @property
    def area_accuracy(self) -> float:
        return self.ratio(self.area_ok, self.area_total)

    @property
    def meta_accuracy(self) -> float:
        return self.ratio(self.meta_ok, self.meta_total)

    @property
    def cite_recall(self) -> float:
        return self.ratio(self.cites_found, self.cites_total)


def score(name: str, result: ImportResult, expected: dict) -> Score:
    s = Score()
    meta = result.meta
    for fld in ("unit", "level", "year", "period"):
        if fld not in expected:
            continue
        got = getattr(meta, fld)
        want = expected[fld]
        ok = normalize(str(got)) == normalize(str(want))
        s.meta_total += 1
        s.meta_ok += ok
        if not ok:
            s.errors.append(f"{name}: {fld} = {got!r}，应为 {want!r}")
    want_secs: dict = expected.get("sections") or {}
    got_secs = {heading_key(sec.heading): sec for sec in result.sections}
    for key, want in want_secs.items():
        s.kind_total += 1
        area = want.get("area")
        if area is not None:
            s.area_total += 1
        sec = got_secs.get(key)
        if sec is None:
            s.missing_sections += 1
            s.errors.append(f"{name}: 缺少段落 {key}")
            continue
        if sec.kind == want["kind"]:
            s.kind_ok += 1
        else:
            s.errors.append(f"{name}: {key} {sec.heading[:20]} kind = {sec.kind}，应为 {want['kind']}")
        if area is not None:
            allowed = area if isinstance(area, list) else [area]
            primary = sec.areas[0] if sec.areas else None
            if primary in allowed:
                s.area_ok += 1
            else:
                s.errors.append(f"{name}: {key} {sec.heading[:20]} 主要领域 = {primary}，应为 {'/'.join(allowed)}")
    s.extra_sections = sum(1 for k in got_secs if k not in want_secs)
    got_cites = {normalize(c) for sec in result.sections for c in sec.cites}
    for title in expected.get("cites") or []:
        s.cites_total += 1
        if normalize(title) in got_cites:
            s.cites_found += 1
        else:
            s.errors.append(f"{name}: 未提取引用《{title}》")
    body = result.markdown.split("\n---\n", 1)[-1]
    for line in body.split("\n"):
        if BOILERPLATE_RE.search(line) or PINYIN_RE.search(line):
            s.boilerplate.append(f"{name}: {line[:60]}")
    title_key = re.sub(r"\s+", "", meta.title)
    if title_key and any(re.sub(r"\s+", "", ln.lstrip("# ")) == title_key for ln in body.split("\n")):
        s.boilerplate.append(f"{name}: 正文中重复的标题")
    return s


def evaluate(results: dict[str, ImportResult], annotation: dict[str, dict]) -> Score:
    total = Score()
    for name, expected in sorted(annotation.items()):
        if name not in results:
            total.errors.append(f"{name}: 没有导入结果")
            continue
        total.add(score(name, results[name], expected))
    return total


def summary(total: Score) -> str:
    lines = [
        f"段落类别正确率 {total.kind_ok}/{total.kind_total} = {total.kind_accuracy:.1%}",
        f"主要工作领域正确率 {total.area_ok}/{total.area_total} = {total.area_accuracy:.1%}",
        f"元数据（单位、层级、年份、报告期）正确 {total.meta_ok}/{total.meta_total} = {total.meta_accuracy:.1%}",
        f"引用文件召回率 {total.cites_found}/{total.cites_total} = {total.cite_recall:.1%}",
        f"缺少的段落 {total.missing_sections}，多出的段落 {total.extra_sections}",
        f"残留的网页样板文字 {len(total.boilerplate)} 处",
    ]
    return "\n".join(lines)


def load_annotation(path: Path) -> dict[str, dict]:
    import yaml

    return yaml.safe_load(path.read_text(encoding="utf-8")) or {}
