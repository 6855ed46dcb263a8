"""The output directory kept from one build to the next: a page whose bytes did
not change is not written again.

MkDocs empties the site directory before a build (every top-level entry
that does not start with a dot, ``mkdocs.utils.clean_directory``), then
writes every page into a folder of its own (``reports/report-00001/index.html``):
at 10,000 entries some 10,000 folders and 20,000 files removed and made again
on every build, most of a build after an edit on file systems where those
operations are slow. This keeps them and writes only what changed:

1. ``Keeper.start(site_dir)`` (``on_pre_build``, before MkDocs empties the
   directory): every file under each top-level folder (not starting with a
   dot) is noted with its inode and change time (a link, anything but a
   regular file and a file with other hard links are removed at once, as
   MkDocs would: writing into a hard-linked file would change the other
   copy); the folder trees are moved aside by renaming, into a hidden sibling
   directory (``.<site>.kb-keep-<random>``), so MkDocs finds nothing to
   remove but the top-level files.
2. ``restore()`` (``on_files``, before anything is written): the folder trees
   are moved back. A name MkDocs or a plugin made meanwhile wins: the kept
   tree of that name is removed.
3. ``same(path, data)`` (``on_post_page``): whether the kept file at ``path``
   already holds exactly ``data``; if so the page is not written (the session
   hands MkDocs an empty page, which it does not write) and the file counts as
   written by this build. ``holds(path, digest)`` says the same without
   reading the file or the page: the last build noted every page it wrote or
   kept (``finish``'s result, kept in the build cache: ``known``) with its
   file's identity and the digest of its bytes, and a stored page carries the
   digest of its bytes; the file is the one noted when its identity is
   unchanged (nothing wrote it since: a write changes the change time).
4. ``finish()`` (``on_post_build``): every noted file that is still the one
   noted (same inode and change time: nothing wrote it in this build) and was
   not found ``same`` is removed; so are folders this build left empty,
   bottom-up (a folder of the site exists only because something was written
   in it); a top-level folder starting with a dot is not looked into, as MkDocs
   does not touch those.

So the site holds exactly what this build writes, byte for byte, as after
MkDocs' own cleaning (tests/test_outdir.py compares the two, and the build
cache tests compare warm builds with cold ones). Folders the build removes and
writes again itself (``replaced``: the search index, whose writer brings its
folder to the new content with ``kb.source.sync.write_tree``) are not looked into. A build
that stops between steps 1 and 2 leaves the hidden sibling behind; the next
build removes such leftovers (and so writes every page). Where a rename fails
(permissions, another file system) the folder is removed there and then, as
MkDocs would.
"""

from __future__ import annotations

import heapq
import os
import shutil
import tempfile
from contextlib import suppress
from pathlib import Path

from mkdocs.structure.files import File

from kb.source.sync import Noted, file_digest, identity, same_file

Identity = tuple[int, int, int]  # inode, change time, size (kb.source.sync.identity)

KEEP = ".kb-keep-"


def _prefix(site: Path) -> str:
    return f".{site.name}{KEEP}"


def _note_files(top: str, spared: frozenset[str], noted: dict[str, Identity], empty: set[str]) -> None:
    """Every regular file under ``top`` noted (by its path after the folder is moved back: the
    same path); links, other kinds and hard-linked files removed; folders in ``spared`` skipped;
    folders holding nothing added to ``empty``."""
    for root, dirs, files in os.walk(top):
        if not dirs and not files:
            empty.add(root)
        dirs[:] = [d for d in dirs if os.path.join(root, d) not in spared]
        for name in files:
            path = os.path.join(root, name)
            if (ident := identity(path)) is not None:
                noted[path] = ident
            else:
                with suppress(OSError):  # left for MkDocs, as its cleaning ignores what it cannot remove
                    os.unlink(path)
        for name in list(dirs):  # links to folders are removed, not followed (as shutil.rmtree)
            path = os.path.join(root, name)
            if os.path.islink(path):
                with suppress(OSError):
                    os.unlink(path)
                dirs.remove(name)


class Keeper:
    """One build's kept output."""

    def __init__(self, site: Path, stash: Path | None, names: list[str],
                 noted: dict[str, Identity] | None = None) -> None:
        self.site = site
        self.stash = stash
        self.names = names
        self.noted = noted or {}  # path -> identity of the file when the build started
        self.kept: set[str] = set()  # noted files found to hold this build's bytes (``same``, ``known``)
        self.empty: set[str] = set()  # folders that held nothing when the build started
        self.known: Noted = {}  # the last build's pages (``finish``)
        self.pages: dict[str, bytes] = {}  # this build's pages: path -> digest of the bytes

    @classmethod
    def start(cls, site_dir: str | os.PathLike, replaced: tuple[str, ...] = ()) -> "Keeper | None":
        """Step 1; None when there is nothing to keep (no site directory yet). ``replaced``: folders
        (relative to the site) the build writes again whole itself (the search index, written by a
        background process after an edit): not looked into."""
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
        noted: dict[str, Identity] = {}
        empty: set[str] = set()
        spared = frozenset(str(real / r) for r in replaced)
        for name in folders:
            found: dict[str, Identity] = {}
            _note_files(str(real / name), spared, found, empty)
            try:
                os.rename(real / name, stash / name)
                kept.append(name)
                noted.update(found)
            except OSError:
                shutil.rmtree(real / name, ignore_errors=True)
        keeper = cls(real, stash, kept, noted)
        keeper.empty = {d for d in empty if os.path.relpath(d, real).split(os.sep)[0] in kept}
        return keeper

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

    def same(self, path: str, data: bytes) -> bool:
        """Step 3: whether the kept file ``path`` holds ``data`` (then it is this build's, unwritten);
        either way the page ``data`` is this build's, by its digest."""
        self.pages[path] = file_digest(data)
        if path not in self.noted or not same_file(path, data):
            return False
        self.kept.add(path)
        return True

    def would_hold(self, path: str, digest: bytes) -> bool:
        """Whether the last build wrote (or kept) the page of bytes ``digest`` at ``path`` and the
        file is still the one it noted (``known``: its ``finish``)."""
        noted = self.noted.get(path)
        return noted is not None and self.known.get(path) == (*noted, digest)

    def holds(self, path: str, digest: bytes) -> bool:
        """Step 3 without reading the file (``would_hold``); then it is this build's, unwritten."""
        if not self.would_hold(path, digest):
            return False
        self.pages[path] = digest
        self.kept.add(path)
        return True

    def finish(self) -> Noted:
        """Step 4; what the next build's ``known`` is: every page of this build, the identity of its
        file and the digest of its bytes."""
        self.restore()  # in case on_files did not run
        pages: Noted = {}
        for path, digest in self.pages.items():
            ident = self.noted[path] if path in self.kept else identity(path)
            if ident is not None:
                pages[path] = (*ident, digest)
        emptied = set(self.empty)  # folders that may be empty now: only those are looked at
        for path, ident in self.noted.items():
            if path not in self.kept and identity(path) == ident:  # not written by this build
                with suppress(OSError):
                    os.unlink(path)
                    emptied.add(os.path.dirname(path))
        self.noted, self.kept, self.empty, self.pages = {}, set(), set(), {}
        _remove_empty(emptied, str(self.site))
        return pages


class KeptFile(File):
    """A generated file of the site that is not a page (各单位对照 JSON, ``feed.xml``): written by
    MkDocs only when the kept file does not hold its bytes already (``Keeper.same``)."""

    keeper: Keeper | None = None

    def copy_file(self, dirty: bool = False) -> None:
        if self.keeper is None or dirty or self.abs_src_path is not None:
            super().copy_file(dirty)
        elif not self.keeper.same(self.abs_dest_path, self.content_bytes):
            super().copy_file(dirty)


def _remove_empty(folders: set[str], site: str) -> None:
    """Each of ``folders`` removed if empty, deepest first, and then its parents up to ``site``
    while they are empty (a folder of the site exists only because something was written in it)."""
    heap = [(-f.count(os.sep), f) for f in folders]
    heapq.heapify(heap)
    seen = set(folders)
    while heap:
        _, folder = heapq.heappop(heap)
        if folder == site or not folder.startswith(site + os.sep) or os.path.islink(folder):
            continue
        try:
            os.rmdir(folder)  # only an empty folder goes
        except OSError:
            continue
        parent = os.path.dirname(folder)
        if parent not in seen:
            seen.add(parent)
            heapq.heappush(heap, (-parent.count(os.sep), parent))
