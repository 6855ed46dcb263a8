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
``kb.engine.session`` applies it to every page MkDocs writes (``on_post_page``).
"""

from __future__ import annotations

import json
import re

from jinja2.utils import htmlsafe_json_dumps

_KEPT = re.compile(r"<(pre|textarea|script|style|code|kbd)\b.*?</\1\s*>", re.S | re.I)
_BLANK = " \t\r\f"  # whitespace besides the line break


def _runs(text: str) -> str:
    """``text`` with every whitespace run that holds a line break reduced to one line break
    (``re.sub(r"[ \\t\\r\\f]*\\n[ \\t\\r\\n\\f]*", "\\n", text)``, in half the time: split at the
    line breaks, strip the lines, drop the empty ones between)."""
    if "\n" not in text:
        return text
    lines = text.split("\n")
    middle = [line for line in (x.strip(_BLANK) for x in lines[1:-1]) if line]
    return "\n".join([lines[0].rstrip(_BLANK), *middle, lines[-1].lstrip(_BLANK)])


def collapse(html: str) -> str:
    """``html`` with every whitespace run that holds a line break reduced to one
    line break, outside the elements where whitespace is kept."""
    out: list[str] = []
    pos = 0
    for m in _KEPT.finditer(html):
        out.append(_runs(html[pos:m.start()]))
        out.append(m.group(0))
        pos = m.end()
    out.append(_runs(html[pos:]))
    return "".join(out)


_CONFIG = re.compile(r'(<script id="__config" type="application/json">)(.*?)(</script>)', re.S)


def page_config(html: str, search: bool) -> str:
    """Material's page configuration (``<script id="__config">``, on every page) as the theme's
    script reads it, in fewer bytes: Chinese as UTF-8 (three bytes a character), not ``\\uXXXX``
    escapes (six), and, when Material's search plugin is off (``search`` false: the page has no
    search form, the script never looks them up), without the texts of search results."""

    def smaller(m: re.Match[str]) -> str:
        data = json.loads(m.group(2))
        if not search and isinstance(data.get("translations"), dict):
            data["translations"] = {k: v for k, v in data["translations"].items() if not k.startswith("search.")}
        text = htmlsafe_json_dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        return m.group(1) + str(text) + m.group(3)  # str: Markup + str would escape the tags

    return _CONFIG.sub(smaller, html)
