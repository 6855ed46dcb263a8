"""Site search: a static, sharded n-gram index written next to the site.

Design (README.md, “站内搜索”, gives the user view and the measurements):

- *Units*: every entry is one unit (title, metadata, summary and, for reports,
  the text before the first heading); every report section with text is one
  more unit, linked to its anchor (``sec-N-M``).
- *Normalisation*: one code point -> one code point, so positions in the
  normalised text are positions in the original text (snippets and
  highlighting use the original script). Full-width ASCII is folded,
  Latin is lower-cased and Traditional characters are mapped to Simplified
  with a character table derived from OpenCC ``t2s``. The same table is
  shipped to the browser, so index and query are normalised identically.
- *Terms*: Chinese runs give every character and every overlapping
  character pair (bigram); Latin/digit runs give whole words. A phrase of n
  characters is found through its n-1 bigrams (no dictionary, so nothing
  can be segmented differently at index and query time: recall is complete),
  and the exact phrase is checked on the unit text in the browser.
- *Facets*: ``@type:``, ``@area:``, ``@year:``, ``@status:``, ``@level:`` and
  ``@kind:`` are ordinary terms, so a filter is one more posting list.
- *Files* (all under ``search/idx/``): ``manifest.json`` (shard count, the
  list of large terms, facet values, the character table), ``units.bin``
  (units per entry), ``s/N.bin`` (hash shards of small posting lists),
  ``l/N.bin`` (one file per large posting list) and ``d/N.json`` (per entry:
  display metadata and unit texts, fetched only for shown results).

Everything is written in a fixed order from sorted data: the same input
gives the same bytes.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Iterator

from kb.site.export import dumps_html_safe
from kb.site.urls import page_url
from kb.model.entry import Entry
from kb.model.knowledge import KnowledgeBase
from kb.schema.models import KIND_LABELS, STATUS_LABELS, TYPE_LABELS
from kb.text.script import char_conversions

INDEX_DIR = "search/idx"
SEARCH_URI = "search/index.md"
FORMAT_VERSION = 1

SHARD_TARGET = 12 * 1024  # bytes of posting data per shard file (before the term table)
LARGE_TERM = 6 * 1024  # posting lists larger than this get a file of their own
MAX_TF = 7
TITLE_BONUS = 8

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


# -- normalisation --------------------------------------------------------


def char_map() -> dict[str, str]:
    """Traditional -> Simplified, one character to one character (from OpenCC t2s)."""
    # Basic Multilingual Plane only: the browser maps UTF-16 units one to one.
    return {c: s for c, s in char_conversions().items() if len(s) == 1 and ord(s) < 0x10000}


@lru_cache(maxsize=1)
def _table() -> dict[int, int]:
    table = {ord(k): ord(v) for k, v in char_map().items()}
    for c in range(0xFF01, 0xFF5F):  # full-width ASCII
        table[c] = c - 0xFEE0
    table[0x3000] = 0x20
    for c in range(ord("A"), ord("Z") + 1):
        table[c] = c + 32
    for c in range(ord("Ａ"), ord("Ｚ") + 1):
        table[c] = c - 0xFEE0 + 32
    return table


def normalize(text: str) -> str:
    """Same length as ``text``: position i of the result is character i of the input."""
    return text.translate(_table())


def terms(norm: str) -> Counter:
    """Index terms of normalised text with their frequencies."""
    out: list[str] = []
    for m in TOKEN_RE.finditer(norm):
        tok = m.group()
        if tok[0] < "\u3400":  # latin / digits
            out.append(tok)
        else:
            out.extend(tok)
            out.extend(tok[i : i + 2] for i in range(len(tok) - 1))
    return Counter(out)


# -- units ------------------------------------------------------------------


@dataclass
class Unit:
    anchor: str  # "" for the entry itself
    title: str
    text: str
    facets: list[str]
    areas: list[str]
    kind: str | None = None


def _meta_line(e: Entry, area_name) -> str:
    m = e.meta
    parts = [TYPE_LABELS[e.type]]
    for attr in ("doc_number", "issuer", "unit", "level"):
        v = getattr(m, attr, None)
        if v:
            parts.append(str(v))
    if getattr(m, "promulgated", None):
        parts.append(f"{m.promulgated.isoformat()} 公布")
    if getattr(m, "period", None):
        parts.append(f"{e.year}年{m.period}")
    elif e.type == "case":
        parts.append(f"{e.year}年")
    if getattr(m, "status", None):
        parts.append(STATUS_LABELS[m.status])
    parts.extend(getattr(m, "aliases", []) or [])
    parts.extend(m.tags)
    return " · ".join(parts)  # area names are facets, not text: they would match every entry of an area


def _facets(e: Entry, areas: Iterable[str], kind: str | None = None) -> list[str]:
    m = e.meta
    out = [f"@type:{e.type}", f"@year:{e.year}"]
    out.extend(f"@area:{a}" for a in areas)
    if getattr(m, "status", None):
        out.append(f"@status:{m.status}")
    if getattr(m, "level", None):
        out.append(f"@level:{m.level}")
    if kind:
        out.append(f"@kind:{kind}")
    return out


def entry_units(e: Entry, area_name) -> list[Unit]:
    body = e.doc.body
    if e.sections:  # reports: the entry unit holds only the text before the first heading
        first = e.sections[0].line - e.doc.body_line
        body = "\n".join(body.split("\n")[:first])
    text = md_to_text(body)
    if e.meta.summary:
        text = e.meta.summary + "\n" + text
    units = [Unit("", e.title, text, _facets(e, e.meta.areas), list(e.meta.areas))]
    for s in e.sections:
        if not s.has_text:
            continue
        areas = list(s.areas or e.meta.areas)
        units.append(Unit(s.anchor, s.heading, md_to_text(s.text), _facets(e, areas, s.kind), areas, s.kind))
    return units


# -- encoding -----------------------------------------------------------------


def _varint(n: int, out: bytearray) -> None:
    while n >= 0x80:
        out.append((n & 0x7F) | 0x80)
        n >>= 7
    out.append(n)


def encode_postings(ids: list[int], weights: bytes, n_units: int) -> tuple[int, bytes]:
    """(kind, bytes): kind 0 = gap varints then one weight byte per id; kind 1 = bitmap."""
    lst = bytearray()
    prev = -1
    for i in ids:
        _varint(i - prev - 1, lst)
        prev = i
    lst += weights
    bitmap_len = (n_units + 7) // 8
    if bitmap_len < len(lst):
        bm = bytearray(bitmap_len)
        for i in ids:
            bm[i >> 3] |= 1 << (i & 7)
        return 1, bytes(bm)
    return 0, bytes(lst)


def fnv1a(term: str) -> int:
    h = 0x811C9DC5
    for b in term.encode("utf-8"):
        h ^= b
        h = (h * 0x01000193) & 0xFFFFFFFF
    return h


def _u32(n: int) -> bytes:
    return n.to_bytes(4, "little")


def _record(term: str, kind: int, df: int, data: bytes) -> bytes:
    t = term.encode("utf-8")
    return bytes([len(t)]) + t + bytes([kind]) + _u32(df) + _u32(len(data)) + data


# -- the index ------------------------------------------------------------------


@dataclass
class SearchIndex:
    files: dict[str, bytes]  # path under INDEX_DIR -> content
    units: int
    stats: dict[str, int]

    def write(self, site_dir: Path | str) -> None:
        root = Path(site_dir) / INDEX_DIR
        for rel, data in self.files.items():
            path = root / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)


def facet_values(kb: KnowledgeBase) -> dict[str, list[list[str]]]:
    """Filter values and labels for the search form, in display order."""
    levels: list[str] = []
    for e in kb.entries:
        lv = getattr(e.meta, "level", None)
        if lv and lv not in levels:
            levels.append(lv)
    from kb.schema.models import DOC_LEVELS, UNIT_LEVELS

    order = list(DOC_LEVELS) + list(UNIT_LEVELS)
    return {
        "type": [[t, TYPE_LABELS[t]] for t in TYPE_LABELS],
        "area": [[s, kb.taxonomy.name(s)] for s in kb.taxonomy.slugs],
        "status": [[s, STATUS_LABELS[s]] for s in STATUS_LABELS],
        "year": [[str(y), f"{y} 年"] for y in kb.by_year],
        "level": [[lv, lv] for lv in sorted(levels, key=order.index)],
        "kind": [[k, v] for k, v in KIND_LABELS.items()],
    }


def _units(counts: bytes) -> int:
    """The total of the unit counts (varints) in ``units.bin``."""
    total = value = shift = 0
    for b in counts:
        value |= (b & 0x7F) << shift
        shift += 7
        if b < 0x80:
            total, value, shift = total + value, 0, 0
    return total


def build_index(kb: KnowledgeBase, entry_url, area_name=None, memo=None) -> SearchIndex:
    """``entry_url(entry)`` gives the entry's URL relative to the site root."""
    from kb.site import searchwork  # the per-entry half, on every core

    area_name = area_name or kb.taxonomy.name

    counts, docs, postings, weights = searchwork.collect(kb.entries, entry_url, area_name, memo=memo)
    files: dict[str, bytes] = {f"d/{n}.json": doc for n, doc in enumerate(docs)}
    n_units = _units(counts)
    files["units.bin"] = bytes(counts)

    encoded: dict[str, tuple[int, int, bytes]] = {}
    small_total = 0
    for t in sorted(postings):
        kind, data = encode_postings(postings[t], bytes(weights[t]), n_units)
        encoded[t] = (kind, len(postings[t]), data)
        if len(data) <= LARGE_TERM:
            small_total += len(data) + len(t.encode("utf-8")) + 10
    shards = max(1, -(-small_total // SHARD_TARGET))
    shard_recs: list[list[bytes]] = [[] for _ in range(shards)]
    large: dict[str, list[int]] = {}
    for t, (kind, df, data) in encoded.items():  # sorted by term
        if len(data) > LARGE_TERM:
            k = len(large)
            large[t] = [k, df, len(data)]
            files[f"l/{k}.bin"] = _record(t, kind, df, data)
        else:
            shard_recs[fnv1a(t) % shards].append(_record(t, kind, df, data))
    for i, recs in enumerate(shard_recs):
        files[f"s/{i}.bin"] = _u32(len(recs)) + b"".join(recs)

    cmap = char_map()
    manifest = {
        "version": FORMAT_VERSION,
        "units": n_units,
        "entries": len(kb.entries),
        "shards": shards,
        "large": large,
        "facets": facet_values(kb),
        "t2s": "".join(k + v for k, v in sorted(cmap.items())),
    }
    files["manifest.json"] = dumps_html_safe(manifest).encode("utf-8")
    stats = {
        "entries": len(kb.entries),
        "units": n_units,
        "terms": len(postings),
        "shards": shards,
        "large_terms": len(large),
        "bytes": sum(len(v) for v in files.values()),
        "files": len(files),
    }
    return SearchIndex(files=dict(sorted(files.items())), units=n_units, stats=stats)


def iter_index_paths(index: SearchIndex) -> Iterator[str]:
    for rel in index.files:
        yield f"{INDEX_DIR}/{rel}"


FILTER_LABELS = [("type", "类型"), ("area", "工作领域"), ("status", "时效性"), ("year", "年份"),
                 ("level", "层级"), ("kind", "段落类别")]


def page_context(kb: KnowledgeBase) -> dict:
    """Template values of the results page ``search/`` (declared in kb.site.catalog)."""
    return dict(facets=facet_values(kb), filters=FILTER_LABELS)


def write_site_index(kb: KnowledgeBase, site_dir: Path | str, directory_urls: bool = True,
                     memo=None) -> SearchIndex:
    """Build the index for the site in ``site_dir`` and write it under ``search/idx/``
    (``memo``: per-range results kept between builds, see kb.site.searchwork)."""
    index = build_index(kb, lambda e: page_url(e.src_uri, directory_urls), memo=memo)
    out = Path(site_dir) / INDEX_DIR
    if out.exists():
        import shutil

        shutil.rmtree(out)
    index.write(site_dir)
    return index
