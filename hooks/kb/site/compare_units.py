"""Units side by side: per work area, every unit's report sections by year.

One page per area (``areas/<slug>/units/``, declared in ``kb.site.catalog``)
shows a unit × year table: a row per unit (grouped by unit level), a column
per year, and in each cell that unit's reports of the year with the number
of sections about the area by kind, each linked to the report. The table is
plain HTML, readable without JavaScript. When listing every unit would make
the page larger than ``PAGE_BUDGET`` allows, the rows are the unit levels
(省, 市, 区县, 乡镇) instead.

``docs/assets/kb-compare-units.js`` adds the reading view: choose a kind
(存在问题, 工作计划, ...), years and units, and the section texts are shown
next to each other, one column per unit (or per year). The texts are loaded
on demand from compact JSON files beside the page, one per area, kind and
year (split in parts of at most ``CHUNK_BUDGET`` bytes), written at build
time from the knowledge base the build was given (so only entries of the
build's audience). Section text is Markdown rendered to HTML and then held
to the entry pages' allow-list (``kb.text.html.clean``), as on the entry
pages: no script from an entry reaches a reader. The JSON is HTML-safe
(as ``kb.site.export.dumps_html_safe``). Same input, same bytes.

A build with the build cache passes ``Generator.memo``: each report's JSON lines
are kept between builds under the digest of the report and its sections, so a
warm build renders only the sections of the reports that changed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import TYPE_CHECKING, Any, Callable, Iterator

from markdown_it import MarkdownIt

from kb.analysis.sections import Section
from kb.model.entry import PERIOD_ORDER, Entry
from kb.schema.models import KIND_LABELS, SECTION_KINDS, UNIT_LEVELS
from kb.site.urls import page_url, relative
from kb.text import html as sanitise

if TYPE_CHECKING:  # pragma: no cover
    from kb.site.pages import Generator

# ``memo(group, depends, produce)``: ``produce()``, or what it gave a previous build whose
# ``depends`` (entries, sections, plain values) had the same digest (kb.engine.pagecache.PageCache.memo).
Memo = Callable[[str, Any, Callable[[], Any]], Any]

PAGE_BUDGET = 300 * 1024  # bytes of a built page, theme included
CONTENT_BUDGET = 220 * 1024  # bytes of the generated content (the theme's navigation and header take the rest)
CHUNK_BUDGET = 160 * 1024  # bytes of one JSON file of section texts
FORMAT_VERSION = 1
SHORT_KIND = {"achievement": "成效", "experience": "经验", "problem": "问题", "plan": "计划", "suggestion": "建议"}
LEVEL_ORDER = {lv: i for i, lv in enumerate(UNIT_LEVELS)}
NO_LEVEL = "其他"
SCRIPT_GLOBAL = "__kbUnits"  # offline edition: each JSON file also as a script storing it here


def units_uri(slug: str) -> str:
    return f"areas/{slug}/units/index.md"


def data_name(kind: str, year: int, part: int) -> str:
    """File name (beside the page) of part ``part`` (from 1) of an area's sections of ``kind`` in ``year``."""
    return f"{kind}-{year}.json" if part == 1 else f"{kind}-{year}-{part}.json"


def _dumps(data: Any) -> str:
    """``kb.site.export.dumps_html_safe``, faster on long texts (str.replace over str.translate)."""
    out = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    for ch, esc in _HTML_SAFE:
        if ch in out:
            out = out.replace(ch, esc)
    return out


_HTML_SAFE = (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("\u2028", "\\u2028"), ("\u2029", "\\u2029"))


@lru_cache(maxsize=1)
def _markdown() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": True}).enable("table")  # raw HTML as on entry pages, then cleaned


@lru_cache(maxsize=1 << 16)
def section_html(text: str) -> str:
    """A section's Markdown as HTML, cleaned to the entry pages' allow-list (cached: the
    live preview rebuilds these files on every change)."""
    return sanitise.clean(_markdown().render(text))


def level_of(e: Entry) -> str:
    return getattr(e.meta, "level", None) or NO_LEVEL


def period_label(e: Entry) -> str:
    return getattr(e.meta, "period", "") or "年度"


@dataclass(frozen=True)
class Row:
    """One row of the table: a unit (or, in level mode, a unit level)."""

    name: str
    level: str
    cells: dict[int, list[tuple[Entry, list[Section]]]]  # year -> reports, each with its sections here


class AreaUnits:
    """The sections of one area grouped by unit, year and report, and the files made from them."""

    def __init__(self, slug: str, sections: list[tuple[Entry, Section]], directory_urls: bool = True,
                 memo: "Memo | None" = None):
        self.slug = slug
        self.directory_urls = directory_urls
        self.memo = memo
        self.here = page_url(units_uri(slug), directory_urls)
        grouped: dict[tuple[str, str], dict[int, dict[str, tuple[Entry, list[Section]]]]] = {}
        for e, s in sections:
            key = (level_of(e), e.meta.unit)  # type: ignore[attr-defined]
            reports = grouped.setdefault(key, {}).setdefault(e.year, {})
            reports.setdefault(e.id, (e, []))[1].append(s)
        self.sections = sections
        self._links: dict[str, str] = {}
        self.years: list[int] = sorted({e.year for e, _ in sections})
        self.rows: list[Row] = []
        for (level, unit) in sorted(grouped, key=lambda k: (LEVEL_ORDER.get(k[0], 99), k[1])):
            cells = {y: sorted(reps.values(), key=lambda r: (PERIOD_ORDER.get(period_label(r[0]), 9), r[0].id))
                     for y, reps in grouped[(level, unit)].items()}
            self.rows.append(Row(unit, level, cells))

    def link(self, e: Entry, anchor: str = "") -> str:
        base = self._links.get(e.id)
        if base is None:
            base = self._links[e.id] = relative(self.here, page_url(e.src_uri, self.directory_urls))
        return f"{base}#{anchor}" if anchor else base

    @property
    def levels(self) -> list[tuple[str, list[Row]]]:
        out: dict[str, list[Row]] = {}
        for r in self.rows:
            out.setdefault(r.level, []).append(r)
        return list(out.items())

    def kinds_of(self, secs: list[Section]) -> list[tuple[str, int, str]]:
        """(kind, count, anchor of the first) for the kinds among ``secs``, in the fixed kind order."""
        first: dict[str, str] = {}
        count: dict[str, int] = {}
        for s in secs:
            first.setdefault(s.kind, s.anchor)
            count[s.kind] = count.get(s.kind, 0) + 1
        return [(k, count[k], first[k]) for k in SECTION_KINDS if k in count]

    def level_counts(self) -> list[tuple[str, int, dict[int, list[tuple[str, int]]]]]:
        """Level mode: per level, its number of units and, per year, the number of sections by kind."""
        out = []
        for level, rows in self.levels:
            years: dict[int, dict[str, int]] = {}
            for r in rows:
                for y, reports in r.cells.items():
                    c = years.setdefault(y, {})
                    for _, secs in reports:
                        for s in secs:
                            c[s.kind] = c.get(s.kind, 0) + 1
            out.append((level, len(rows), {y: [(k, c[k]) for k in SECTION_KINDS if k in c] for y, c in years.items()}))
        return out

    # -- the JSON files of section texts ------------------------------------------

    def records(self) -> Iterator[tuple[str, int, dict[str, Any]]]:
        """(kind, year, record) for every section, in table order (level, unit, year, period, report, section)."""
        for row in self.rows:
            for y in sorted(row.cells):
                for e, secs in row.cells[y]:
                    for s in secs:
                        yield s.kind, y, self._record(row, y, e, s)

    def _record(self, row: Row, y: int, e: Entry, s: Section) -> dict[str, Any]:
        return {"unit": row.name, "level": row.level, "year": y, "period": period_label(e), "report": e.label,
                "href": self.link(e, s.anchor), "heading": s.heading, "html": section_html(s.text)}

    def _report_lines(self, row: Row, y: int, e: Entry, secs: list[Section]) -> list[tuple[str, str]]:
        """(kind, JSON line) for the sections of one report here; through ``memo`` when given
        (a build keeps them between builds: a changed report's lines are made again, no other's)."""
        def produce() -> list[tuple[str, str]]:
            return [(s.kind, _dumps(self._record(row, y, e, s))) for s in secs]

        if self.memo is None:
            return produce()
        return self.memo(f"compare-units:{self.slug}",
                         (FORMAT_VERSION, self.slug, self.directory_urls, row.name, row.level, y, e, e.label,
                          tuple(secs)), produce)

    @cached_property
    def files(self) -> dict[tuple[str, int], list[str]]:
        """(kind, year) -> the JSON texts of its parts, each at most ``CHUNK_BUDGET`` bytes
        (a single section larger than that gets a part of its own)."""
        rows: dict[tuple[str, int], list[str]] = {}
        for row in self.rows:
            for y in sorted(row.cells):
                for e, secs in row.cells[y]:
                    for kind, line in self._report_lines(row, y, e, secs):
                        rows.setdefault((kind, y), []).append(line)
        out: dict[tuple[str, int], list[str]] = {}
        for (kind, year) in sorted(rows, key=lambda k: (SECTION_KINDS.index(k[0]), k[1])):
            parts: list[list[str]] = [[]]
            size = 0
            for line in rows[(kind, year)]:
                n = len(line.encode("utf-8")) + 2
                if parts[-1] and size + n > CHUNK_BUDGET - 200:
                    parts.append([])
                    size = 0
                parts[-1].append(line)
                size += n
            out[(kind, year)] = [self._file_text(kind, year, i + 1, len(parts), lines) for i, lines in enumerate(parts)]
        return out

    def _file_text(self, kind: str, year: int, part: int, parts: int, lines: list[str]) -> str:
        head = _dumps({"version": FORMAT_VERSION, "area": self.slug, "kind": kind, "year": year,
                                "part": part, "parts": parts, "count": len(lines)})
        body = ",\n".join(lines)  # one section per line
        return f'{head[:-1]},"sections":[\n{body}\n]}}\n'

    @cached_property
    def manifest(self) -> dict[str, dict[str, int]]:
        """kind -> {year: number of parts}: what the page's script may load."""
        out: dict[str, dict[str, int]] = {}
        for (kind, year), parts in self.files.items():
            out.setdefault(kind, {})[str(year)] = len(parts)
        return out

    def static_files(self, offline: bool = False) -> Iterator[tuple[str, str]]:
        base = units_uri(self.slug)[: -len("index.md")]
        for (kind, year), parts in self.files.items():
            for i, text in enumerate(parts):
                name = data_name(kind, year, i + 1)
                yield base + name, text
                if offline:  # file:// pages cannot fetch(); kb-compare-units.js loads this script instead
                    key = json.dumps(f"{self.slug}/{name}")
                    yield base + name + ".js", f"(window.{SCRIPT_GLOBAL}=window.{SCRIPT_GLOBAL}||{{}})[{key}]={text.rstrip()};\n"


# -- what the catalog and the generator call --------------------------------------


def area_units(gen: "Generator", slug: str) -> AreaUnits:
    """The grouped sections of an area, computed once per generator, and under ``kb serve``
    reused from the previous rebuild (``gen.kept``) while the area's sections and their reports'
    labels are the same: a rebuild gets the same Entry and Section objects for unchanged files
    (kb.model.cache), so an area none of whose reports changed reuses its files."""
    cache = gen.__dict__.setdefault("_area_units", {})
    if slug not in cache:
        sections = gen.kb.sections_by_area[slug]
        # The pairs are the entries' own (Entry.area_sections); an entry's label follows from its version label.
        key = [(pair, pair[0].version_label) for pair in sections]
        last = gen.kept.get(("compare-units", slug, gen.directory_urls))
        if last is not None and last[0] == key:
            cache[slug] = last[1]
        else:
            cache[slug] = AreaUnits(slug, sections, gen.directory_urls, memo=gen.memo)
            gen.kept[("compare-units", slug, gen.directory_urls)] = (key, cache[slug])
    return cache[slug]


def page_context(gen: "Generator", slug: str) -> dict[str, Any]:
    au = area_units(gen, slug)
    ctx = dict(area={"slug": slug, **gen.kb.taxonomy.areas[slug]}, au=au, kinds=SECTION_KINDS,
               short_kind=SHORT_KIND, kind_labels=KIND_LABELS, area_href=relative(au.here, page_url(
                   f"areas/{slug}/index.md", gen.directory_urls)),
               manifest=json.dumps(au.manifest, ensure_ascii=False, separators=(",", ":"), sort_keys=True),
               by_level=False, level_counts=[])
    return ctx


def render_page(gen: "Generator", slug: str, spec_title: str) -> dict[str, Any]:
    """The page's values: the unit rows if the page stays within ``CONTENT_BUDGET``, else the level rows."""
    ctx = page_context(gen, slug)
    html = gen._render("compare_units.md.j2", units_uri(slug), spec_title, **ctx)
    if len(html.encode("utf-8")) > CONTENT_BUDGET:
        ctx.update(by_level=True, level_counts=area_units(gen, slug).level_counts())
    return ctx


def static_files(gen: "Generator") -> Iterator[tuple[str, str]]:
    """Every area's JSON files of section texts (path under the site root, text)."""
    for slug in gen.kb.taxonomy.slugs:
        yield from area_units(gen, slug).static_files(offline=gen.settings.offline)
