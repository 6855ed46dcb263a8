"""Script normalisation: Traditional -> Simplified for matching, never for display."""

from __future__ import annotations

import re
from functools import lru_cache

import opencc

# CJK Unified Ideographs (Extension A, the main block) and the compatibility block.
CJK_RANGES = ((0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF))


@lru_cache(maxsize=1)
def _t2s() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


@lru_cache(maxsize=1)
def char_conversions() -> dict[str, str]:
    """Every CJK character that OpenCC t2s changes on its own, with its conversion."""
    chars = [chr(c) for lo, hi in CJK_RANGES for c in range(lo, hi + 1)]
    converted = _t2s().convert("\n".join(chars)).split("\n")
    assert len(converted) == len(chars)
    return {c: s for c, s in zip(chars, converted) if s != c}


@lru_cache(maxsize=1)
def _traditional_re() -> re.Pattern[str]:
    return re.compile("[" + "".join(sorted(char_conversions())) + "]")


def to_simplified(text: str) -> str:
    """Convert Traditional characters to Simplified (phrases included).

    Text without any character t2s would change (most of a Simplified
    knowledge base) is returned as is: one regex scan instead of a conversion.
    """
    if not text or not _traditional_re().search(text):
        return text
    return _t2s().convert(text)
