"""kb publish under faults: a DEST that is not its own, a publisher killed at every step,
a full disk, a read-only file system. DEST always serves a complete site and
--rollback goes back exactly one release."""

from __future__ import annotations

import errno
import hashlib
import json
import os
import subprocess
import sys
import tarfile
import time
from pathlib import Path

import pytest

from conftest import SMALL, copy_project, run_kb
from kb.publish import release as pub

KB = [str(Path(sys.executable).parent / "kb")]
ENV = {"NO_MKDOCS_2_WARNING": "1", "PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin"}


def kb_publish(*args: str, cwd: Path, fault: str | None = None) -> subprocess.CompletedProcess:
    env = {**ENV, pub.FAULT_ENV: fault} if fault else ENV
    return subprocess.run([*KB, "publish", *args], cwd=cwd, capture_output=True, text=True, env=env, timeout=300)


def tree(d: Path) -> dict[str, bytes | str]:
    """Every file and link under ``d`` (links by target, not followed)."""
    out: dict[str, bytes | str] = {}
    for dirpath, dirnames, filenames in os.walk(d):
        for name in dirnames + filenames:
            p = Path(dirpath) / name
            rel = p.relative_to(d).as_posix()
            if p.is_symlink():
                out[rel] = "-> " + os.readlink(p)
            elif p.is_file():
                out[rel] = p.read_bytes()
    return out


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    return copy_project(tmp_path_factory.mktemp("faults") / "p", keep=SMALL)  # the content does not matter


# -- DEST that is not publish's own ------------------------------------------------------


def _foreign(kind: str, base: Path, project: Path) -> Path:
    if kind == "project root":
        return project
    d = base / "www"
    if kind == "a checkout with index.html":
        d.mkdir()
        (d / "index.html").write_text("x", encoding="utf-8")
        (d / "data").mkdir()
        (d / "data" / "secret.md").write_text("受限条目", encoding="utf-8")
    elif kind == "a directory without index.html":
        d.mkdir()
        (d / "notes.txt").write_text("个人笔记", encoding="utf-8")
    elif kind == "a foreign symlink":
        (base / "elsewhere").mkdir()
        (base / "elsewhere" / "index.html").write_text("x", encoding="utf-8")
        d.symlink_to(base / "elsewhere")
    elif kind == "a file":
        d.write_text("x", encoding="utf-8")
    return d


@pytest.mark.parametrize("kind", ["project root", "a checkout with index.html", "a directory without index.html",
                                  "a foreign symlink", "a file"])
def test_publish_refuses_a_dest_that_is_not_its_own(project, tmp_path, kind):
    dest = _foreign(kind, tmp_path, project)
    before = tree(dest.parent)
    r = run_kb(["publish", "." if kind == "project root" else dest], cwd=project)
    assert r.returncode == 1, r.stdout
    assert r.stderr.count("\n") == 1 and r.stderr.startswith("错误：") and str(dest) in r.stderr, r.stderr
    assert "不会改动" in r.stderr or "不能作为发布目录" in r.stderr
    assert tree(dest.parent) == before  # untouched: nothing moved, no releases directory


# -- killed at every step ----------------------------------------------------------------


def _build_processes(releases: Path) -> list[str]:
    """Processes still running with a build directory of ``releases`` on their command line."""
    found = []
    for p in Path("/proc").iterdir():
        if not p.name.isdigit():
            continue
        try:
            cmd = (p / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if str(releases) in cmd and ".build-" in cmd:
            found.append(f"{p.name}: {cmd}")
    return found


def _no_build_processes(releases: Path, within: float = 5.0) -> None:
    deadline = time.monotonic() + within
    while (left := _build_processes(releases)) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not left, left


def _live(dest: Path) -> str:
    return Path(os.readlink(dest)).parent.name


def _serves_a_complete_site(dest: Path) -> None:
    """DEST is a whole release: every file of its verified archive, nothing else."""
    release = Path(os.path.realpath(dest)).parent
    assert (dest / "index.html").is_file()
    digest, _ = (release / "site.tar.gz.sha256").read_text(encoding="utf-8").split()
    assert hashlib.sha256((release / "site.tar.gz").read_bytes()).hexdigest() == digest
    with tarfile.open(release / "site.tar.gz") as tar:
        names = {m.name[len("site/"):] for m in tar.getmembers() if m.isfile()}
    assert names == {p.relative_to(dest).as_posix() for p in dest.rglob("*") if p.is_file()}


@pytest.mark.slow
def test_a_publisher_killed_at_any_step_leaves_a_complete_site_and_a_one_step_rollback(project, tmp_path):
    dest = tmp_path / "www" / "kb"
    dest.parent.mkdir()
    releases = pub.releases_dir(dest)
    r = kb_publish(str(dest), cwd=project)
    assert r.returncode == 0, r.stderr
    first = _live(dest)

    # Killed (SIGKILL) while mkdocs builds: the build process dies with it.
    r = kb_publish(str(dest), cwd=project, fault="build")
    assert r.returncode == -9, r.stderr
    _no_build_processes(releases, within=0.5)  # at once: a build takes seconds, an orphan would still run
    assert _live(dest) == first and list(releases.glob(".build-*"))  # left for the next run to remove

    # Terminated (SIGTERM) while mkdocs builds: build group killed, build directory removed, one line.
    r = kb_publish(str(dest), cwd=project, fault="build:TERM")
    assert r.returncode == 1 and r.stderr.strip().splitlines()[-1] == f"错误：{dest}: 发布被中断，未改动", r.stderr
    _no_build_processes(releases, within=0.5)
    assert not list(releases.glob(".build-*"))  # and the SIGKILL leftover is gone too
    assert _live(dest) == first

    # Killed after the (pending) state was written, before the swap: DEST unchanged.
    r = kb_publish(str(dest), cwd=project, fault="after-state")
    assert r.returncode == -9, r.stderr
    assert _live(dest) == first
    _serves_a_complete_site(dest)
    assert "pending" in json.loads((releases / "state.json").read_text(encoding="utf-8"))

    # Killed after the swap, before the final state: DEST serves the new release.
    r = kb_publish(str(dest), cwd=project, fault="after-swap")
    assert r.returncode == -9, r.stderr
    second = _live(dest)
    assert second != first  # (the never-live release was removed; its number may be reused)
    _serves_a_complete_site(dest)

    # --rollback goes back exactly one release, and forward again.
    r = kb_publish("--rollback", str(dest), cwd=project)
    assert r.returncode == 0, r.stderr
    assert _live(dest) == first
    _serves_a_complete_site(dest)
    r = kb_publish("--rollback", str(dest), cwd=project)
    assert r.returncode == 0 and _live(dest) == second, r.stderr

    # No leftovers: no build directory, temporary link or never-live release; a settled state.
    assert sorted(p.name for p in releases.iterdir()) == sorted([".lock", "state.json", first, second])
    assert sorted(p.name for p in dest.parent.iterdir()) == [releases.name, dest.name]
    state = json.loads((releases / "state.json").read_text(encoding="utf-8"))
    assert state["current"] == second and state["previous"] == first and "pending" not in state


# -- full disk, read-only file system (in process) ---------------------------------------------


@pytest.fixture
def published_once(project, tmp_path):
    dest = tmp_path / "www" / "kb"
    dest.parent.mkdir()
    pub.publish(project, dest)
    return dest


def _os_error(code: int):
    def fail(*args, **kwargs):
        raise OSError(code, os.strerror(code))
    return fail


@pytest.mark.slow
def test_disk_full_while_archiving_is_one_chinese_line_and_dest_unchanged(project, published_once, monkeypatch):
    dest = published_once
    releases = pub.releases_dir(dest)
    before = tree(dest.parent)
    with monkeypatch.context() as m:
        m.setattr(os, "write", _os_error(errno.ENOSPC))  # the first write of this process: the archive
        with pytest.raises(pub.PublishError) as info:
            pub.publish(project, dest)
    message = str(info.value)
    assert "\n" not in message and "磁盘空间不足" in message and str(dest) in message, message
    assert tree(dest.parent) == before  # DEST, releases and state as they were; no build directory
    assert not list(releases.glob(".build-*"))


def test_read_only_parent_is_one_chinese_line(project, tmp_path, monkeypatch):
    dest = tmp_path / "www" / "kb"
    dest.parent.mkdir()
    with monkeypatch.context() as m:
        m.setattr(os, "mkdir", _os_error(errno.EROFS))
        with pytest.raises(pub.PublishError) as info:
            pub.publish(project, dest)
    message = str(info.value)
    assert "\n" not in message and "文件系统只读" in message and str(dest.parent) in message, message
    assert list(dest.parent.iterdir()) == []


def test_read_only_mount_is_one_chinese_line(project, tmp_path):
    """The same on a real read-only file system (needs mount rights; skipped without them)."""
    mnt = tmp_path / "ro"
    mnt.mkdir()
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", "ro,size=64k", "tmpfs", str(mnt)], capture_output=True)
    if r.returncode != 0:
        pytest.skip("mounting a tmpfs is not permitted here")
    try:
        r = kb_publish(str(mnt / "kb"), cwd=project)
        assert r.returncode == 1 and "文件系统只读" in r.stderr and "Traceback" not in r.stderr, r.stderr
        assert r.stderr.strip().count("\n") == 0, r.stderr
        assert list(mnt.iterdir()) == []
    finally:
        subprocess.run(["umount", str(mnt)], check=True)


def test_a_publisher_killed_while_adopting_an_earlier_site_links_it_back(tmp_path):
    """Killed between moving a hand-published site into 0000-earlier and linking DEST to it:
    the next run (here a rollback) links DEST back before anything else."""
    dest = tmp_path / "kb"
    site = pub.releases_dir(dest) / pub.EARLIER / "site"
    site.mkdir(parents=True)
    (site / "index.html").write_text("旧网站", encoding="utf-8")
    with pytest.raises(pub.PublishError, match="没有可回滚的上一版本"):
        pub.rollback(dest)
    assert dest.is_symlink() and (dest / "index.html").read_text(encoding="utf-8") == "旧网站"


def test_rollback_refuses_a_foreign_symlink(tmp_path):
    dest = tmp_path / "kb"
    releases = pub.releases_dir(dest)
    for name in ("0001-a", "0002-b"):
        (releases / name / "site").mkdir(parents=True)
    (releases / "state.json").write_text(json.dumps({"current": "0002-b", "previous": "0001-a"}), encoding="utf-8")
    (tmp_path / "elsewhere").mkdir()
    dest.symlink_to(tmp_path / "elsewhere")
    with pytest.raises(pub.PublishError, match="不是 kb publish 创建的链接"):
        pub.rollback(dest)
    assert os.readlink(dest) == str(tmp_path / "elsewhere")
