"""Writing a file so that it is either complete or absent.

Every file the tools write (``kb import``, ``kb new``, ``kb publish``'s state
and archives) goes through ``write_atomic``: the bytes go to a temporary file
next to the target, are flushed to disk, and only then does the temporary
file take the target's name (``os.replace``, or ``os.link`` when an existing
file must not be replaced). On a full disk or a read-only file system the
target is untouched and the temporary file removed.
"""

from __future__ import annotations

import errno
import os
import tempfile
from pathlib import Path

_REASONS = {
    errno.ENOSPC: "磁盘空间不足",
    errno.EDQUOT: "超出磁盘配额",
    errno.EROFS: "文件系统只读",
    errno.EACCES: "没有写入权限",
    errno.EPERM: "没有权限",
    errno.ENOENT: "目录不存在",
    errno.ENOTDIR: "路径中有一项不是目录",
    errno.EEXIST: "已存在",
    errno.EIO: "磁盘读写错误",
}


def reason(exc: OSError) -> str:
    """A short Chinese reason for an OS error (falls back to the system's text)."""
    return _REASONS.get(exc.errno or 0) or exc.strerror or type(exc).__name__


def write_atomic(path: Path | str, data: bytes | str, *, exclusive: bool = False, mode: int = 0o644) -> None:
    """Write ``data`` to ``path`` completely or not at all.

    ``exclusive``: refuse (``FileExistsError``) if ``path`` exists, also when
    another process creates it meanwhile. Raises ``OSError``; nothing partial
    is left behind.
    """
    path = Path(path)
    raw = data.encode("utf-8") if isinstance(data, str) else data
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        try:
            view = memoryview(raw)
            while view:
                view = view[os.write(fd, view):]
            os.fchmod(fd, mode)  # mkstemp makes it private; entries and sites are read by others
            os.fsync(fd)
        finally:
            os.close(fd)
        if exclusive:
            os.link(tmp, path)  # fails if path exists: an atomic exclusive create
            os.unlink(tmp)
        else:
            os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise

