"""Shared fixtures: a scratch knowledge base built from the real taxonomy."""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import subprocess
import sys
import textwrap
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


class Tree:
    """A throw-away project: data/areas.yml from the repo plus entries we write."""

    def __init__(self, root: Path):
        self.root = root
        (root / "data").mkdir(parents=True)
        shutil.copy(ROOT / "data" / "areas.yml", root / "data" / "areas.yml")

    def write(self, rel: str, text: str) -> Path:
        path = self.root / "data" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
        return path

    def write_bytes(self, rel: str, raw: bytes) -> Path:
        path = self.root / "data" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(raw)
        return path


@pytest.fixture
def tree(tmp_path: Path) -> Tree:
    return Tree(tmp_path / "kb")


CASE = """
---
id: {id}
type: case
title: {title}
areas: [{areas}]
unit: 某区委统战部
year: 2023
---
## 背景

正文。
"""


def case(id: str = "demo-case", title: str = "示例案例", areas: str = "religion") -> str:
    return CASE.format(id=id, title=title, areas=areas)


# A case written the way editors cite documents: an article of the current
# 宗教事务条例 and a document the knowledge base does not hold.
CITING_CASE = """
---
id: zz-citing-case
type: case
title: 测试用案例：依法办理教职人员备案
unit: 某区委统战部
year: 2024
areas: [religion]
---
## 做法

依照《宗教事务条例》第三十六条，指导宗教团体补办认定备案手续，并参照《某省宗教教职人员备案实施细则》制定工作流程。
"""


# The sample data's cases and reports (no regulation or policy): a build of about two thirds of
# the CPU time of the whole sample, for tests where the amount of data is not what is checked.
SMALL = ("cases", "reports")


def copy_project(dest: Path, keep: tuple[str, ...] | None = None) -> Path:
    """A copy of the repository's site sources (docs, data, mkdocs.yml) using the live hooks.
    ``keep``: only these folders or files of data/ (and data/areas.yml), e.g. ``SMALL``."""
    shutil.copytree(ROOT / "docs", dest / "docs")
    if keep is None:
        shutil.copytree(ROOT / "data", dest / "data")
    else:
        (dest / "data").mkdir(parents=True)
        for rel in ("areas.yml", *keep):
            src = ROOT / "data" / rel
            (shutil.copytree if src.is_dir() else shutil.copy)(src, dest / "data" / rel)
    shutil.copy(ROOT / "mkdocs.yml", dest / "mkdocs.yml")
    (dest / "hooks").symlink_to(ROOT / "hooks")
    return dest


@dataclass
class Ran:
    """What a ``kb`` run gave: the fields of ``subprocess.CompletedProcess`` the tests read."""

    returncode: int
    stdout: str
    stderr: str


def run_kb(args, cwd: Path) -> Ran:
    """``kb ARGS`` in directory ``cwd``, run in this process (click's test runner, no stdin,
    stdout and stderr kept apart). Tests where a real process is the point (kb serve, kb publish,
    the pre-commit hook) start the installed command instead."""
    import click
    from click.testing import CliRunner

    from kb.cli.main import main

    assert isinstance(main, click.Command), "kb.cli.main.main is expected to be the click command"
    try:
        runner = CliRunner(mix_stderr=False)  # click < 8.2
    except TypeError:
        runner = CliRunner()  # click >= 8.2: stderr is always kept apart
    before = os.getcwd()
    os.chdir(cwd)
    try:
        result = runner.invoke(main, [str(a) for a in args], prog_name="kb", catch_exceptions=False)
    finally:
        os.chdir(before)
    return Ran(result.exit_code, result.stdout, result.stderr)


def mkdocs_build(project: Path, site: Path) -> subprocess.CompletedProcess:
    """``mkdocs build --strict`` of ``project`` into ``site``, as a user runs it."""
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)],
        cwd=project, capture_output=True, text=True, env={"NO_MKDOCS_2_WARNING": "1", "PATH": "/usr/bin:/bin"},
    )


@contextmanager
def serve(directory: Path):
    """Serve ``directory`` on 127.0.0.1 (a free port); yields the port."""

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):  # keep the test output clean
            pass

    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(directory)))
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    try:
        yield srv.server_address[1]
    finally:
        srv.shutdown()
        srv.server_close()


CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium (Debian package) for the whole run."""
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} not installed: run `make browser` (make test does it)")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


def leave(page) -> None:
    """Ready a page that the next test of the module reuses (a new browser context per test costs
    about as much CPU time as the test's own page loads): the site's local and session storage
    cleared, then the page navigated to about:blank, so nothing of this test keeps running."""
    from playwright.sync_api import Error

    try:
        page.evaluate("() => { try { localStorage.clear(); sessionStorage.clear(); } catch (e) {} }")
    except Error:  # a page still navigating has no context to run in: nothing was stored yet
        pass
    page.goto("about:blank")


def built_once(tmp_path_factory, name: str, build) -> Path:
    """``build(directory)`` run once for the whole test run and its result shared: under
    pytest-xdist the first worker to ask builds it (under a file lock), the others reuse it."""
    import fcntl

    base = tmp_path_factory.getbasetemp()
    shared = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
    directory, done = shared / name, shared / f"{name}.built"
    with open(shared / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            if not done.exists():
                if directory.exists():  # a worker failed half-way: start again
                    shutil.rmtree(directory)
                directory.mkdir()
                result = build(directory)
                done.write_text(str(result), encoding="utf-8")
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
    return Path(done.read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def sample_site(tmp_path_factory) -> Path:
    """The bundled sample project (the repository itself) built once for the whole run, into a
    directory named ``kb`` (serve its parent to get the site under /kb/). Read it, never change it."""

    def build(directory: Path) -> Path:
        site = directory / "www" / "kb"
        result = mkdocs_build(ROOT, site)
        assert result.returncode == 0, result.stderr
        return site

    return built_once(tmp_path_factory, "sample", build)


@pytest.fixture(scope="session")
def law_site(tmp_path_factory) -> Path:
    """The sample project plus ``CITING_CASE``, built once for the whole run. Read it, never change it."""

    def build(directory: Path) -> Path:
        project = copy_project(directory / "p")
        (project / "data" / "cases" / "zz-citing-case.md").write_text(
            textwrap.dedent(CITING_CASE).lstrip("\n"), encoding="utf-8")
        site = project / "site"
        result = mkdocs_build(project, site)
        assert result.returncode == 0, result.stderr
        (directory / LAW_LOG).write_text(result.stderr, encoding="utf-8")
        return site

    return built_once(tmp_path_factory, "law", build)


# What ``mkdocs build`` of ``law_site`` printed (stderr), next to the project: ``law_log(law_site)``.
LAW_LOG = "mkdocs-build.log"


def law_log(law_site: Path) -> str:
    return (law_site.parent.parent / LAW_LOG).read_text(encoding="utf-8")


def pytest_collection_modifyitems(config, items):
    """Modules with the most slow or browser tests first.

    ``make test`` hands whole modules to the workers (``--dist loadscope``) in the order they
    are collected; a heavy module that starts last makes the whole run wait for it. The order
    within a module is kept."""
    weight: dict[str, int] = {}
    for item in items:
        heavy = item.get_closest_marker("slow") is not None or item.get_closest_marker("browser") is not None
        weight[item.module.__name__] = weight.get(item.module.__name__, 0) + (1 if heavy else 0)
    items.sort(key=lambda item: -weight[item.module.__name__])  # stable: file order kept among equals


@pytest.fixture
def fork_allowed(monkeypatch):
    """Process pools fork in this test although other tests of this pytest worker left idle threads
    behind (e.g. the preview's search writer, waiting on a condition, holding no lock). A build or
    ``kb serve`` keeps the real check (kb.site.workers.can_fork: no fork beside other threads)."""
    import multiprocessing

    from kb.site import workers

    if "fork" not in multiprocessing.get_all_start_methods():
        pytest.skip("this platform has no fork: the pool runs in the process (tested elsewhere)")
    monkeypatch.setattr(workers, "can_fork", lambda: True)
