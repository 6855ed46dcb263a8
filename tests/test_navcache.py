"""Material's navigation rendered once per directory (kb.engine.navcache) and index
pages handed to MkDocs as HTML (kb.site.rawhtml) give the bytes of an ordinary build,
but for the whitespace no reader sees (kb.site.compact), left out of the chrome."""

from __future__ import annotations

import re
from pathlib import Path

import jinja2
import pytest
from mkdocs.commands.build import build
from mkdocs.config import load_config

from kb.engine import navcache
from kb.site.compact import collapse
from kb.site.rawhtml import PLACEHOLDER, RawHtml

from conftest import copy_project


def _build(project: Path, site: Path) -> dict[str, bytes]:
    build(load_config(config_file=str(project / "mkdocs.yml"), site_dir=str(site)))
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in sorted(site.rglob("*")) if p.is_file()}


OVERRIDDEN = {f"partials/{name}.html" for name in ("nav", "header", "tabs", "toc")}


class _MaterialNav(jinja2.BaseLoader):
    """The theme's loader, except that the partials we override are Material's own files."""

    def __init__(self, inner: jinja2.BaseLoader, material: jinja2.BaseLoader) -> None:
        self.inner, self.material = inner, material

    def get_source(self, environment, template):
        source = self.material if template in OVERRIDDEN else self.inner
        return source.get_source(environment, template)


def _primary_nav(html: str) -> str:
    """The site navigation of a page: from Material's primary <nav> to its closing tag."""
    start = html.index('<nav class="md-nav md-nav--primary')
    depth, pos = 0, start
    for m in re.finditer(r"<nav\b|</nav>", html[start:]):
        depth += 1 if m.group() == "<nav" else -1
        if depth == 0:
            pos = start + m.end()
            break
    return html[start:pos]


@pytest.mark.slow
def test_cached_navigation_is_materials_own(tmp_path, monkeypatch):
    # Both builds render every page: the build cache would serve the second build the
    # first one's pages (its key does not know that this test swaps the templates).
    monkeypatch.setenv("KB_NO_CACHE", "1")
    project = copy_project(tmp_path / "p")
    caches: list[navcache.NavCache] = []
    keys: dict[str, tuple[str, ...] | None] = {}
    real_install, real_key = navcache.install, navcache.NavCache.key

    def install(env, config):
        caches.append(real_install(env, config))
        return caches[-1]

    def key(self, page):
        k = real_key(self, page)
        if page is not None:  # None: the 404 page
            keys[page.url] = k
        return k

    monkeypatch.setattr(navcache, "install", install)
    monkeypatch.setattr(navcache.NavCache, "key", key)
    cached = _build(project, tmp_path / "cached")
    (cache,) = caches
    assert cache.hits > cache.misses > 1
    # Entry pages of several directories and depths were served from the cache.
    hit_keys = {k for url, k in keys.items() if k is not None}
    assert () in hit_keys and ("cases",) in hit_keys and ("reports",) in hit_keys
    assert any(url.startswith("cases/") and k == ("cases",) for url, k in keys.items())
    assert keys.get("") is None  # the home page is in the navigation: rendered as usual

    # The same build with Material's own partials (no override, no cache, no collapse).
    def material_nav(env, config):
        ours = Path(navcache.OWN_THEME)
        dirs = [d for d in config.theme.dirs if Path(d).resolve() != ours]
        env.loader = _MaterialNav(env.loader, jinja2.FileSystemLoader(dirs))

    monkeypatch.setattr(navcache, "install", material_nav)
    plain = _build(project, tmp_path / "plain")
    assert plain.keys() == cached.keys()
    pages = [p for p in cached if p.endswith("index.html")]
    entry_pages = [p for p in pages if keys.get(p.removesuffix("index.html")) is not None]
    assert len({p.count("/") for p in entry_pages}) >= 2, entry_pages  # different depths
    for page in entry_pages:
        html, material = cached[page].decode(), plain[page].decode()
        assert _primary_nav(html) == collapse(_primary_nav(material)), page
        assert len(_primary_nav(html)) < 0.7 * len(_primary_nav(material))
        assert 'md-nav__link--active' not in _primary_nav(html)
    # Whole builds byte for byte (index pages skipped Markdown in both), HTML pages
    # but for whitespace runs that render alike.
    assert {k for k in cached if not k.endswith(".html") and cached[k] != plain[k]} == set()
    assert {k for k in cached if k.endswith(".html") and
            collapse(cached[k].decode()) != collapse(plain[k].decode())} == set()
    assert sum(map(len, cached.values())) < 0.9 * sum(map(len, plain.values()))


def test_raw_html_is_stashed_only_for_one_html_block():
    raw = RawHtml()
    page = "---\ntitle: 索引\n---\n\n<div class=\"kb-index\"><p>正文</p></div>\n"
    stashed = raw.stash("areas/x.md", page)
    assert stashed == f"---\ntitle: 索引\n---\n\n{PLACEHOLDER}\n"
    assert raw.restore("areas/x.md", f"<p>{PLACEHOLDER}</p>") == '<div class="kb-index"><p>正文</p></div>'
    assert raw.restore("areas/x.md", "<p>again</p>") == "<p>again</p>"  # popped once
    markdown_page = "---\ntitle: 说明\n---\n\n# 标题\n\n<div>x</div>\n"
    assert raw.stash("guide.md", markdown_page) == markdown_page
    assert raw.restore("guide.md", "<h1>标题</h1>") == "<h1>标题</h1>"
