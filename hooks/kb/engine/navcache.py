"""Material's navigation rendered once per directory, not once per page.

Material renders ``partials/nav.html`` (the whole site navigation) into
every page, entries included, although entries are not in the navigation:
at 3,000 entries that was about a third of the build. For a page that is
not in the navigation, the partial's output depends on the page only
through its URL: every link goes through the ``url`` filter, relative to
the page. Two such pages in the same directory get the same relative links
unless a link points at or below one of them (``get_relative_url`` strips
the common prefix), so the output is cached by the page's directory, and a
page with a navigation link at or below it is rendered as usual.

``hooks/kb/site/theme/partials/nav.html`` replaces the partial with a call
to ``kb_nav()``, a Jinja global installed in ``on_env``
(``kb.engine.session``); a miss renders Material's own partial (loaded as
``kb-theme/partials/nav.html`` from the theme directory after ours), so the
bytes are Material's (tests/test_navcache.py compares whole builds with and
without the cache).

Material's navigation template is indented for its authors: half of the
navigation's bytes were line breaks and indentation, on every page. Its
output, cached or not, goes through ``kb.site.compact.collapse`` (the same
rendering in less than half the bytes); so do the other partials of the
site's chrome that ``hooks/kb/site/theme/partials`` wraps in ``kb_collapse``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from kb.site.compact import collapse

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


class NavCache:
    """The rendered navigation of the pages not in it, by page directory (one build)."""

    enabled = True  # False: every page's navigation rendered (the cache off, e.g. to measure)

    def __init__(self, config: Any) -> None:
        self.config = config
        self.nav: Any = None
        self.in_nav: set[int] = set()
        self.prefixes: set[tuple[str, ...]] = set()
        self.html: dict[tuple[str, ...], str] = {}
        self.hits = 0
        self.misses = 0

    def _use(self, nav: Any) -> None:
        """Start over for another navigation (the first page of a build)."""
        self.nav, self.html = nav, {}
        self.in_nav = {id(p) for p in getattr(nav, "pages", ())}
        targets = _nav_urls(getattr(nav, "items", ()))
        homepage = getattr(nav, "homepage", None)
        extra = self.config.get("extra") or {}
        theme = self.config.get("theme")
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
        nav = ctx.get("nav")
        if nav is None:
            return Markup(collapse(template.render(ctx.get_all())))
        if nav is not self.nav:
            self._use(nav)
        key = self.key(ctx.get("page"))
        if key is None:
            return Markup(collapse(template.render(ctx.get_all())))
        html = self.html.get(key)
        if html is None:
            self.misses += 1
            html = self.html[key] = collapse(template.render(ctx.get_all()))
        else:
            self.hits += 1
        return Markup(html)


def install(env: jinja2.Environment, config: Any) -> NavCache:
    """``on_env``: Material's templates under ``kb-theme/`` and the ``kb_nav()`` global."""
    dirs = [d for d in config.theme.dirs if Path(d).resolve().as_posix() != OWN_THEME]
    loader = env.loader
    if not (isinstance(loader, jinja2.ChoiceLoader) and getattr(loader, "kb_nav", False)):
        loader = jinja2.ChoiceLoader([loader, jinja2.PrefixLoader({PREFIX: jinja2.FileSystemLoader(dirs)})])
        loader.kb_nav = True  # type: ignore[attr-defined]
        env.loader = loader
    cache = NavCache(config)
    env.globals["kb_nav"] = jinja2.pass_context(lambda ctx: cache.render(ctx))
    env.filters["kb_collapse"] = lambda html: Markup(collapse(str(html)))
    return cache
