"""The site navigation (kb.engine.navcache): Material's own on the pages in it, compact (the
top-level items as links, rendered by Material's template) on the pages not in it, rendered
once per directory; index pages handed to MkDocs as HTML (kb.site.rawhtml); every page without
the whitespace no reader sees (kb.site.compact)."""

from __future__ import annotations

import json
import posixpath
import re
from pathlib import Path

import jinja2
import material
import pytest
from mkdocs.commands.build import build
from mkdocs.config import load_config

from kb.engine import navcache
from kb.site.compact import collapse
from kb.site.rawhtml import PLACEHOLDER, RawHtml

from conftest import copy_project

TOP_LEVEL = ["首页", "工作领域", "文件类型", "年度", "待收录文件", "最近更新", "待复核", "使用指南"]


def _build(project: Path, site: Path) -> dict[str, bytes]:
    build(load_config(config_file=str(project / "mkdocs.yml"), site_dir=str(site)))
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in sorted(site.rglob("*")) if p.is_file()}


OVERRIDDEN = {"partials/nav.html", "main.html", "partials/source.html"}
# Material's inline repository icon; ours is drawn by kb.css (tests/test_nav_browser.py: same pixels).
REPO_ICON = (Path(material.__file__).parent / "templates/.icons/fontawesome/brands/git-alt.svg").read_text().strip()


class _MaterialNav(jinja2.BaseLoader):
    """The theme's loader, except that the templates we override are Material's own files."""

    def __init__(self, inner: jinja2.BaseLoader, material: jinja2.BaseLoader) -> None:
        self.inner, self.material = inner, material

    def get_source(self, environment, template):
        source = self.material if template in OVERRIDDEN else self.inner
        return source.get_source(environment, template)


def _element(html: str, start: str, tag: str) -> str:
    """From ``start`` (the first occurrence) to its matching closing ``tag``."""
    begin = html.index(start)
    depth = 0
    for m in re.finditer(rf"<{tag}\b|</{tag}>", html[begin:]):
        depth += 1 if m.group() != f"</{tag}>" else -1
        if depth == 0:
            return html[begin:begin + m.end()]
    raise AssertionError(f"{start} not closed")


def _primary_nav(html: str) -> str:
    """The site navigation of a page: from Material's primary <nav> to its closing tag."""
    return _element(html, '<nav class="md-nav md-nav--primary', "nav")


def _links(fragment: str, cls: str) -> list[tuple[str, str]]:
    """(href, text) of the links of class ``cls`` in ``fragment``."""
    return [(m.group(1), re.sub(r"<[^>]+>|\s+", "", m.group(2)))
            for m in re.finditer(rf'<a href="([^"]*)" class="{cls}[ "][^>]*>(.*?)</a>', fragment, re.S)]


_CONFIG = re.compile(r'<script id="__config" type="application/json">(.*?)</script>', re.S)


def _without_config(html: str) -> tuple[str, dict]:
    """A page without its #__config script, and that script's data."""
    m = _CONFIG.search(html)
    return html[:m.start()] + html[m.end():], json.loads(m.group(1))


def _target(site: Path, page: str, href: str) -> Path:
    """The file a relative link of the page ``page`` (``x/y/index.html``) opens."""
    path = posixpath.normpath(posixpath.join(posixpath.dirname(page), href))
    return site / path / "index.html" if not path.endswith(".html") else site / path


@pytest.mark.slow
def test_navigation_is_materials_on_its_pages_and_compact_elsewhere(tmp_path, monkeypatch):
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
        keys[page.url] = k
        return k

    monkeypatch.setattr(navcache, "install", install)
    monkeypatch.setattr(navcache.NavCache, "key", key)
    ours = _build(project, tmp_path / "ours")
    (cache,) = caches
    assert cache.hits > cache.misses > 1
    # Entry pages of several directories and depths were served from the cache.
    hit_keys = {k for url, k in keys.items() if k is not None}
    assert () in hit_keys and ("cases",) in hit_keys and ("reports",) in hit_keys
    assert any(url.startswith("cases/") and k == ("cases",) for url, k in keys.items())
    assert "" not in keys  # the home page is in the navigation: never asked for a key

    # The same build with Material's own templates (no override, no cache).
    def material_nav(env, config):
        mine = Path(navcache.OWN_THEME)
        dirs = [d for d in config.theme.dirs if Path(d).resolve() != mine]
        env.loader = _MaterialNav(env.loader, jinja2.FileSystemLoader(dirs))

    monkeypatch.setattr(navcache, "install", material_nav)
    plain = _build(project, tmp_path / "plain")
    assert plain.keys() == ours.keys()
    assert {k for k in ours if not k.endswith(".html") and ours[k] != plain[k]} == set()

    in_nav = {p for p in ours if p.endswith("index.html") and p.removesuffix("index.html") not in keys}
    assert {"index.html", "areas/index.html", "areas/religion/index.html", "years/2023/index.html",
            "guide/index.html", "guide/fields/index.html"} <= in_nav
    not_in_nav = {p for p in ours if p.endswith("index.html")} - in_nav
    assert "cases/minqi-zhuanchang-zhaopinhui-2022/index.html" in not_in_nav
    assert {p.count("/") for p in not_in_nav} >= {2, 3}  # pages at different depths
    for page in sorted(p for p in ours if p.endswith(".html")):
        if _CONFIG.search(ours[page].decode()) is None:  # not a theme page (a compilation)
            assert ours[page] == plain[page], page
            continue
        html, config = _without_config(ours[page].decode())
        material, material_config = _without_config(plain[page].decode())
        assert REPO_ICON in material and REPO_ICON not in html and '<span class="kb-icon-repo"></span>' in html, page
        material = material.replace(REPO_ICON, '<span class="kb-icon-repo"></span>')
        # The page configuration: the same but for the search texts (no Material search).
        assert config == {**material_config, "translations": {
            k: v for k, v in material_config["translations"].items() if not k.startswith("search.")}}, page
        assert '"clipboard.copy":"复制"' in ours[page].decode()  # UTF-8, not \\u escapes
        if page == "404.html":  # a theme template: whitespace as the templates wrote it
            html, material = collapse(html), collapse(material)
        if page not in not_in_nav:  # a page in the navigation (or the 404 page): Material's
            assert html == material, page
            continue
        nav, full = _primary_nav(html), _primary_nav(material)
        assert html.replace(nav, "") == material.replace(full, ""), page  # the rest unchanged
        # Compact: the top-level items, each a link, the same as the tabs of the page.
        assert _links(nav, "md-nav__link") == _links(html, "md-tabs__link"), page
        assert [text for _, text in _links(nav, "md-nav__link")] == TOP_LEVEL
        assert nav.count("<nav") == 1 and "md-nav__toggle" not in nav and "md-nav__item--active" not in nav
        assert "md-nav__source" not in nav and "md-logo" in nav  # the header keeps the repository link
        assert 'class="md-header__source"' in html
        for href, _ in _links(nav, "md-nav__link"):
            assert _target(tmp_path / "ours", page, href).is_file(), (page, href)
        assert len(nav) < 0.3 * len(full)
    # The compact navigation of one entry page, as Material writes a page link.
    entry = ours["cases/minqi-zhuanchang-zhaopinhui-2022/index.html"].decode()
    assert ('<li class="md-nav__item">\n<a href="../../areas/" class="md-nav__link">\n'
            '<span class="md-ellipsis">\n工作领域\n</span>\n</a>\n</li>') in _primary_nav(entry)
    # One colour scheme: no switcher, the same colours.
    assert 'data-md-component="palette"' not in entry and "__palette" not in entry
    assert '<body dir="ltr" data-md-color-scheme="default" data-md-color-primary="red"' in entry
    size, material_size = (sum(len(site[p]) for p in not_in_nav) for site in (ours, plain))
    print(f"pages not in the navigation: {size} bytes, with Material's navigation {material_size}")
    assert size < 0.8 * material_size


def test_every_page_is_written_without_invisible_whitespace(sample_site):
    pages = [p for p in sample_site.rglob("*.html") if p.name != "404.html"]  # 404: a theme template
    checked = 0
    for path in pages:
        html = path.read_text(encoding="utf-8")
        if 'id="__config"' not in html:  # a compilation, not a page of the theme
            continue
        checked += 1
        assert collapse(html) == html, path
        assert "\n  " not in re.sub(r"<(pre|code|script|textarea)\b.*?</\1>", "", html, flags=re.S), path
    assert checked > 50


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
