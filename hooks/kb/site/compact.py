"""Leave out of every page the whitespace no reader sees.

Material's templates are indented for their authors: at 10,000 entries
about a quarter of the site's HTML bytes were runs of line breaks and
indentation between tags, repeated on every page. A run of whitespace
renders as one space wherever it contains a line break, except where
whitespace is kept: ``pre``, ``textarea``, and the elements Material sets
to ``white-space: pre-wrap`` (``code``, ``kbd``); ``script`` and ``style``
are code. So every such run outside those elements becomes one line break:
the page looks and reads the same, its text content and its links are
unchanged, and the output stays a deterministic function of the input.
"""

from __future__ import annotations

import re

_KEPT = re.compile(r"<(pre|textarea|script|style|code|kbd)\b.*?</\1\s*>", re.S | re.I)
_RUN = re.compile(r"[ \t\r\f]*\n[ \t\r\n\f]*")


def collapse(html: str) -> str:
    """``html`` with every whitespace run that holds a line break reduced to one
    line break, outside the elements where whitespace is kept."""
    out: list[str] = []
    pos = 0
    for m in _KEPT.finditer(html):
        out.append(_RUN.sub("\n", html[pos:m.start()]))
        out.append(m.group(0))
        pos = m.end()
    out.append(_RUN.sub("\n", html[pos:]))
    return "".join(out)
