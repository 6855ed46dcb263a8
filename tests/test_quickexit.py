"""A successful ``mkdocs build`` ends without the interpreter's teardown (kb.engine.quickexit):
what runs at exit still runs, the status is the command's, the build cache is usable, and a
failed build or a build inside another program is not cut short."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from conftest import SMALL, copy_project
from kb.engine import quickexit

pytestmark = pytest.mark.slow

# Runs mkdocs' command line as its console script does, with two witnesses: a function
# registered to run at exit, and an object whose finaliser runs only when the interpreter
# tears its modules down.
SCRIPT = textwrap.dedent("""
    import atexit, sys
    from mkdocs.__main__ import cli

    class Witness:
        def __init__(self, path):
            self.file = open(path, "w")
        def __del__(self):
            self.file.write("torn down")
            self.file.close()

    marks = sys.argv[1]
    witness = Witness(marks + ".teardown")
    atexit.register(lambda: open(marks + ".atexit", "w").write("ran"))
    sys.argv = ["mkdocs", *sys.argv[2:]]
    sys.exit(cli())
""")


def run(project: Path, marks: Path, *args: str) -> subprocess.CompletedProcess:
    env = {"NO_MKDOCS_2_WARNING": "1", "PATH": "/usr/bin:/bin"}
    return subprocess.run([sys.executable, "-c", SCRIPT, str(marks), *args], cwd=project, env=env,
                          capture_output=True, text=True, timeout=600)


def teardown_ran(marks: Path) -> bool:
    return Path(f"{marks}.teardown").read_text(encoding="utf-8") == "torn down"


def test_successful_build_skips_teardown_only(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "p", keep=SMALL)
    marks = tmp_path / "first"
    ran = run(project, marks, "build", "--strict", "-d", str(tmp_path / "site"))
    assert ran.returncode == 0, ran.stderr[-2000:]
    assert (tmp_path / "site" / "index.html").is_file()
    assert (tmp_path / "site" / "sitemap.xml.gz").is_file()
    assert Path(f"{marks}.atexit").read_text(encoding="utf-8") == "ran"  # exit functions still run
    assert not teardown_ran(marks)  # ... but no object was torn down
    # The build cache was left complete: the next build takes every page from it.
    again = run(project, tmp_path / "second", "build", "--strict", "-d", str(tmp_path / "site"))
    assert again.returncode == 0, again.stderr[-2000:]
    assert "新生成 0 个" in again.stderr, again.stderr[-2000:]


def test_failed_build_exits_as_before(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "p", keep=SMALL)
    (project / "docs" / "broken.md").write_text("# 坏链接\n\n[无此页](no-such-page.md)\n", encoding="utf-8")
    marks = tmp_path / "m"
    ran = run(project, marks, "build", "--strict", "-d", str(tmp_path / "site"))
    assert ran.returncode == 1, ran.stderr[-2000:]  # --strict fails after on_post_build: not cut short
    assert "no-such-page.md" in ran.stderr
    assert teardown_ran(marks)


def test_not_cut_short_outside_the_command_line() -> None:
    assert not quickexit.engine_command_line()  # pytest is the program here
    quickexit.end_if_done("build", True)  # returns: this process goes on
    quickexit.end_if_done("gh-deploy", True)
