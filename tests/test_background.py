"""The search index of a build without page children, made in a forked child while MkDocs
writes the pages (kb.engine.background, kb.engine.session): after an edit, the site is the
one a build without the cache gives; the child's cache records serve the next build; a child
that dies costs only time."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from mkdocs.commands.build import build
from mkdocs.config import load_config

from canary import tree_files
from conftest import copy_project
from kb.engine import background

pytestmark = pytest.mark.slow

CASE = "data/cases/minzu-tuanjie-shequ-2023.md"


def cold(project: Path, site: Path) -> None:
    env = {"NO_MKDOCS_2_WARNING": "1", "PATH": "/usr/bin:/bin", "KB_NO_CACHE": "1", "KB_JOBS": "1"}
    ran = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--site-dir", str(site)], cwd=project, env=env,
                         capture_output=True, text=True, timeout=600)
    assert ran.returncode == 0, ran.stderr[-2000:]


def warm(project: Path, site: Path) -> None:
    build(load_config(config_file=str(project / "mkdocs.yml"), site_dir=str(site)))


def same_site(a: Path, b: Path) -> None:
    fa, fb = tree_files(a), tree_files(b)
    assert sorted(fa) == sorted(fb)
    differ = [p for p in sorted(fa) if (a / p).read_bytes() != (b / p).read_bytes()]
    assert differ == [], f"sites differ in {differ[:10]}"


def edit(project: Path, text: str) -> None:
    case = project / CASE
    case.write_text(case.read_text(encoding="utf-8") + f"\n{text}\n", encoding="utf-8")


@pytest.fixture
def project(tmp_path: Path, monkeypatch, fork_allowed) -> Path:
    project = copy_project(tmp_path / "p")
    monkeypatch.chdir(project)
    monkeypatch.setenv("KB_JOBS", "2")
    monkeypatch.delenv("KB_NO_CACHE", raising=False)
    monkeypatch.setattr(background, "MIN_ENTRIES", 1)  # the sample's 26 entries
    warm(project, tmp_path / "first")  # fills the cache (pages in children)
    return project


def spy(monkeypatch, work_wrapper=None) -> list:
    """Records every background child started and whether it finished."""
    started: list = []
    real_start = background.start

    def start(work):
        job = real_start(work_wrapper(work) if work_wrapper else work)
        assert job is not None
        real_wait = job.wait
        job.wait = lambda: started.append(real_wait()) or started[-1]
        return job

    monkeypatch.setattr(background, "start", start)
    return started


def test_search_index_made_in_the_background_after_an_edit(project: Path, tmp_path: Path, monkeypatch) -> None:
    started = spy(monkeypatch)
    edit(project, "补充一段文字：后台生成搜索索引。")
    warm(project, tmp_path / "warm")
    assert started == [True]
    cold(project, tmp_path / "cold")
    same_site(tmp_path / "warm", tmp_path / "cold")
    # What the child stored serves the next build: the index comes from the cache, same bytes.
    from kb.site import search

    calls: list = []
    real = search.write_site_index
    monkeypatch.setattr(search, "write_site_index", lambda *a, **k: calls.append(1) or real(*a, **k))
    monkeypatch.setenv("KB_JOBS", "1")  # no child: this process writes the index, from the cache
    warm(project, tmp_path / "again")
    assert calls == [] and started == [True]
    same_site(tmp_path / "again", tmp_path / "cold")


def test_a_background_child_that_dies_costs_only_time(project: Path, tmp_path: Path, monkeypatch) -> None:
    def dying(work):
        def run():
            os._exit(5)
        return run

    started = spy(monkeypatch, dying)
    edit(project, "补充一段文字：后台进程意外结束。")
    warm(project, tmp_path / "warm")
    assert started == [False]  # the parent wrote the index itself
    cold(project, tmp_path / "cold")
    same_site(tmp_path / "warm", tmp_path / "cold")
