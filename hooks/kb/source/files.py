"""Only regular files inside the project are content.

A symlink may point anywhere (``data/cases/x.md -> /outside/secret.md``,
``docs/assets/p.txt -> /etc/passwd``), and a name may be a device
(``/dev/zero``: endless), a FIFO (blocks the reader forever) or a socket.
Entry files (``kb.source.loader``) and the hand-written pages and assets of
``docs/`` (``kb.engine.session``, before MkDocs walks the directory and when
it hands over its file list) are checked here; every message is Chinese and
starts with the file's path relative to the project.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Iterable


def file_problem(path: Path, root: Path) -> str | None:
    """Why ``path`` must not be read as project content, or ``None``: a symlink
    (of the file or a directory above it) resolving outside ``root``, or not a
    regular file (a device such as /dev/zero, a FIFO that would block, a socket)."""
    try:
        real = Path(path).resolve(strict=True)
    except (OSError, RuntimeError) as exc:  # dangling or looping link
        return f"无法读取文件：{getattr(exc, 'strerror', None) or '符号链接无效'}"
    if not real.is_relative_to(Path(root).resolve()):
        return "是指向项目目录之外的符号链接，已拒绝（只能收录项目中的文件）"
    try:
        mode = os.stat(real).st_mode
    except OSError as exc:
        return f"无法读取文件：{exc.strerror}"
    if not stat.S_ISREG(mode):
        return "不是普通文件（设备文件、命名管道或套接字），已拒绝"
    return None


def tree_problems(directory: Path, root: Path) -> list[str]:
    """``path: 说明`` for everything under ``directory`` that is not a regular file
    inside ``root``: symlinks (files or directories) resolving outside it, a
    directory link back into one of its own parents (an endless walk), devices,
    FIFOs and sockets. Walked without following links, so nothing outside is read."""
    root = Path(root).resolve()
    out: list[str] = []

    def rel(p: Path) -> str:
        try:
            return p.relative_to(root).as_posix()
        except ValueError:
            return p.as_posix()

    for dirpath, dirnames, filenames in os.walk(directory):
        here = Path(dirpath)
        for name in sorted(dirnames):
            d = here / name
            if not d.is_symlink():
                continue
            try:
                real = d.resolve(strict=True)
            except (OSError, RuntimeError):
                out.append(f"{rel(d)}: 符号链接无效，已拒绝")
                continue
            if not real.is_relative_to(root):
                out.append(f"{rel(d)}: 是指向项目目录之外的目录链接，已拒绝（只能使用项目中的文件）")
            elif d.parent.resolve().is_relative_to(real):
                out.append(f"{rel(d)}: 目录链接指向它自己所在的目录，会无限循环，已拒绝")
        for name in sorted(filenames):
            problem = file_problem(here / name, root)
            if problem:
                out.append(f"{rel(here / name)}: {problem}")
    return out


def listed_problems(paths: Iterable[str], docs: Path, root: Path) -> list[str]:
    """``tree_problems`` for the files an engine listed (``paths``: absolute; theme files, those
    outside ``docs``, are not looked at): the engine may have followed a link the walk of
    ``tree_problems`` could not see."""
    root = root.resolve()
    out = []
    for p in paths:
        path = Path(p)
        if path.is_relative_to(docs):
            problem = file_problem(path, root)
            if problem:
                out.append(f"{docs.name}/{path.relative_to(docs).as_posix()}: {problem}")
    return out
