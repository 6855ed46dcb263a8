"""kb import and kb new: bounded reading (zip bombs) and all-or-nothing writes (full disk, read-only)."""

from __future__ import annotations

import errno
import os
import struct
import subprocess
import time
import zipfile
import zlib
from pathlib import Path

import pytest
from click.testing import CliRunner

from kb.cli.main import main
from kb.importer.reading import ReadError, read_blocks
from kb.source import atomic

from conftest import copy_project

W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>')
RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
    'relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="word/document.xml"/></Relationships>')


def _deflate_parts(parts: list[tuple[bytes, int]]) -> tuple[bytes, int, int]:
    """Raw deflate of each part repeated n times, compressing each part once
    (full flushes make the compressed copies independent): (data, crc, size)."""
    out, crc, size = [], 0, 0
    co = zlib.compressobj(9, zlib.DEFLATED, -15)
    for part, n in parts:
        packed = co.compress(part) + co.flush(zlib.Z_FULL_FLUSH)
        out.append(packed * n)
        for _ in range(n):
            crc = zlib.crc32(part, crc)
        size += len(part) * n
    out.append(co.flush())
    return b"".join(out), crc, size


def write_zip(path: Path, members: dict[str, list[tuple[bytes, int]]]) -> None:
    """A deflated zip written by hand, so a member can inflate to gigabytes without ever being in memory."""
    local, central = [], []
    offset = 0
    for name, parts in members.items():
        data, crc, size = _deflate_parts(parts)
        raw = name.encode()
        header = struct.pack("<4sHHHHHIIIHH", b"PK\x03\x04", 20, 0, 8, 0, 0x21, crc, len(data), size, len(raw), 0)
        central.append(struct.pack("<4sHHHHHHIIIHHHHHII", b"PK\x01\x02", 20, 20, 0, 8, 0, 0x21, crc, len(data), size,
                                   len(raw), 0, 0, 0, 0, 0, offset) + raw)
        local.append(header + raw + data)
        offset += len(header) + len(raw) + len(data)
    cd = b"".join(central)
    end = struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, len(central), len(central), len(cd), offset, 0)
    path.write_bytes(b"".join(local) + cd + end)


def make_bomb(path: Path, gigabytes: float = 1.2) -> int:
    """A valid .docx whose word/document.xml inflates to ``gigabytes``; returns that size."""
    para = f"<w:p><w:r><w:t>{'统一战线' * 50}</w:t></w:r></w:p>".encode()
    chunk = para * (1024 * 1024 // len(para))
    n = int(gigabytes * 1024**3 / len(chunk))
    doc = [(f'<?xml version="1.0" encoding="UTF-8"?><w:document {W}><w:body>'.encode(), 1), (chunk, n),
           (b"</w:body></w:document>", 1)]
    write_zip(path, {"[Content_Types].xml": [(CONTENT_TYPES.encode(), 1)], "_rels/.rels": [(RELS.encode(), 1)],
                     "word/document.xml": doc})
    return len(chunk) * n


def test_a_zip_bomb_is_refused_before_decompression(tmp_path):
    bomb = tmp_path / "报告.docx"
    inflated = make_bomb(bomb)
    assert bomb.stat().st_size < 8 * 1024 * 1024 and inflated > 1024**3
    with zipfile.ZipFile(bomb) as zf:  # a real, readable docx zip
        assert zf.open("word/document.xml").read(200).startswith(b"<?xml")
    started = time.perf_counter()
    with pytest.raises(ReadError, match="疑似压缩炸弹") as info:
        read_blocks(bomb)
    assert time.perf_counter() - started < 0.2
    assert "word/document.xml" in str(info.value)


def test_a_small_docx_with_the_same_layout_still_reads(tmp_path):
    """The hand-made zip is a docx python-docx accepts: the bomb is refused for its size, not its form."""
    small = tmp_path / "small.docx"
    make_bomb(small, gigabytes=0.001)
    blocks = read_blocks(small)
    assert len(blocks) > 10 and "统一战线" in blocks[0].text


def test_kb_import_refuses_the_bomb_with_one_chinese_line(tmp_path):
    root = copy_project(tmp_path / "p")
    bomb = tmp_path / "bomb.docx"
    make_bomb(bomb)
    started = time.perf_counter()
    result = CliRunner().invoke(main, ["import", "--root", str(root), str(bomb)])
    elapsed = time.perf_counter() - started
    assert result.exit_code == 1, result.output
    assert "疑似压缩炸弹" in result.output and "Traceback" not in result.output
    assert elapsed < 5  # the CLI's own start-up included; the refusal itself is milliseconds


# -- full disk, read-only file system -----------------------------------------------------


def _fail_writes(monkeypatch, code: int, after: int = 0) -> None:
    """os.write fails with ``code`` after ``after`` bytes (a disk that fills up mid-file)."""
    real = os.write
    written = [0]

    def write(fd, data):
        if written[0] + len(data) > after:
            n = max(after - written[0], 0)
            if n:
                written[0] += real(fd, bytes(data[:n]))
                return n
            raise OSError(code, os.strerror(code))
        written[0] += len(data)
        return real(fd, data)

    monkeypatch.setattr(os, "write", write)


def _source(tmp_path: Path) -> Path:
    src = tmp_path / "某区委统战部2023年工作总结.txt"
    src.write_text("某区委统战部2023年工作总结\n\n一、主要工作\n\n全年开展宗教场所安全检查12次，走访民族团结进步示范社区。\n",
                   encoding="utf-8")
    return src


def _reports(root: Path) -> dict[str, bytes]:
    d = root / "data" / "reports"
    return {p.name: p.read_bytes() for p in d.iterdir()} if d.is_dir() else {}


@pytest.mark.parametrize("code, text", [(errno.ENOSPC, "磁盘空间不足"), (errno.EROFS, "文件系统只读")])
def test_import_on_a_full_disk_leaves_nothing_and_a_retry_needs_no_force(tmp_path, monkeypatch, code, text):
    root = copy_project(tmp_path / "p")
    src = _source(tmp_path)
    before = _reports(root)
    with monkeypatch.context() as m:
        _fail_writes(m, code, after=100)
        result = CliRunner().invoke(main, ["import", "--root", str(root), str(src)])
    assert result.exit_code == 1, result.output
    lines = [ln for ln in result.output.splitlines() if "错误" in ln]
    assert len(lines) == 1 and text in lines[0] and str(src) in lines[0], result.output
    assert "Traceback" not in result.output
    assert _reports(root) == before  # no 0-byte or partial entry, no temporary file

    retry = CliRunner().invoke(main, ["import", "--root", str(root), str(src)])
    assert retry.exit_code == 0, retry.output
    new = set(_reports(root)) - set(before)
    assert len(new) == 1 and _reports(root)[new.pop()].startswith(b"---\n")


def test_forced_reimport_on_a_full_disk_keeps_the_old_entry(tmp_path, monkeypatch):
    root = copy_project(tmp_path / "p")
    src = _source(tmp_path)
    assert CliRunner().invoke(main, ["import", "--root", str(root), str(src)]).exit_code == 0
    src.write_text(src.read_text(encoding="utf-8") + "\n新增的一段。\n", encoding="utf-8")
    before = _reports(root)
    with monkeypatch.context() as m:
        _fail_writes(m, errno.ENOSPC, after=10)
        result = CliRunner().invoke(main, ["import", "--root", str(root), "--force", str(src)])
    assert result.exit_code == 1 and "磁盘空间不足" in result.output, result.output
    assert _reports(root) == before  # the old entry intact, no backup or temporary file left


def test_kb_new_on_a_full_disk_leaves_nothing(tmp_path, monkeypatch):
    root = copy_project(tmp_path / "p")
    args = ["new", "case", "--root", str(root), "--title", "磁盘已满测试案例", "--areas", "religion",
            "--unit", "某区委统战部", "--year", "2024"]
    cases = root / "data" / "cases"
    before = sorted(p.name for p in cases.iterdir())
    with monkeypatch.context() as m:
        _fail_writes(m, errno.ENOSPC, after=20)
        result = CliRunner().invoke(main, args)
    assert result.exit_code != 0, result.output
    assert "磁盘空间不足" in result.output and "Traceback" not in result.output, result.output
    assert sorted(p.name for p in cases.iterdir()) == before
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    assert len(list(cases.iterdir())) == len(before) + 1


def test_write_atomic_exclusive_never_replaces(tmp_path):
    target = tmp_path / "a.md"
    target.write_text("old", encoding="utf-8")
    with pytest.raises(FileExistsError):
        atomic.write_atomic(target, "new", exclusive=True)
    assert target.read_text(encoding="utf-8") == "old" and os.listdir(tmp_path) == ["a.md"]


def test_import_onto_a_really_full_file_system_leaves_nothing(tmp_path):
    """The same on a real full file system: data/reports/ on a tiny tmpfs (needs mount rights; skipped without)."""
    root = copy_project(tmp_path / "p")
    reports = root / "data" / "reports"
    saved = {p.name: p.read_bytes() for p in reports.iterdir()}
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(reports)], capture_output=True)
    if r.returncode != 0:
        pytest.skip("mounting a tmpfs is not permitted here")
    try:
        filler = reports / "filler.bin"
        with open(filler, "wb", buffering=0) as fh:  # fill it up, leaving less than one entry's worth
            try:
                while True:
                    fh.write(b"\0" * 4096)
            except OSError:
                pass
        filler.rename(reports / "filler.bin.keep")
        before = _reports(root)
        src = _source(tmp_path)
        result = CliRunner().invoke(main, ["import", "--root", str(root), str(src)])
        assert result.exit_code == 1 and "磁盘空间不足" in result.output, result.output
        assert _reports(root) == before  # no 0-byte entry, no temporary file
        (reports / "filler.bin.keep").unlink()
        retry = CliRunner().invoke(main, ["import", "--root", str(root), str(src)])
        assert retry.exit_code == 0, retry.output
    finally:
        subprocess.run(["umount", str(reports)], check=True)
    assert {p.name: p.read_bytes() for p in reports.iterdir()} == saved
