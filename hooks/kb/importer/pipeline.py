"""One source file -> one report entry: read, clean, outline, metadata, classify, render."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from jinja2 import Environment, PackageLoader

from kb.analysis.citations import SHORT_FORMS, base_title, normalize
from kb.source.loader import parse_entry
from kb.problems import Problems
from kb.schema.models import Report, SectionOverride
from kb.analysis.sections import Section, classify, split_sections
from kb.schema.validate import validate_entry
from kb.importer.cleaning import clean
from kb.importer.metadata import Meta, infer
from kb.importer.reading import ReadError, read_blocks
from kb.importer.structure import ISection, outline

# Review thresholds: a section's primary area needs this much keyword score
# and this lead over the runner-up, else a person should check it.
REVIEW_MIN_SCORE = 3
REVIEW_MAX_RATIO = 0.75
GUESSED_LABELS = {"unit": "单位", "level": "单位层级", "year": "年份", "period": "报告期"}
_CITE = re.compile(r"《([^《》\n]{1,150})》")


@dataclass
class ImportedSection:
    anchor: str
    heading: str
    level: int
    kind: str
    areas: list[str]
    cites: list[str]
    text: str
    reason: str | None
    review: bool


@dataclass
class ImportResult:
    source: Path
    meta: Meta
    sections: list[ImportedSection]
    markdown: str
    removed: list[tuple[str, str]] = field(default_factory=list)
    areas: list[str] = field(default_factory=list)

    def as_json(self) -> dict:
        m = self.meta
        review = {"review": True, "review_reason": m.review_reason} if m.review else {}
        return {
            "id": m.id, "title": m.title, "unit": m.unit, "level": m.level, "year": m.year, "period": m.period, **review,
            "sections": [
                {"heading": s.heading, "level": s.level, "kind": s.kind, "areas": s.areas, "cites": s.cites,
                 "text": s.text}
                for s in self.sections
            ],
        }


# -- Markdown -------------------------------------------------------------

# Python-Markdown's escapable characters, as used in report text.
_INLINE_ESC = re.compile(r"([\\`*_\[\]{}])")
_ORDERED = re.compile(r"^(\d+)([.)])")


def md_escape(text: str) -> str:
    """Text that Markdown renders exactly as written (no emphasis, lists or HTML)."""
    text = _INLINE_ESC.sub(r"\\\1", text).replace("<", "&lt;")
    m = _ORDERED.match(text)
    if m:
        return m.group(1) + "\\" + text[len(m.group(1)):]
    if text[:1] in ("#", ">", "-", "+"):
        return "\\" + text
    return text


def _env() -> Environment:
    return Environment(loader=PackageLoader("kb.importer", "templates"), autoescape=False, keep_trailing_newline=True,
                       trim_blocks=True, lstrip_blocks=True)


def render_body(intro: list[str], sections: list[ISection]) -> str:
    text = _env().get_template("body.md.j2").render(
        intro=[md_escape(p) for p in intro],
        sections=[{"hashes": "#" * min(s.level + 1, 6), "heading": md_escape(s.heading),
                   "paragraphs": [md_escape(p) for p in s.paragraphs]} for s in sections],
    )
    return re.sub(r"\n{3,}", "\n\n", text).strip("\n") + "\n"


# -- classification -------------------------------------------------------


def section_cites(heading: str, text: str) -> list[str]:
    """Titles cited in a section; a short form (《条例》) becomes the one full
    title in the same section that ends with it, or is left out."""
    found = [m.group(1) for m in _CITE.finditer(heading + "\n" + text)]
    keys = [normalize(t) for t in found]
    full = {k: t for k, t in zip(keys, found) if k not in SHORT_FORMS}
    out: dict[str, str] = {}
    for key, title in zip(keys, found):
        refs = {k for k in full if k != key and (k.endswith(key) or base_title(k).endswith(key))}
        if key in SHORT_FORMS or refs:
            if len(refs) == 1:
                k = refs.pop()
                out.setdefault(k, full[k])
            continue
        out.setdefault(key, title)
    return list(out.values())


_PLAN_TITLE = re.compile(r"要点|计划|打算|安排|思路")
_REPORT_TITLE = re.compile(r"总结|报告|回顾|情况|汇报|述职")


def title_kind(title: str) -> str | None:
    """``plan`` for a plan document (2021年统战工作要点), else None."""
    from kb.text.script import to_simplified

    simple = to_simplified(title)
    return "plan" if _PLAN_TITLE.search(simple) and not _REPORT_TITLE.search(simple) else None


def _reason(sec: Section) -> str | None:
    parts = [f"{slug}（{'、'.join(kws)}）" for slug, kws in sec.matched.items()]
    return "；".join(parts)[:2000] if parts else None


def _needs_review(sec: Section) -> bool:
    if not sec.has_text:
        return False
    if not sec.areas:
        return True
    ranked = list(sec.scores.values())
    top = ranked[0]
    second = ranked[1] if len(ranked) > 1 else 0
    return top < REVIEW_MIN_SCORE or second >= top * REVIEW_MAX_RATIO


def _entry_areas(sections: list[Section], order: list[str]) -> list[str]:
    weight: dict[str, int] = {}
    for s in sections:
        for i, slug in enumerate(s.areas):
            weight[slug] = weight.get(slug, 0) + (2 if i == 0 else 1)
    return sorted(weight, key=lambda a: (-weight[a], order.index(a) if a in order else 99))


# -- the whole file -------------------------------------------------------


class ImportFailed(Exception):
    """The file was read but cannot become a valid entry; message in Chinese."""


def import_file(path: Path, root: Path, keywords: dict[str, list[str]], given: dict | None = None) -> ImportResult:
    """Turn one source file into an entry text (nothing is written here).

    ``given`` are metadata given on the command line (``year``, ``unit``,
    ``level``, ``period``); they win over what the text says."""
    blocks = read_blocks(path)
    cleaned = clean(blocks)
    if not cleaned.blocks:
        raise ReadError("清理后没有正文")
    doc = outline(cleaned.blocks)
    all_text = "\n".join(doc.intro + [p for s in doc.sections for p in [s.heading, *s.paragraphs]])
    meta = infer(cleaned.title, "\n".join([*cleaned.preamble, all_text]), path.stem, given or {},
                 [t for rule, t in cleaned.removed if rule == "signature"])
    body = render_body(doc.intro, doc.sections)
    secs = split_sections(body, 1)
    if len(secs) != len(doc.sections):  # pragma: no cover - guards the escaping above
        raise ImportFailed(f"内部错误：生成的 Markdown 段落数（{len(secs)}）与识别的标题数（{len(doc.sections)}）不一致")
    overrides: dict[str, dict] = {}
    plan_doc = title_kind(meta.title) == "plan"
    if plan_doc:
        # A plan (工作要点, 工作计划): parts that do not name their kind are plans,
        # written into the front matter so that the site agrees.
        classify(secs, keywords)
        for sec in secs:
            if sec.parent is None and not sec.kind_explicit:
                overrides[sec.anchor] = {"kind": "plan"}
    classify(secs, keywords, {k: SectionOverride(**v) for k, v in overrides.items()})
    imported: list[ImportedSection] = []
    for sec, src in zip(secs, doc.sections):
        review = _needs_review(sec)
        reason = _reason(sec)
        imported.append(ImportedSection(
            anchor=sec.anchor, heading=src.heading, level=src.level, kind=sec.kind, areas=list(sec.areas),
            cites=section_cites(src.heading, src.text), text="\n".join(src.paragraphs), reason=reason,
            review=review))
        if sec.has_text and (reason or review):
            ov = overrides.setdefault(sec.anchor, {})
            if reason:
                ov["reason"] = reason
            if review:
                ov["review"] = True
    areas = _entry_areas(secs, list(keywords))
    if not areas:
        from kb.analysis.sections import matcher

        areas = list(matcher(keywords).score_detail("", all_text)[2])[:1]
    if not areas:
        raise ImportFailed("未能识别任何工作领域（areas.yml 中的关键词都没有出现），请手工新建条目")
    front: dict = {"id": meta.id, "type": "report", "title": meta.title, "unit": meta.unit, "year": meta.year,
                   "period": meta.period, "level": meta.level, "areas": areas, "tags": ["工作计划" if plan_doc else "工作总结"],
                   "source": path.name[:300]}
    if meta.review:
        front["review"] = True
        front["review_reason"] = meta.review_reason
    if overrides:
        front["sections"] = {sec.anchor: overrides[sec.anchor] for sec in secs if sec.anchor in overrides}
    front_yaml = yaml.safe_dump(front, allow_unicode=True, sort_keys=False, default_flow_style=None, width=1000)
    guessed = "、".join(f"{GUESSED_LABELS.get(g, g)}（{g}）" for g in meta.guessed)
    text = _env().get_template("report.md.j2").render(
        front_matter=front_yaml.rstrip("\n"), source=" ".join(path.name.split()), guessed=guessed, body=body).rstrip("\n") + "\n"
    _validate(text, root, meta, set(keywords))
    return ImportResult(source=path, meta=meta, sections=imported, markdown=text, removed=cleaned.removed,
                        areas=areas)


def _validate(text: str, root: Path, meta: Meta, slugs: set[str]) -> None:
    """The entry must pass the same checks as `kb check` before it is written."""
    problems = Problems()
    rel = f"data/reports/{meta.id}.md"
    doc = parse_entry(text, root / rel, rel, problems)
    model = validate_entry(doc, slugs, problems) if doc is not None else None
    if problems.errors or not isinstance(model, Report):
        details = "；".join(f"{p.field}: {p.message}" for p in problems.errors)
        raise ImportFailed(f"生成的条目未通过校验：{details}")
