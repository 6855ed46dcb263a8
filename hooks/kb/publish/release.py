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
the build to its release name; point a temporary symlink at it and
``os.replace`` it over DEST. A failing build or verification raises
``PublishError`` before DEST is touched. ``rollback`` swaps DEST back to the
previous release the same way.

A DEST that is a real directory (a site published before this tool) is moved
into the releases directory as release ``0000-earlier`` first, so it is never
deleted and ``--rollback`` brings it back.
"""

from __future__ import annotations

import contextlib
import fcntl
import gzip
import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

from kb.model import audience as audience_mod
from kb.problems import Problems
from kb.settings import Settings, read_mkdocs_yml
from kb.publish import verify as verify_mod
from kb.model.knowledge import KnowledgeBase

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
    with open(releases / ".lock", "w") as fh:
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
    tmp = releases / "state.json.tmp"
    tmp.write_text(json.dumps(state, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    os.replace(tmp, releases / "state.json")


def _swap(dest: Path, target: Path) -> None:
    """Point the symlink DEST at ``target`` atomically."""
    link = dest.parent / f".{dest.name}.link-tmp"
    if link.is_symlink() or link.exists():
        link.unlink()
    link.symlink_to(os.path.relpath(target, dest.parent))
    os.replace(link, dest)


def _adopt_existing(dest: Path, releases: Path, state: dict) -> None:
    """A DEST that is a plain directory becomes release 0000-earlier (never deleted)."""
    if dest.is_symlink() or not dest.exists():
        return
    if not dest.is_dir():
        raise PublishError(f"{dest}: 已存在且不是目录，不会覆盖")
    keep = releases / EARLIER
    if keep.exists():
        raise PublishError(f"{dest}: 是普通目录，而 {keep} 已存在；请先手动处理其中之一")
    keep.mkdir()
    os.rename(dest, keep / "site")  # same file system: a rename, no copy
    _swap(dest, keep / "site")
    state.update(current=EARLIER)
    _write_state(releases, state)


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
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1", KB_AUDIENCE=level)
    if offline:
        env["KB_OFFLINE"] = "1"
    r = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--clean", "--quiet",
                        "--config-file", str(root / "mkdocs.yml"), "--site-dir", str(out)],
                       cwd=root, env=env, capture_output=True, text=True)
    if r.returncode != 0:
        lines = [ln for ln in (r.stderr + r.stdout).splitlines() if ln.strip()]
        detail = "\n".join(lines[-40:])
        raise PublishError(f"构建失败，已停止发布：\n{detail}")


def _tar_filter(info: tarfile.TarInfo) -> tarfile.TarInfo:
    info.mtime = 0
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    info.mode = 0o755 if info.isdir() else 0o644
    return info


def write_archive(site: Path, path: Path) -> str:
    """A reproducible ``tar.gz`` of ``site`` (sorted, no owners or times); returns its SHA-256."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.GNU_FORMAT) as tar:
        tar.add(site, arcname="site", recursive=False, filter=_tar_filter)
        for p in sorted(site.rglob("*"), key=lambda p: p.relative_to(site).as_posix()):
            tar.add(p, arcname="site/" + p.relative_to(site).as_posix(), recursive=False, filter=_tar_filter)
    with open(path, "wb") as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=6) as gz:
        gz.write(buf.getvalue())
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    (path.parent / (path.name + ".sha256")).write_text(f"{digest}  {path.name}\n", encoding="utf-8")
    return digest


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
    level = resolve_audience(root, level)
    base_path = resolve_base_path(root, base_path)
    releases = releases_dir(dest)
    with _locked(releases):
        state = _state(releases)
        work = Path(tempfile.mkdtemp(prefix=".build-", dir=releases))
        os.chmod(work, 0o755)  # mkdtemp makes it private; the web server must read the release
        try:
            site = work / "site"
            say(f"构建（可见范围：{audience_mod.BUILD_LABELS[level]}）……")
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
        _adopt_existing(dest, releases, state)
        _swap(dest, release / "site")
        state = {"current": name, "previous": state.get("current"), "audience": level}
        _write_state(releases, state)
        _prune(releases, state)
        return Result(release, release / "site", release / ARCHIVE, digest, level, report)


def rollback(dest: Path | str) -> str:
    """Point DEST back at the previous release; returns its name."""
    dest = Path(os.path.abspath(dest))
    releases = releases_dir(dest)
    if not releases.is_dir():
        raise PublishError(f"{dest}: 没有发布记录（{releases} 不存在），无法回滚")
    with _locked(releases):
        state = _state(releases)
        prev = state.get("previous")
        if not prev or not (releases / prev / "site").is_dir():
            raise PublishError(f"{dest}: 没有可回滚的上一版本")
        if dest.exists() and not dest.is_symlink():
            raise PublishError(f"{dest}: 不是 kb publish 创建的链接，不会改动")
        _swap(dest, releases / prev / "site")
        _write_state(releases, {**state, "current": prev, "previous": state.get("current")})
        return prev
