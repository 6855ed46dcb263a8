"""Site search: a static, sharded n-gram index written next to the site.

Design (README.md, “站内搜索”, gives the user view and the measurements):

- *Units* (``units``): every entry is one unit; every report section (also a
  part heading with only sub-headings) and every article of a regulation or
  policy is one more unit, linked to its anchor (``sec-N-M``, ``article-N``).
- *Entry order*: entries are numbered newest first (``units.date_order``), so
  sorting by date needs no data in the browser.
- *Normalisation* (``text``): one code point -> one code point, so positions
  in the normalised text are positions in the original text (snippets and
  highlighting use the original script). Full-width ASCII is folded, Latin
  is lower-cased and Traditional characters are mapped to Simplified with a
  character table derived from OpenCC ``t2s``. The table is shipped in 32
  parts by code point (``t/N.json``): a query fetches only the parts of its
  characters; texts with Traditional characters carry their Simplified form.
- *Terms*: Chinese runs give every character and every overlapping
  character pair (bigram); Latin/digit runs give whole words. A phrase of n
  characters is found through its n-1 bigrams (no dictionary, so nothing
  can be segmented differently at index and query time: recall is complete),
  and the exact phrase is checked on the unit text in the browser.
- *Known items* (``known``): exact titles, aliases, 文号 and their versions
  resolve before full text.
- *Facets*: ``@type:``, ``@area:``, ``@year:``, ``@status:``, ``@level:`` and
  ``@kind:`` are ordinary terms, so a filter is one more posting list;
  ``facets.bin`` holds the values per entry and section for facet counts.
- *Files* (all under ``search/idx/``): ``manifest.json``, ``units.bin``
  (units per entry), ``facets.bin``, ``s/N.bin`` (hash shards of small posting
  lists), ``l/N.bin`` (one file per large posting list), ``k/N.json``
  (known items), ``t/N.json`` (character table) and ``d/N.json`` (per entry:
  display metadata and unit texts, fetched only for shown results).

- *Parts* (``entrypart``): what one entry contributes (its display file,
  its terms with their weights per unit) depends on that entry alone, so it
  is kept between builds (a ``Memo`` from the build engine: only edited and
  new entries are analysed again) and made on every core (``kb.site.workers``,
  ``KB_JOBS``); the index is assembled from the parts in entry order and its
  posting lists are encoded on every core too.

Everything is written in a fixed order from sorted data: the same input
gives the same bytes, with or without the memo, on one core or several.
"""

from __future__ import annotations

from kb.model.knowledge import KnowledgeBase
from kb.site.search.build import (FORMAT_VERSION, INDEX_DIR, SearchIndex, build_index, facet_values,
                                  iter_index_paths, write_site_index)
from kb.site.search.encode import encode_postings, fnv1a
from kb.site.search.entrypart import NO_MEMO, Memo
from kb.site.search.known import known_rows
from kb.site.search.text import char_map, known_key, md_to_text, normalize, terms
from kb.site.search.units import Unit, date_order, entry_units, meta_line

SEARCH_URI = "search/index.md"
_meta_line = meta_line  # name used by older tests and tools

FILTER_LABELS = [("type", "类型"), ("area", "工作领域"), ("status", "时效性"), ("year", "年份"),
                 ("level", "层级"), ("kind", "段落类别")]
SORT_LABELS = [("relevance", "相关度"), ("newest", "日期（新→旧）"), ("oldest", "日期（旧→新）")]


def page_context(kb: KnowledgeBase) -> dict:
    """Template values of the results page ``search/`` (declared in kb.site.catalog)."""
    return dict(facets=facet_values(kb), filters=FILTER_LABELS, sorts=SORT_LABELS)


__all__ = ["FORMAT_VERSION", "INDEX_DIR", "SEARCH_URI", "FILTER_LABELS", "SORT_LABELS", "SearchIndex", "Unit", "Memo", "NO_MEMO",
           "build_index", "char_map", "date_order", "encode_postings", "entry_units", "facet_values", "fnv1a",
           "iter_index_paths", "known_key", "known_rows", "md_to_text", "meta_line", "normalize", "page_context",
           "terms", "write_site_index"]
