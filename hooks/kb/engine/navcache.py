"""Material's navigation: compact on the pages not in it, rendered once per directory.

Material renders ``partials/nav.html`` (the whole site navigation) into
every page, entries included, although entries are not in the navigation:
at 3,000 entries that was about a third of the build and 11 KB of every
entry page. With ``navigation.tabs`` the desktop sidebar of a page that is
not in the navigation shows none of it; only the phone's drawer does. Such a
page gets a compact navigation: the top-level items only, each section as
one link to its index page (``navigation.indexes``; else its first page),
no nested lists, rendered by Material's own template from a pruned
navigation object (``CompactNav``), so the drawer looks like the theme's and
needs no JavaScript. The repository link of the drawer (Material's
``md-nav__source``, 1 KB with its icon) is left out of it: the header has the
same link, and an entry page links its source file (编辑此页). The pages in
the navigation get Material's full one.

The compact navigation depends on the page only through its URL: every
link goes through the ``url`` filter, relative to the page. Two such pages
in the same directory get the same relative links unless a link points at
or below one of them (``get_relative_url`` strips the common prefix), so the
output is cached by the page's directory, and a page with a navigation link
at or below it is rendered each time.

``hooks/kb/site/theme/partials/nav.html`` replaces the partial with a call
to ``kb_nav()``, a Jinja global installed in ``on_env``
(``kb.engine.session``), which renders Material's own partial (loaded as
``kb-theme/partials/nav.html`` from the theme directory after ours): a page
in the navigation gets Material's bytes (tests/test_navcache.py compares
whole builds with Material's own partial). Whitespace no reader sees is left
out of every whole page afterwards (``kb.site.compact``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from kb.site.compact import page_config

PREFIX = "kb-theme"  # Material's own templates, behind ours
OWN_THEME = (Path(__file__).resolve().parent.parent / "site" / "theme").as_posix()


def _parts(url: str) -> tuple[str, ...]:
    return tuple(p for p in url.split("/") if p and p != ".")


def _nav_urls(items: Any) -> list[str]:
    out: list[str] = []
    for item in items or ():
        url = getattr(item, "url", None)
        if isinstance(url, str):
            out.append(url)
        out += _nav_urls(getattr(item, "children", None))
    return out


class TopLink:
    """A top-level section of the navigation as one link (``CompactNav``): what Material's
    ``nav-item.html`` reads of a page, with the section's title and its target's URL and
    metadata (as Material shows a section with an index page)."""

    children = None
    pages = None
    active = False
    is_index = False

    def __init__(self, section: Any, target: Any) -> None:
        self.title = section.title
        self.typeset = getattr(section, "typeset", None)
        self.url = target.url
        self.meta = getattr(target, "meta", None)
        self.encrypted = getattr(target, "encrypted", None)


def _target(section: Any, indexes: bool) -> Any:
    """Where the one link of a section goes: its index page (``navigation.indexes``), else its
    first page or link, depth first (Material's ``render_pruned``); None for an empty section."""
    children = list(getattr(section, "children", None) or ())
    if indexes:
        index = next((c for c in children if getattr(c, "is_index", False)), None)
        if index is not None:
            return index
    if not children:
        return None
    first = children[0]
    return _target(first, indexes) if getattr(first, "children", None) else first


class CompactNav:
    """The navigation of a page that is not in it: the top-level items, sections as one link."""

    def __init__(self, nav: Any, features: Any) -> None:
        indexes = "navigation.indexes" in (features or ())
        self.homepage = getattr(nav, "homepage", None)
        self.items: list[Any] = []
        for item in getattr(nav, "items", None) or ():
            if getattr(item, "children", None) is None:
                self.items.append(item)  # a page or a link
            elif (target := _target(item, indexes)) is not None:
                self.items.append(TopLink(item, target))


class NoRepository:
    """The configuration as the compact navigation reads it: without ``repo_url`` (Material's
    template then leaves out the repository link; the header keeps it)."""

    repo_url = None

    def __init__(self, config: Any) -> None:
        self._config = config

    def __getattr__(self, name: str) -> Any:
        return getattr(self._config, name)

    def __getitem__(self, name: str) -> Any:
        return None if name == "repo_url" else self._config[name]


class NavCache:
    """The compact navigation of the pages not in it, rendered by page directory (one build)."""

    enabled = True  # False: every page's navigation rendered (the cache off, e.g. to measure)
    compact = True  # False: Material's full navigation on every page (to measure)

    def __init__(self, config: Any) -> None:
        self.config = config
        self.nav: Any = None
        self.pruned: CompactNav | None = None
        self.in_nav: set[int] = set()
        self.prefixes: set[tuple[str, ...]] = set()
        self.html: dict[tuple[str, ...], str] = {}
        self.hits = 0
        self.misses = 0

    def _use(self, nav: Any) -> None:
        """Start over for another navigation (the first page of a build)."""
        self.nav, self.html = nav, {}
        self.in_nav = {id(p) for p in getattr(nav, "pages", ())}
        theme = self.config.get("theme")
        self.pruned = CompactNav(nav, theme.get("features") if theme else ()) if self.compact else None
        targets = _nav_urls(getattr(nav, "items", ()))
        homepage = getattr(nav, "homepage", None)
        extra = self.config.get("extra") or {}
        targets += [getattr(homepage, "url", "") or "", str(extra.get("homepage") or ""),
                    str((theme.get("logo") if theme else None) or "")]
        # Every directory prefix of a link target: a page at or above one is not cached.
        self.prefixes = {parts[:i] for parts in map(_parts, targets) for i in range(1, len(parts) + 1)}

    def key(self, page: Any) -> tuple[str, ...] | None:
        """The cache key of a page, None when its navigation must be rendered."""
        if not self.enabled or page is None or id(page) in self.in_nav or getattr(page, "active", False) is not True:
            return None
        url = getattr(page, "url", None)
        if not isinstance(url, str) or url.startswith("/") or "://" in url:
            return None
        parts = _parts(url)
        if not parts or parts in self.prefixes:
            return None
        return parts[:-1]

    def render(self, ctx: jinja2.runtime.Context) -> Markup:
        template = ctx.environment.get_template(f"{PREFIX}/partials/nav.html")
        nav, page = ctx.get("nav"), ctx.get("page")
        if nav is None:
            return Markup(template.render(ctx.get_all()))
        if nav is not self.nav:
            self._use(nav)
        if page is None or id(page) in self.in_nav or self.pruned is None:  # the 404 page, a page in the nav
            return Markup(template.render(ctx.get_all()))
        key = self.key(page)
        html = self.html.get(key) if key is not None else None
        if html is None:
            html = template.render({**ctx.get_all(), "nav": self.pruned, "config": NoRepository(ctx.get("config"))})
            if key is not None:
                self.misses += 1
                self.html[key] = html
        else:
            self.hits += 1
        return Markup(html)


def install(env: jinja2.Environment, config: Any) -> NavCache:
    """``on_env``: Material's templates under ``kb-theme/``, the ``kb_nav()`` global and the
    ``kb_page_config`` filter (``hooks/kb/site/theme/main.html``)."""
    dirs = [d for d in config.theme.dirs if Path(d).resolve().as_posix() != OWN_THEME]
    loader = env.loader
    if not (isinstance(loader, jinja2.ChoiceLoader) and getattr(loader, "kb_nav", False)):
        loader = jinja2.ChoiceLoader([loader, jinja2.PrefixLoader({PREFIX: jinja2.FileSystemLoader(dirs)})])
        loader.kb_nav = True  # type: ignore[attr-defined]
        env.loader = loader
    cache = NavCache(config)
    env.globals["kb_nav"] = jinja2.pass_context(lambda ctx: cache.render(ctx))
    env.filters["kb_page_config"] = lambda html, search: Markup(page_config(str(html), bool(search)))
    return cache
