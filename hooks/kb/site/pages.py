"""Page generation: the knowledge model -> Markdown pages (with HTML blocks),
keyed by their path under the docs root. Engine-independent: the MkDocs
adapter only registers these pages.

All HTML comes from the Jinja templates in ``templates/``; values are
escaped there (autoescape), entry bodies are passed through as Markdown.
"""

from __future__ import annotations

import html
import json
from collections import Counter
import datetime as dt
from dataclasses import dataclass, field
from functools import cached_property, partial
from typing import Any, Callable, Iterator

from jinja2 import Environment, PackageLoader, StrictUndefined

from kb.analysis import articles, citations, review
from kb.site import charts, filters
from kb.schema.fieldguide import field_guide
from kb.model.entry import Entry
from kb.model.knowledge import KnowledgeBase
from kb.settings import Settings
from kb.schema.models import (
    AUDIENCE_LABELS,
    ENTRY_TYPES,
    KIND_LABELS,
    SECTION_KINDS,
    STATUS_LABELS,
    TYPE_DIRS,
    TYPE_LABELS,
    json_schema,
)
from kb.analysis.sections import Section

LABELS = {"type": TYPE_LABELS, "status": STATUS_LABELS, "kind": KIND_LABELS, "audience": AUDIENCE_LABELS}
RECENT_COUNT = 12


def area_uri(slug: str) -> str:
    return f"areas/{slug}/index.md"


def year_uri(year: int) -> str:
    return f"years/{year}/index.md"


def type_uri(etype: str) -> str:
    return f"{TYPE_DIRS[etype]}/index.md"


HOME_URI = "index.md"
AREAS_URI = "areas/index.md"
YEARS_URI = "years/index.md"
PENDING_URI = "pending/index.md"
RECENT_URI = "recent/index.md"
REVIEW_URI = "review/index.md"
FIELDS_URI = "guide/fields.md"
FEED_PATH = "feed.xml"
RECENT_PAGE_COUNT = 100


def page_url(src_uri: str, directory_urls: bool = True) -> str:
    """Site-relative URL MkDocs gives the page built from ``src_uri``."""
    stem = src_uri[: -len(".md")]
    if not directory_urls:
        return stem + ".html"
    if stem == "index":
        return ""
    if stem.endswith("/index"):
        return stem[: -len("index")]
    return stem + "/"


def relative(from_url: str, to_url: str) -> str:
    """Relative link between two site-relative URLs (``''`` is the home page).

    Pure string work on path segments (no ``os.path``): it runs for every
    link of every generated page.
    """
    if from_url.endswith("/") or not from_url:
        from_dirs = from_url.split("/")[:-1] if from_url else []
    else:
        from_dirs = from_url.split("/")[:-1]
    path, _, frag = to_url.partition("#")
    to_parts = path.split("/")
    to_dirs, tail = to_parts[:-1], to_parts[-1]
    i, n = 0, min(len(from_dirs), len(to_dirs))
    while i < n and from_dirs[i] == to_dirs[i]:
        i += 1
    rel = "../" * (len(from_dirs) - i) + "".join(d + "/" for d in to_dirs[i:]) + tail
    return (rel or "./") + ("#" + frag if frag else "")


def front_matter(title: str, **extra: Any) -> str:
    """YAML front matter for a generated page (JSON is valid YAML).

    MkDocs themes print ``page.title`` into HTML unescaped (``<title>``, the
    header), so the title is HTML-escaped here, once, for every page.
    """
    data = {"title": html.escape(title, quote=False), **extra}
    return "\n".join(f"{k}: {json.dumps(v, ensure_ascii=False)}" for k, v in data.items())


@dataclass(frozen=True)
class GeneratedPage:
    src_uri: str
    markdown: str
    in_nav: bool = True


@dataclass
class Generator:
    kb: KnowledgeBase
    site_title: str = "统战工作政策知识库"
    directory_urls: bool = True
    settings: Settings = field(default_factory=Settings)

    @cached_property
    def env(self) -> Environment:
        env = Environment(
            loader=PackageLoader("kb.site", "templates"),
            autoescape=True,
            undefined=StrictUndefined,
            trim_blocks=False,
            keep_trailing_newline=True,
            auto_reload=False,  # templates are package data; never re-stat them per render
        )
        env.globals.update(
            labels=LABELS,
            area_uri=area_uri,
            year_uri=year_uri,
            type_uri=type_uri,
            area_name=self.kb.taxonomy.name,
            filter_attrs=filters.row_attrs,
        )
        return env

    # -- public API ---------------------------------------------------------

    def nav(self, user_nav: list | None = None) -> list:
        """Site navigation: generated index pages first, then hand-written pages.

        Entries are never in the navigation (MkDocs renders the whole nav
        into every page); index pages link to them.
        """
        nav: list = [{"首页": HOME_URI}]
        nav.append({"工作领域": [AREAS_URI] + [{self.kb.taxonomy.name(s): area_uri(s)} for s in self.kb.taxonomy.slugs]})
        nav.append({"文件类型": [{TYPE_LABELS[t]: type_uri(t)} for t in ENTRY_TYPES]})
        nav.append({"年度": [YEARS_URI] + [{str(y): year_uri(y)} for y in self.kb.by_year]})
        nav.append({"待收录文件": PENDING_URI})
        nav.append({"最近更新": RECENT_URI})
        nav.append({"待复核": REVIEW_URI})
        return nav + list(user_nav or [])

    def pages(self) -> Iterator["GeneratedPage"]:
        """Every generated page, in a fixed order; index pages are in the nav."""
        for src_uri, render, in_nav in self.page_plan():
            yield GeneratedPage(src_uri, render(), in_nav)

    def page_plan(self) -> Iterator[tuple[str, Callable[[], str], bool]]:
        """Every generated page as ``(src_uri, render, in_nav)``, not yet rendered
        (the live preview, kb.preview, renders only the pages that changed)."""
        yield HOME_URI, self.home, True
        yield AREAS_URI, self.areas_index, True
        for slug in self.kb.taxonomy.slugs:
            yield area_uri(slug), partial(self.area, slug), True
        for etype in ENTRY_TYPES:
            yield type_uri(etype), partial(self.type_page, etype), True
        yield YEARS_URI, self.years_index, True
        for year in self.kb.by_year:
            yield year_uri(year), partial(self.year, year), True
        yield PENDING_URI, self.pending, True
        yield RECENT_URI, self.recent, True
        yield REVIEW_URI, self.review, True
        # In the nav under the hand-written guide section (mkdocs.yml), not in the generated part.
        yield FIELDS_URI, self.fields, True
        for entry in self.kb.entries:
            yield entry.src_uri, partial(self.entry, entry), False

    def static_files(self) -> Iterator[tuple[str, str]]:
        """Generated files that are not pages: (path under the site root, text)."""
        yield FEED_PATH, self.feed()

    # -- rendering ----------------------------------------------------------

    def _render(self, template: str, src_uri: str, title: str, **ctx: Any) -> str:
        here = page_url(src_uri, self.directory_urls)
        du = self.directory_urls

        def href(target_uri: str) -> str:
            return relative(here, page_url(target_uri, du))

        return self.env.get_template(template).render(
            href=href, front_matter=front_matter(title), site_title=self.site_title, **ctx
        )

    def _area_rows(self) -> list[dict[str, Any]]:
        tax = self.kb.taxonomy
        return [
            {
                "slug": s,
                "name": tax.name(s),
                "description": tax.areas[s]["description"],
                "entries": len(self.kb.by_area[s]),
                "sections": len(self.kb.sections_by_area[s]),
            }
            for s in tax.slugs
        ]

    @staticmethod
    def _group_by_type(entries: list[Entry]) -> list[tuple[str, list[Entry]]]:
        groups: dict[str, list[Entry]] = {}
        for e in entries:
            groups.setdefault(e.type, []).append(e)
        return [(t, groups[t]) for t in ENTRY_TYPES if t in groups]

    def home(self) -> str:
        areas = self._area_rows()
        area_chart = charts.horizontal_bars("各领域条目数", [(a["name"], a["entries"]) for a in areas])
        years = sorted(self.kb.by_year.items())
        year_chart = charts.vertical_bars("各年度条目数", [(str(y), len(es)) for y, es in years])
        recent = self.kb.newest_first[:RECENT_COUNT]
        svg = self.env.get_template("bar_chart.svg.j2")
        return self._render(
            "home.md.j2", HOME_URI, "首页",
            total=len(self.kb.entries),
            section_total=sum(len(e.classified_sections) for e in self.kb.entries),
            type_counts=[(t, len(self.kb.by_type.get(t, []))) for t in ENTRY_TYPES],
            areas=areas,
            area_chart=svg.render(c=area_chart),
            year_chart=svg.render(c=year_chart),
            recent=recent,
        )

    def areas_index(self) -> str:
        return self._render("areas_index.md.j2", AREAS_URI, "工作领域", areas=self._area_rows())

    def area(self, slug: str) -> str:
        entries = self.kb.by_area[slug]
        sections = self.kb.sections_by_area[slug]
        by_kind: dict[str, list[tuple[Entry, Section]]] = {}
        for e, s in sections:  # already newest first
            by_kind.setdefault(s.kind, []).append((e, s))
        spec = self.kb.taxonomy.areas[slug]
        return self._render(
            "area.md.j2", area_uri(slug), spec["name"],
            area={"slug": slug, **spec},
            entries=entries,
            groups=self._group_by_type(entries),
            sections=sections,
            section_groups=[(k, by_kind[k]) for k in SECTION_KINDS if k in by_kind],
        )

    def type_page(self, etype: str) -> str:
        entries = self.kb.by_type.get(etype, [])
        return self._render("type.md.j2", type_uri(etype), TYPE_LABELS[etype], type=etype, entries=entries,
                            facets=filters.facets(entries) if etype in ("regulation", "policy") else [])

    def pending(self) -> str:
        by_id = self.kb.by_id
        rows = [{"title": p.title, "citations": p.citations, "rows": citations.by_source_rows(p.citations, by_id)}
                for p in self.kb.citations.pending]
        return self._render("pending.md.j2", PENDING_URI, "待收录文件", pending=rows)

    # -- contributor pages: recent changes, feed, review, field reference ----

    @cached_property
    def today(self) -> dt.date:
        """The build's reference date (from the data or git, so builds are reproducible)."""
        return review.reference_date(self.kb.entries, self.kb.history)

    def _recent_rows(self, limit: int) -> tuple[bool, list[dict[str, Any]]]:
        """The most recently changed entries (git), else the newest by their own dates."""
        history = self.kb.history
        if history:
            known = [(h, e) for e in self.kb.entries if (h := history.get(e.doc.rel)) is not None]
            known.sort(key=lambda he: (-he[0].updated.timestamp(), he[1].id))
            rows = [{"entry": e, "history": h, "date": h.updated.date(), "updated": h.updated,
                     "created": h.created} for h, e in known[:limit]]
            return True, rows
        rows = []
        for e in self.kb.newest_first[:limit]:
            d = e.date or dt.date(e.year, 1, 1)
            when = dt.datetime(d.year, d.month, d.day, tzinfo=dt.timezone.utc)
            rows.append({"entry": e, "history": None, "date": d, "updated": when, "created": when})
        return False, rows

    def recent(self) -> str:
        has_history, rows = self._recent_rows(RECENT_PAGE_COUNT)
        here = page_url(RECENT_URI, self.directory_urls)
        return self._render("recent.md.j2", RECENT_URI, "最近更新", has_history=has_history, rows=rows,
                            feed_href=relative(here, FEED_PATH))

    def _absolute(self, url: str) -> str:
        base = self.settings.site_url
        return base.rstrip("/") + "/" + url if base else url

    def feed(self) -> str:
        """Atom feed of recently added and changed entries (links relative to the feed without site_url)."""
        _, rows = self._recent_rows(self.settings.feed_size)
        out = []
        for r in rows:
            e, h = r["entry"], r["history"]
            url = page_url(e.src_uri, self.directory_urls)
            out.append({
                "entry": e, "history": h,
                "id": self._absolute(url) if self.settings.site_url else f"urn:tongzhan-kb:{e.type}:{e.id}",
                "href": self._absolute(url),
                "published": r["created"].isoformat(),
                "updated": r["updated"].isoformat(),
                "author": h.author if h else self.site_title,
            })
        updated = max((r["updated"] for r in rows), default=dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc))
        return self.env.get_template("feed.xml.j2").render(
            site_title=self.site_title, rows=out, updated=updated.isoformat(),
            feed_id=self._absolute(FEED_PATH) if self.settings.site_url else "urn:tongzhan-kb:feed",
            self_href=self._absolute(FEED_PATH),
            recent_href=self._absolute(page_url(RECENT_URI, self.directory_urls)),
        )

    def review(self) -> str:
        today = self.today
        defaults = self.settings.review_every
        rows = review.overdue(self.kb.entries, defaults, self.kb.history, today)
        owners = Counter(s.entry.meta.owner or "" for s in rows)
        return self._render(
            "review.md.j2", REVIEW_URI, "待复核", rows=rows, today=today,
            defaults=[(t, defaults[t]) for t in ENTRY_TYPES if t in defaults],
            owners=sorted(owners.items(), key=lambda kv: (-kv[1], kv[0] == "", kv[0])),
        )

    def fields(self) -> str:
        schema = json_schema(list(self.kb.taxonomy.slugs))
        return self._render("fields.md.j2", FIELDS_URI, "字段说明", guide=field_guide(schema),
                            area_slugs=list(self.kb.taxonomy.slugs))

    def years_index(self) -> str:
        rows = []
        for year, entries in self.kb.by_year.items():
            counts: dict[str, int] = {}
            for e in entries:
                counts[e.type] = counts.get(e.type, 0) + 1
            rows.append({"year": year, "counts": counts, "total": len(entries)})
        return self._render("years_index.md.j2", YEARS_URI, "年度", years=rows, types=ENTRY_TYPES)

    def year(self, year: int) -> str:
        entries = self.kb.by_year[year]
        return self._render("year.md.j2", year_uri(year), f"{year} 年", year=year, entries=entries,
                            groups=self._group_by_type(entries))

    def entry(self, e: Entry) -> str:
        by_id = self.kb.by_id
        meta = e.meta
        supersedes = by_id.get(getattr(meta, "supersedes", None) or "")
        superseded_by = by_id.get(getattr(meta, "superseded_by", None) or "")
        structure = self.kb.structures.get(e.id)
        cited = self.kb.citations.by_target.get(e.id, [])
        body = self._linked_body(e, structure)
        if e.sections:
            body = self._annotated_body(e, body)
        return self._render(
            "entry.md.j2", e.src_uri, e.title,
            e=e,
            body=body,
            sections=e.sections,
            supersedes=supersedes,
            superseded_by=superseded_by,
            current=self.kb.families.current(e),
            family=self.kb.families.of(e),
            structure=structure,
            article_cites=Counter(c.article for c in cited if c.article),
            backlinks=citations.by_source_rows(cited, by_id, structure),
            report=by_id.get(getattr(meta, "report", None) or ""),
            cases=self.kb.cases_by_report.get(e.id, []),
            history=self.kb.history.get(e.doc.rel),
            edit_url=self.settings.edit_url(e.doc.rel),
        )

    @cached_property
    def _cite_macros(self) -> Any:
        return self.env.get_template("cite.html.j2").make_module({})

    def _linked_body(self, e: Entry, structure: articles.Structure | None) -> str:
        """The body with citations as links and, in regulations and policies, article anchors."""
        here = page_url(e.src_uri, self.directory_urls)
        inline = self._cite_macros
        by_id, structures = self.kb.by_id, self.kb.structures

        def link(c: citations.Citation) -> str | None:
            if c.target is None:
                return None
            t = by_id[c.target]
            art = structures[t.id].article(c.number, c.sub) if c.article and c.number else None
            url = relative(here, page_url(t.src_uri, self.directory_urls) + (f"#{c.article}" if c.article else ""))
            return str(inline.cite_link(c, t, url, art))

        body = citations.render(e.doc.body, self.kb.citations.by_source.get(e.id, []), link)
        if structure is not None:
            body = articles.annotate(body, e.doc.body_line, structure, lambda a: str(inline.article_anchor(a)))
        return body

    def _annotated_body(self, e: Entry, body: str) -> str:
        """The report body with a stable anchor and a kind/areas line per section."""
        lines = body.split("\n")
        macro = self.env.get_template("macros.html.j2").make_module(
            {"href": lambda uri: relative(page_url(e.src_uri, self.directory_urls), page_url(uri, self.directory_urls))}
        )
        for sec in e.sections:
            i = sec.line - e.doc.body_line
            line = lines[i].rstrip().rstrip("#").rstrip()
            if not line.endswith("}"):
                line = f"{line} {{#{sec.anchor}}}"
            if sec.has_text:
                line += "\n\n" + str(macro.section_meta(sec)) + "\n"
            lines[i] = line
        return "\n".join(lines)
