"""Federated search (extra.kb.federation, docs/assets/kb-federation.js) in headless Chromium.

Three loopback ports: a portal built from different data (the sample's cases and reports only,
plus one case of its own) whose mkdocs.yml lists two other sites; the full sample site behind a
real nginx with the shipped deploy/nginx.conf (so its CORS settings are what lets the portal read
the index); and a port where nothing answers (a site that is down)."""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import socket
import subprocess
import threading
import time
import urllib.request
from pathlib import Path
from urllib.parse import quote

import pytest

from conftest import ROOT, copy_project, mkdocs_build

pytestmark = [pytest.mark.browser, pytest.mark.slow]

NGINX = "/usr/sbin/nginx"
PORTAL_ORIGIN = "https://portal.intranet.example"  # the example portal in deploy/nginx.conf
OWN_CASE = """---
id: menhu-lianhe-jiansuo-2024
type: case
title: 门户联合检索试点
areas: [research-publicity]
unit: 某市委统战部
year: 2024
---

## 做法

建设门户联合检索，统战工作资料一处可查。
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port: int, proc: subprocess.Popen, log: Path) -> None:
    for _ in range(200):  # until it accepts connections (not a speed assertion)
        if proc.poll() is not None:
            pytest.fail(f"nginx exited: {log.read_text() if log.exists() else ''}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)


@pytest.fixture(scope="module")
def sites(sample_site, tmp_path_factory):
    if not Path(NGINX).exists():
        pytest.fail(f"{NGINX} not installed: run `make nginx` (make test does it)")
    tmp = tmp_path_factory.mktemp("federation")
    portal_port, sample_port, down_port = free_port(), free_port(), free_port()
    portal_origin = f"http://127.0.0.1:{portal_port}"
    # The sample site behind nginx, configured as deploy/nginx.conf says, for this portal.
    server = (ROOT / "deploy" / "nginx.conf").read_text(encoding="utf-8")
    assert f'"1 {PORTAL_ORIGIN}" $http_origin;' in server
    server = (server.replace("listen 80;", f"listen 127.0.0.1:{sample_port};")
              .replace("/srv/kb/site/", f"{sample_site}/").replace(PORTAL_ORIGIN, portal_origin))
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
    access_log off;
    client_body_temp_path {tmp}/body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
{server}
}}
""", encoding="utf-8")
    proc = subprocess.Popen([NGINX, "-p", str(tmp), "-c", str(conf), "-e", str(tmp / "error.log")],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    # The portal: different data, and the two other sites in its settings.
    project = copy_project(tmp / "portal")
    for d in ("regulations", "policies"):
        shutil.rmtree(project / "data" / d)
    (project / "data" / "cases" / "menhu-lianhe-jiansuo-2024.md").write_text(OWN_CASE, encoding="utf-8")
    yml = (project / "mkdocs.yml").read_text(encoding="utf-8")
    yml = yml.replace("  kb:\n", f"""  kb:
    federation:
      - name: 示例统战部知识库
        url: http://127.0.0.1:{sample_port}/kb/
      - name: 某县统战部知识库
        url: http://127.0.0.1:{down_port}/kb/
""", 1)
    (project / "mkdocs.yml").write_text(yml, encoding="utf-8")
    www = tmp / "www"
    result = mkdocs_build(project, www / "kb")
    assert result.returncode == 0, result.stderr

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    srv = http.server.ThreadingHTTPServer(("127.0.0.1", portal_port), functools.partial(Quiet, directory=str(www)))
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    try:
        wait_port(sample_port, proc, tmp / "error.log")
        yield {"portal": f"{portal_origin}/kb/", "sample": f"http://127.0.0.1:{sample_port}/kb/",
               "down": f"http://127.0.0.1:{down_port}/kb/", "origin": portal_origin}
    finally:
        srv.shutdown()
        srv.server_close()
        proc.terminate()
        proc.wait(timeout=10)


@pytest.fixture
def page(browser):
    ctx = browser.new_context()
    pg = ctx.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    pg.requests = []  # type: ignore[attr-defined]
    pg.on("request", lambda r: pg.requests.append(r.url))  # type: ignore[attr-defined]
    yield pg
    ctx.close()
    assert not errors, errors


FEDERATED_JS = """() => ({
  sites: Array.from(document.querySelectorAll('#kb-federated .kb-federated__site')).map(li => ({
    site: li.dataset.site, state: li.dataset.state, text: li.textContent})),
  results: Array.from(document.querySelectorAll('#kb-federated li.kb-result')).map(li => ({
    site: li.dataset.site, entry: li.dataset.entry, href: li.querySelector('a').href,
    name: li.querySelector('.kb-result__site').textContent})),
  local: Array.from(document.querySelectorAll('#kb-search-results li.kb-result')).map(li => li.dataset.entry),
})"""


def federated(pg, url: str) -> dict:
    pg.goto(url)
    pg.wait_for_selector("#kb-federated[data-state=done]", state="attached", timeout=15_000)
    return pg.evaluate(FEDERATED_JS)


def test_results_of_other_sites_are_merged_named_and_a_down_site_is_explained(page, sites):
    got = federated(page, sites["portal"] + "search/?q=" + quote("宗教事务条例"))
    # This site's own results: only its data (no regulations here).
    assert "zongjiao-shiwu-tiaoli-2017" not in got["local"]
    # The sample site's results, named, linking to that site.
    sample = [r for r in got["results"] if r["site"] == sites["sample"]]
    assert sample and {r["name"] for r in sample} == {"示例统战部知识库"}
    assert "zongjiao-shiwu-tiaoli-2017" in {r["entry"] for r in sample}
    assert all(r["href"].startswith(sites["sample"]) for r in sample)
    # The site that is down: a clear note, no results, and the others still shown.
    by_site = {s["site"]: s for s in got["sites"]}
    assert by_site[sites["sample"]]["state"] == "done" and "条结果" in by_site[sites["sample"]]["text"]
    down = by_site[sites["down"]]
    assert down["state"] == "down"
    assert "某县统战部知识库暂时无法访问" in down["text"] and "本次结果不含该站" in down["text"]
    assert not [r for r in got["results"] if r["site"] == sites["down"]]
    # Filters apply to the other sites too.
    got = federated(page, sites["portal"] + "search/?q=" + quote("统战") + "&type=report")
    assert got["results"] and all(r["entry"] in {
        "mouqu-tongzhanbu-2019-shangbannian", "moushi-tongzhanbu-2022-niandu", "mouzhen-tongzhan-2024-shangbannian",
        "moxian-tongzhanbu-2020-niandu"} for r in got["results"])


def test_other_sites_are_queried_only_for_a_query(page, sites):
    page.goto(sites["portal"] + "search/")
    page.wait_for_selector("#kb-search-results[data-state=done]", state="attached", timeout=10_000)
    page.wait_for_load_state("networkidle")
    assert page.locator("#kb-federated").is_hidden()
    assert not [u for u in page.requests if u.startswith((sites["sample"], sites["down"]))]
    got = federated(page, sites["portal"] + "search/?q=" + quote("門戶聯合檢索"))  # Traditional query
    assert got["local"] == ["menhu-lianhe-jiansuo-2024"]  # this site's own entry
    assert got["results"] == []  # found nowhere else
    assert "没有匹配的结果" in {s["site"]: s for s in got["sites"]}[sites["sample"]]["text"]


def test_nginx_allows_only_the_listed_portal_to_read_only_the_index(sites):
    def cors(path: str, origin: str) -> str | None:
        req = urllib.request.Request(sites["sample"] + path, headers={"Origin": origin})
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.headers.get("Access-Control-Allow-Origin")

    assert cors("search/idx/manifest.json", sites["origin"]) == sites["origin"]
    assert cors("search/idx/manifest.json", "http://elsewhere.example") is None
    assert cors("index.html", sites["origin"]) is None
