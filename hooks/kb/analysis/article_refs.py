"""Article numbers written around a citation, as a law database links them.

``kb.analysis.citations`` finds the references; this module holds their grammar
and the look-ups into a document's articles:

- ``第X条(之Y)(第Z款)(第W项)``: one article (a paragraph or item links to its article);
- after an article reference, further numbers of the same enumeration
  (``、`` ``和`` ``及`` ``以及`` ``或者`` ``，``) and the far end of a range
  (``至`` ``到`` ``—``): ``第二条、第三条至第五条及第五条之一``;
- ``本条例第X条`` (``本办法`` ``本法`` ``本规定`` ``本意见`` …): the document itself;
- ``该条例第X条`` (``上述条例`` ``该办法`` …): the last document of that kind cited
  in the same section;
- a bare ``第X条`` in a regulation or policy: its own article, unless a name
  written just before it (``刑法第二条``) makes it another document's.
"""

from __future__ import annotations

import re

from kb.analysis.articles import Article, Structure
from kb.text.numerals import NUMERAL_CHARS, to_int
from kb.text.script import to_simplified

_N = f"[{NUMERAL_CHARS}]+"

# Generic words naming a kind of document, in either script (本条例, 該條例).
KINDS = ("条例", "條例", "办法", "辦法", "规定", "規定", "意见", "意見", "细则", "細則", "规则", "規則",
         "决定", "決定", "准则", "準則", "规程", "規程", "章程", "通知", "方案", "制度", "纲要", "綱要", "法")
_KIND = "|".join(KINDS)


def article_pattern(p: str) -> str:
    """``第X条(之Y)(第Z款)(第W项)`` with the groups ``{p}num`` and ``{p}sub``."""
    return (f"第(?P<{p}num>{_N})[条條](?:之(?P<{p}sub>{_N}))?"
            f"(?:第{_N}款)?(?:第{_N}[项項])?")


# Alternatives for the citation scanner (group names: own/okind, ana/akind, bare).
_QUALIFIER = "实施|實施|管理|工作|暂行|暫行|试行|試行"  # 本实施办法, 本工作条例
OWN = (rf"(?P<own>(?<![基日资資成])本(?:{_QUALIFIER})?(?P<okind>{_KIND})"  # not 基本法, 日本法
       rf"(?P<oart>{article_pattern('o')}))")
ANAPHOR = rf"(?P<ana>(?:该|該|上述|前述)(?P<akind>{_KIND})(?P<aart>{article_pattern('a')}))"
BARE = rf"(?P<bare>{article_pattern('b')})"
FIRST_CHARS = "本该該上前第"

# The next number of an enumeration or the end of a range, right after an article reference.
NEXT_RE = re.compile(
    r"[ \t\u3000]*(?:(?P<range>——|—|至|到|－|-|~|～)|以及|或者|、|，|,|和|及|与|與|或)[ \t\u3000]*"
    + f"(?P<art>{article_pattern('')})"
)


def enumeration_end(body: str, end: int) -> int:
    """Where the enumeration after an article reference ending at ``end`` ends."""
    while (n := NEXT_RE.match(body, end)) is not None:
        end = n.end()
    return end


# Text just before a bare number that makes it another document's: a document
# name without title marks (刑法, 宗教事务条例), a closing mark or quote, or a
# title with a bracket after it (《宗教事务条例》（2004年）第二条).
_NAMED_BEFORE = re.compile(rf"(?:{_KIND}|[》〉」』”\"]|》[（(][^（）()\n]{{0,20}}[）)])[ \t\u3000]*\Z")
_LINE_START = re.compile(r"[ \t\u3000>]*(?:#{1,6}[ \t]*|[*_]{1,2}|[-+*][ \t]+)?\Z")
_HEADING = re.compile(r"[ ]{0,3}#{1,6}(?:[ \t]|\Z)")


def number_of(m: re.Match, p: str = "") -> tuple[int | None, int | None]:
    """(number, 之N) of an article reference matched with ``article_pattern(p)``."""
    num = to_int(m.group(f"{p}num"))
    sub_text = m.group(f"{p}sub")
    sub = to_int(sub_text) if sub_text else None
    if sub_text and not sub:
        return None, None
    return num, sub


def find(structure: Structure | None, number: int | None, sub: int | None) -> Article | None:
    """The article to link to: it exists and its number is used only once."""
    if structure is None or not number or (number, sub) in structure.duplicated:
        return None
    return structure.article(number, sub)


def between(structure: Structure, first: Article, last: Article) -> tuple[str, ...]:
    """Anchors of the articles strictly inside the range ``first``–``last`` (numbers, 之N after N)."""
    lo, hi = (first.number, first.sub or 0), (last.number, last.sub or 0)
    inside = sorted((a.number, a.sub or 0, a.anchor) for a in structure.articles.values()
                    if lo < (a.number, a.sub or 0) < hi and (a.number, a.sub) not in structure.duplicated)
    return tuple(anchor for _, _, anchor in inside)


def bare_is_own(body: str, start: int) -> bool:
    """A bare ``第X条`` at ``start`` may refer to its own document: it is not an
    article's label or in a heading, and no document is named just before it."""
    line_start = body.rfind("\n", 0, start) + 1
    before = body[line_start:start]
    if _LINE_START.match(before) or _HEADING.match(body, line_start):
        return False
    return _NAMED_BEFORE.search(before[-12:]) is None


def is_kind(key: str, kind: str) -> bool:
    """Whether the title ``key`` names a document of ``kind`` (an 办法 is not a 法)."""
    title = key.rsplit("（", 1)[0] if key.endswith("）") else key
    return title.endswith(kind) and not (kind == "法" and title.endswith("办法"))


def kind_of(word: str) -> str:
    """The kind word in Simplified script (該條例 -> 条例)."""
    return to_simplified(word)
