"""Citations of documents by title: 《宗教事务条例》第三十六条 -> a link.

``analyse`` reads every entry body once. Titles are looked up in a dict of
normalised titles and aliases built once (``TitleIndex``), and each body is
scanned by one regular expression that also matches what must stay untouched
(code fences and spans, Markdown links, raw HTML), so the work is linear in
the size of the knowledge base, whatever the number of titles.

Resolution of the text between the marks:

1. a title or alias (whitespace removed, Traditional -> Simplified, half-width
   brackets -> full-width); several versions under one title -> the version
   in force, else the newest;
2. a trailing （2017年修订） / （试行） picks that version of the family;
3. a short form (《条例》) -> the one full title cited earlier in the same report
   section (or entry) that ends with it; none or several -> a warning.

Anything else is a document the knowledge base does not hold yet: it is
collected for the 待收录文件 page. ``第X条(之Y)(第X款)(第X项)`` right after the
closing mark cites an article; it must exist on the target page.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import TYPE_CHECKING, Callable, Iterable

from kb.analysis.articles import Structure
from kb.text.numerals import NUMERAL_CHARS, to_int
from kb.problems import Problems
from kb.text.script import to_simplified
from kb.analysis.versions import Families, version_key

if TYPE_CHECKING:  # pragma: no cover
    from kb.model.entry import Entry
    from kb.analysis.sections import Section

_N = f"[{NUMERAL_CHARS}]+"
# One alternation; the lookahead on the possible first characters lets the
# engine skip ordinary text quickly (about 6x faster than the bare alternation).
_SCAN = re.compile(
    "(?=[ `~<!\\[《])(?:"
    + "|".join(
        [
            # fenced code block, up to its closing fence (or the end of the text)
            r"(?P<fence>^[ ]{0,3}(?P<fc>`{3,}|~{3,})[^\n]*(?:.*?\n[ ]{0,3}(?P=fc)[`~]*[ \t]*(?=\n|\Z)|.*\Z))",
            # code span (within a paragraph)
            r"(?P<code>(?P<bt>`+)(?:(?!\n[ \t]*\n).)+?(?<!`)(?P=bt)(?!`))",
            r"(?P<comment><!--.*?-->)",
            # raw HTML link with its text, then any other tag or autolink
            r"(?P<alink><a\b[^>]*>.*?</a\s*>)",
            r"(?P<tag></?[A-Za-z][^<>]*>)",
            # link reference definition, then inline/reference links and images
            r"(?P<refdef>^[ ]{0,3}\[[^\]\n]+\]:[^\n]*)",
            r"(?P<link>!?\[(?:[^\[\]\n]|\[[^\[\]\n]*\])*\](?:\([^()\n]*(?:\([^()\n]*\)[^()\n]*)*\)|\[[^\]\n]*\]))",
            rf"(?P<cite>《(?P<title>[^《》\n]{{1,150}})》"
            rf"(?P<art>第(?P<num>{_N})[条條](?:之(?P<sub>{_N}))?(?:第{_N}款)?(?:第{_N}[项項])?)?)",
        ]
    )
    + ")",
    re.S | re.M,
)
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


@dataclass(frozen=True)
class Citation:
    source: str  # id of the citing entry
    start: int  # span of ``text`` in the source body
    end: int
    line: int  # 1-based line in the source file
    text: str  # as written: 《宗教事务条例》第三十六条
    title: str  # between the marks, as written
    key: str  # normalised full title (of the referent, for a short form)
    target: str | None  # id of the cited entry; None: not in the knowledge base
    section: str | None = None  # anchor of the report section it is in
    article_label: str | None = None  # 第三十六条第二款, as written
    number: int | None = None  # article number and 之N
    sub: int | None = None
    article: str | None = None  # anchor on the target page, if the article exists
    short: bool = False  # written as a short form (《条例》)


@dataclass
class Pending:
    """A document cited but not in the knowledge base."""

    title: str  # as first written
    key: str
    citations: list[Citation] = field(default_factory=list)

    @property
    def sources(self) -> list[str]:
        return list(dict.fromkeys(c.source for c in self.citations))


@dataclass
class CitationIndex:
    by_source: dict[str, list[Citation]] = field(default_factory=dict)
    by_target: dict[str, list[Citation]] = field(default_factory=dict)  # without self-citations
    pending: list[Pending] = field(default_factory=list)  # most cited first


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


def analyse(entries: Iterable["Entry"], docs: Iterable["Entry"], structures: dict[str, Structure],
            families: Families, problems: Problems, memo=None) -> CitationIndex:
    """Find and resolve every citation; report missing articles and unclear short forms.

    ``memo`` (a ``kb.model.cache.EntryMemo``, live preview): an unchanged entry's
    citations are reused while no regulation or policy changed (they are
    what citations resolve to).
    """
    docs = list(docs)
    titles = TitleIndex(docs, families)
    by_id = {e.id: e for e in entries}
    index = CitationIndex()
    pending: dict[str, Pending] = {}
    if memo is not None:
        memo.begin(tuple(docs))
    for e in sorted(by_id.values(), key=lambda e: e.id):
        if memo is not None:
            found = memo.get(e, lambda p, e=e: _scan(e, titles, structures, by_id, p), problems)
        else:
            found = _scan(e, titles, structures, by_id, problems)
        if not found:
            continue
        index.by_source[e.id] = found
        for c in found:
            if c.target is None:
                if not c.short:
                    pending.setdefault(c.key, Pending(c.title, c.key)).citations.append(c)
                elif c.key in pending:
                    pending[c.key].citations.append(c)
            elif c.target != e.id:
                index.by_target.setdefault(c.target, []).append(c)
    index.pending = sorted(pending.values(), key=lambda p: (-len(p.citations), p.key))
    if memo is not None:
        memo.end()
    return index


def _scan(e: "Entry", titles: TitleIndex, structures: dict[str, Structure], by_id: dict[str, "Entry"],
          problems: Problems) -> list[Citation]:
    body, eid = e.doc.body, e.id
    heads = [s.line for s in e.sections]  # report sections: a new scope at every heading
    out: list[Citation] = []
    scope_id = -2
    recent: dict[str, str | None] = {}  # full titles cited in this scope: key -> target id
    line, pos = e.doc.body_line, 0
    for m in _SCAN.finditer(body):
        if m.group("cite") is None:
            continue
        line += body.count("\n", pos, m.start())
        pos = m.start()
        sec_idx = bisect_right(heads, line) - 1 if heads else -1
        if sec_idx != scope_id:
            scope_id, recent = sec_idx, {}
        section = e.sections[sec_idx].anchor if sec_idx >= 0 else None
        written = m.group("title")
        key = normalize(written)
        target = titles.resolve(key)
        short = False
        if target is None:
            matches = {k: t for k, t in recent.items() if k != key and (k.endswith(key) or base_title(k).endswith(key))}
            referents = {(t or k) for k, t in matches.items()}
            if len(referents) == 1:
                key, tid = next(iter(matches.items()))
                target = by_id[tid] if tid else None
                short = True
            elif len(referents) > 1 or key in SHORT_FORMS:
                names = "、".join(f"《{by_id[t].title if t else k}》" for k, t in matches.items())
                reason = f"可能指 {names}" if matches else "此前没有引用可对应的全称"
                problems.add(e.doc.rel, line, "正文", f"简称《{written}》无法确定所指文件（{reason}），请写出全称", "warning")
                continue
        if not short:
            recent.pop(key, None)
            recent[key] = target.id if target else None
        c = Citation(source=eid, start=m.start(), end=m.end(), line=line, text=m.group(0), title=written,
                     key=key, target=target.id if target else None, section=section, short=short)
        if m.group("art"):
            c = _with_article(c, m, target, structures, e, problems)
        out.append(c)
    return out


def _with_article(c: Citation, m: re.Match, target: "Entry | None", structures: dict[str, Structure],
                  e: "Entry", problems: Problems) -> Citation:
    number = to_int(m.group("num"))
    sub = to_int(m.group("sub")) if m.group("sub") else None
    label = m.group("art")
    anchor = None
    if target is not None and number:
        art = structures.get(target.id, Structure()).article(number, sub)
        if art is not None:
            anchor = art.anchor
        else:
            problems.add(e.doc.rel, c.line, "正文",
                         f"《{c.title}》{label}：{target.doc.rel} 中没有这一条，链接只能指向文件本身", "warning")
    return replace(c, article_label=label, number=number, sub=sub, article=anchor)


def render(body: str, cites: list[Citation], link: Callable[[Citation], str | None]) -> str:
    """The body with each resolved citation replaced by ``link(citation)``.

    Spans are spliced in one pass; line breaks are unchanged, so line-based
    annotations made afterwards still find their lines.
    """
    if not cites:
        return body
    out: list[str] = []
    pos = 0
    for c in cites:
        html = link(c)
        if html is None:
            continue
        out.append(body[pos:c.start])
        out.append(html)
        pos = c.end
    out.append(body[pos:])
    return "".join(out)


@dataclass
class SourceRow:
    """Citations from one entry (or one report section) to one document."""

    source: "Entry"
    section: "Section | None"
    count: int = 0
    articles: list[tuple[str, str]] = field(default_factory=list)  # (anchor, label) on the cited page


def by_source_rows(cites: Iterable[Citation], by_id: dict[str, "Entry"],
                   structure: Structure | None = None) -> list[SourceRow]:
    """Group citations by citing entry and section: newest entry first, then document order."""
    rows: dict[tuple[str, str | None], SourceRow] = {}
    first_line: dict[tuple[str, str | None], int] = {}
    for c in cites:
        k = (c.source, c.section)
        row = rows.get(k)
        if row is None:
            src = by_id[c.source]
            sec = next((s for s in src.sections if s.anchor == c.section), None) if c.section else None
            row = rows[k] = SourceRow(src, sec)
            first_line[k] = c.line
        row.count += 1
        if c.article and structure is not None and c.number:
            art = structure.article(c.number, c.sub)
            if art is not None and (art.anchor, art.label) not in row.articles:
                row.articles.append((art.anchor, art.label))
    return [rows[k] for k in sorted(rows, key=lambda k: (rows[k].source.sort_key, first_line[k]))]
