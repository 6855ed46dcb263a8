"""汇编: a Word document (or one print-ready HTML page) of selected entries.

``selection`` chooses the entries (by area, type, status, year, ids, or the
query string of a saved search page URL) from a knowledge base that is
already narrowed to an audience (``KnowledgeBase.restricted_to``), so a
compilation never holds an entry above its audience. ``content`` turns an
entry into a metadata table and body blocks; ``word`` and ``printhtml``
lay those out (cover, table of contents, one entry after another).

Same input, same bytes: the date is an input, the .docx core properties and
zip timestamps are fixed. This stage sits below ``kb.site`` so the site can
offer small compilations built at build time; ``kb.cli`` offers every one.
"""

from kb.compile.selection import Selection, SelectionError, select

__all__ = ["Selection", "SelectionError", "select"]
