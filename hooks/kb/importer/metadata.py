"""Title, unit, level, year and period of a report, and its stable id."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

from kb.text.numerals import to_int
from kb.text.script import to_simplified

_UNIT_WORD = re.compile(r"统战部|统一战线工作部|统战办|统战科|统战工作办公室")
# Characters a unit name may contain before 统战部 (no function words).
_UNIT_PREFIX = re.compile(
    r"(?:中共|中国共产党)?[^\s，,。；;：:、的和在与及对向由为把将被从了是“”\"'（）()《》]{0,10}?"
    r"(?:省委|自治区党委|区党委|市委|州委|盟委|区委|县委|旗委|镇党委|乡党委|镇委|乡委|街道党工委|街道工委|党工委|党委)$"
)
_YEAR = re.compile(r"((?:19|20)\d{2}|[一二〇零○Ｏ][〇零○Ｏ一二三四五六七八九]{3})\s*年")
PERIOD_SLUGS = {"年度": "niandu", "上半年": "shangbannian", "下半年": "xiabannian", "专项": "zhuanxiang"}
# A report without any year gets this one, marked for review (same input, same entry).
DEFAULT_YEAR = 2000
LEVEL_SLUGS = {"省": "sheng", "市": "shi", "区县": "quxian", "乡镇": "xiangzhen"}


@dataclass
class Meta:
    title: str
    unit: str
    level: str
    year: int
    period: str
    id: str = ""
    guessed: list[str] = field(default_factory=list)  # fields filled with a default (to check)
    review: bool = False  # the entry as a whole needs a person's check (see review_reason)
    review_reason: str = ""


_SUPERIOR_AFTER = re.compile(r"^[^，,。；]{0,6}(?:指导|领导下|关心)")
# A title that starts with its unit's place: 某镇2023年上半年统战工作总结.
_TITLE_PLACE = re.compile(
    r"^((?:中共)?[^\s，,。；、的和在与及（）()《》“”0-9]{1,16}?(?:省|自治区|市|州|盟|区|县|旗|镇|乡|街道))"
    r"(?:(?:党工委|党委|委)?(?:统战办|统战部|统一战线工作部)?)?\s*(?:关于)?\s*(?:19|20)\d{2}\s*年"
)


def find_unit(text: str, skip_superior: bool = False) -> str | None:
    """First 区委统战部-like unit name in the text, as written.

    With ``skip_superior``, a unit named as giving guidance (在市委统战部的指导下)
    is passed over: it is the reporting unit's superior.
    """
    simple = to_simplified(text)
    same = len(simple) == len(text)
    for m in _UNIT_WORD.finditer(simple):
        before = simple[max(0, m.start() - 16): m.start()]
        pm = _UNIT_PREFIX.search(before)
        if pm is None:
            continue
        start = m.start() - (len(before) - pm.start())
        if skip_superior and (simple[max(0, start - 1):start] == "在" or _SUPERIOR_AFTER.match(simple[m.end():])):
            continue
        return text[start: m.end()] if same else simple[start: m.end()]
    return None


def title_place(title: str) -> str | None:
    """The place a title starts with (某镇 in 某镇2023年……总结), as written."""
    simple = to_simplified(title)
    m = _TITLE_PLACE.match(simple)
    if m is None or len(simple) != len(title):
        return None
    return title[: m.end(1)]


def unit_level(unit: str) -> str | None:
    simple = to_simplified(unit)
    m = re.search(r"(省|自治区|市|州|盟|区|县|旗|镇|乡|街道)(?:党工委|工委|党委|委)?(?:统战|统一战线|$)", simple)
    if not m:
        return None
    return {"省": "省", "自治区": "省", "市": "市", "州": "市", "盟": "市", "区": "区县", "县": "区县",
            "旗": "区县", "镇": "乡镇", "乡": "乡镇", "街道": "乡镇"}[m.group(1)]


def find_year(text: str) -> int | None:
    for m in _YEAR.finditer(text):
        raw = m.group(1)
        year = int(raw) if raw.isdigit() else _cn_year(raw)
        if year and 1949 <= year <= 2100:
            return year
    return None


def _cn_year(raw: str) -> int | None:
    digits = {"〇": 0, "零": 0, "○": 0, "Ｏ": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7,
              "八": 8, "九": 9}
    try:
        return int("".join(str(digits[c]) for c in raw))
    except KeyError:
        return to_int(raw)


def find_period(text: str) -> str | None:
    simple = to_simplified(text)
    if "上半年" in simple or re.search(r"1\s*[-—–至到]\s*6\s*月|一至六月|前两个季度", simple):
        return "上半年"
    if "下半年" in simple:
        return "下半年"
    if re.search(r"年度|年终|全年|年工作总结|年工作报告|年总结|年来|一年", simple):
        return "年度"
    if re.search(r"专项|专题", simple):
        return "专项"
    return None


def opening_period(text: str) -> str | None:
    """Period from a report's opening words (2025年上半年，…… / 半年来 / 一年来)."""
    simple = to_simplified(text[:120])
    if re.search(r"上半年|半年来|半年以来", simple):
        return "上半年"
    if "下半年" in simple:
        return "下半年"
    if re.search(r"一年来|一年以来|全年|年度", simple):
        return "年度"
    return None


def make_id(meta: Meta) -> str:
    """``{unit pinyin}-{year}-{period}-{hash}``: the same report always gets the same id."""
    from pypinyin import lazy_pinyin

    unit = to_simplified(meta.unit)
    words = [w for w in lazy_pinyin(unit, errors="ignore") if w.isascii()]
    slug = "".join(re.sub(r"[^a-z0-9]", "", w.lower()) for w in words)[:40] or LEVEL_SLUGS[meta.level]
    digest = hashlib.sha1(
        "\n".join((re.sub(r"\s+", "", to_simplified(meta.title)), unit, str(meta.year), meta.period)).encode()
    ).hexdigest()[:6]
    return f"{slug}-{meta.year}-{PERIOD_SLUGS[meta.period]}-{digest}"


GIVEN_LEVELS = ("省", "市", "区县", "乡镇")
_SIGNATURE_NAME = re.compile(r"^[^，,。；;：:\s]{2,30}(?:统战部|统战办|统一战线工作部|党委|党工委|委员会|人民政府|办公室)$")
# A place named as the subject of the report's work: 东坪镇统战工作…, 北岭乡统一战线…
_SELF_PLACE = re.compile(
    r"(?:^|(?<=[，,。、；;：:\s\d年的在和与及]))((?!全|我|本|各|该|乡镇)[\u4e00-\u9fff]{2,4}?(?:镇|乡|街道|县|区|市))"
    r"(?:党委|党工委|委)?(?:统战|统一战线)"
)
_SELF_REF = re.compile(r"(?:我|全|本)(镇|乡|街道|县|区|旗|市|州|省)")
_REF_LEVEL = {"镇": "乡镇", "乡": "乡镇", "街道": "乡镇", "县": "区县", "区": "区县", "旗": "区县", "市": "市", "州": "市",
              "省": "省"}
SELF_REF_MIN = 3  # mentions of 我镇/全县… before they count as evidence


def self_level(body: str) -> str | None:
    """The level the report speaks from (我镇、全镇 ×3 or more, clearly the most frequent)."""
    counts: dict[str, int] = {}
    for m in _SELF_REF.finditer(to_simplified(body)):
        level = _REF_LEVEL[m.group(1)]
        counts[level] = counts.get(level, 0) + 1
    if not counts:
        return None
    ranked = sorted(counts.items(), key=lambda kv: -kv[1])
    top, n = ranked[0]
    if n < SELF_REF_MIN or (len(ranked) > 1 and ranked[1][1] * 2 > n):
        return None
    return top


def self_place(text: str) -> str | None:
    simple = to_simplified(text)
    m = _SELF_PLACE.search(simple)
    if m is None or len(simple) != len(text):
        return None
    return text[m.start(1): m.end(1)]


def signature_unit(lines: list[str]) -> str | None:
    """The unit in the signature under the report (the last unit-like line)."""
    for line in reversed(lines):
        unit = find_unit(line)
        if unit:
            return unit
        if _SIGNATURE_NAME.match(to_simplified(line.strip())):
            return line.strip()
    return None


def find_report_unit(title: str, head: str, body: str, signature: list[str]) -> tuple[str | None, str]:
    """(unit, where it was found): the title, the signature, the opening, the body."""
    unit = find_unit(title)
    if unit:
        return unit, "title"
    signed = signature_unit(signature)
    place = title_place(title) or self_place(title)
    if place:
        # 柳岸街道2024年……总结 signed 柳岸街道党工委: the signature names the unit fully.
        return (signed, "signature") if signed and signed.startswith(place) else (place, "title")
    unit = find_unit(head, True)
    if unit:
        return unit, "opening"
    if signed:
        return signed, "signature"
    place = self_place(head)
    if place:
        return place, "opening"
    unit = find_unit(body, True)
    return (unit, "body") if unit else (None, "")




def infer(title: str | None, body: str, fallback_title: str, given: dict | None = None,
          signature: list[str] | None = None) -> Meta:
    """Metadata from ``given`` (the command line) first, then the title, then the text.

    A field that cannot be found is filled with a default and listed in
    ``guessed``; a missing year also marks the whole entry for review (it is
    never a reason to refuse the report).
    """
    given = given or {}
    guessed: list[str] = []
    title = (given.get("title") or title or fallback_title).strip()[:300]
    head = body[:600]
    unit, level = given.get("unit"), given.get("level")
    if not unit:
        unit, source = find_report_unit(title, head, body, signature or [])
        if unit is None:
            unit, guessed = "（单位待补）", guessed + ["unit"]
        elif source in ("opening", "body") and not level:
            # A unit met only in the text may be another one (the superior, a
            # partner): the report's own words (我镇、全县) decide the level.
            own = self_level(body)
            if own and own != unit_level(unit):
                unit, guessed, level = "（单位待补）", guessed + ["unit"], own
    if not level:
        level = unit_level(unit) if "unit" not in guessed else None
        level = level or self_level(body)
    if level is None:
        level, guessed = "区县", guessed + ["level"]
    year = int(given["year"]) if given.get("year") else find_year(title) or find_year(head) or find_year(body) \
        or find_year(fallback_title)
    review_reason = ""
    if year is None:
        year, guessed = DEFAULT_YEAR, guessed + ["year"]
        review_reason = f"原文没有写明年份，暂填 {DEFAULT_YEAR} 年，请改为实际年份（或导入时用 --year 指定）"
    period = given.get("period") or find_period(title) or opening_period(body)
    if period is None:
        period, guessed = "年度", guessed + ["period"]
    meta = Meta(title=title, unit=unit, level=level, year=year, period=period, guessed=guessed,
                review=bool(review_reason), review_reason=review_reason)
    meta.id = make_id(meta)
    return meta
