"""Titles of regulations and policies, normalised and resolved once per build.

A title between the marks (《宗教事务条例（2017年修订）》) resolves to an entry by
its normalised form (Simplified script, no whitespace, full-width brackets),
by an alias, or by a version suffix of a known family; ``TitleIndex`` holds
the lookup table, built once, so resolution does not depend on the number
of titles.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import TYPE_CHECKING, Iterable

from kb.text.numerals import to_int
from kb.text.script import to_simplified
from kb.analysis.versions import Families, version_key

if TYPE_CHECKING:  # pragma: no cover
    from kb.model.entry import Entry

_WS = re.compile(r"\s+")
_BRACKETS = str.maketrans({"(": "（", ")": "）"})
VERSION_RE = re.compile(
    r"^(?P<base>.+?)（(?:(?P<year>[0-9〇零一二三四五六七八九]{4})年[^（）]{0,4}|(?P<trial>试行|暂行))）$"
)
# Generic words that stand for a document named earlier (《条例》, 《办法》).
SHORT_FORMS = frozenset(
    "条例 办法 意见 通知 规定 决定 决议 细则 规则 方案 制度 纲要 规划 准则 章程 法 本法 "
    "实施办法 实施意见 实施细则 管理办法 工作条例 暂行办法 试行办法".split()
)


@lru_cache(maxsize=65536)
def normalize(title: str) -> str:
    """Matching key of a title: Simplified script, no whitespace, full-width brackets."""
    return _WS.sub("", to_simplified(title)).translate(_BRACKETS)


def base_title(key: str) -> str:
    m = VERSION_RE.match(key)
    return m.group("base") if m else key



class TitleIndex:
    """Titles and aliases of every regulation and policy, normalised, built once."""

    def __init__(self, docs: Iterable["Entry"], families: Families):
        self.families = families
        self.exact: dict[str, list["Entry"]] = {}
        for e in sorted(docs, key=lambda e: e.id):
            for t in (e.title, *e.meta.aliases):  # type: ignore[attr-defined]
                bucket = self.exact.setdefault(normalize(t), [])
                if e not in bucket:
                    bucket.append(e)
        self._memo: dict[str, "Entry | None"] = {}

    @staticmethod
    def _pick(cands: list["Entry"]) -> "Entry":
        in_force = [c for c in cands if c.meta.status == "in-force"]  # type: ignore[attr-defined]
        return max(in_force or cands, key=version_key)

    def resolve(self, key: str) -> "Entry | None":
        if key not in self._memo:
            self._memo[key] = self._resolve(key)
        return self._memo[key]

    def _resolve(self, key: str) -> "Entry | None":
        cands = self.exact.get(key)
        if cands:
            return self._pick(cands)
        m = VERSION_RE.match(key)
        if not m or m.group("base") not in self.exact:
            return None
        members: list["Entry"] = []
        for c in self.exact[m.group("base")]:
            for v in self.families.members(c):
                if v not in members:
                    members.append(v)
        if m.group("year"):
            year = to_int(m.group("year"))
            chosen = [v for v in members if v.meta.promulgated.year == year] or [  # type: ignore[attr-defined]
                v for v in members if v.meta.effective and v.meta.effective.year == year  # type: ignore[attr-defined]
            ]
        else:
            word = m.group("trial")
            chosen = [v for v in members
                      if any(word in normalize(t) for t in (v.title, *v.meta.aliases))]  # type: ignore[attr-defined]
        return self._pick(chosen) if chosen else None
