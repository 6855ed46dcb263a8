"""The output directory's folders kept from one build to the next.

MkDocs empties the site directory before a build (every top-level entry
that does not start with a dot, ``mkdocs.utils.clean_directory``), then
writes every page into a folder of its own (``reports/report-00001/index.html``):
at 10,000 entries some 10,000 folders removed and made again on every build,
about 15% of a build after an edit, more on file systems where directory
operations are slow. This keeps the folders and removes only the files:

1. ``Keeper.start(site_dir)`` (``on_pre_build``, before MkDocs empties the
   directory): every file under each top-level folder (not starting with a
   dot) is removed, as MkDocs would; the emptied folder trees are moved aside
   by renaming, into a hidden sibling directory (``.<site>.kb-keep-<random>``),
   so MkDocs finds nothing to remove but the top-level files.
2. ``restore()`` (``on_files``, before anything is written): the folder trees
   are moved back. A name MkDocs or a plugin made meanwhile wins: the kept
   tree of that name is removed.
3. ``finish()`` (``on_post_build``): folders this build left empty are
   removed, bottom-up (a folder of the site exists only because something was
   written in it, as after MkDocs' own cleaning); a top-level folder starting
   with a dot is not looked into, as MkDocs does not touch those.

Nothing is kept that MkDocs would have kept: files are all removed in step
1 (but those of folders the build itself removes and writes again whole:
the search index, whose writer removes its folder first), so the site holds
exactly what this build writes (tests/test_outdir.py
compares with a build that cleaned as MkDocs does). A build that stops
between steps 1 and 2 leaves the hidden sibling behind; the next build
removes such leftovers. Where a rename fails (permissions, another file
system) the folder is removed there and then, as MkDocs would.
"""

from __future__ import annotations

import os
import shutil
from contextlib import suppress
import tempfile
from pathlib import Path

KEEP = ".kb-keep-"


def _prefix(site: Path) -> str:
    return f".{site.name}{KEEP}"


def _empty_files(top: str, spared: frozenset[str] = frozenset()) -> None:
    """Every file (and link) under the folder ``top`` removed; folders kept; folders in ``spared``
    (absolute paths) not looked into."""
    for root, dirs, files in os.walk(top):
        dirs[:] = [d for d in dirs if os.path.join(root, d) not in spared]
        for name in files:
            with suppress(OSError):  # left for MkDocs, as its cleaning ignores what it cannot remove
                os.unlink(os.path.join(root, name))
        for name in list(dirs):  # links to folders are removed, not followed (as shutil.rmtree)
            path = os.path.join(root, name)
            if os.path.islink(path):
                with suppress(OSError):
                    os.unlink(path)
                dirs.remove(name)


class Keeper:
    """One build's kept folders."""

    def __init__(self, site: Path, stash: Path | None, names: list[str]) -> None:
        self.site = site
        self.stash = stash
        self.names = names

    @classmethod
    def start(cls, site_dir: str | os.PathLike, replaced: tuple[str, ...] = ()) -> "Keeper | None":
        """Step 1; None when there is nothing to keep (no site directory yet). ``replaced``: folders
        (relative to the site) the build removes and writes again whole itself (the search index,
        written by a background process after an edit): their files are left for it to remove."""
        site = Path(site_dir)
        try:
            real = site.resolve(strict=True)
            entries = [e for e in os.scandir(real) if not e.name.startswith(".")]
        except OSError:
            return None
        parent = real.parent
        with suppress(OSError):  # an unreadable parent: no leftovers to look for
            for old in parent.iterdir():
                if old.name.startswith(_prefix(real)) and old.is_dir() and not old.is_symlink():
                    shutil.rmtree(old, ignore_errors=True)  # left by a build that stopped half-way
        folders = [e.name for e in entries if e.is_dir(follow_symlinks=False)]
        if not folders:
            return None
        try:
            stash = Path(tempfile.mkdtemp(prefix=_prefix(real), dir=parent))
        except OSError:
            return None  # MkDocs removes the folders itself
        kept = []
        spared = frozenset(str(real / r) for r in replaced)
        for name in folders:
            _empty_files(str(real / name), spared)
            try:
                os.rename(real / name, stash / name)
                kept.append(name)
            except OSError:
                shutil.rmtree(real / name, ignore_errors=True)
        return cls(real, stash, kept)

    def restore(self) -> None:
        """Step 2."""
        if self.stash is None:
            return
        for name in self.names:
            if (self.site / name).exists() or not self.site.is_dir():
                continue
            with suppress(OSError):  # not moved back: removed with the stash, made again by the build
                os.rename(self.stash / name, self.site / name)
        shutil.rmtree(self.stash, ignore_errors=True)
        self.stash = None

    def finish(self) -> None:
        """Step 3."""
        self.restore()  # in case on_files did not run
        for name in self.names:
            top = self.site / name
            if not top.is_dir() or top.is_symlink():
                continue
            for root, _, _ in os.walk(top, topdown=False):
                with suppress(OSError):
                    os.rmdir(root)  # only an empty folder goes
