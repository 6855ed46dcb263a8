"""Reading a source file into text blocks: plain text, HTML and Word .docx.

Each format ends up as a list of ``Block``: one paragraph (or line) of text,
with the heading level its markup gave it (``<h2>``, Word's "Heading 2"), if
any. Everything after this step is format-independent.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

MAX_SOURCE_BYTES = 20 * 1024 * 1024
# A .docx is a zip: its members are checked against these limits, from the
# sizes the zip directory declares, before anything is decompressed (Python's
# zipfile never inflates a member past its declared size, so the declared
# sizes bound the real ones). A zip bomb is refused in milliseconds.
MAX_UNPACKED_BYTES = 256 * 1024 * 1024  # all members together
MAX_MEMBERS = 10_000
MAX_RATIO = 200  # declared size / compressed size, for members over RATIO_FLOOR
RATIO_FLOOR = 4 * 1024 * 1024
TEXT_SUFFIXES = {".txt", ".text", ".md", ".markdown"}
HTML_SUFFIXES = {".html", ".htm", ".xhtml", ".shtml"}
DOCX_SUFFIXES = {".docx"}
# Everything `kb import DIR` picks up (kb.importer.formats reads the last three).
SUPPORTED_SUFFIXES = TEXT_SUFFIXES | HTML_SUFFIXES | DOCX_SUFFIXES | {".pdf", ".doc", ".wps"}
SUPPORTED_TEXT = ".txt、.md、.html、.htm、.docx、.doc、.wps、.pdf"


class ReadError(Exception):
    """A file that cannot be read or parsed; the message is shown to the user."""


@dataclass
class Block:
    text: str
    heading_level: int | None = None  # from markup (h1-h6, Word heading styles, list level)


# -- decoding -------------------------------------------------------------

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-]+)""", re.I)
_GB_FAMILY = {"gb2312", "gbk", "gb18030", "hz", "cp936", "euc_cn", "x-gbk"}


def _codec(name: str) -> str:
    name = name.lower().replace("-", "_")
    return "gb18030" if name.replace("_", "-") in _GB_FAMILY or name in _GB_FAMILY else name


def decode_bytes(raw: bytes, declared: str | None = None) -> str:
    """Decode UTF-8 (with or without BOM), UTF-16 with BOM, or GB18030/GBK/Big5.

    GB18030 is used for every GB-family guess: it is a superset of GB2312 and GBK.
    """
    if raw.startswith(b"\xef\xbb\xbf"):
        text = raw[3:].decode("utf-8", errors="strict")
    elif raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = raw.decode("utf-16")
    else:
        text = None
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            pass
        if text is None and declared:
            try:
                text = raw.decode(_codec(declared))
            except (LookupError, UnicodeDecodeError):
                text = None
        if text is None:
            text = _guess(raw)
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _guess(raw: bytes) -> str:
    from charset_normalizer import from_bytes

    best = from_bytes(raw, cp_isolation=["gb18030", "big5", "utf_16"]).best()
    candidates = [_codec(best.encoding)] if best is not None else []
    candidates.append("gb18030")
    for codec in candidates:
        try:
            return raw.decode(codec)
        except (LookupError, UnicodeDecodeError):
            continue
    raise ReadError("无法识别文件编码（支持 UTF-8、GB18030/GBK、Big5），请另存为 UTF-8 后重试")


# -- formats --------------------------------------------------------------


def read_blocks(path: Path) -> list[Block]:
    """Blocks of one source file; raises ReadError with a Chinese message."""
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise ReadError("文件不存在") from None
    except OSError as exc:
        raise ReadError(f"无法读取文件：{exc.strerror}") from None
    if not path.is_file():
        raise ReadError("不是文件")
    if size > MAX_SOURCE_BYTES:
        raise ReadError(f"文件过大（{size // 1024 // 1024} MB），不得超过 {MAX_SOURCE_BYTES // 1024 // 1024} MB")
    suffix = path.suffix.lower()
    if suffix in (".pdf", ".doc", ".wps"):
        from kb.importer import formats  # PDF (pypdf) and Word 97-2003 / WPS (antiword)

        return formats.read_pdf(path) if suffix == ".pdf" else formats.read_word97(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ReadError(f"无法读取文件：{exc.strerror}") from None
    if suffix in DOCX_SUFFIXES or (suffix not in TEXT_SUFFIXES | HTML_SUFFIXES and raw[:4] == b"PK\x03\x04"):
        return read_docx(path)
    if suffix in HTML_SUFFIXES or (suffix not in TEXT_SUFFIXES and _looks_like_html(raw)):
        return read_html(raw)
    if suffix in TEXT_SUFFIXES or suffix == "":
        return read_text(raw, markdown=suffix in (".md", ".markdown"))
    raise ReadError(f"不支持的文件类型“{suffix}”（支持 {SUPPORTED_TEXT}）")


def _looks_like_html(raw: bytes) -> bool:
    head = raw[:2048].lstrip().lower()
    return head.startswith((b"<!doctype html", b"<html")) or b"<body" in head


_MD_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")


def read_text(raw: bytes, markdown: bool = False) -> list[Block]:
    if b"\x00" in raw and not raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ReadError("不是文本文件（含有二进制内容）")
    text = decode_bytes(raw)
    blocks = []
    for line in text.split("\n"):
        m = _MD_HEADING.match(line) if markdown else None
        blocks.append(Block(m.group(2), len(m.group(1))) if m else Block(line))
    return blocks


# Elements that never hold report text, and class/id names of page furniture.
_DROP_TAGS = ("script", "style", "noscript", "template", "iframe", "form", "nav", "header", "footer",
              "aside", "button", "select", "svg", "object")
_FURNITURE_WORDS = frozenset(
    "bread breadcrumb breadcrumbs crumb crumbs location loc footer foot copyright share sharing bdshare related relate "
    "recommend recommends sidebar comment comments nav navbar navigation menu toolbar pager pagination prev next hot "
    "rank ranking advert ads banner login search tags tag".split()
)
_WORD_SPLIT = re.compile(r"[-_\s]+|(?<=[a-z])(?=[A-Z])")
FURNITURE_MAX_SHARE = 0.6  # never drop what holds most of the page's text


def _is_furniture(names: list[str]) -> bool:
    for name in names:
        for word in _WORD_SPLIT.split(name):
            if word.lower() in _FURNITURE_WORDS:
                return True
    return False


_BLOCK_TAGS = ("p", "div", "li", "tr", "td", "th", "section", "article", "blockquote", "pre", "dd", "dt",
               "table", "ul", "ol", "center")
_HEADING_TAGS = {f"h{n}": n for n in range(1, 7)}
_MARK = "\x01H{}\x01"
_MARK_RE = re.compile(r"^\x01H(\d)\x01")


def read_html(raw: bytes) -> list[Block]:
    from bs4 import BeautifulSoup

    m = _META_CHARSET.search(raw[:4096])
    text = decode_bytes(raw, m.group(1).decode("ascii") if m else None)
    soup = BeautifulSoup(text, "lxml")
    root = soup.body or soup
    for tag in root.find_all(_DROP_TAGS):
        tag.decompose()
    total = len(root.get_text()) or 1
    for tag in root.find_all(True):
        if tag.decomposed or tag.attrs is None or tag.name in ("body", "html"):
            continue
        names = [*(tag.get("class") or []), tag.get("id") or ""]
        if _is_furniture(names) and len(tag.get_text()) / total < FURNITURE_MAX_SHARE:
            tag.decompose()
    for br in root.find_all("br"):
        br.replace_with("\n")
    for tag in root.find_all(list(_HEADING_TAGS)):
        tag.insert(0, _MARK.format(_HEADING_TAGS[tag.name]))
        tag.insert_before("\n")
        tag.insert_after("\n")
    for tag in root.find_all(_BLOCK_TAGS):
        tag.insert_before("\n")
        tag.insert_after("\n")
    blocks: list[Block] = []
    for line in root.get_text().split("\n"):
        level = None
        hm = _MARK_RE.match(line)
        if hm:
            level, line = int(hm.group(1)), line[hm.end():]
        line = line.replace("\x01", "")
        blocks.append(Block(line, level))
    if not any(b.text.strip() for b in blocks):
        raise ReadError("网页中没有可导入的正文")
    return blocks


_STYLE_LEVEL = re.compile(r"^(?:heading|标题)\s*(\d)$", re.I)


def read_docx(path: Path) -> list[Block]:
    check_zip(path)  # before anything is decompressed (or python-docx is even imported)
    import docx
    from docx.opc.exceptions import PackageNotFoundError
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    try:
        document = docx.Document(str(path))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise ReadError(f"不是有效的 .docx 文件（{type(exc).__name__}），文件可能已损坏") from None
    blocks: list[Block] = []
    body = document.element.body
    for child in body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            blocks.append(_docx_paragraph(Paragraph(child, document)))
        elif tag == "tbl":
            table = Table(child, document)
            for row in table.rows:
                seen: list[str] = []
                for cell in row.cells:
                    if cell.text not in seen:  # merged cells repeat their text
                        seen.append(cell.text)
                blocks.extend(Block(t) for t in " | ".join(seen).split("\n"))
    return blocks


def check_zip(path: Path) -> None:
    """Refuse a zip whose declared contents are too large or too compressed (a zip bomb)."""
    try:
        with zipfile.ZipFile(path) as zf:
            members = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise ReadError(f"不是有效的 .docx 文件（{type(exc).__name__}），文件可能已损坏") from None
    if len(members) > MAX_MEMBERS:
        raise ReadError(f"压缩包内文件过多（{len(members)} 个，不得超过 {MAX_MEMBERS} 个），拒绝导入")
    mib = 1024 * 1024
    total = 0
    for info in members:
        total += info.file_size
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > RATIO_FLOOR and ratio > MAX_RATIO:
            raise ReadError(f"压缩包成员 {info.filename} 解压后 {info.file_size // mib} MB，压缩比 {ratio:.0f}:1，"
                            f"超过 {MAX_RATIO}:1，疑似压缩炸弹，拒绝导入")
    if total > MAX_UNPACKED_BYTES:
        raise ReadError(f"解压后共 {total // mib} MB，超过 {MAX_UNPACKED_BYTES // mib} MB 上限，拒绝导入")


def _docx_paragraph(par) -> Block:
    text = par.text.replace("\r", "\n")
    level = None
    style = par.style.name if par.style is not None else ""
    sm = _STYLE_LEVEL.match(style.strip())
    if sm:
        level = int(sm.group(1))
    elif style.strip().lower() == "title":
        level = 0
    else:
        # Word's own list numbering: the number is not in the text; a short
        # numbered paragraph is a heading at its list level.
        numpr = _numpr(par._p.pPr)
        if numpr is None and par.style is not None:
            numpr = _numpr(par.style.element.pPr)  # numbering set by the style (List Number)
        if numpr is not None and len(text.strip()) <= 60:
            sm = re.search(r"(\d)$", style.strip())
            ilvl = numpr.ilvl.val if numpr.ilvl is not None else (int(sm.group(1)) - 1 if sm else 0)
            level = 10 + int(ilvl)  # list levels rank below heading styles
    return Block(text, level)


def _numpr(ppr):
    numpr = ppr.numPr if ppr is not None else None
    if numpr is None or numpr.numId is None or numpr.numId.val == 0:
        return None
    return numpr
