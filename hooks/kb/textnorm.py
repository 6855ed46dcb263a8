"""Script normalisation: Traditional -> Simplified for matching, never for display."""

from __future__ import annotations

from functools import lru_cache

import opencc


@lru_cache(maxsize=1)
def _t2s() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    """Convert Traditional characters to Simplified (phrases included)."""
    if not text:
        return text
    return _t2s().convert(text)
