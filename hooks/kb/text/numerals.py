"""Chinese numerals as written in legal texts, to integers and back.

``第一百零五条`` -> 105, ``第十二条之一`` -> (12, 1), ``二〇一七年`` -> 2017.
Arabic digits (half- or full-width) are accepted wherever Chinese ones are.
"""

from __future__ import annotations

DIGITS = {
    "零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "兩": 2, "三": 3, "四": 4,
    "五": 5, "六": 6, "七": 7, "八": 8, "九": 9,
}
UNITS = {"十": 10, "百": 100, "千": 1000}
# Character class for regular expressions: every character a number may use.
NUMERAL_CHARS = "零〇一二两兩三四五六七八九十百千0-9０-９"
_DIGIT_WORDS = "零一二三四五六七八九"


def to_int(text: str) -> int | None:
    """Value of a Chinese (or Arabic) numeral below 10,000, or None if malformed.

    Accepts the positional forms used in article numbers (十二, 二十, 一百零五,
    一百一十, 一千零一) and plain digit strings (二〇一七, 36, ３６).
    """
    if not text:
        return None
    if text.isdecimal():
        try:
            return int(text)
        except ValueError:  # pragma: no cover - exotic decimal digits
            return None
    if all(ch in DIGITS for ch in text):  # digit by digit: 二〇一七
        if len(text) == 1:
            return DIGITS[text]
        return int("".join(str(DIGITS[ch]) for ch in text))
    total = 0
    current: int | None = None  # digit waiting for its unit
    last_unit = 10_000
    zero_seen = False
    for ch in text:
        if ch in DIGITS:
            value = DIGITS[ch]
            if current is not None and current != 0:
                return None  # two digits in a row: 一二十
            if value == 0:
                zero_seen = True
            current = value
        elif ch in UNITS:
            unit = UNITS[ch]
            if unit >= last_unit or current == 0:
                return None  # units must decrease; 零 cannot take a unit
            total += (1 if current is None else current) * unit
            last_unit, current, zero_seen = unit, None, False
        else:
            return None
    if current:
        if last_unit > 10 and not zero_seen:
            return None  # 一百五: law texts write 一百五十 or 一百零五
        total += current
    return total


def to_chinese(n: int) -> str:
    """1 -> 一, 12 -> 十二, 105 -> 一百零五, 110 -> 一百一十 (for 1 <= n < 10,000)."""
    if not 0 < n < 10_000:
        raise ValueError(n)
    out: list[str] = []
    pending_zero = False
    for unit, name in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        d, n = divmod(n, unit)
        if d:
            if pending_zero:
                out.append("零")
                pending_zero = False
            if not (unit == 10 and d == 1 and not out):
                out.append(_DIGIT_WORDS[d])
            out.append(name)
        elif out:
            pending_zero = True
    return "".join(out)
