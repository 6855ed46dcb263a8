"""Entry pages: the HTML blocks the generator writes skip Markdown.

An entry page (``entry.md.j2``) is front matter, the entry's head (one
``<div class="kb-entry ...">`` block: card, metadata, version history,
article list, report outline), the entry's own Markdown body and, for
regulations and policies, the backlinks (one ``<section class="kb-backlinks">``
block). Markdown gives the two generated blocks back unchanged (they are
raw HTML blocks, their headings are not in the table of contents) but
``md_in_html`` and MkDocs' anchor scan parse them with Python's HTML parser,
most of the Markdown time of a build. So MkDocs gets a token paragraph in
place of each block and ``on_page_content`` puts the block back
(``kb.site.rawhtml``); only the body is converted. The same holds for the
line of kind and areas that kb.site.pages writes under each section of a
report body (``<p class="kb-section-meta">``, between blank lines).

- The blocks are found in the generated Markdown itself (a build may take
  it from the build cache): the head runs from the first line after the
  front matter to the first line ``</div>`` that closes as many ``<div``
  as it opened; the backlinks are the last ``<section class="kb-backlinks"``
  of a regulation or policy. Every value the templates print there is
  HTML-escaped, so a tag in these blocks comes from a template: a body
  (which follows the head and precedes the backlinks) cannot move the limits.
- A section line is recognised by its form (one line, between blank lines,
  no other paragraph tag in it). A body may contain a line of the same form:
  it is then a raw HTML block of its own, which Markdown gives back
  unchanged, so taking it aside changes nothing.
- A token carries a digest of the page's whole Markdown: a body cannot
  contain the token of its own page, so it cannot make a block appear.
- The anchors of a block (``id``, ``<a name>``) are added to the page's
  anchors as MkDocs' scan of raw HTML would have found them.
- The whole content, blocks included, is still cleaned to the allow-list of
  ``kb.text.html`` afterwards (kb.engine.session).
"""

from __future__ import annotations

import hashlib
import html
import re
from dataclasses import dataclass

ENTRY_TEMPLATE = "entry.md.j2"
TOKEN = "KB-BLOCK-"
_FRONT = "\n---\n"
_HEAD = '<div class="kb-entry kb-entry--'
_HEAD_END = "\n</div>\n"
_TAIL = '\n<section class="kb-backlinks"'
_TAIL_END = "</section>"
_TAIL_TYPES = ("regulation", "policy")  # entry.md.j2 writes the backlinks for these
# Anchors as MkDocs' raw-HTML scan finds them (mkdocs.structure.pages._HTMLHandler): any
# tag's id, an <a>'s name. Attribute values of the templates are double-quoted and escaped.
_ID = re.compile(r'<[a-zA-Z][^<>]*?\sid="([^"]*)"')
_NAME = re.compile(r'<a\s[^<>]*?\bname="([^"]*)"')
_PARA = re.compile(TOKEN + r"[0-9a-f]{16}-[0-9]+")
_PARA = re.compile(f"<p>({_PARA.pattern})</p>")
# A report section's kind and areas (macros.html.j2 section_meta, written into the body by
# kb.site.pages): one line between blank lines, no other paragraph tag in it.
_META = re.compile(r'(?<=\n\n)<p class="kb-section-meta">(?:(?!</?p[\s>/])[^\n<]|<(?!/?p[\s>/]))*</p>(?=\n\n)')


@dataclass(frozen=True)
class Stashed:
    """The generated blocks of one entry page and the tokens standing for them."""

    tokens: tuple[str, ...]
    blocks: tuple[str, ...]

    def restore(self, content: str) -> str:
        """The converted page with every token paragraph replaced by its block."""
        left = dict(zip(self.tokens, self.blocks))

        def put(m: re.Match) -> str:
            block = left.pop(m.group(1), None)
            if block is None:  # not a token of this page: text of the body
                return m.group(0)
            # A raw HTML block keeps the line end of its last line, but Markdown strips the end of its output.
            return block if m.end() == len(content) else block + "\n"

        content = _PARA.sub(put, content)
        for token, block in left.items():  # the body left a raw HTML block open: the token is raw text in it
            content = content.replace(token, block, 1)
        return content

    def anchors(self) -> set[str]:
        """The anchor ids the blocks contain."""
        found: set[str] = set()
        for block in self.blocks:
            found.update(html.unescape(m) for m in _ID.findall(block))
            found.update(html.unescape(m) for m in _NAME.findall(block))
        return found


def _head_end(text: str) -> int:
    """End of the head block at the start of ``text`` (after its ``</div>``), or -1."""
    pos = 0
    while True:
        i = text.find(_HEAD_END, pos)
        if i < 0:
            return -1
        end = i + len(_HEAD_END) - 1
        if text.count("<div", 0, end) == text.count("</div>", 0, end):
            return end
        pos = end


def split(markdown: str) -> tuple[str, Stashed] | None:
    """(the Markdown MkDocs gets, the stashed blocks) of an entry page; None if it is not
    laid out as ``entry.md.j2`` writes it (then the page is converted whole, as before)."""
    if not markdown.startswith("---\n"):
        return None
    front, sep, rest = markdown.partition(_FRONT)
    blank = len(rest) - len(rest.lstrip("\n"))
    sep, rest = sep + rest[:blank], rest[blank:]
    if not rest.startswith(_HEAD):
        return None
    end = _head_end(rest)
    if end < 0:
        return None
    etype = rest[len(_HEAD):rest.find('"', len(_HEAD))]
    blocks = [rest[:end]]
    body, after = rest[end:], None
    if etype in _TAIL_TYPES:
        i = body.rfind(_TAIL)
        if i < 0:
            return None
        section = body[i + 1:]
        tail = section.rstrip()
        if not tail.endswith(_TAIL_END):
            return None
        blocks.append(tail)
        body, after = body[:i + 1], section[len(tail):]
    nonce = hashlib.blake2b(markdown.encode("utf-8"), digest_size=8).hexdigest()
    tokens = [f"{TOKEN}{nonce}-{n}" for n in range(len(blocks))]

    def meta(m: re.Match) -> str:
        tokens.append(f"{TOKEN}{nonce}-{len(tokens)}")
        blocks.append(m.group(0))
        return tokens[-1]

    if etype == "report":
        body = _META.sub(meta, body)
    out = f"{front}{sep}{tokens[0]}{body}"
    if after is not None:
        out += f"{tokens[1]}{after}"
    return out, Stashed(tuple(tokens), tuple(blocks))
