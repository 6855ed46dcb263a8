"""Importing work reports (plain text, HTML, Word .docx) as report entries.

``reading`` turns a file into text blocks, ``runon`` splits text copied out
of PDFs and previews (whole reports on one line, page furniture), ``cleaning``
drops web, sharing-site and template noise, ``structure`` finds the heading hierarchy, ``metadata`` infers title,
unit, level, year, period and id, ``pipeline`` classifies the sections with
``kb.sections`` and renders the entry, ``run`` writes it (never overwriting
without ``--force``). ``fixture_eval`` scores the importer on the labelled
fixtures in ``tests/fixtures/import_eval``.
"""

from kb.importer.pipeline import ImportedSection, ImportFailed, ImportResult, import_file
from kb.importer.reading import ReadError

__all__ = ["ImportFailed", "ImportResult", "ImportedSection", "ReadError", "import_file"]
