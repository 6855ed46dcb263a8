"""Article structure of regulations: numerals, anchors, table of contents, built HTML."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from kb.analysis.articles import annotate, parse
from kb.model.knowledge import KnowledgeBase
from kb.text.numerals import to_chinese, to_int
from kb.site.pages import Generator
from kb.site.urls import PENDING_URI, type_uri
from kb.problems import Problems

from conftest import ROOT


@pytest.mark.parametrize("text, value", [
    ("一", 1), ("十", 10), ("十二", 12), ("二十", 20), ("三十六", 36), ("一百", 100), ("一百零五", 105),
    ("一百一十", 110), ("一百二十三", 123), ("一千零一", 1001), ("两千零二十五", 2025), ("二〇一七", 2017),
    ("36", 36), ("３６", 36), ("零", 0),
])
def test_chinese_numerals(text, value):
    assert to_int(text) == value


@pytest.mark.parametrize("text", ["", "十十", "一百五", "百一十一十", "零十", "第一", "a"])
def test_malformed_numerals(text):
    assert to_int(text) is None


def test_numerals_round_trip():
    assert [to_chinese(n) for n in (1, 10, 12, 20, 105, 110, 1001)] == [
        "一", "十", "十二", "二十", "一百零五", "一百一十", "一千零一"]
    assert all(to_int(to_chinese(n)) == n for n in range(1, 10_000))


BODY = """> 说明：不是条文。

## 第一章 总则

**第一条** 为了**规范**管理，制定本条例。

第二条　本条例适用于全市。
第三条 这一行接在上一行后面，是同一段，不是新条文。

## 第三章 宗教活动场所

### 第二节 登记

**第三十六条** 教职人员备案。

第三十七条规定的情形不是条文的开头。

### 第十二条之一

插入的条文。

### 第一百零五条 {#custom-id}

```text
**第九条** 代码块中的不是条文
```

**第二条** 编号重复
"""


def test_parse_finds_chapters_sections_and_articles():
    problems = Problems()
    s = parse(BODY, 10, "data/regulations/x.md", problems)
    assert [(i.anchor, i.line) for i in s.items] == [
        ("chapter-1", 12), ("article-1", 14), ("article-2", 16), ("chapter-3", 19),
        ("chapter-3-section-2", 21), ("article-36", 23), ("article-12-1", 27), ("custom-id", 31),
    ]
    a36 = s.article(36)
    assert a36.label == "第三十六条" and a36.excerpt == "教职人员备案。" and a36.division == "chapter-3-section-2"
    assert s.article(12, 1).heading and s.article(12, 1).label == "第十二条之一"
    assert s.article(105).anchor == "custom-id"
    assert s.article(1).excerpt == "为了规范管理，制定本条例。"
    assert s.article(3) is None and s.article(37) is None and s.article(9) is None
    assert [i.level for i in s.items] == [1, 2, 2, 1, 2, 3, 3, 3]  # table-of-contents depth
    assert [str(p) for p in problems.warnings] == [
        "data/regulations/x.md:37: 正文: 警告: “第二条”与第 16 行编号重复，只有第一处有锚点，引用这一编号的地方不会链接到条文"]
    assert s.duplicated == {(2, None)}  # citations of 第二条 do not guess which one


def test_annotate_keeps_lines_and_places_anchors():
    s = parse(BODY, 10)
    out = annotate(BODY, 10, s, lambda a: f'<a id="{a}"></a>')
    lines = out.split("\n")
    assert len(lines) == len(BODY.split("\n"))
    assert lines[2] == "## 第一章 总则 {#chapter-1}"
    assert lines[4] == '<a id="article-1"></a>**第一条** 为了**规范**管理，制定本条例。'
    assert lines[6].startswith('<a id="article-2"></a>第二条')
    assert lines[7].startswith("第三条")  # continuation line untouched
    assert lines[11] == "### 第二节 登记 {#chapter-3-section-2}"
    assert lines[17] == "### 第十二条之一 {#article-12-1}"
    assert lines[21] == "### 第一百零五条 {#custom-id}"  # an explicit id is kept as written
    assert "**第九条** 代码块中的不是条文" in out and 'id="article-9"' not in out


def test_other_heading_ends_the_chapter():
    s = parse("## 第一章 总则\n\n**第一条** 甲。\n\n## 其余各章要点\n\n**第九条** 乙。\n\n### 第二节 丙\n", 1)
    assert [(i.anchor, getattr(i, "division", None), i.level) for i in s.items] == [
        ("chapter-1", None, 1), ("article-1", "chapter-1", 2), ("article-9", None, 1), ("section-2", None, 1)]


def test_heading_with_attribute_list_gets_the_id_added():
    body = "## 第二章 宗教团体 {.chapter}\n"
    assert annotate(body, 1, parse(body, 1), str) == "## 第二章 宗教团体 {.chapter #chapter-2}\n"


def test_traditional_script_and_arabic_numbers():
    s = parse("## 第二章 宗教團體\n\n**第六條** 宗教團體的成立。\n\n第36条 阿拉伯数字编号。\n", 1)
    assert [i.anchor for i in s.items] == ["chapter-2", "article-6", "article-36"]


# -- the sample site ---------------------------------------------------------


class Ids(HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids: list[str] = []
        self.hrefs: list[str] = []
        self.anchor_parents: dict[str, str] = {}
        self._stack: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "id" in a:
            self.ids.append(a["id"])
            if a["id"].startswith("article-"):
                self.anchor_parents[a["id"]] = tag if tag != "a" else "a<" + (self._stack[-1] if self._stack else "")
        if tag == "a" and a.get("href"):
            self.hrefs.append(a["href"])
        if tag not in ("br", "img", "input", "meta", "link", "hr"):
            self._stack.append(tag)

    def handle_endtag(self, tag):
        if tag in self._stack:
            while self._stack and self._stack.pop() != tag:
                pass


def page(site, url) -> tuple[str, Ids]:
    html = (site / url / "index.html").read_text(encoding="utf-8")
    p = Ids()
    p.feed(html)
    return html, p


@pytest.mark.slow
def test_every_article_of_every_document_has_an_anchor_and_a_toc_link(law_site):
    kb = KnowledgeBase.load(ROOT)
    checked = 0
    for e in kb.entries:
        structure = kb.structures.get(e.id)
        if not structure:
            continue
        html, p = page(law_site, e.url)
        assert len(p.ids) == len(set(p.ids)), f"{e.id}: duplicate ids"
        assert "条文目录" in html
        for item in structure.items:
            assert item.anchor in p.ids, (e.id, item.anchor)
            assert f"#{item.anchor}" in p.hrefs, (e.id, item.anchor)  # table of contents
            checked += 1
    assert checked >= 60


@pytest.mark.slow
def test_regulation_page_article_anchor_sits_in_its_paragraph(law_site):
    html, p = page(law_site, "regulations/zongjiao-shiwu-tiaoli-2017/")
    assert p.anchor_parents["article-36"] == "a<p"
    m = re.search(r'<p><a id="article-36" class="kb-article-anchor"></a><strong>第三十六条</strong>([^<]*)</p>', html)
    assert m and "宗教教职人员" in m.group(1)
    assert re.search(r'<h2 id="chapter-5">第五章 宗教教职人员', html)
    toc = html[html.index("条文目录"):html.index("</details>", html.index("条文目录"))]
    assert re.search(r'<a href="#article-36">第三十六条</a> <span class="kb-excerpt">宗教教职人员经宗教团体认定', toc)


@pytest.mark.slow
def test_inserted_article_and_plain_paragraph_form_in_sample(law_site):
    html, p = page(law_site, "policies/qingqing-zhengshang-guanxi-banfa-2026/")
    assert {"chapter-1", "chapter-2", "chapter-3", "article-1", "article-12", "article-12-1", "article-20"} <= set(p.ids)
    assert '<p><a id="article-12-1" class="kb-article-anchor"></a>第十二条之一' in html


def test_generated_markdown_is_deterministic():
    outputs = []
    for _ in range(2):
        kb = KnowledgeBase.load(ROOT)
        gen = Generator(kb)
        outputs.append([gen.render_uri(kb.by_id["zongjiao-shiwu-tiaoli-2017"].src_uri), gen.render_uri(PENDING_URI),
                        gen.render_uri(type_uri("policy"))])
    assert outputs[0] == outputs[1]
