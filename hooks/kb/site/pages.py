"""Page generation: the knowledge model -> Markdown pages (with HTML blocks).

Which pages exist is declared once, in ``kb.site.catalog``; this module
computes each page's template values (``*_context`` methods) and renders a
page spec. Engine-independent: the MkDocs adapter only registers the pages.

All HTML comes from the Jinja templates in ``templates/``; values are
escaped there (autoescape), entry bodies are passed through as Markdown.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from functools import cached_property, partial
from typing import Any, Callable, Iterator

from jinja2 import Environment, PackageLoader, StrictUndefined

from kb.analysis import articles, citations, review
from kb.site import catalog, charts, compare, compare_units, compilations, filters, paging
from kb.schema.fieldguide import field_guide
from kb.model.entry import Entry
from kb.model.knowledge import KnowledgeBase
from kb.settings import Settings
from kb.schema.models import (
    AUDIENCE_LABELS,
    ENTRY_TYPES,
    KIND_LABELS,
    STATUS_LABELS,
    TYPE_LABELS,
    json_schema,
)
from kb.site.catalog import PageSpec
from kb.site.urls import (
    FEED_PATH,
    RECENT_URI,
    area_uri,
    type_uri,
    year_uri,
    front_matter,
    page_url,
    relative,
)

LABELS = {"type": TYPE_LABELS, "status": STATUS_LABELS, "kind": KIND_LABELS, "audience": AUDIENCE_LABELS}
RECENT_COUNT = 12  # entries on the home page
TYPE_DESCRIPTIONS = {
    "regulation": "法律、行政法规、党内法规和地方性法规，按条文阅读，可查看版本沿革和被引用情况。",
    "policy": "党委、政府及其部门印发的意见、办法、通知等政策文件。",
    "report": "各级统战部门的工作总结和计划，按段落归入工作领域。",
    "case": "各地统一战线工作的典型做法和经验。",
}
RECENT_PAGE_COUNT = 100  # entries on 最近更新


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
    # Results kept between builds (kb.engine.pagecache.PageCache.memo; see kb.site.compare_units.Memo).
    memo: Callable[[str, Any, Callable[[], Any]], Any] | None = None
    # Results kept in memory between the rebuilds of one kb serve (its PreviewState), keyed by
    # what they show; handed over by kb.engine.session, so nothing is kept in module globals.
    kept: dict[Any, Any] = field(default_factory=dict)

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
            units_uri=compare_units.units_uri,
            filter_attrs=filters.row_attrs,
            compare_uri=partial(compare.pair_uri, self.kb),
            # Other knowledge bases the search page also queries (extra.kb.federation).
            federation=[{"name": f.name, "url": f.url} for f in self.settings.federation],
        )
        return env

    # -- public API ---------------------------------------------------------

    def specs(self) -> list[PageSpec]:
        """Every generated page (kb.site.catalog), in a fixed order; declared once
        per generator (the nav, the build's files and the preview all read it)."""
        return self._specs

    @cached_property
    def _specs(self) -> list[PageSpec]:
        return catalog.page_specs(self)

    def nav(self, user_nav: list | None = None) -> list:
        """Site navigation, derived from the page list: generated index pages
        first, then the hand-written pages of ``mkdocs.yml``."""
        return catalog.nav(self.specs(), user_nav)

    def render(self, spec: PageSpec) -> str:
        """The Markdown of one generated page."""
        return self._render(spec.template, spec.uri, spec.title, **spec.context())

    def render_uri(self, uri: str) -> str:
        """The Markdown of the generated page at ``uri`` (tests, debugging)."""
        return self.render(next(s for s in self.specs() if s.uri == uri))

    def pages(self) -> Iterator[GeneratedPage]:
        """Every generated page, rendered."""
        for spec in self.specs():
            yield GeneratedPage(spec.uri, self.render(spec), spec.in_nav)

    def static_files(self) -> Iterator[tuple[str, str | bytes]]:
        """Generated files that are not pages: (path under the site root, text or bytes)."""
        for path, render in catalog.static_files(self):
            yield path, render()

    # -- rendering ----------------------------------------------------------

    def _render(self, template: str, src_uri: str, title: str, **ctx: Any) -> str:
        here = page_url(src_uri, self.directory_urls)
        du = self.directory_urls

        def href(target_uri: str) -> str:
            return relative(here, page_url(target_uri, du))

        return self.env.get_template(template).render(
            href=href, root_href=relative(here, ""), front_matter=front_matter(title), site_title=self.site_title, **ctx
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

    def home_context(self) -> dict[str, Any]:
        areas = self._area_rows()
        area_chart = charts.horizontal_bars("各领域条目数", [(a["name"], a["entries"]) for a in areas])
        years = sorted(self.kb.by_year.items())
        year_chart = charts.vertical_bars("各年度条目数", [(str(y), len(es)) for y, es in years])
        recent = self.kb.newest_first[:RECENT_COUNT]
        svg = self.env.get_template("bar_chart.svg.j2")
        return dict(
            total=len(self.kb.entries),
            section_total=sum(len(e.classified_sections) for e in self.kb.entries),
            type_counts=[(t, len(self.kb.by_type.get(t, []))) for t in ENTRY_TYPES],
            areas=areas,
            area_chart=svg.render(c=area_chart),
            year_chart=svg.render(c=year_chart),
            recent=recent,
        )

    def types_index_context(self) -> dict[str, Any]:
        """The 文件类型 section's own page: the four types, their counts and newest entries."""
        return dict(types=[{"type": t, "entries": self.kb.by_type.get(t, []), "description": TYPE_DESCRIPTIONS[t]}
                           for t in ENTRY_TYPES])

    def areas_index_context(self) -> dict[str, Any]:
        return dict(areas=self._area_rows())

    def area_context(self, slug: str, page: paging.Page) -> dict[str, Any]:
        """An area's listing (kb.site.catalog): its entries by type, then its report sections by kind."""
        entries = self.kb.by_area[slug]
        # A listed report: which of its sections are about this area (for the reports on this page).
        sections_of = {e.id: [s for s in e.classified_sections if slug in s.areas]
                       for part in page.parts if part.group.kind == "entries" for e in part.items}
        return dict(
            area={"slug": slug, **self.kb.taxonomy.areas[slug]},
            entry_total=len(entries),
            type_counts=[(t, len(es)) for t, es in self._group_by_type(entries)],
            section_total=len(self.kb.sections_by_area[slug]),
            sections_key=next((k for k, _, _ in page.group_pages if k.startswith("kind-")), ""),
            sections_of={k: v for k, v in sections_of.items() if v},
            compilation=compilations.area_context(self, slug),
        )

    def type_context(self, etype: str, page: paging.Page) -> dict[str, Any]:
        entries = self.kb.by_type.get(etype, [])
        filtered = etype in filters.FILTERED_TYPES
        return dict(type=etype, facets=filters.facets(entries) if filtered else [],
                    rows_path=filters.rows_path(etype) if filtered else "")

    def listing_rows(self, etype: str) -> str:
        """The rows of a filtered listing, all pages, for docs/assets/kb-filter.js (kb.site.filters)."""
        return filters.rows_script(etype, self.kb.by_type.get(etype, []), self.directory_urls)

    def pending_rows(self) -> list[tuple[citations.Pending, list[citations.SourceRow]]]:
        """Documents cited but not held, most cited first, each with the entries citing it."""
        by_id = self.kb.by_id
        return [(p, citations.by_source_rows(p.citations, by_id)) for p in self.kb.citations.pending]

    def pending_context(self, page: paging.Page) -> dict[str, Any]:
        return dict(titles=len(page.group_pages))

    # -- contributor pages: recent changes, feed, review, field reference ----

    @cached_property
    def today(self) -> dt.date:
        """The build's reference date (from the data or git, so builds are reproducible)."""
        return review.reference_date(self.kb.entries, self.kb.history, self.settings.today)

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

    def recent_context(self) -> dict[str, Any]:
        has_history, rows = self._recent_rows(RECENT_PAGE_COUNT)
        here = page_url(RECENT_URI, self.directory_urls)
        return dict(has_history=has_history, rows=rows, feed_href=relative(here, FEED_PATH))

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
                "author": (h.author if h else "") or self.site_title,
            })
        updated = max((r["updated"] for r in rows), default=dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc))
        return self.env.get_template("feed.xml.j2").render(
            site_title=self.site_title, rows=out, updated=updated.isoformat(),
            feed_id=self._absolute(FEED_PATH) if self.settings.site_url else "urn:tongzhan-kb:feed",
            self_href=self._absolute(FEED_PATH),
            recent_href=self._absolute(page_url(RECENT_URI, self.directory_urls)),
        )

    def review_rows(self) -> list[review.ReviewState]:
        """Entries past their review date, the longest overdue first (the 待复核 listing)."""
        return review.overdue(self.kb.entries, self.settings.review_every, self.kb.history, self.today)

    def review_context(self, page: paging.Page) -> dict[str, Any]:
        today = self.today
        defaults = self.settings.review_every
        rows = page.parts[0].group.items if page.parts else ()  # the whole listing: one group
        owners = Counter(s.entry.meta.owner or "" for s in rows)
        return dict(
            today=today,
            defaults=[(t, defaults[t]) for t in ENTRY_TYPES if t in defaults],
            owners=sorted(owners.items(), key=lambda kv: (-kv[1], kv[0] == "", kv[0])),
        )

    def fields_context(self) -> dict[str, Any]:
        schema = json_schema(list(self.kb.taxonomy.slugs))
        return dict(guide=field_guide(schema), area_slugs=list(self.kb.taxonomy.slugs))

    def years_index_context(self) -> dict[str, Any]:
        rows = []
        for year, entries in self.kb.by_year.items():
            counts: dict[str, int] = {}
            for e in entries:
                counts[e.type] = counts.get(e.type, 0) + 1
            rows.append({"year": year, "counts": counts, "total": len(entries)})
        return dict(years=rows, types=ENTRY_TYPES)

    def year_context(self, year: int, page: paging.Page) -> dict[str, Any]:
        return dict(year=year, type_counts=[(t, len(es)) for t, es in self._group_by_type(self.kb.by_year[year])])

    def entry_context(self, e: Entry) -> dict[str, Any]:
        by_id = self.kb.by_id
        meta = e.meta
        supersedes = by_id.get(getattr(meta, "supersedes", None) or "")
        superseded_by = by_id.get(getattr(meta, "superseded_by", None) or "")
        structure = self.kb.structures.get(e.id)
        cited = self.kb.citations.by_target.get(e.id, [])
        body = self._linked_body(e, structure)
        if e.sections:
            body = self._annotated_body(e, body)
        return dict(
            e=e,
            body=body,
            sections=e.sections,
            supersedes=supersedes,
            superseded_by=superseded_by,
            current=self.kb.families.current(e),
            family=self.kb.families.of(e),
            structure=structure,
            article_cites=Counter(a for c in cited for a in c.anchors),
            internal_cites=Counter(a for c in self.kb.citations.by_source.get(e.id, ()) if c.target == e.id
                                   for a in c.anchors),
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
            if t is e and c.article:  # 本条例第二条: within the page
                url = f"#{c.article}"
            else:
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
