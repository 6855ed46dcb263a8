"""Dates and authors of entry files from git: one ``git log`` per build.

Every entry's created/updated date and last author come from a single
batched call over ``data/`` (never one call per file). Without git, or
outside a repository (a tarball), the history is simply empty and every
caller falls back to dates in the data.
"""

from __future__ import annotations

import datetime as dt
import logging
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger("kb.source.gitinfo")

_RECORD = "\x1e"
_FIELD = "\x1f"


@dataclass(frozen=True)
class FileHistory:
    """What git knows about one file (dates are the author dates)."""

    created: dt.datetime  # first commit that added the file
    updated: dt.datetime  # last commit that changed it
    author: str  # author of the last commit
    commits: int

    @property
    def is_new(self) -> bool:
        """Only one commit so far: the file was added and not changed since."""
        return self.commits == 1


def parse_log(text: str) -> dict[str, FileHistory]:
    """Parse ``git log --format=<RS>%aI<US>%an --name-only`` output (newest first)."""
    first: dict[str, tuple[dt.datetime, str]] = {}
    last: dict[str, dt.datetime] = {}
    counts: dict[str, int] = {}
    for record in text.split(_RECORD):
        if not record.strip():
            continue
        header, _, names = record.partition("\n")
        when_s, _, author = header.partition(_FIELD)
        try:
            when = dt.datetime.fromisoformat(when_s.strip())
        except ValueError:
            continue
        for name in names.splitlines():
            name = name.strip()
            if not name:
                continue
            if name not in first:
                first[name] = (when, author.strip())
            last[name] = when  # older commits come later: the last seen is the first commit
            counts[name] = counts.get(name, 0) + 1
    return {
        name: FileHistory(created=last[name], updated=upd, author=author, commits=counts[name])
        for name, (upd, author) in first.items()
    }


def read_history(root: Path, subdir: str = "data") -> dict[str, FileHistory]:
    """History of every file under ``root/subdir``, keyed by path relative to ``root``.

    One subprocess for the whole tree. Returns ``{}`` when git is missing,
    ``root`` is not in a work tree, or git fails.
    """
    git = shutil.which("git")
    if git is None:
        return {}
    cmd = [
        git, "-c", "core.quotePath=false", "-C", str(root), "log",
        "--no-renames", "--relative", "--name-only", f"--format={_RECORD}%aI{_FIELD}%an",
        "--", subdir,
    ]
    try:
        out = subprocess.run(cmd, capture_output=True, timeout=120, check=False)
    except (OSError, subprocess.SubprocessError) as exc:  # pragma: no cover - environment problem
        log.info("无法读取 git 记录：%s", exc)
        return {}
    if out.returncode != 0:
        log.debug("git log failed: %s", out.stderr.decode("utf-8", "replace").strip())
        return {}
    return parse_log(out.stdout.decode("utf-8", "replace"))


def _git_dir(root: Path) -> Path | None:
    """The repository's git directory (``.git``, or where a worktree's ``.git`` file points)."""
    for d in (root, *root.parents):
        dot_git = d / ".git"
        if dot_git.is_dir():
            return dot_git
        if dot_git.is_file():
            text = dot_git.read_text(encoding="utf-8", errors="replace").strip()
            if text.startswith("gitdir:"):
                return (d / text[len("gitdir:"):].strip()).resolve()
            return None
    return None


def state_stamp(root: Path) -> tuple | None:
    """A cheap fingerprint of the repository's commits (no subprocess): the
    modification times of HEAD, its reflog and the refs. It changes on every
    commit, checkout, reset or fetch; None outside a repository."""
    git_dir = _git_dir(root)
    if git_dir is None:
        return None
    stamp = []
    for name in ("HEAD", "logs/HEAD", "packed-refs", "refs/heads"):
        try:
            st = (git_dir / name).stat()
            stamp.append((name, st.st_mtime_ns, st.st_size))
        except OSError:
            stamp.append((name, None, None))
    return tuple(stamp)


class HistoryCache:
    """``read_history``, asked again only when the repository's commits have
    changed: a build runs git once; a long-running process (the live
    preview, which rebuilds on every save) runs it once per commit."""

    def __init__(self) -> None:
        self._key: tuple | None = None
        self._history: dict[str, FileHistory] = {}
        self.calls = 0

    def get(self, root: Path, subdir: str = "data") -> dict[str, FileHistory]:
        stamp = state_stamp(root)
        if stamp is None:
            return {}
        key = (str(root), subdir, stamp)
        if key != self._key:
            self._history = read_history(root, subdir)
            self._key = key
            self.calls += 1
        return self._history


_CACHE = HistoryCache()


def history(root: Path, subdir: str = "data") -> dict[str, FileHistory]:
    """Git history of the files under ``root/subdir`` (see ``HistoryCache``)."""
    return _CACHE.get(root, subdir)
