"""The search index built in Python (kb.search): normalisation, terms, files, determinism."""

from __future__ import annotations

import hashlib
import json
import re

import pytest

from kb.site import search
from kb.model.knowledge import KnowledgeBase
from kb.site.urls import page_url
from kb.text.script import to_simplified

from conftest import ROOT


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return KnowledgeBase.load(ROOT)


@pytest.fixture(scope="module")
def index(kb):
    return search.build_index(kb, lambda e: page_url(e.src_uri))


def test_normalize_keeps_positions_and_folds_scripts():
    for trad, simp in [("統戰", "统战"), ("宗教事務條例", "宗教事务条例"), ("民營企業", "民营企业"), ("羣衆", "群众")]:
        assert search.normalize(trad) == simp
        assert search.normalize(simp) == simp
    text = "國務院令第６８６號 ABC　x"
    norm = search.normalize(text)
    assert len(norm) == len(text) and norm == "国务院令第686号 abc x"
    assert all(ord(v) < 0x10000 for v in search.char_map().values())


def test_character_table_agrees_with_opencc_on_the_sample_texts():
    """Where OpenCC's phrase conversion keeps the length, the character table gives the same text.

    (The same check on the real reports in ../shared/seeds is part of bench/eval_import.py --check.)
    """
    checked, traditional = 0, 0
    texts = {p.relative_to(ROOT).as_posix(): p.read_text(encoding="utf-8") for p in sorted((ROOT / "data").rglob("*.md"))}
    for name, text in texts.items():
        for line in text.splitlines():
            phrase = to_simplified(line)
            if len(phrase) != len(line):
                continue
            norm = search.normalize(line)
            # compare Chinese characters only (the table also folds width and case)
            diff = [(a, b) for a, b in zip(norm, phrase) if a != b and "\u4e00" <= b <= "\u9fff"]
            assert len(diff) <= max(1, len(line) // 200), (name, diff[:5])
            checked += len(line)
            traditional += phrase != line
    assert checked > 1000 and traditional > 10


def test_terms_are_characters_bigrams_and_words():
    t = search.terms(search.normalize("統戰部 2017年 ABC"))
    assert {"统", "战", "部", "统战", "战部", "2017", "年", "abc"} <= set(t)
    assert "统战部" not in t  # no dictionary: bigrams find every phrase


def entry_doc(index, n: int) -> dict:
    """The display file of entry n, its parts joined when it is split."""
    if f"d/{n}.json" in index.files:
        return json.loads(index.files[f"d/{n}.json"])
    parts, p = [], 0
    while f"d/{n}-{p}.json" in index.files:
        parts.append(json.loads(index.files[f"d/{n}-{p}.json"]))
        p += 1
    assert parts and all(len(x["units"]) == search.build.PART_UNITS for x in parts[:-1])
    return dict(parts[0], units=[u for x in parts for u in x["units"]])


def test_every_entry_section_and_article_is_indexed(kb, index):
    assert index.stats["entries"] == len(kb.entries)
    sections = sum(len(e.sections) for e in kb.entries)  # also part headings without text of their own
    articles = sum(len(kb.structures[e.id].articles) for e in kb.entries if e.id in kb.structures)
    assert articles > 50 and sections > sum(len(e.classified_sections) for e in kb.entries)
    assert index.units == len(kb.entries) + sections + articles
    manifest = json.loads(index.files["manifest.json"])
    assert manifest["units"] == index.units
    assert [v for v, _ in manifest["facets"]["area"]] == kb.taxonomy.slugs
    dates = []
    for n, e in enumerate(search.date_order(kb.entries)):  # numbered newest first
        doc = entry_doc(index, n)
        assert doc["id"] == e.id and doc["url"] == e.url
        structure = kb.structures.get(e.id)
        expected = [s.anchor for s in e.sections] + [a.anchor for a in (structure.items if structure else [])
                                                     if a.anchor.startswith("article-")]
        assert [u["anchor"] for u in doc["units"][1:]] == expected
        dates.append(doc["date"])
    assert dates == sorted(dates, reverse=True)


def test_article_units_hold_the_article_text(kb, index):
    n = [e.id for e in search.date_order(kb.entries)].index("zongjiao-shiwu-tiaoli-2017")
    doc = entry_doc(index, n)
    art = {u["anchor"]: u for u in doc["units"]}["article-36"]
    assert art["title"] == "第三十六条" and art["text"].startswith("第三十六条")
    assert "第三十七条" not in art["text"]
    assert "第三十六条" not in doc["units"][0]["text"]  # the entry unit keeps only what no article holds


def test_known_items_in_version_family_order(kb):
    rows = search.known_rows(search.date_order(kb.entries))
    order = [e.id for e in search.date_order(kb.entries)]
    ids = lambda key: [(order[r[0]], r[1]) for r in rows[search.known_key(key)]]  # noqa: E731
    assert ids("宗教事务条例") == [("zongjiao-shiwu-tiaoli-2017", "标题"), ("zongjiao-shiwu-tiaoli-2004", "标题")]
    assert ids("宗教事務條例（2004年）") == [("zongjiao-shiwu-tiaoli-2004", "标题")]
    assert ids("國務院令第686號") == [("zongjiao-shiwu-tiaoli-2017", "文号")]
    assert ids("统战工作条例") == [("tongzhan-gongzuo-tiaoli-2020", "简称")]
    # in force, then not yet effective, then repealed
    assert [i for i, _ in ids("关于构建亲清新型政商关系的实施办法")] == [
        "qingqing-zhengshang-guanxi-banfa-2023", "qingqing-zhengshang-guanxi-banfa-2026"]


def test_character_table_is_split_and_complete(index):
    manifest = json.loads(index.files["manifest.json"])
    assert "t2s" in manifest and len(index.files["manifest.json"]) < 4000
    pairs = "".join(json.loads(index.files[f"t/{i}.json"]) for i in range(manifest["t2s"]))
    table = dict(zip(pairs[::2], pairs[1::2]))
    assert table == search.char_map()
    for i in range(manifest["t2s"]):
        part = json.loads(index.files[f"t/{i}.json"])
        assert all(ord(c) % manifest["t2s"] == i for c in part[::2])


def _decode(rec: bytes):
    tl = rec[0]
    term = rec[1:1 + tl].decode()
    kind = rec[1 + tl]
    df = int.from_bytes(rec[2 + tl:6 + tl], "little")
    return term, kind, df


def test_shards_hold_each_term_once_and_by_hash(index):
    manifest = json.loads(index.files["manifest.json"])
    seen = set()
    for i in range(manifest["shards"]):
        data = index.files[f"s/{i}.bin"]
        count, p = int.from_bytes(data[:4], "little"), 4
        for _ in range(count):
            tl = data[p]
            term = data[p + 1:p + 1 + tl].decode()
            length = int.from_bytes(data[p + 6 + tl:p + 10 + tl], "little")
            assert search.fnv1a(term) % manifest["shards"] == i
            assert term not in seen
            seen.add(term)
            p += 10 + tl + length
        assert p == len(data)
    assert "统战" in seen and "@type:case" in seen
    assert not seen & set(manifest["large"])


def test_index_is_deterministic(kb, index):
    again = search.build_index(KnowledgeBase.load(ROOT), lambda e: page_url(e.src_uri))

    def digest(ix):
        h = hashlib.sha256()
        for k, v in ix.files.items():
            h.update(k.encode() + b"\0" + v)
        return h.hexdigest()

    assert digest(index) == digest(again)


def test_large_entries_are_split_into_parts(index):
    split = [k for k in index.files if re.fullmatch(r"d/\d+-\d+\.json", k)]
    assert split, "the sample reports are large enough to be split"
    assert all(len(index.files[k]) < 4 * search.build.SPLIT_BYTES for k in split)


def test_no_unit_text_keeps_markdown_syntax(index):
    for k, v in index.files.items():
        if k.startswith("d/"):
            for u in json.loads(v)["units"]:
                assert not re.search(r"\{#sec-|\]\(|^#+ ", u["text"], re.M), u["text"][:80]
