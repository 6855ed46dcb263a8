"""Generated files written only where their bytes changed.

A build after an edit produces mostly the bytes the last one left in the
site directory (pages, search index shards). Reading a small file and
comparing is far cheaper than removing and creating it again, so the writers
of the site (kb.engine.outdir for pages, the search index, the files kept in
the build cache) leave a file alone when it already holds what they would
write. A file is never written through: a folder, a link or a hard-linked
file standing at the path is removed first (a hard link may be a published
copy, kb.publish).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import stat
from contextlib import suppress
from pathlib import Path
from typing import Mapping


def file_digest(data: bytes) -> bytes:
    """The digest by which a file's bytes are known between builds (kb.engine.outdir)."""
    return hashlib.blake2b(data, digest_size=16).digest()


def same_file(path: str | os.PathLike, data: bytes) -> bool:
    """Whether ``path`` is a regular file, linked once, holding exactly ``data``."""
    try:
        st = os.lstat(path)
        if not stat.S_ISREG(st.st_mode) or st.st_size != len(data) or st.st_nlink != 1:
            return False
        with open(path, "rb") as f:
            return f.read() == data
    except OSError:
        return False


def write_if_changed(path: str | os.PathLike, data: bytes) -> bool:
    """``data`` written to ``path`` unless it holds it already; whether it was written. What stands
    in the way (a folder, a link, a hard-linked file) is removed first, never written through."""
    if same_file(path, data):
        return False
    with suppress(FileNotFoundError):
        if os.path.isdir(path) and not os.path.islink(path):
            shutil.rmtree(path)
        else:
            os.unlink(path)
    with open(path, "wb") as f:
        f.write(data)
    return True


Noted = dict[str, tuple[int, int, int, bytes]]  # path -> (inode, change time, size, digest of its bytes)


def identity(path: str) -> tuple[int, int, int] | None:
    """What changes whenever the file is written or replaced (the change time cannot be set): inode,
    change time, size; None for anything but a regular file linked once."""
    try:
        st = os.lstat(path)
    except OSError:
        return None
    return (st.st_ino, st.st_ctime_ns, st.st_size) if stat.S_ISREG(st.st_mode) and st.st_nlink == 1 else None


def write_tree(root: Path, files: Mapping[str, bytes], known: Noted | None = None,
               noted: Noted | None = None) -> int:
    """The folder ``root`` brought to hold exactly ``files`` (path relative to it -> bytes): a file
    already holding its bytes is left alone, any other file under ``root`` removed, and so are the
    folders left empty. The number of files written. ``noted``, if given, gets every file as written
    or kept; a file still as ``known`` says (an earlier call's ``noted``) with the digest of the bytes
    it should hold is not even read."""
    wanted = {os.path.join(str(root), *rel.split("/")): data for rel, data in files.items()}
    if root.is_symlink() or (root.exists() and not root.is_dir()):
        root.unlink()  # never written through
    try:
        return _write_tree(root, wanted, known or {}, noted)
    except (FileExistsError, NotADirectoryError):  # a file where a folder goes: start afresh
        if root.is_dir() and not root.is_symlink():
            shutil.rmtree(root)
        else:
            with suppress(FileNotFoundError):
                root.unlink()
        return _write_tree(root, wanted, {}, noted)


def _write_tree(root: Path, wanted: dict[str, bytes], known: Noted, noted: Noted | None) -> int:
    written = 0
    made: set[str] = set()
    for path, data in wanted.items():
        folder = os.path.dirname(path)
        if folder not in made:  # a few folders for thousands of files
            os.makedirs(folder, exist_ok=True)
            made.add(folder)
        digest = file_digest(data) if known or noted is not None else b""
        was = known.get(path)
        if was is not None and was[3] == digest and identity(path) == was[:3]:
            now: tuple | None = was  # as the last call left it: the same bytes
        else:
            written += write_if_changed(path, data)
            now = (*ident, digest) if noted is not None and (ident := identity(path)) else None
        if noted is not None and now is not None:
            noted[path] = now
    for base, dirs, names in os.walk(root, topdown=False):
        for name in names + [d for d in dirs if os.path.islink(os.path.join(base, d))]:
            path = os.path.join(base, name)
            if path not in wanted:
                with suppress(OSError):
                    os.unlink(path)
        if base != str(root):
            with suppress(OSError):
                os.rmdir(base)  # only an empty folder goes
    return written
