"""Importing work reports (plain text, HTML, Word .docx) as report entries.

``reading`` turns a file into text blocks, ``cleaning`` drops web and template
noise, ``structure`` finds the heading hierarchy, ``metadata`` infers title,
unit, level, year, period and id, ``pipeline`` classifies the sections with
``kb.sections`` and renders the entry, ``run`` writes it (never overwriting
without ``--force``).
"""

from kb.importer.pipeline import ImportedSection, ImportFailed, ImportResult, import_file
from kb.importer.reading import ReadError

__all__ = ["ImportFailed", "ImportResult", "ImportedSection", "ReadError", "import_file"]
