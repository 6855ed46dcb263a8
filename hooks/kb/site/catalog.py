"""The one declaration of the generated pages.

Every page the knowledge base adds to the site is a ``PageSpec`` yielded by
``page_specs``: its path, title, template, the template's values, what it
shows (``depends``) and where it goes in the navigation. Everything else is
derived from this list:

- the build registers one MkDocs file per spec (``hooks/mkdocs_hooks.py``);
- the navigation is ``nav(specs)``;
- the live preview (``kb.preview``) compares ``signatures(specs)`` between
  rebuilds and renders only the pages whose signature changed.

Adding a page type is one more ``yield`` here (and a context method and a
template in ``kb.site.pages`` / ``templates/``).

A listing that grows with the knowledge base (a type, an area, a year, the
review list) is declared once as a ``Listing``: its rows, in groups. It
becomes one page spec per ``page_size`` rows (``extra.kb.page_size``,
kb.settings): page 1 at the declared path, in the navigation; page ``k`` at
``.../page/k/`` (kb.site.paging), reached through the pager.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any, Callable, Hashable, Iterable, Iterator

from kb.schema.models import ENTRY_TYPES, KIND_LABELS, SECTION_KINDS, TYPE_LABELS
from kb.site import compare, compare_units, compilations, filters, paging, search
from kb.site.urls import (
    AREAS_URI,
    FEED_PATH,
    FIELDS_URI,
    HOME_URI,
    PENDING_URI,
    RECENT_URI,
    REVIEW_URI,
    TYPES_URI,
    YEARS_URI,
    area_uri,
    type_uri,
    year_uri,
)

if TYPE_CHECKING:  # pragma: no cover
    from kb.model.entry import Entry
    from kb.model.knowledge import KnowledgeBase
    from kb.site.pages import Generator

TOP = ""  # nav_section of a page listed at the top level of the generated navigation


@dataclass(frozen=True)
class PageSpec:
    """One generated page.

    Attributes:
        uri: Path under the docs root (MkDocs' ``src_uri``), e.g. ``areas/religion/index.md``.
        title: Page title, and its title in the navigation.
        template: Jinja template in ``kb/site/templates`` that renders it.
        context: Computes the template's values (called only when the page is rendered).
        depends: What the page shows, as a tuple of model objects: two builds
            whose ``depends()`` are equal render the same page. ``None``: not
            known cheaply; the live preview renders the page and compares the output.
        in_nav: MkDocs inclusion: ``False`` for pages reached only by links
            (entries, search), so MkDocs does not list them as omitted from the nav.
        nav_section: Where the generated navigation lists the page: ``TOP``, a
            section label such as ``"工作领域"``, or ``None`` (not in the generated
            navigation: entries, and pages the hand-written ``nav`` lists).
        section_index: The section's own page (``navigation.indexes``), listed
            first and without a title of its own.
    """

    uri: str
    title: str
    template: str
    context: Callable[[], dict[str, Any]]
    depends: Callable[[], Hashable] | None = None
    in_nav: bool = True
    nav_section: str | None = None
    section_index: bool = False
    html: bool | None = None

    @property
    def is_html(self) -> bool:
        """The page is front matter and one HTML block, handed to the engine as HTML
        (kb.site.rawhtml): ``html`` when set, else every page in the navigation."""
        return self.in_nav if self.html is None else self.html


@dataclass(frozen=True)
class Listing:
    """A page whose rows are split over as many pages as they need (kb.site.paging).

    Attributes:
        uri, title, template, nav_section: Those of its first page (see ``PageSpec``);
            page ``k`` is titled "<title>（第 k 页）" and is not in the navigation.
        groups: Its rows, in groups, in order.
        context: The template's values for one page (``page`` is added).
        depends: What every page shows besides its own rows (``None``: not known
            cheaply, every page is rendered and compared, see ``PageSpec.depends``).
    """

    uri: str
    title: str
    template: str
    groups: list[paging.Group]
    context: Callable[[paging.Page], dict[str, Any]]
    depends: Callable[[], Hashable] | None = None
    nav_section: str | None = None

    def specs(self, page_size: int) -> list[PageSpec]:
        pages = paging.paginate(self.uri, self.groups, page_size)
        shared = _once(self.depends)
        return [PageSpec(page.uri, self.title if page.number == 1 else f"{self.title}（第 {page.number} 页）",
                         self.template, context, depends=_page_depends(shared, page),
                         in_nav=page.number == 1, nav_section=self.nav_section if page.number == 1 else None,
                         html=True)
                for page, context in zip(pages, paging.contexts(pages, self.context))]


@dataclass(frozen=True)
class Shown:
    """What every page of a listing shows besides its own rows: made once for all its pages, and so
    digested once (kb.engine.pagekeys keeps the digest of a dataclass object by its identity)."""

    value: Hashable


def _page_depends(shared: Callable[[], Hashable] | None, page: paging.Page) -> Callable[[], Hashable] | None:
    if shared is None:
        return None
    return lambda: (shared(), page.depends())


def _once(depends: Callable[[], Hashable] | None) -> Callable[[], Hashable] | None:
    """``depends``, called once (a listing's pages all show its value: 36 pages of 待收录文件)."""
    if depends is None:
        return None
    made: list[Shown] = []

    def shown() -> Shown:
        if not made:
            made.append(Shown(depends()))
        return made[0]

    return shown


def page_specs(gen: "Generator") -> list[PageSpec]:
    """Every generated page, in a fixed order (index pages, then entries)."""
    kb = gen.kb
    tax = kb.taxonomy
    out = [
        PageSpec(HOME_URI, "首页", "home.md.j2", gen.home_context, nav_section=TOP),
        PageSpec(AREAS_URI, "工作领域", "areas_index.md.j2", gen.areas_index_context,
                 nav_section="工作领域", section_index=True),
    ]
    size = gen.settings.page_size
    for slug in tax.slugs:
        out += Listing(area_uri(slug), tax.name(slug), "area.md.j2", _area_groups(kb, slug),
                       partial(gen.area_context, slug), depends=_no_more, nav_section="工作领域").specs(size)
    # 各单位对照 of each area: linked from the area page, not listed in the navigation.
    out += [PageSpec(compare_units.units_uri(slug), f"{tax.name(slug)}：各单位对照", "compare_units.md.j2",
                     partial(compare_units.render_page, gen, slug, f"{tax.name(slug)}：各单位对照"),
                     depends=partial(_units_depends, kb, slug), in_nav=False)
            for slug in tax.slugs]
    out.append(PageSpec(TYPES_URI, "文件类型", "types_index.md.j2", gen.types_index_context,
                        depends=partial(_types_index_depends, kb), nav_section="文件类型", section_index=True))
    for t in ENTRY_TYPES:
        out += Listing(type_uri(t), TYPE_LABELS[t], "type.md.j2", [_type_group(kb.by_type.get(t, ()), t)],
                       partial(gen.type_context, t), depends=partial(_type_depends, kb, t),
                       nav_section="文件类型").specs(size)
    out.append(PageSpec(YEARS_URI, "年度", "years_index.md.j2", gen.years_index_context,
                        nav_section="年度", section_index=True))
    for y in kb.by_year:
        out += Listing(year_uri(y), f"{y} 年", "year.md.j2", _by_type(kb.by_year[y]), partial(gen.year_context, y),
                       depends=_no_more, nav_section="年度").specs(size)
    pending = [paging.Group(f"pending-{i}", p.title, "sources", tuple(rows), len(p.citations))
               for i, (p, rows) in enumerate(gen.pending_rows(), 1)]
    out += Listing(PENDING_URI, "待收录文件", "pending.md.j2", pending, gen.pending_context,
                   depends=partial(_pending_depends, kb), nav_section=TOP).specs(size)
    out += [
        PageSpec(RECENT_URI, "最近更新", "recent.md.j2", gen.recent_context, nav_section=TOP),
    ]
    out += Listing(REVIEW_URI, "待复核", "review.md.j2", [paging.Group("review", "待复核", "review", tuple(gen.review_rows()))],
                   gen.review_context, nav_section=TOP).specs(size)
    out += [
        # Listed by the hand-written guide section of mkdocs.yml, not by the generated part.
        PageSpec(FIELDS_URI, "字段说明", "fields.md.j2", gen.fields_context),
        PageSpec(search.SEARCH_URI, "搜索", "search.md.j2", partial(search.page_context, kb), in_nav=False),
    ]
    out += [PageSpec(compare.compare_uri(a, b), compare.title(a, b), "compare.md.j2",
                     partial(compare.context, kb, a, b), depends=partial(compare.depends, kb, a, b), in_nav=False)
            for a, b in compare.all_pairs(kb)]
    out += [PageSpec(e.src_uri, e.label, "entry.md.j2", partial(gen.entry_context, e),
                     depends=partial(entry_depends, kb, e), in_nav=False)
            for e in kb.entries]
    return out


def static_files(gen: "Generator") -> Iterator[tuple[str, Callable[[], str]]]:
    """Generated files that are not pages: (path under the site root, render)."""
    yield FEED_PATH, gen.feed
    yield from compilations.static_files(gen)  # “生成汇编”: small area compilations (.docx, print page)
    for path, text in compare_units.static_files(gen):  # section texts of the 各单位对照 pages
        yield path, partial(str, text)
    for t in filters.FILTERED_TYPES:  # all rows of a filtered listing, for its filter on every page
        yield filters.rows_path(t), partial(gen.listing_rows, t)


def nav(specs: Iterable[PageSpec], user_nav: list | None = None) -> list:
    """The site navigation: the generated sections in page-list order, then the
    hand-written ``nav`` of ``mkdocs.yml``. Entries are never in it (MkDocs
    renders the whole navigation into every page); index pages link to them."""
    out: list = []
    sections: dict[str, list] = {}
    for spec in specs:
        if spec.nav_section is None:
            continue
        item: Any = spec.uri if spec.section_index else {spec.title: spec.uri}
        if spec.nav_section == TOP:
            out.append(item)
        elif spec.nav_section in sections:
            sections[spec.nav_section].append(item)
        else:
            sections[spec.nav_section] = [item]
            out.append({spec.nav_section: sections[spec.nav_section]})
    return out + list(user_nav or [])


def signatures(specs: Iterable[PageSpec], context: Hashable, labels: "Labels") -> dict[str, Any]:
    """``uri -> (context, labels, depends())`` for the pages that declare what they show.

    ``context`` holds the build-wide values every page depends on (site
    title, URL style). Unchanged entries are the same objects from one build
    to the next (kb.model.cache), so comparing two signatures is mostly
    identity checks (tuple equality tries ``is`` first); a changed file gives
    a new Entry and the comparison fails.

    An unchanged entry can still be shown differently: its version label
    (宗教事务条例（2004年）) follows from other entries' titles. ``labels``
    (``Labels.of``) stands for every entry's label in one value, the same
    object as the last build's while no label changed; when one changes,
    every signature changes (labels change rarely: a title made equal to
    another's). Pairing each entry of each signature with its label instead
    cost a walk over some 575,000 values per rebuild at 10,000 entries.
    """
    return {s.uri: (context, labels, s.depends()) for s in specs if s.depends is not None}


class Labels:
    """The version labels of a build's entries, as one value for ``signatures``."""

    __slots__ = ("pairs",)

    def __init__(self, pairs: tuple) -> None:
        self.pairs = pairs

    @classmethod
    def of(cls, entries: Iterable[Any], previous: "Labels | None" = None) -> "Labels":
        """The labels of ``entries``: ``previous`` itself when they are the same entries with the same labels."""
        pairs = tuple((e, e.version_label) for e in entries if e.version_label)
        if previous is not None and len(previous.pairs) == len(pairs) and all(
                a is c and b == d for (a, b), (c, d) in zip(previous.pairs, pairs)):
            return previous
        return cls(pairs)


# -- what each page shows --------------------------------------------------------


def entry_depends(kb: "KnowledgeBase", e: "Entry") -> tuple:
    """An entry page: the entry, the entries it names or that name it (versions,
    report/cases, citations both ways), the citations and its git dates."""
    by_id = kb.by_id
    refs = tuple(by_id.get(t) for t in e.meta.refs.values())
    fam = kb.families.of(e)
    family = (tuple(fam.members), fam.current) if fam else None
    out = tuple(kb.citations.by_source.get(e.id, ()))
    inn = tuple(kb.citations.by_target.get(e.id, ()))
    cited = tuple(by_id.get(c.target) for c in out if c.target)
    citing = tuple(by_id.get(c.source) for c in inn)
    cases = tuple(kb.cases_by_report.get(e.id, ()))
    history = kb.history.get(e.doc.rel)  # 最后更新 (git): changes with a commit, not with the file
    return (e, refs, family, out, inn, cited, citing, cases, history)


def _type_group(entries: Iterable["Entry"], etype: str) -> paging.Group:
    return paging.Group(f"type-{etype}", TYPE_LABELS[etype], "entries", tuple(entries))


def _units_depends(kb: "KnowledgeBase", slug: str) -> tuple:
    return tuple(kb.sections_by_area[slug])


def _by_type(entries: Iterable["Entry"]) -> list[paging.Group]:
    """Entries (newest first) in one group per type, in the order of ``ENTRY_TYPES``."""
    groups: dict[str, list] = {}
    for e in entries:
        groups.setdefault(e.type, []).append(e)
    return [_type_group(groups[t], t) for t in ENTRY_TYPES if t in groups]


def _area_groups(kb: "KnowledgeBase", slug: str) -> list[paging.Group]:
    """An area: its entries by type, then the report sections about it by kind (newest first)."""
    by_kind: dict[str, list] = {}
    for pair in kb.sections_by_area[slug]:  # (entry, section)
        by_kind.setdefault(pair[1].kind, []).append(pair)
    return _by_type(kb.by_area[slug]) + [paging.Group(f"kind-{k}", KIND_LABELS[k], "sections", tuple(by_kind[k]))
                                         for k in SECTION_KINDS if k in by_kind]


def _no_more() -> tuple:
    """A listing page that shows nothing but its rows and the sizes of its groups."""
    return ()


def _type_depends(kb: "KnowledgeBase", etype: str) -> Hashable:
    # The filter form on every page counts the values of all rows.
    if etype not in filters.FILTERED_TYPES:
        return ()
    return tuple(tuple(filters.row_attrs(e).values()) for e in kb.by_type.get(etype, ()))


def _types_index_depends(kb: "KnowledgeBase") -> tuple:
    # counts and the newest three links per type (a body edit does not change this page)
    return tuple((t, len(kb.by_type.get(t, ())), tuple((e.id, e.label) for e in kb.by_type.get(t, ())[:3]))
                 for t in ENTRY_TYPES)


def _pending_depends(kb: "KnowledgeBase") -> tuple:
    by_id = kb.by_id
    return tuple((p.key, p.title, tuple(p.citations), tuple(by_id.get(c.source) for c in p.citations))
                 for p in kb.citations.pending)
