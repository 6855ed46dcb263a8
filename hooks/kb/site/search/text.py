"""Search text: Markdown to plain text, normalisation, index terms and known-item keys."""

from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache
from operator import add

from kb.text.script import char_conversions

CJK_CLASS = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
TOKEN_RE = re.compile(f"[{CJK_CLASS}]+|[a-z0-9]+")

# Markdown to plain text (good enough for search; the page shows the real rendering).
_MD_SUBS = [
    (re.compile(r"\{[:#.][^{}]*\}"), ""),  # attribute lists
    (re.compile(r"<[^>]+>"), ""),  # inline HTML
    (re.compile(r"!\[([^\]]*)\]\([^)]*\)"), r"\1"),  # images
    (re.compile(r"\[([^\]]*)\]\([^)]*\)"), r"\1"),  # links
    (re.compile(r"^\s{0,3}(?:#{1,6}\s+|>\s?|[-*+]\s+|\d+[.)]\s+)", re.M), ""),  # block markers
    (re.compile(r"[*_`~|]+"), ""),  # emphasis, code, table pipes
    (re.compile(r"^\s*:?-{3,}:?\s*$", re.M), ""),  # rules, table separators
    (re.compile(r"[ \t]*\n[ \t\n]*"), "\n"),
]


def md_to_text(md: str) -> str:
    for rx, rep in _MD_SUBS:
        md = rx.sub(rep, md)
    return md.strip()


def char_map() -> dict[str, str]:
    """Traditional -> Simplified, one character to one character (from OpenCC t2s)."""
    # Basic Multilingual Plane only: the browser maps UTF-16 units one to one.
    return {c: s for c, s in char_conversions().items() if len(s) == 1 and ord(s) < 0x10000}


@lru_cache(maxsize=1)
def _fold_table() -> dict[int, int]:
    """Width and case folding (the browser does this without a table)."""
    table: dict[int, int] = {}
    for c in range(0xFF01, 0xFF5F):  # full-width ASCII
        table[c] = c - 0xFEE0
    table[0x3000] = 0x20
    for c in range(ord("A"), ord("Z") + 1):
        table[c] = c + 32
    for c in range(ord("Ａ"), ord("Ｚ") + 1):
        table[c] = c - 0xFEE0 + 32
    return table


@lru_cache(maxsize=1)
def _cjk_table() -> dict[int, int]:
    return {ord(k): ord(v) for k, v in char_map().items()}


@lru_cache(maxsize=1)
def _table() -> dict[int, int]:
    return {**_cjk_table(), **_fold_table()}


class _Mapper:
    """``text.translate(table)`` for a one-to-one character table, faster on texts where few
    characters are mapped: a pattern finds them (a scan in C), only they are looked up."""

    def __init__(self, table: dict[int, int]) -> None:
        self.chars = {chr(k): chr(v) for k, v in table.items()}
        self.pattern = re.compile("[" + "".join(re.escape(c) for c in sorted(self.chars)) + "]")
        get = self.chars.__getitem__
        self.one = lambda m: get(m.group())

    def __call__(self, text: str) -> str:
        return self.pattern.sub(self.one, text)


@lru_cache(maxsize=1)
def _normalizer() -> _Mapper:
    return _Mapper(_table())


@lru_cache(maxsize=1)
def _simplifier() -> _Mapper:
    return _Mapper(_cjk_table())


def normalize(text: str) -> str:
    """Same length as ``text``: position i of the result is character i of the input."""
    return _normalizer()(text)


def to_simplified_chars(text: str) -> str:
    """Only the Traditional -> Simplified part of ``normalize`` (shipped with texts that need it)."""
    return _simplifier()(text)


def terms(norm: str) -> Counter:
    """Index terms of normalised text with their frequencies."""
    out: list[str] = []
    for tok in TOKEN_RE.findall(norm):
        if tok[0] < "\u3400":  # latin / digits
            out.append(tok)
        else:
            out.extend(tok)
            out.extend(map(add, tok, tok[1:]))  # overlapping character pairs
    return Counter(out)


def known_key(text: str) -> str:
    """Key of a title, alias or 文号 in the known-item table: normalised, only CJK and [a-z0-9] kept
    (the browser computes the same key from the query)."""
    return "".join(TOKEN_RE.findall(normalize(text)))
