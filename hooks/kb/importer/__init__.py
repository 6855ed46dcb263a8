"""Importing work reports, regulations and policies (plain text, HTML, Word .docx/.doc, WPS, PDF) as entries.

``reading`` turns a file into text blocks, ``runon`` splits text copied out
of PDFs and previews (whole reports on one line, page furniture), ``cleaning``
drops web, sharing-site and template noise, ``structure`` finds the heading hierarchy, ``metadata`` infers title,
unit, level, year, period and id, ``pipeline`` classifies the sections with
``kb.sections`` and renders the entry, ``run`` writes it (never overwriting
without ``--force``). ``fixture_eval`` scores the importer on the labelled
fixtures in ``tests/fixtures/import_eval``.

Regulations and policies: ``formats`` reads PDF (pypdf) and Word 97-2003 / WPS
(antiword), ``dispatch`` tells an official document from a report,
``official`` reads its title, header facts and body lines, ``document`` writes
the regulation or policy entry (articles anchored), ``versions`` proposes and
applies version links, ``batch`` expands folders and prints the summary,
``evaluate_official`` scores regulation and policy fixtures.
"""

from kb.importer.pipeline import ImportedSection, ImportFailed, ImportResult, import_file
from kb.importer.reading import ReadError

__all__ = ["ImportFailed", "ImportResult", "ImportedSection", "ReadError", "import_file"]
