"""Which entries a compilation holds: the options of ``kb compile`` and the
query string of the site's search page (``search/?area=religion&type=policy``)."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Iterable
from urllib.parse import parse_qs, urlsplit

from kb.schema.models import ENTRY_TYPES, KIND_LABELS, STATUS_LABELS, TYPE_LABELS
from kb.text.script import to_simplified

if TYPE_CHECKING:  # pragma: no cover
    from kb.model.entry import Entry
    from kb.model.knowledge import KnowledgeBase

# Search page parameters (docs/assets/kb-search.js, FACETS and q) -> Selection fields.
URL_PARAMS = {"area": "areas", "type": "types", "status": "statuses", "year": "years", "level": "levels",
              "kind": "kind", "q": "query"}


class SelectionError(ValueError):
    """A selection that cannot be made (the message is user-facing Chinese)."""


@dataclass(frozen=True)
class Selection:
    areas: tuple[str, ...] = ()
    types: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    years: tuple[int, ...] = ()
    ids: tuple[str, ...] = ()
    levels: tuple[str, ...] = ()
    kind: str = ""  # reports with a section of this kind (search page filter)
    query: str = ""  # words every selected entry contains (title or text)

    @property
    def empty(self) -> bool:
        return self == Selection()


def split_list(value: str | None) -> tuple[str, ...]:
    """``a,b，c`` -> ``("a", "b", "c")`` (half- or full-width commas, spaces ignored)."""
    if not value:
        return ()
    return tuple(dict.fromkeys(p.strip() for p in re.split(r"[,，、\s]+", value) if p.strip()))


def from_options(area: str | None = None, etype: str | None = None, status: str | None = None,
                 year: str | None = None, ids: str | None = None) -> Selection:
    years: list[int] = []
    for y in split_list(year):
        if not re.fullmatch(r"\d{4}", y):
            raise SelectionError(f"--year：“{y}”不是四位年份（可写多个，用逗号分隔，如 2017,2018）")
        years.append(int(y))
    return Selection(areas=split_list(area), types=split_list(etype), statuses=split_list(status),
                     years=tuple(years), ids=split_list(ids))


def from_url(url: str, base: Selection | None = None) -> Selection:
    """The selection of a saved search page URL (its query string); options in ``base`` are kept
    where the URL says nothing."""
    query = urlsplit(url.strip()).query or (url.strip().lstrip("?") if "=" in url and "/" not in url else "")
    params = parse_qs(query, keep_blank_values=False)
    unknown = sorted(k for k in params if k not in URL_PARAMS)
    if unknown:
        raise SelectionError(f"--from-url：不认识的参数 {'、'.join(unknown)}（可用：{'、'.join(URL_PARAMS)}）")
    if not params:
        raise SelectionError(f"--from-url：“{url}”中没有筛选条件（应为搜索页的地址，如 …/search/?area=religion&type=policy）")
    sel = base or Selection()
    values: dict = {}
    for key, field in URL_PARAMS.items():
        if key not in params:
            continue
        raw = ",".join(params[key])
        if field in ("kind", "query"):
            values[field] = raw.strip()
        elif field == "years":
            values[field] = from_options(year=raw).years
        else:
            values[field] = split_list(raw)
    return replace(sel, **values)


def _check(kb: "KnowledgeBase", sel: Selection) -> None:
    def bad(option: str, values: Iterable[str], allowed: Iterable[str]) -> None:
        allowed = list(allowed)
        wrong = [v for v in values if v not in allowed]
        if wrong:
            raise SelectionError(f"{option}：不认识的值 {'、'.join(wrong)}（可用：{'、'.join(allowed)}）")

    bad("--area", sel.areas, kb.taxonomy.slugs)
    bad("--type", sel.types, ENTRY_TYPES)
    bad("--status", sel.statuses, STATUS_LABELS)
    if sel.kind:
        bad("kind", [sel.kind], KIND_LABELS)


def select(kb: "KnowledgeBase", sel: Selection) -> list["Entry"]:
    """The entries of ``kb`` that ``sel`` chooses: the ``ids`` in the order given, else by type
    (法规, 政策文件, 工作报告, 典型案例), newest first. ``kb`` is the audience's knowledge base:
    an id it does not hold is reported exactly like an id nobody has."""
    _check(kb, sel)
    if sel.ids:
        missing = [i for i in sel.ids if i not in kb.by_id]
        if missing:
            raise SelectionError(f"--ids：找不到条目 {'、'.join(missing)}")
        pool = [kb.by_id[i] for i in sel.ids]
    else:
        types = sel.types or ENTRY_TYPES
        pool = [e for t in ENTRY_TYPES if t in types for e in kb.by_type.get(t, ())]  # newest first within a type
    words = [to_simplified(w).lower() for w in sel.query.split()]
    areas = frozenset(sel.areas)
    out = []
    for e in pool:
        if areas and areas.isdisjoint(e.meta.areas) and areas.isdisjoint(e.listed_areas):
            continue
        if sel.types and e.type not in sel.types:
            continue
        if sel.statuses and getattr(e.meta, "status", None) not in sel.statuses:
            continue
        if sel.years and e.year not in sel.years:
            continue
        if sel.levels and getattr(e.meta, "level", None) not in sel.levels:
            continue
        if sel.kind and not any(s.kind == sel.kind and (not areas or not areas.isdisjoint(s.areas))
                                for s in e.classified_sections):
            continue
        if words:
            text = to_simplified(f"{e.title}\n{e.doc.body}").lower()
            if not all(w in text for w in words):
                continue
        out.append(e)
    return out


def describe(kb: "KnowledgeBase", sel: Selection) -> str:
    """The selection in words, for the cover: 工作领域：宗教工作；类型：法规、政策文件."""
    parts = []
    if sel.areas:
        parts.append("工作领域：" + "、".join(kb.taxonomy.name(a) for a in sel.areas))
    if sel.types:
        parts.append("类型：" + "、".join(TYPE_LABELS[t] for t in sel.types))
    if sel.statuses:
        parts.append("时效性：" + "、".join(STATUS_LABELS[s] for s in sel.statuses))
    if sel.years:
        parts.append("年份：" + "、".join(str(y) for y in sel.years))
    if sel.levels:
        parts.append("层级：" + "、".join(sel.levels))
    if sel.kind:
        parts.append("段落类别：" + KIND_LABELS[sel.kind])
    if sel.query:
        parts.append(f"关键词：{sel.query}")
    if sel.ids:
        parts.append(f"指定条目 {len(sel.ids)} 个")
    return "；".join(parts) or "全部条目"


def default_title(kb: "KnowledgeBase", sel: Selection) -> str:
    """宗教工作法规、政策文件汇编 (from the areas and types chosen)."""
    area = "、".join(kb.taxonomy.name(a) for a in sel.areas)
    types = "、".join(TYPE_LABELS[t] for t in (sel.types or ()))
    return f"{area}{types}汇编" if area or types else "统战工作文件汇编"
