"""The compilation as a Word document (python-docx): a cover with the title and
date, a table of contents field, then each entry (Heading 1) with its metadata
table and full text. Deterministic: fixed core properties and zip timestamps."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from typing import TYPE_CHECKING, Sequence

from docx import Document
from docx.enum.section import WD_SECTION
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt

from kb.compile.content import Block, body_blocks, metadata_rows

if TYPE_CHECKING:  # pragma: no cover
    from kb.model.entry import Entry
    from kb.model.knowledge import KnowledgeBase

TOC_INSTRUCTION = r' TOC \o "1-3" \h \z \u '
ZIP_DATE = (1980, 1, 1, 0, 0, 0)
AUTHOR = "统战工作政策知识库"
EAST_ASIAN_FONT = "宋体"


def chinese_date(d: dt.date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def build(kb: "KnowledgeBase", entries: Sequence["Entry"], title: str, date: dt.date, description: str) -> bytes:
    """The .docx bytes of a compilation of ``entries`` (in this order)."""
    doc = Document()
    _fonts(doc)
    ids = {st.name: st.style_id for st in doc.styles}  # set by id: python-docx's lookup by name is slow
    doc._kb_style_ids = ids  # type: ignore[attr-defined]
    _cover(doc, title, date, description, len(entries))
    _toc(doc, entries)
    for n, e in enumerate(entries):
        if n:
            doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
        _entry(doc, kb, e)
    _properties(doc, title, date)
    raw = io.BytesIO()
    doc.save(raw)
    return _normalise_zip(raw.getvalue())


def _fonts(doc) -> None:
    """A Chinese font for East Asian text in the styles used (Word otherwise picks one per machine)."""
    for name in ("Normal", "Title", "Subtitle", "Heading 1", "Heading 2", "Heading 3", "Heading 4", "TOC Heading"):
        try:
            style = doc.styles[name]
        except KeyError:
            continue
        rpr = style.element.get_or_add_rPr()
        fonts = rpr.find(qn("w:rFonts"))
        if fonts is None:
            fonts = OxmlElement("w:rFonts")
            rpr.append(fonts)
        fonts.set(qn("w:eastAsia"), EAST_ASIAN_FONT)
    doc.styles["Normal"].font.size = Pt(12)


def _cover(doc, title: str, date: dt.date, description: str, count: int) -> None:
    for _ in range(6):
        doc.add_paragraph()
    t = _para(doc, "Title", title)
    t.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for text in (description, f"共收录 {count} 个条目", chinese_date(date)):
        p = _para(doc, "Subtitle", text)
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    doc.add_section(WD_SECTION.NEW_PAGE)


def _para(doc, style: str | None = None, text: str = ""):
    """A new paragraph in ``style`` (by name; set through its id, which is fast)."""
    p = doc.add_paragraph(text)
    if style is not None:
        p._p.style = doc._kb_style_ids[style]
    return p


def _table(doc, rows: int, cols: int):
    table = doc.add_table(rows=rows, cols=cols)
    table._tbl.tblStyle_val = doc._kb_style_ids["Table Grid"]
    return table


def _run(paragraph, text: str = ""):
    return paragraph.add_run(text)


def _fld(paragraph, kind: str) -> None:
    el = OxmlElement("w:fldChar")
    el.set(qn("w:fldCharType"), kind)
    if kind == "begin":
        el.set(qn("w:dirty"), "true")  # Word recomputes it (page numbers) when the document opens
    _run(paragraph)._r.append(el)


def _toc(doc, entries: Sequence["Entry"]) -> None:
    """目录: a TOC field (headings 1-3) whose shown result is the list of entry titles until
    Word updates it (settings: updateFields)."""
    heading = _para(doc, "TOC Heading" if "TOC Heading" in doc._kb_style_ids else "Heading 1", "目录")
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    first = doc.add_paragraph()
    _fld(first, "begin")
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = TOC_INSTRUCTION
    _run(first)._r.append(instr)
    _fld(first, "separate")
    paragraphs = [first] + [doc.add_paragraph() for _ in entries[1:]]
    for p, e in zip(paragraphs, entries):
        _run(p, e.label)
    if not entries:
        _run(first, "（无条目）")
    _fld(paragraphs[-1], "end")
    settings = doc.settings.element
    update = OxmlElement("w:updateFields")
    update.set(qn("w:val"), "true")
    settings.append(update)
    doc.add_section(WD_SECTION.NEW_PAGE)


def _entry(doc, kb: "KnowledgeBase", e: "Entry") -> None:
    _para(doc, "Heading 1", e.label)
    rows = metadata_rows(kb, e)
    table = _table(doc, len(rows), 2)
    for (label, value), row in zip(rows, table.rows):
        row.cells[0].paragraphs[0].add_run(label).bold = True
        row.cells[1].paragraphs[0].add_run(value)
    if e.meta.summary:
        doc.add_paragraph().add_run(e.meta.summary).italic = True
    for b in body_blocks(e.doc.body):
        _block(doc, b)


def _block(doc, b: Block) -> None:
    if b.kind == "heading":
        _para(doc, f"Heading {min(b.level + 1, 4)}", b.text)
        return
    if b.kind == "table":
        if not b.rows:
            return
        cols = max(len(r) for r in b.rows)
        table = _table(doc, len(b.rows), cols)
        for r, cells in zip(table.rows, b.rows):
            for c, text in zip(r.cells, cells):
                c.paragraphs[0].add_run(text)
        return
    if b.kind == "item":
        style = "List Number" if b.marker[:-1].isdigit() else "List Bullet"
        if b.level:
            style += f" {min(b.level + 1, 3)}"
        p = _para(doc, style)
    elif b.kind == "quote":
        p = _para(doc, "Quote")
    else:
        p = doc.add_paragraph()
    for r in b.runs:
        run = p.add_run(r.text)
        run.bold = r.bold or None
        run.italic = r.italic or None


def _properties(doc, title: str, date: dt.date) -> None:
    when = dt.datetime(date.year, date.month, date.day, tzinfo=dt.timezone.utc)
    cp = doc.core_properties
    cp.title = title
    cp.author = AUTHOR
    cp.last_modified_by = AUTHOR
    cp.created = when
    cp.modified = when
    cp.last_printed = when
    cp.revision = 1
    cp.comments = ""
    cp.keywords = "汇编"


def _normalise_zip(data: bytes) -> bytes:
    """The same archive with fixed timestamps and attributes (same input, same bytes)."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=ZIP_DATE)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed._compresslevel = 1  # type: ignore[attr-defined]  # fast; the text is small
            fixed.external_attr = 0o644 << 16
            dst.writestr(fixed, src.read(info.filename))
    return out.getvalue()
