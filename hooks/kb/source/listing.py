"""Which files of ``data/`` are entries: the walk of the tree (``entry_files``), the names that look
like entries but are not taken, and the live preview's directory listings kept between loads."""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path

from kb.problems import Problems


def _looks_like_entry(name: str) -> bool:
    """A name an editor may mean as an entry that ``entry_files`` does not take:
    ``x.MD``, ``x.markdown``, ``"x.md "``."""
    stem = name.strip().lower()
    return stem.endswith((".md", ".markdown", ".mdown", ".mkd")) and not name.endswith(".md")


def entry_files(data_dir: Path, misnamed: list[Path] | None = None,
                listings: "dict[str, Listing] | None" = None) -> list[Path]:
    """Every ``*.md`` under ``data/``, sorted for deterministic output.

    Hidden directories and files (``.git``, editor swap files) are skipped.
    Files whose names look like entries but are not taken (``x.MD``,
    ``x.markdown``, a trailing space) and directory links (not followed)
    are appended to ``misnamed``.

    ``listings`` (the live preview, kept between loads): each directory's listing by its path; a
    directory whose change time is what it was when listed (and not within ``RACY_NS`` of the
    listing) is not read again, and its paths are the same objects as before.
    """
    found: list[Path] = []
    bad: list[Path] = []
    seen: set[str] = set()
    now = time.time_ns()

    def visit(d: str) -> None:
        seen.add(d)
        listing = listings.get(d) if listings is not None else None
        try:
            ctime = os.stat(d).st_ctime_ns
        except OSError:
            return
        if listing is None or listing.ctime != ctime or listing.racy:
            listing = _list_dir(d, ctime, now)
            if listings is not None:
                listings[d] = listing
        found.extend(listing.entries)
        bad.extend(listing.misnamed)
        for sub in listing.subdirs:
            visit(sub)

    visit(os.fspath(data_dir))
    if listings is not None:  # forget directories that are gone
        for d in listings.keys() - seen:
            del listings[d]
    found.sort(key=_posix)
    if misnamed is not None:
        misnamed.extend(sorted(bad, key=_posix))
    return found


@dataclass
class Listing:
    """One directory of ``data/`` as ``entry_files`` read it."""

    ctime: int  # st_ctime_ns of the directory when it was read
    racy: bool  # read again next time: read within RACY_NS of that time (a change in the same tick would
    # not show), or it holds links
    subdirs: list[str]  # not hidden, not links, sorted
    entries: list[Path]
    misnamed: list[Path]  # look like entries, or directory links


# File and directory times have a coarse granularity on some file systems: a change within one tick
# keeps the time. As git does for "racily clean" files, what was read within this many ns of that time
# is not trusted: it is read again next time (here, and for entry files in kb.model.cache).
RACY_NS = 2_000_000_000


def _list_dir(d: str, ctime: int, now: int) -> Listing:
    subdirs: list[str] = []
    entries: list[Path] = []
    misnamed: list[Path] = []
    try:
        with os.scandir(d) as it:
            items = sorted(it, key=lambda x: x.name)
    except OSError:  # unreadable (as os.walk: skipped); read again next time
        return Listing(ctime, True, subdirs, entries, misnamed)
    links = False  # what a link names may change without its directory changing: read again next time
    for item in items:
        if item.name.startswith("."):
            continue
        links = links or item.is_symlink()
        if item.is_dir():  # as os.walk: directory links are listed, not followed
            if item.is_symlink():
                misnamed.append(Path(item.path))
            else:
                subdirs.append(item.path)
        elif item.name.endswith(".md"):
            entries.append(Path(item.path))
        elif _looks_like_entry(item.name):
            misnamed.append(Path(item.path))
    return Listing(ctime, links or now - ctime < RACY_NS, subdirs, entries, misnamed)


def _posix(p: Path) -> str:
    return p.as_posix()


def report_misnamed(paths: list[Path], root: Path, problems: Problems) -> None:
    for path in paths:
        rel = path.relative_to(root).as_posix()
        if path.is_symlink():
            problems.add(rel, 1, "-", "是目录链接，其中的条目不会被收录；请把条目放在 data/ 中的普通目录里")
            continue
        problems.add(rel, 1, "-", f"文件名“{path.name}”不是以小写 .md 结尾（或含有多余的空格），"
                                  "不会被收录；条目文件请改名为 *.md")
