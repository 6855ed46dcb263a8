"""Pages built in forked processes before MkDocs reads them (kb.engine.prerender).

A cold build with the cache deals the pages out to two children, which
store them; MkDocs then takes every one from the cache. The site must be
the serial build's, byte for byte; a page that warns must warn once (and
fail ``--strict``); a child that dies must cost only time.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from canary import tree_files
from conftest import copy_project

pytestmark = pytest.mark.slow

PRERENDERED = re.compile(r"构建缓存：(\d+) 个页面在 (\d+) 个并行进程中生成，存入 (\d+) 个")
REUSED = re.compile(r"构建缓存：沿用 (\d+) 个页面，新生成 (\d+) 个")
CASE = "data/cases/minzu-tuanjie-shequ-2023.md"


# `mkdocs` with the threshold of kb.engine.prerender lowered, so that the sample's pages go to children.
LOW_THRESHOLD = ("import sys; import kb.engine.prerender as p; p.MIN_PAGES = 16; "
                 "from mkdocs.__main__ import cli; sys.argv[0] = 'mkdocs'; cli()")


def mkdocs(project: Path, site: Path, *args: str, **env: str) -> subprocess.CompletedProcess:
    full_env = {"NO_MKDOCS_2_WARNING": "1", "PATH": "/usr/bin:/bin", **env}
    return subprocess.run([sys.executable, "-c", LOW_THRESHOLD, "build", "--site-dir", str(site), *args],
                          cwd=project, env=full_env, capture_output=True, text=True, timeout=600)


def same_site(a: Path, b: Path) -> None:
    fa, fb = tree_files(a), tree_files(b)
    assert sorted(fa) == sorted(fb)
    differ = [p for p in sorted(fa) if (a / p).read_bytes() != (b / p).read_bytes()]
    assert differ == [], f"forked and serial builds differ in {differ[:10]}"


@pytest.fixture(scope="module")
def serial(tmp_path_factory) -> tuple[Path, Path]:
    """The sample project and its site built in one process without the cache."""
    project = copy_project(tmp_path_factory.mktemp("prerender") / "p")
    site = project.parent / "serial"
    ran = mkdocs(project, site, KB_JOBS="1", KB_NO_CACHE="1")
    assert ran.returncode == 0, ran.stderr[-2000:]
    assert PRERENDERED.search(ran.stderr) is None
    return project, site


def test_forked_pages_are_the_serial_bytes_and_are_built_once(serial) -> None:
    project, site = serial
    ran = mkdocs(project, project.parent / "forked", "--strict", KB_JOBS="2")
    assert ran.returncode == 0, ran.stderr[-2000:]
    m = PRERENDERED.search(ran.stderr)
    assert m is not None, ran.stderr[-2000:]
    todo, children, stored = map(int, m.groups())
    assert children == 2 and todo > 64 and stored == todo  # every page built in a child
    # Meanwhile this process wrote the search index (logged before the children were done).
    assert ran.stderr.index("搜索索引：") < m.start()
    reused, rendered = map(int, REUSED.search(ran.stderr).groups())
    assert (reused, rendered) == (0, todo)  # reported as made by this build, not reused
    same_site(project.parent / "forked", site)
    # The next build finds every page stored: nothing is forked.
    again = mkdocs(project, project.parent / "again", KB_JOBS="2")
    assert again.returncode == 0 and PRERENDERED.search(again.stderr) is None
    assert REUSED.search(again.stderr).groups() == (str(todo), "0")
    same_site(project.parent / "again", site)


def test_a_page_that_warns_warns_once_and_fails_strict(tmp_path: Path) -> None:
    """(mkdocs.yml sets ``strict: true``.) The warned page is not stored: each build converts it
    again, shows its warning once and fails; the other pages were built in the children."""
    project = copy_project(tmp_path / "p")
    case = project / CASE
    case.write_text(case.read_text(encoding="utf-8") + "\n另见[材料](../nowhere/missing.md)。\n", encoding="utf-8")
    for name in ("first", "again"):
        ran = mkdocs(project, tmp_path / name, KB_JOBS="2")
        assert ran.returncode != 0 and "strict" in ran.stdout + ran.stderr, ran.stderr[-2000:]
        warnings = [ln for ln in ran.stderr.splitlines() if ln.startswith("WARNING") and "missing.md" in ln]
        assert len(warnings) == 1, ran.stderr[-3000:]
        m = PRERENDERED.search(ran.stderr)
        if name == "first":
            assert m is not None and int(m.group(1)) == int(m.group(3)) + 1, ran.stderr[-2000:]
        else:  # only the page that warned is missing: too few to fork for
            assert m is None


def test_a_child_that_dies_costs_only_time(serial, tmp_path: Path, monkeypatch, fork_allowed) -> None:
    """One of the two children ends at once: the parent builds its pages, the site is the same."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    from kb.engine import prerender

    project, site = serial
    real_child, real_missing = prerender._child, prerender.missing
    first: list[str] = []

    def missing(cache, files):
        todo = real_missing(cache, files)
        first[:] = [todo[0].src_uri, len(todo)]
        return todo

    def child(cache, nav, config, files, share):
        if share[0].src_uri == first[0]:
            os._exit(3)
        real_child(cache, nav, config, files, share)

    monkeypatch.setattr(prerender, "MIN_PAGES", 16)
    monkeypatch.setattr(prerender, "missing", missing)
    monkeypatch.setattr(prerender, "_child", child)
    monkeypatch.setenv("KB_JOBS", "2")
    monkeypatch.delenv("KB_NO_CACHE", raising=False)
    work = tmp_path / "p"
    copy_project(work)
    stored: list[int] = []
    real_prerender = prerender.prerender
    monkeypatch.setattr(prerender, "prerender", lambda *a, **k: stored.append(real_prerender(*a, **k)) or stored[-1])
    monkeypatch.chdir(work)
    build(load_config(config_file=str(work / "mkdocs.yml"), site_dir=str(tmp_path / "site")))
    assert first and stored and stored[0] == first[1] // 2  # the other child's pages only (todo[1::2])
    same_site(tmp_path / "site", site)
