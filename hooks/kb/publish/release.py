"""``kb publish DEST``: build, verify, then swap the new site in atomically.

Layout (everything on DEST's file system, so every rename is atomic)::

    DEST                      -> symlink to .DEST.releases/<release>/site
    .DEST.releases/
        .lock                 one publish at a time (flock)
        state.json            {"current": ..., "previous": ...}
        0003-<sha12>/site/                the site
        0003-<sha12>/site.tar.gz          the same tree, reproducible archive
        0003-<sha12>/site.tar.gz.sha256   ``sha256sum -c`` format
        .build-XXXX/          a build in progress (removed on failure)

Steps: build with ``mkdocs build --strict`` (one subprocess, audience passed
explicitly) into ``.build-XXXX/site``; verify it (``kb.publish.verify``: links,
anchors, empty pages, canary scan for the audience); write the archive; rename
the build to its release name; write the state *with the new state as
"pending"*; point a temporary symlink at the release and ``os.replace`` it
over DEST; write the state again without "pending". A failing build or
verification raises ``PublishError`` before DEST is touched. ``rollback``
swaps DEST back to the previous release the same way.

Publish only touches what is its own. DEST must be absent, a symlink into its
releases directory, or a directory that looks like a published site
(``index.html``, and no ``mkdocs.yml``, ``.git``, ``data/`` or ``docs/``, and not
the project itself or a directory holding it); anything else is refused
untouched. Such a directory (a site published before this tool) is moved into
the releases directory as release ``0000-earlier``, so it is never deleted
and ``--rollback`` brings it back.

Interruptions. The build runs in its own process group, killed with the
publisher: on SIGTERM/SIGINT or any exception the group is killed, and on
Linux the child also gets SIGKILL when the publisher dies (``PR_SET_PDEATHSIG``).
Every run, under the lock, first removes what an interrupted run left
(``.build-*``, the temporary symlink) and reconciles the state with the
symlink: a "pending" state is taken if DEST already points at its release
(killed after the swap), dropped otherwise (killed before it; the unused
release is removed). So ``--rollback`` always goes back exactly one release.

Every OS error (full disk, read-only file system, permissions) becomes a
``PublishError`` of one Chinese line naming the path; DEST is unchanged.

Test seam: ``KB_PUBLISH_FAULT=<point>[:TERM]`` makes the publisher kill itself
(SIGKILL, or SIGTERM) at ``build`` (build process running), ``after-state``
or ``after-swap`` (around the swap); see tests/test_publish_faults.py.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

from kb.model import audience as audience_mod
from kb.problems import Problems
from kb.settings import BUILD_LABELS, Settings, read_mkdocs_yml
from kb.publish import verify as verify_mod
from kb.publish.archive import write_archive
from kb.publish.interrupt import FAULT_ENV, Interrupted, die_with_parent, fault, interruptible
from kb.model.knowledge import KnowledgeBase
from kb.source.atomic import reason, write_atomic

KEEP = 3  # built releases kept (current, previous and one more); moved-in old sites are never removed
ARCHIVE = "site.tar.gz"
EARLIER = "0000-earlier"


class PublishError(Exception):
    """A publish that did not happen; DEST is unchanged. The message is user-facing Chinese."""


@dataclass
class Result:
    release: Path
    site: Path
    archive: Path
    sha256: str
    audience: str
    report: verify_mod.Report


def releases_dir(dest: Path) -> Path:
    return dest.parent / f".{dest.name}.releases"


@contextlib.contextmanager
def _locked(releases: Path) -> Iterator[None]:
    releases.mkdir(parents=True, exist_ok=True)
    with open(releases / ".lock", "a") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            raise PublishError(f"{releases}: 另一个发布正在进行，请稍后再试") from None
        yield


def _state(releases: Path) -> dict:
    path = releases / "state.json"
    if not path.is_file():
        return {}
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise PublishError(f"{path}: 发布记录损坏，请检查后删除或修复") from None


def _write_state(releases: Path, state: dict) -> None:
    write_atomic(releases / "state.json", json.dumps(state, ensure_ascii=False, indent=1) + "\n")


def _link_tmp(dest: Path) -> Path:
    return dest.parent / f".{dest.name}.link-tmp"


def _swap(dest: Path, target: Path) -> None:
    """Point the symlink DEST at ``target`` atomically."""
    link = _link_tmp(dest)
    if link.is_symlink() or link.exists():
        link.unlink()
    link.symlink_to(os.path.relpath(target, dest.parent))
    os.replace(link, dest)


def _live_release(dest: Path, releases: Path) -> str | None:
    """The release DEST points at (``None``: DEST is not a symlink into ``releases``)."""
    if not dest.is_symlink():
        return None
    target = Path(os.path.normpath(dest.parent / os.readlink(dest)))
    if target.name != "site" or target.parent.parent != releases:
        return None
    return target.parent.name


def _looks_like_site(d: Path) -> bool:
    return (d / "index.html").is_file() and not any(
        (d / name).exists() or (d / name).is_symlink() for name in ("mkdocs.yml", ".git", "data", "docs"))


def check_dest(dest: Path, root: Path) -> None:
    """Refuse, untouched, a DEST that is not ``kb publish``'s own (see the module docstring)."""
    if dest.is_symlink():
        if _live_release(dest, releases_dir(dest)) is None:
            raise PublishError(f"{dest}: 是一个链接，但不是 kb publish 创建的，不会改动")
        return
    if not dest.exists():
        return
    if not dest.is_dir():
        raise PublishError(f"{dest}: 已存在且不是目录，不会改动")
    if dest == root or dest in root.parents:
        raise PublishError(f"{dest}: 是知识库项目本身（或包含它）的目录，不能作为发布目录")
    if not _looks_like_site(dest):
        raise PublishError(f"{dest}: 已存在，但不像已发布的网站（应有 index.html，且没有 mkdocs.yml、.git、data、docs），"
                           "不会改动；请换一个目录，或先手动移走它")


def _adopt_existing(dest: Path, releases: Path, state: dict) -> None:
    """A DEST that is a published site's directory becomes release 0000-earlier (never deleted)."""
    if dest.is_symlink() or not dest.exists():
        return
    keep = releases / EARLIER
    if keep.exists():
        raise PublishError(f"{dest}: 是普通目录，而 {keep} 已存在；请先手动处理其中之一")
    keep.mkdir()
    os.rename(dest, keep / "site")  # same file system: a rename, no copy
    _swap(dest, keep / "site")
    state.update(current=EARLIER)
    _write_state(releases, state)


def _recover(dest: Path, releases: Path) -> dict:
    """Remove what an interrupted run left and reconcile the state with DEST (under the lock)."""
    for p in releases.glob(".build-*"):
        shutil.rmtree(p, ignore_errors=True)
    link = _link_tmp(dest)
    if link.is_symlink():
        link.unlink()
    state = _state(releases)
    earlier = releases / EARLIER / "site"
    if not dest.exists() and not dest.is_symlink() and earlier.is_dir() and not state.get("current"):
        _swap(dest, earlier)  # killed while adopting an earlier site: moved in, not linked yet
        state["current"] = EARLIER
        _write_state(releases, state)
    pending = state.pop("pending", None)
    if pending is None:
        return state
    live = _live_release(dest, releases)
    if live == pending.get("current"):
        state = pending  # killed after the swap: the pending state is the truth
    else:
        unused = pending.get("current")
        if unused and unused not in (state.get("current"), state.get("previous"), EARLIER, live):
            shutil.rmtree(releases / unused, ignore_errors=True)  # built, never live
    _write_state(releases, state)
    return state


def _switch(dest: Path, releases: Path, state: dict, new: dict) -> None:
    """Point DEST at release ``new["current"]``, the state written before and after the swap."""
    _write_state(releases, {**state, "pending": new})
    fault("after-state")
    _swap(dest, releases / new["current"] / "site")
    fault("after-swap")
    _write_state(releases, new)


def _mkdocs_config(root: Path) -> dict:
    try:
        return read_mkdocs_yml(root / "mkdocs.yml")
    except ValueError as exc:
        raise PublishError(f"{root / 'mkdocs.yml'}: {exc}") from None


def resolve_audience(root: Path, given: str | None) -> str:
    """``--audience``, else the settings' audience (KB_AUDIENCE > extra.kb.audience > internal)."""
    if given:
        return audience_mod.check(given, "--audience")
    problems = Problems()
    settings = Settings.load(root, problems)
    if problems.errors:
        raise PublishError("\n".join(str(p) for p in problems.errors))
    return settings.audience


def resolve_base_path(root: Path, given: str | None) -> str:
    """The path the site is served under: --base-path, else site_url's path (KB_SITE_URL), else /."""
    from urllib.parse import urlparse

    path = given if given else urlparse(str(_mkdocs_config(root).get("site_url") or "")).path
    path = "/" + (path or "").strip("/")
    return path if path.endswith("/") else path + "/"


def build(root: Path, out: Path, level: str, offline: bool = False) -> None:
    """``mkdocs build`` in its own process group, killed with this process (see the module docstring)."""
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1", KB_AUDIENCE=level)
    env.pop(FAULT_ENV, None)
    if offline:
        env["KB_OFFLINE"] = "1"
    proc = subprocess.Popen([sys.executable, "-m", "mkdocs", "build", "--strict", "--clean", "--quiet",
                             "--config-file", str(root / "mkdocs.yml"), "--site-dir", str(out)],
                            cwd=root, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True, preexec_fn=die_with_parent if sys.platform == "linux" else None)
    try:
        fault("build")
        stdout, stderr = proc.communicate()
    except BaseException:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        raise
    if proc.returncode != 0:
        lines = [ln for ln in (stderr + stdout).splitlines() if ln.strip()]
        detail = "\n".join(lines[-40:])
        raise PublishError(f"构建失败，已停止发布：\n{detail}")


def _next_number(releases: Path) -> int:
    nums = [int(p.name[:4]) for p in releases.iterdir() if p.is_dir() and p.name[:4].isdigit()]
    return max(nums, default=0) + 1


def _prune(releases: Path, state: dict) -> None:
    keep = {state.get("current"), state.get("previous"), EARLIER}
    built = sorted(p for p in releases.iterdir() if p.is_dir() and p.name[:4].isdigit() and p.name != EARLIER)
    for p in built[:-KEEP]:
        if p.name not in keep:
            shutil.rmtree(p)


def publish(root: Path | str, dest: Path | str, level: str | None = None, offline: bool = False,
            base_path: str | None = None, say: Callable[[str], None] = lambda s: None) -> Result:
    root = Path(root).resolve()
    dest = Path(os.path.abspath(dest))
    if not dest.parent.is_dir():
        raise PublishError(f"{dest.parent}: 目录不存在")
    try:
        check_dest(dest, root)
        level = resolve_audience(root, level)
        base_path = resolve_base_path(root, base_path)
        with interruptible():
            return _publish(root, dest, level, offline, base_path, say)
    except Interrupted:
        raise PublishError(f"{dest}: 发布被中断，未改动") from None
    except OSError as exc:
        raise PublishError(_os_error(exc, dest)) from None


def _os_error(exc: OSError, dest: Path) -> str:
    where = exc.filename or dest
    return f"{where}: {reason(exc)}，已停止发布（{dest} 未改动）"


def _publish(root: Path, dest: Path, level: str, offline: bool, base_path: str, say: Callable[[str], None]) -> Result:
    releases = releases_dir(dest)
    with _locked(releases):
        state = _recover(dest, releases)
        check_dest(dest, root)  # again, under the lock
        work = Path(tempfile.mkdtemp(prefix=".build-", dir=releases))
        try:
            os.chmod(work, 0o755)  # mkdtemp makes it private; the web server must read the release
            site = work / "site"
            say(f"构建（可见范围：{BUILD_LABELS[level]}）……")
            build(root, site, level, offline)
            kb = KnowledgeBase.load(root, audience=level)
            say("校验链接、锚点、空页面和超出可见范围的内容……")
            report = verify_mod.verify(site, kb, base_path)
            if not report.ok:
                shown = "\n".join(report.errors[:50])
                more = f"\n……另有 {len(report.errors) - 50} 个问题" if len(report.errors) > 50 else ""
                raise PublishError(f"校验发现 {len(report.errors)} 个问题，已停止发布（{dest} 未改动）：\n{shown}{more}")
            digest = write_archive(site, work / ARCHIVE)
            name = f"{_next_number(releases):04d}-{digest[:12]}"
            release = releases / name
            os.rename(work, release)
        except BaseException:
            shutil.rmtree(work, ignore_errors=True)
            raise
        try:
            _adopt_existing(dest, releases, state)
            new = {"current": name, "previous": state.get("current"), "audience": level}
            _switch(dest, releases, state, new)
        except BaseException:
            if _live_release(dest, releases) != name:  # DEST never pointed at it
                shutil.rmtree(release, ignore_errors=True)
                with contextlib.suppress(OSError):
                    _write_state(releases, state)
            raise
        _prune(releases, new)
        return Result(release, release / "site", release / ARCHIVE, digest, level, report)


def rollback(dest: Path | str) -> str:
    """Point DEST back at the previous release; returns its name."""
    dest = Path(os.path.abspath(dest))
    releases = releases_dir(dest)
    if not releases.is_dir():
        raise PublishError(f"{dest}: 没有发布记录（{releases} 不存在），无法回滚")
    try:
        with interruptible(), _locked(releases):
            state = _recover(dest, releases)
            prev = state.get("previous")
            if not prev or not (releases / prev / "site").is_dir():
                raise PublishError(f"{dest}: 没有可回滚的上一版本")
            if (dest.exists() or dest.is_symlink()) and _live_release(dest, releases) is None:
                raise PublishError(f"{dest}: 不是 kb publish 创建的链接，不会改动")
            _switch(dest, releases, state, {**state, "current": prev, "previous": state.get("current")})
            return prev
    except Interrupted:
        raise PublishError(f"{dest}: 回滚被中断") from None
    except OSError as exc:
        raise PublishError(f"{exc.filename or dest}: {reason(exc)}，无法回滚（{dest} 未改动）") from None
