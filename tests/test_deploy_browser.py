"""Deployment in real Chromium: the published site behind a real nginx under
/kb/ (the shipped deploy/nginx.conf), with every request intercepted (none may
leave the site), and the offline edition opened from the file system."""

from __future__ import annotations

import base64
import hashlib
import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import pytest

import payloads
from conftest import ROOT, copy_project, leave

NGINX = "/usr/sbin/nginx"
KB = str(Path(sys.executable).parent / "kb")
QUERY = "宗教事务条例"
PAGES = {
    "home": "",
    "area": "areas/religion/",
    "entry": "regulations/zongjiao-shiwu-tiaoli-2017/",
    "report": "reports/moushi-tongzhanbu-2022-niandu/",
    "search": "search/?q=" + quote("统战"),
    "type-listing": "regulations/",
    "year-listing": "years/2023/",
    "pending": "pending/",
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def publish(project: Path, dest: Path, *args: str, env_extra: dict | None = None) -> None:
    env = {"NO_MKDOCS_2_WARNING": "1", "PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin", **(env_extra or {})}
    r = subprocess.run([KB, "publish", str(dest), *args], cwd=project, capture_output=True, text=True, env=env)
    assert r.returncode == 0, r.stderr


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    project = copy_project(tmp_path_factory.mktemp("deploy") / "p")
    payloads.install(project)  # a public case and report holding script payloads
    return project


@pytest.fixture(scope="module")
def nginx_site(project, tmp_path_factory):
    """``kb publish`` into DEST, served by nginx at http://127.0.0.1:PORT/kb/ with deploy/nginx.conf."""
    if not Path(NGINX).exists():
        pytest.fail(f"{NGINX} not installed: run `make nginx` (make test does it)")
    tmp = tmp_path_factory.mktemp("nginx")
    dest = tmp / "www" / "site"
    dest.parent.mkdir()
    publish(project, dest, env_extra={"KB_SITE_URL": "http://127.0.0.1/kb/"})
    port = free_port()
    server = (ROOT / "deploy" / "nginx.conf").read_text(encoding="utf-8")
    assert "listen 80;" in server and "/srv/kb/site/" in server
    server = server.replace("listen 80;", f"listen 127.0.0.1:{port};").replace("/srv/kb/site/", f"{dest}/")
    for d in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (tmp / d).mkdir()
    conf = tmp / "nginx.conf"
    conf.write_text(f"""
{'user root;' if os.geteuid() == 0 else ''}
worker_processes 1;
daemon off;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log;
events {{ worker_connections 64; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log {tmp}/access.log;
    client_body_temp_path {tmp}/body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
{server}
}}
""", encoding="utf-8")
    proc = subprocess.Popen([NGINX, "-p", str(tmp), "-c", str(conf), "-e", str(tmp / "error.log")],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        for _ in range(200):  # wait until it accepts connections (not a speed assertion)
            if proc.poll() is not None:
                pytest.fail(f"nginx exited: {proc.stderr.read().decode()} {(tmp / 'error.log').read_text()}")
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.05)
        yield f"http://127.0.0.1:{port}/kb/", dest
    finally:
        proc.terminate()
        proc.wait(timeout=10)


class Guard:
    """Intercepts every request of a browser context; anything not under ``allowed`` is recorded and aborted."""

    def __init__(self, ctx, allowed: str):
        self.allowed, self.outside, self.inside = allowed, [], []
        ctx.route("**/*", self._route)

    def _route(self, route):
        url = route.request.url
        if url.startswith(self.allowed) or url.startswith("data:"):
            self.inside.append(url)
            route.continue_()
        else:
            self.outside.append(url)
            route.abort()


@pytest.fixture(scope="module")
def guarded_pages(browser):
    """allowed -> (page, guard, errors): one browser context per ``allowed`` prefix for the module
    (see conftest.leave). Routing is on, so the browser's HTTP cache is off: every request of every
    test reaches the guard."""
    pages: dict[str, tuple] = {}
    yield pages
    for page, _, _ in pages.values():
        page.context.close()


@pytest.fixture
def guarded(browser, guarded_pages):
    used: list[str] = []

    def make(allowed: str):
        assert allowed not in used, "one guarded page per prefix and test"
        if allowed not in guarded_pages:
            ctx = browser.new_context()
            guard = Guard(ctx, allowed)
            page = ctx.new_page()
            errors: list[str] = []
            page.on("pageerror", lambda e: errors.append(str(e)))
            guarded_pages[allowed] = (page, guard, errors)
        page, guard, errors = guarded_pages[allowed]
        guard.outside.clear()
        guard.inside.clear()
        errors.clear()
        used.append(allowed)
        return page, guard

    yield make
    for allowed in used:
        page, _, errors = guarded_pages[allowed]
        leave(page)
        assert not errors, errors


def wait_results(page) -> int:
    page.wait_for_selector("#kb-search-results[data-state=done]", state="attached", timeout=15_000)
    return page.locator("#kb-search-results li.kb-result").count()


@pytest.mark.parametrize("kind", sorted(PAGES))
@pytest.mark.slow
@pytest.mark.browser
def test_no_request_leaves_the_site(nginx_site, guarded, kind):
    base, _ = nginx_site
    page, guard = guarded(base[: base.index("/kb/")] + "/kb/")
    resp = page.goto(base + PAGES[kind])
    assert resp.status == 200
    if kind == "search":
        assert wait_results(page) > 0
    page.wait_for_load_state("networkidle")
    assert guard.outside == []
    assert any("/kb/assets/" in u for u in guard.inside)  # the page really loaded its assets through the guard
    assert page.locator("h1").count() >= 1


@pytest.mark.slow
@pytest.mark.browser
def test_nginx_subpath_pages_assets_search_and_404(nginx_site, guarded):
    base, dest = nginx_site
    page, guard = guarded(base)
    statuses: dict[str, int] = {}
    page.on("response", lambda r: statuses.__setitem__(r.url, r.status))
    page.goto(base)
    # The header search box goes to the results page under /kb/.
    page.fill(".kb-header-search__input", QUERY)
    page.press(".kb-header-search__input", "Enter")
    page.wait_for_url("**/kb/search/?q=*")
    assert wait_results(page) > 0
    page.locator("#kb-search-results a.kb-result__title").first.click()
    page.wait_for_load_state()
    assert page.url.startswith(base) and page.locator("h1").first.inner_text()
    css = [u for u in statuses if u.endswith(".css")]
    assert css and all(statuses[u] == 200 for u in css)
    resp = page.goto(base + "no-such-page/")
    assert resp.status == 404
    assert "404" in page.content()
    page.wait_for_load_state("networkidle")
    assert any("/kb/assets/stylesheets/" in u and statuses.get(u) == 200 for u in guard.inside)  # styled 404
    assert guard.outside == []
    resp = page.request.get(base + "entries.json")
    assert resp.status == 200 and resp.headers["x-content-type-options"] == "nosniff"
    assert "default-src 'self'" in resp.headers["content-security-policy"]


# -- content security policy ----------------------------------------------------------


def csp_script_hashes() -> set[str]:
    conf = (ROOT / "deploy" / "nginx.conf").read_text(encoding="utf-8")
    policy = re.search(r'Content-Security-Policy "([^"]*)"', conf).group(1)
    script_src = next(d for d in policy.split(";") if d.strip().startswith("script-src")).split()
    assert "'unsafe-inline'" not in script_src and "'unsafe-eval'" not in script_src
    return {s.strip("'") for s in script_src if s.startswith("'sha256-")}


@pytest.mark.slow
def test_every_inline_script_of_the_site_is_allowed_by_hash(nginx_site):
    """deploy/nginx.conf allows inline scripts by hash only: each one the theme writes must be listed."""
    _, dest = nginx_site
    allowed = csp_script_hashes()
    missing = {}
    for path in sorted(dest.rglob("*.html")):
        for m in re.finditer(r"<script(?P<attrs>[^>]*)>(?P<body>.*?)</script>", path.read_text(encoding="utf-8"), re.S):
            if "src=" in m["attrs"] or "application/json" in m["attrs"]:
                continue
            digest = "sha256-" + base64.b64encode(hashlib.sha256(m["body"].encode("utf-8")).digest()).decode()
            if digest not in allowed:
                missing.setdefault(digest, f"{path.relative_to(dest)}: {m['body'][:60]}")
    assert missing == {}, "inline scripts whose hash deploy/nginx.conf does not list"


@pytest.mark.slow
@pytest.mark.browser
@pytest.mark.parametrize("uri", ["", PAGES["entry"], PAGES["search"], payloads.CASE_URI, payloads.REPORT_URI])
def test_site_works_under_the_csp_and_payloads_stay_inert(nginx_site, guarded, uri):
    base, _ = nginx_site
    page, guard = guarded(base)
    violations: list[str] = []
    page.on("console", lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None)
    resp = page.goto(base + uri)
    assert resp.status == 200 and "'unsafe-inline'" not in resp.headers["content-security-policy"].split("style-src")[0]
    if uri == PAGES["search"]:
        assert wait_results(page) > 0  # the site's own scripts run
    assert page.evaluate("typeof __md_scope") == "object"  # the theme's inline snippet ran (allowed by hash)
    page.wait_for_load_state("networkidle")
    payloads.assert_inert(page)
    if uri not in (payloads.CASE_URI, payloads.REPORT_URI):
        assert violations == []


@pytest.mark.slow
@pytest.mark.browser
def test_csp_blocks_an_inline_script_that_reached_a_page(nginx_site, guarded):
    """Second line of defence: a page holding a script (not sanitised) under the shipped CSP."""
    base, dest = nginx_site
    probe = dest / "csp-probe.html"
    probe.write_text('<!doctype html><html><body><h1>探针</h1><script>window.__kbPwned = 1</script>'
                     '<img src="x" onerror="window.__kbPwned = 2"><p id="kb-hover" onmouseover="window.__kbPwned = 3">'
                     'x</p></body></html>', encoding="utf-8")
    try:
        page, _ = guarded(base)
        page.goto(base + "csp-probe.html")
        payloads.assert_inert(page)
    finally:
        probe.unlink()


# -- offline edition from the file system ---------------------------------------------


@pytest.fixture(scope="module")
def offline_site(project, tmp_path_factory) -> Path:
    dest = tmp_path_factory.mktemp("offline") / "site"
    publish(project, dest, "--offline")
    return dest


@pytest.mark.slow
@pytest.mark.browser
def test_offline_edition_works_from_file_urls(offline_site, guarded):
    root = offline_site.resolve().as_uri() + "/"
    page, guard = guarded("file://")
    page.goto(root + "index.html")
    # Links: home -> area (via the navigation) -> an entry.
    page.locator("a[href$='areas/religion/index.html']:visible").first.click()
    page.wait_for_url("**/areas/religion/index.html")
    page.locator(".md-content a[href*='regulations/'][href$='.html']:visible").first.click()
    page.wait_for_url("**/regulations/*.html")
    assert page.locator("h1").first.inner_text()
    # Search from the header of an entry page.
    page.fill(".kb-header-search__input", QUERY)
    page.press(".kb-header-search__input", "Enter")
    page.wait_for_url("**/search/index.html?q=*")
    assert wait_results(page) > 0
    first = page.locator("#kb-search-results a.kb-result__title").first
    assert first.get_attribute("href").startswith("file://") and ".html" in first.get_attribute("href")
    first.click()
    page.wait_for_url("**/*.html*")
    assert page.locator("h1").first.inner_text()
    assert guard.outside == []
    assert any(u.endswith(".bin.js") for u in guard.inside)  # the index came through script files


@pytest.mark.slow
@pytest.mark.browser
def test_offline_instant_search_dropdown(offline_site, guarded):
    """The header dropdown from the file system: the index through script files, .html links."""
    root = offline_site.resolve().as_uri() + "/"
    page, guard = guarded("file://")
    page.goto(root + "areas/religion/index.html")
    page.keyboard.press("/")
    page.keyboard.type(QUERY)
    page.wait_for_selector("#kb-instant[data-state=done] .kb-instant__item", timeout=15_000)
    page.keyboard.press("ArrowDown")
    href = page.locator("#kb-instant .kb-instant__item--active").get_attribute("href")
    assert href.startswith(root) and ".html" in href
    page.keyboard.press("Enter")
    page.wait_for_url(href)
    assert page.locator("h1").first.inner_text()
    assert guard.outside == []


@pytest.mark.slow
def test_offline_links_all_name_html_files(offline_site):
    from kb.publish import verify

    report = verify.Report()
    verify.check_links(offline_site, report)
    assert report.errors == [] and report.pages > 30
    home = (offline_site / "index.html").read_text(encoding="utf-8")
    assert 'href="areas/index.html"' in home
