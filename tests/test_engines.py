"""MkDocs and ProperDocs build the same site: the sample project built with
``mkdocs build`` and with ``properdocs build`` gives the same files, byte for
byte, apart from the ``<meta name="generator">`` tag that names the engine.

ProperDocs reads the same mkdocs.yml, loads Material through the
``mkdocs.themes`` entry point and redirects ``mkdocs.*`` imports (our hook
module's) to its own modules, so the hooks run unchanged on both.
"""

from __future__ import annotations

import difflib
import gzip
import re
import subprocess
import sys
from pathlib import Path

import pytest

from canary import tree_files
from conftest import copy_project

ENGINES = ("mkdocs", "properdocs")

# name -> extra environment: the default build, a public build served under a
# subpath (absolute links in 404.html, site_url in the sitemap), the offline edition.
VARIANTS = {
    "default": {},
    "public-subpath": {"KB_AUDIENCE": "public", "KB_SITE_URL": "https://intranet.example/kb/"},
    "offline": {"KB_OFFLINE": "1"},
}

GENERATOR = re.compile(rb'<meta name="generator" content="[^"]*">')


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    return copy_project(tmp_path_factory.mktemp("engines") / "p")


def build_both(project: Path, out: Path, extra_env: dict[str, str]) -> dict[str, Path]:
    """Build ``project`` once per engine (concurrently) into ``out/<engine>``."""
    env = {"NO_MKDOCS_2_WARNING": "1", "PATH": "/usr/bin:/bin", **extra_env}
    procs = {}
    for engine in ENGINES:
        site = out / engine
        # -f: ProperDocs looks for properdocs.yml first and only falls back to mkdocs.yml
        procs[engine] = (site, subprocess.Popen(
            [sys.executable, "-m", engine, "build", "--strict", "-f", "mkdocs.yml", "--site-dir", str(site)],
            cwd=project, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True))
    sites = {}
    for engine, (site, proc) in procs.items():
        _, stderr = proc.communicate(timeout=600)
        assert proc.returncode == 0, f"{engine} build failed:\n{stderr}"
        assert "WARNING" not in stderr, f"{engine} build warned:\n{stderr}"
        sites[engine] = site
    return sites


def normalise(path: str, raw: bytes) -> bytes:
    """The file as compared: gzip'd files decompressed, the generator tag blanked."""
    if path.endswith(".gz"):
        raw = gzip.decompress(raw)
    return GENERATOR.sub(b'<meta name="generator" content="">', raw)


def differences(a: dict[str, bytes], b: dict[str, bytes], limit: int = 5) -> list[str]:
    """Readable report of how tree ``b`` differs from tree ``a`` (empty when the same)."""
    report = []
    if only := sorted(a.keys() - b.keys()):
        report.append(f"只在 {ENGINES[0]} 的输出中：{only[:20]}")
    if only := sorted(b.keys() - a.keys()):
        report.append(f"只在 {ENGINES[1]} 的输出中：{only[:20]}")
    changed = [p for p in sorted(a.keys() & b.keys()) if a[p] != b[p] and normalise(p, a[p]) != normalise(p, b[p])]
    if changed:
        report.append(f"{len(changed)} 个文件内容不同：{changed[:20]}")
    for path in changed[:limit]:
        left = normalise(path, a[path]).decode("utf-8", errors="replace").splitlines()
        right = normalise(path, b[path]).decode("utf-8", errors="replace").splitlines()
        diff = list(difflib.unified_diff(left, right, f"{ENGINES[0]}/{path}", f"{ENGINES[1]}/{path}", n=1, lineterm=""))
        report.append("\n".join(line[:300] for line in diff[:40]))
    return report


@pytest.mark.slow
@pytest.mark.parametrize("variant", list(VARIANTS))
def test_mkdocs_and_properdocs_build_the_same_site(project, tmp_path, variant):
    sites = build_both(project, tmp_path, VARIANTS[variant])
    a, b = (tree_files(sites[e]) for e in ENGINES)
    assert len(a) > 50, "the sample site looks empty"
    report = differences(a, b)
    assert not report, "\n\n".join(report)
    # The generator tag is the only thing allowed to differ, and it does name each engine.
    home = {e: GENERATOR.search(tree_files(sites[e])["index.html"]) for e in ENGINES}
    assert home["mkdocs"] and b"mkdocs-1." in home["mkdocs"].group()
    assert home["properdocs"] and b"ProperDocs" in home["properdocs"].group()


def test_differences_are_reported():
    """The comparison itself: a changed byte is caught, the generator tag is not."""
    page = b'<head><meta name="generator" content="mkdocs-1.6.1"></head><p>x</p>'
    a = {"index.html": page, "sitemap.xml.gz": gzip.compress(b"<urlset/>", mtime=0)}
    b = {"index.html": page.replace(b"1.6.1", b"ProperDocs 1.6.7"),
         "sitemap.xml.gz": gzip.compress(b"<urlset/>", mtime=1)}
    assert differences(a, b) == []
    b["index.html"] = b["index.html"].replace(b"<p>x", b"<p>y")
    b["extra.html"] = b""
    report = "\n".join(differences(a, b))
    assert "extra.html" in report and "-<head>" in report and "<p>y</p>" in report
