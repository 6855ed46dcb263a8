"""The release archive: a reproducible ``site.tar.gz`` of a built site and its ``.sha256``."""

from __future__ import annotations

import gzip
import hashlib
import io
import tarfile
from pathlib import Path

from kb.source.atomic import write_atomic


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
    packed = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=packed, mtime=0, compresslevel=6) as gz:
        gz.write(buf.getvalue())
    write_atomic(path, packed.getvalue())
    digest = hashlib.sha256(packed.getvalue()).hexdigest()
    write_atomic(path.parent / (path.name + ".sha256"), f"{digest}  {path.name}\n")
    return digest
