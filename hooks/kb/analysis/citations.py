"""Citations of documents and their articles: 《宗教事务条例》第三十六条 -> a link.

``analyse`` reads every entry body once. Titles are looked up in a dict of
normalised titles and aliases built once (``kb.analysis.titles.TitleIndex``),
and each body is scanned by one regular expression that also matches what
must stay untouched (code fences and spans, Markdown links, raw HTML), so the
work is linear in the size of the knowledge base, whatever the number of titles.

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

Article references without a title (grammar in ``kb.analysis.article_refs``),
each a citation of its own that links only if the article exists and its
number is not duplicated (never a guess):

- further numbers of an enumeration or range after any article reference
  (``《条例》第二条、第三条至第五条``); a range cites every article in it;
- in a regulation or policy, ``本条例第N条`` and a bare ``第N条``: its own
  articles (self-citations: not backlinks);
- ``该条例第N条`` / ``上述办法第N条``: the document of that kind cited last in
  the same section.

A missing article of a known document (not for bare numbers) is a warning.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable, Iterable, Mapping

from kb.analysis import article_refs as refs
from kb.analysis.articles import Article, Structure
from kb.analysis.titles import SHORT_FORMS, VERSION_RE, TitleIndex, base_title, normalize  # noqa: F401
from kb.analysis.versions import Families
from kb.problems import Problems

if TYPE_CHECKING:  # pragma: no cover
    from kb.model.entry import Entry
    from kb.analysis.sections import Section

# One alternation; the lookahead on the possible first characters lets the
# engine skip ordinary text quickly (about 6x faster than the bare alternation).
_SCAN = re.compile(
    f"(?=[ `~<!\\[《{refs.FIRST_CHARS}])(?:"
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
            rf"(?P<cite>《(?P<title>[^《》\n]{{1,150}})》(?P<art>{refs.article_pattern('')})?)",
            refs.OWN,
            refs.ANAPHOR,
            refs.BARE,
        ]
    )
    + ")",
    re.S | re.M,
)
_DOC_TYPES = ("regulation", "policy")


@dataclass(frozen=True)
class Citation:
    source: str  # id of the citing entry
    start: int  # span of ``text`` in the source body
    end: int
    line: int  # 1-based line in the source file
    text: str  # as written: 《宗教事务条例》第三十六条, 第三条 (in an enumeration), 本条例第二条
    title: str  # between the marks, as written (the referent's title for references without one)
    key: str  # normalised full title (of the referent, for a short form)
    target: str | None  # id of the cited entry; None: not in the knowledge base
    section: str | None = None  # anchor of the report section it is in
    article_label: str | None = None  # 第三十六条第二款, as written
    number: int | None = None  # article number and 之N
    sub: int | None = None
    article: str | None = None  # anchor on the target page, if the article exists
    short: bool = False  # written as a short form (《条例》)
    via: str = "title"  # title 《…》 | next (enumeration, range) | own 本条例 | anaphor 该条例 | bare 第N条
    through: tuple[str, ...] = ()  # the end of a range: anchors of the articles inside it

    @property
    def anchors(self) -> tuple[str, ...]:
        """Every article cited: the one linked to and, for a range, those inside it."""
        return ((self.article,) if self.article else ()) + self.through


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


def analyse(entries: Iterable["Entry"], docs: Iterable["Entry"], structures: dict[str, Structure],
            families: Families, problems: Problems, memo=None) -> CitationIndex:
    """Find and resolve every citation; report missing articles and unclear short forms.

    ``memo`` (a ``kb.model.cache.EntryMemo``, live preview): an unchanged entry's
    citations are reused while no regulation or policy changed (they are
    what citations resolve to: titles, and the article lists that numbers,
    bare ones in a document's own text included, link into).
    """
    docs = list(docs)
    titles = TitleIndex(docs, families)
    by_id = {e.id: e for e in entries}
    index = CitationIndex()
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
    index.pending, index.by_target = derive(index.by_source)
    if memo is not None:
        memo.end()
    return index


def derive(by_source: Mapping[str, list[Citation]]) -> tuple[list[Pending], dict[str, list[Citation]]]:
    """Pending documents (most cited first) and backlinks of the citations
    ``by_source``, in source-id order. A short form (《条例》) is pending only
    where its full title is."""
    pending: dict[str, Pending] = {}
    by_target: dict[str, list[Citation]] = {}
    for src in sorted(by_source):
        for c in by_source[src]:
            if c.target is None:
                if not c.short:
                    pending.setdefault(c.key, Pending(c.title, c.key)).citations.append(c)
                elif c.key in pending:
                    pending[c.key].citations.append(c)
            elif c.target != src:
                by_target.setdefault(c.target, []).append(c)
    return sorted(pending.values(), key=lambda p: (-len(p.citations), p.key)), by_target


@dataclass(frozen=True)
class _Referent:
    """The document an article reference points into (target None: plain text)."""

    target: "Entry | None"
    title: str
    key: str
    structure: Structure | None
    warn: str | None  # how a missing article is reported, e.g. 《宗教事务条例》; None: silently


_PLAIN = _Referent(None, "", "", None, None)


def _scan(e: "Entry", titles: TitleIndex, structures: dict[str, Structure], by_id: dict[str, "Entry"],
          problems: Problems) -> list[Citation]:
    body = e.doc.body
    heads = [s.line for s in e.sections]  # report sections: a new scope at every heading
    own = structures.get(e.id) if e.type in _DOC_TYPES else None  # what 本条例第N条 and 第N条 link into
    out: list[Citation] = []
    scope_id = -2
    recent: dict[str, str | None] = {}  # full titles cited in this scope: key -> target id
    line, pos, done = e.doc.body_line, 0, 0
    for m in _SCAN.finditer(body):
        kind = m.lastgroup
        if m.start() < done or kind not in ("cite", "own", "ana", "bare"):
            continue
        if kind in ("own", "bare") and (own is None or kind == "bare" and not refs.bare_is_own(body, m.start())):
            done = refs.enumeration_end(body, m.end())  # not a regulation or policy, or another document's: text
            continue
        line += body.count("\n", pos, m.start())
        pos = m.start()
        sec_idx = bisect_right(heads, line) - 1 if heads else -1
        if sec_idx != scope_id:
            scope_id, recent = sec_idx, {}
        base = dict(source=e.id, start=m.start(), end=m.end(), line=line, text=m.group(0),
                    section=e.sections[sec_idx].anchor if sec_idx >= 0 else None)
        if m.group("cite") is not None:
            c, ref = _title(m, base, titles, structures, by_id, recent, e, problems)
            if c is not None:
                out.append(c)
            if not m.group("art"):
                continue
            first = refs.find(ref.structure, c.number, c.sub) if c is not None and c.article else None
        else:
            p = {"own": "o", "ana": "a", "bare": "b"}[kind]
            if kind == "ana":
                ref = _anaphor(refs.kind_of(m.group("akind")), recent, by_id, structures)
            else:  # the document itself (own is not None here)
                ref = _Referent(e, e.title, normalize(e.title), own, "本" + m.group("okind") if kind == "own" else None)
            label = m.group(p + "art") if p != "b" else m.group(0)
            first = _article(base, label, refs.number_of(m, p), kind, ref, None, e, problems, out)
        done = _enumeration(body, m.end(), first, base, ref, e, problems, out)
    return out


def _title(m: re.Match, base: dict, titles: TitleIndex, structures: dict[str, Structure],
           by_id: dict[str, "Entry"], recent: dict[str, str | None], e: "Entry",
           problems: Problems) -> tuple[Citation | None, _Referent]:
    """A citation by title (None: an unclear short form, warned) and what its enumeration refers to."""
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
            problems.add(e.doc.rel, base["line"], "正文", f"简称《{written}》无法确定所指文件（{reason}），请写出全称",
                         "warning", about={written, *(by_id[t].title for t in matches.values() if t), *matches})
            return None, _PLAIN
    if not short:
        recent.pop(key, None)
        recent[key] = target.id if target else None
    ref = _Referent(target, written, key, structures.get(target.id), f"《{written}》") if target else _PLAIN
    if not m.group("art"):
        return Citation(**base, title=written, key=key, target=target.id if target else None, short=short), ref
    number, sub = refs.number_of(m)
    label = m.group("art")
    art = refs.find(ref.structure, number, sub)
    if target is not None and art is None:
        problems.add(e.doc.rel, base["line"], "正文",
                     f"《{written}》{label}：{_missing(target, ref.structure, number, sub)}，链接只能指向文件本身",
                     "warning", about={written, target.doc.rel})
    return Citation(**base, title=written, key=key, target=target.id if target else None, short=short,
                    article_label=label, number=number, sub=sub, article=art.anchor if art else None), ref


def _missing(target: "Entry", structure: Structure | None, number: int | None, sub: int | None) -> str:
    if structure is not None and (number, sub) in structure.duplicated:
        return f"{target.doc.rel} 中这一条编号重复，无法确定所指条文"
    return f"{target.doc.rel} 中没有这一条"


def _anaphor(kind: str, recent: dict[str, str | None], by_id: dict[str, "Entry"],
             structures: dict[str, Structure]) -> _Referent:
    """该条例 / 上述办法: the document of that kind cited last in the scope, if in the knowledge base."""
    for k in reversed(recent):
        if refs.is_kind(k, kind):
            tid = recent[k]
            if tid is None:
                return _PLAIN
            t = by_id[tid]
            return _Referent(t, t.title, k, structures.get(tid), f"《{t.title}》")
    return _PLAIN


def _article(base: dict, label: str, number: tuple[int | None, int | None], via: str, ref: _Referent,
             range_from: Article | None, e: "Entry", problems: Problems, out: list[Citation]) -> Article | None:
    """Append the citation of one article reference if it links (``range_from``: the
    start of the range it ends); return the article."""
    num, sub = number
    if ref.target is None:
        return None
    art = refs.find(ref.structure, num, sub)
    if art is None:
        if ref.warn is not None:
            where = "本文件中" if ref.target is e else f"{ref.target.doc.rel} 中"
            dup = ref.structure is not None and (num, sub) in ref.structure.duplicated
            problems.add(e.doc.rel, base["line"], "正文",
                         f"{ref.warn}{label}：{where}{'这一条编号重复' if dup else '没有这一条'}，不生成链接", "warning",
                         about={ref.title, ref.target.doc.rel})
        return None
    through = refs.between(ref.structure, range_from, art) if range_from is not None and ref.structure else ()
    out.append(Citation(**base, title=ref.title, key=ref.key, target=ref.target.id, article_label=label,
                        number=num, sub=sub, article=art.anchor, via=via, through=through))
    return art


def _enumeration(body: str, end: int, prev: Article | None, base: dict, ref: _Referent, e: "Entry",
                 problems: Problems, out: list[Citation]) -> int:
    """Citations of the numbers enumerated after an article reference ending at ``end``
    (``、第三条至第五条``); returns where the enumeration ends."""
    while (n := refs.NEXT_RE.match(body, end)) is not None:
        span = {**base, "start": n.start("art"), "end": n.end("art"), "text": n.group("art")}
        range_from = prev if n.group("range") else None
        prev = _article(span, n.group("art"), refs.number_of(n), "next", ref, range_from, e, problems, out)
        end = n.end()
    return end


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
    labels: dict[str, str] | None = None
    for c in cites:
        k = (c.source, c.section)
        row = rows.get(k)
        if row is None:
            src = by_id[c.source]
            sec = next((s for s in src.sections if s.anchor == c.section), None) if c.section else None
            row = rows[k] = SourceRow(src, sec)
            first_line[k] = c.line
        row.count += 1
        if structure is not None and c.anchors:
            labels = labels if labels is not None else {a.anchor: a.label for a in structure.articles.values()}
            for anchor in c.anchors:  # a range: every article in it
                if anchor in labels and (anchor, labels[anchor]) not in row.articles:
                    row.articles.append((anchor, labels[anchor]))
    return [rows[k] for k in sorted(rows, key=lambda k: (rows[k].source.sort_key, first_line[k]))]
