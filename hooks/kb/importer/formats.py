"""Reading PDF (text layer, with pypdf) and Word 97–2003 ``.doc`` / WPS ``.wps`` (with antiword).

Both give ``Block`` lines like the other readers. A PDF loses its paragraphs:
every visual line is a line of text. Lines that run to the right margin (as
long as the longest lines of their page) are joined to the next line, and the
running headers, footers and page numbers that repeat page after page are
dropped, so that a page break does not cut a paragraph or add a heading.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections import Counter
from pathlib import Path

from kb.importer.reading import Block, ReadError

PDF_SUFFIXES = {".pdf"}
WORD97_SUFFIXES = {".doc", ".wps"}
ANTIWORD_TIMEOUT = 60  # seconds
MIN_TEXT_PER_PAGE = 10  # fewer visible characters per page on average: a scan without text layer

# -- PDF ------------------------------------------------------------------

_PAGE_NUMBER = re.compile(
    r"^(?:[-—–_\s]*\d{1,4}[-—–_\s]*|第\s*\d{1,4}\s*页(?:\s*[,，/]?\s*共\s*\d{1,4}\s*页)?|\d{1,4}\s*/\s*\d{1,4}"
    r"|page\s*\d{1,4}(?:\s*of\s*\d{1,4})?)$",
    re.I,
)
_SENTENCE_END = re.compile(r"[。！？；：:;!?…”’」』）)]$")
_STRUCTURE_START = re.compile(
    r"^(?:第[零〇一二三四五六七八九十百千两\d]+[章节節条條]|[一二三四五六七八九十]+、|[（(][一二三四五六七八九十\d]+[）)]|\d+[、.．])"
)
_DIGITS = re.compile(r"\d+")


def read_pdf(path: Path) -> list[Block]:
    try:
        from pypdf import PdfReader
        from pypdf.errors import PdfReadError
    except ImportError:  # pragma: no cover - a declared dependency
        raise ReadError("读取 PDF 需要 pypdf：请运行 make setup") from None
    try:
        reader = PdfReader(str(path))
        if reader.is_encrypted and not reader.decrypt(""):
            raise ReadError("PDF 已加密（需要密码才能打开），请先解除加密或另存为不加密的 PDF 后再导入")
        pages = [page.extract_text() or "" for page in reader.pages]
    except ReadError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, OSError, IndexError) as exc:
        raise ReadError(f"不是有效的 PDF 文件（{type(exc).__name__}），文件可能已损坏") from None
    except Exception as exc:  # noqa: BLE001 - pypdf raises many kinds on a broken file
        if type(exc).__module__.startswith("pypdf"):
            raise ReadError(f"不是有效的 PDF 文件（{type(exc).__name__}），文件可能已损坏") from None
        raise
    visible = sum(len(re.sub(r"\s", "", p)) for p in pages)
    if not pages or visible < MIN_TEXT_PER_PAGE * len(pages):
        raise ReadError("PDF 中没有可提取的文字（可能是扫描件或图片），请先用 OCR 软件识别为文字，"
                        "或找到原始 Word 文件后再导入")
    return [Block(line) for line in pdf_lines([p.split("\n") for p in pages])]


def pdf_lines(pages: list[list[str]]) -> list[str]:
    """The text of a PDF's pages as paragraphs: furniture dropped, wrapped lines joined."""
    pages = [[line.strip() for line in page if line.strip()] for page in pages]
    furniture = _running_lines(pages)
    out: list[str] = []
    carry = False  # the last line of the previous page ran to the margin
    for page in pages:
        kept = [line for line in page if not _PAGE_NUMBER.match(line) and _DIGITS.sub("#", line) not in furniture]
        width = _full_width(kept)
        for line in kept:
            if carry and out and not _STRUCTURE_START.match(line):
                out[-1] += line
            else:
                out.append(line)
            carry = width > 0 and _text_len(line) >= width and not _SENTENCE_END.search(line)
    return out


def _text_len(line: str) -> float:
    """Width in full-width characters (ASCII letters and digits count half)."""
    return sum(0.5 if ord(ch) < 128 else 1 for ch in line)


def _full_width(lines: list[str]) -> float:
    """The length of a line that reaches the right margin: near the longest lines of the page."""
    lengths = sorted((_text_len(line) for line in lines), reverse=True)
    if len(lengths) < 3:
        return 0
    top = lengths[min(2, len(lengths) - 1)]  # the third longest: one overlong line does not count
    return top - 1.5


def _running_lines(pages: list[list[str]]) -> set[str]:
    """First and last lines that recur on several pages (numbers ignored): running headers and footers."""
    if len(pages) < 2:
        return set()
    seen: Counter[str] = Counter()
    for page in pages:
        edges = {_DIGITS.sub("#", line) for line in page[:2] + page[-2:]}
        seen.update(edges)
    return {line for line, n in seen.items() if n >= max(2, len(pages) // 2 + 1) and len(line) <= 40}


# -- Word 97-2003 (.doc) and WPS (.wps) -----------------------------------


def antiword_path() -> str | None:
    return shutil.which("antiword")


def read_word97(path: Path) -> list[Block]:
    suffix = path.suffix.lower()
    exe = antiword_path()
    if exe is None:
        raise ReadError(f"读取 {suffix} 文件需要 antiword：请运行 make antiword（或 sudo apt-get install antiword），"
                        "也可以在 Word / WPS 中另存为 .docx 后导入")
    with open(path, "rb") as fh:
        magic = fh.read(8)
    if magic != b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":  # OLE2 compound file: Word 97-2003 and WPS
        hint = "（看起来是 .docx，请把扩展名改为 .docx）" if magic[:4] == b"PK\x03\x04" else ""
        raise ReadError(f"不是 Word 97–2003 / WPS 文档{hint}，无法读取；请在 Word / WPS 中另存为 .docx 后导入")
    try:
        done = subprocess.run([exe, "-m", "UTF-8.txt", "-w", "0", str(path)], capture_output=True,
                              timeout=ANTIWORD_TIMEOUT, check=False)
    except subprocess.TimeoutExpired:
        raise ReadError(f"antiword 读取超时（{ANTIWORD_TIMEOUT} 秒），文件可能已损坏") from None
    except OSError as exc:
        raise ReadError(f"无法运行 antiword：{exc.strerror}") from None
    text = done.stdout.decode("utf-8", errors="replace")
    if done.returncode != 0 or not text.strip():
        why = done.stderr.decode("utf-8", errors="replace").strip().splitlines()
        detail = f"（antiword：{why[-1][:200]}）" if why else ""
        kind = "WPS 文件" if suffix == ".wps" else ".doc 文件"
        raise ReadError(f"无法读取这个{kind}{detail}；请在 Word / WPS 中另存为 .docx 后导入")
    return [Block(line) for line in text.replace("\r", "\n").split("\n")]
