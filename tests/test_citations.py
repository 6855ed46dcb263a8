"""Citations: 《title》 and 《title》第X条 become links; unknown titles go to 待收录文件;
cited documents list their citing entries (backlinks)."""

from __future__ import annotations

import datetime as dt
import re
import time
from html.parser import HTMLParser
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import urljoin

import pytest

from kb.analysis import citations
from kb.analysis.articles import parse
from kb.source.loader import SourceDoc
from kb.model.entry import Entry
from kb.model.knowledge import KnowledgeBase
from kb.site.pages import Generator
from kb.problems import Problems
from kb.analysis.versions import Families

DOCS = {
    "regulations/zj-2004.md": """
        ---
        id: zj-2004
        type: regulation
        title: 宗教事务条例
        issuer: 国务院
        status: amended
        promulgated: 2004-11-30
        effective: 2005-03-01
        superseded_by: zj-2017
        areas: [religion]
        ---
        **第二十七条** 旧版本的条文。
        """,
    "regulations/zj-2017.md": """
        ---
        id: zj-2017
        type: regulation
        title: 宗教事务条例
        issuer: 国务院
        status: in-force
        promulgated: 2017-08-26
        effective: 2018-02-01
        supersedes: zj-2004
        aliases: [新修订宗教事务条例]
        areas: [religion]
        ---
        ## 第五章 宗教教职人员

        **第三十六条** 教职人员备案。

        **第十二条之一** 插入的条文。

        本条例第三十六条的规定（自引，不进入被引用列表）：《宗教事务条例》第三十六条。
        """,
    "regulations/tz-2015.md": """
        ---
        id: tz-2015
        type: regulation
        title: 某工作条例（试行）
        issuer: 中共中央
        status: repealed
        promulgated: 2015-05-18
        superseded_by: tz-2020
        areas: [leadership]
        ---
        正文。
        """,
    "regulations/tz-2020.md": """
        ---
        id: tz-2020
        type: regulation
        title: 某工作条例
        issuer: 中共中央
        status: in-force
        promulgated: 2020-12-21
        supersedes: tz-2015
        areas: [leadership]
        ---
        正文。
        """,
}


def write_docs(tree):
    for rel, text in DOCS.items():
        tree.write(rel, text)


def write_case(tree, body: str, id: str = "c1") -> None:
    tree.write(f"cases/{id}.md", f"---\nid: {id}\ntype: case\ntitle: 案例{id}\nunit: 某区委统战部\nyear: 2023\n"
                                 f"areas: [religion]\n---\n{body}")


def cites_of(kb, id="c1"):
    return [(c.text, c.target, c.article) for c in kb.citations.by_source.get(id, [])]


def test_titles_aliases_script_and_whitespace(tree):
    write_docs(tree)
    write_case(tree, "《宗教事务条例》《新修订宗教事务条例》《宗教事務條例》《宗教 事务条例》《某工作条例》\n")
    kb = KnowledgeBase.load(tree.root)
    assert kb.problems.errors == [] and kb.problems.warnings == []
    assert [t for _, t, _ in cites_of(kb)] == ["zj-2017", "zj-2017", "zj-2017", "zj-2017", "tz-2020"]


def test_version_suffixes_choose_the_version(tree):
    write_docs(tree)
    write_case(tree, "《宗教事务条例（2017年修订）》、《宗教事务条例（2004年）》、《宗教事务条例(2004年)》、"
                     "《宗教事务条例（二〇〇四年）》、《某工作条例（试行）》、《某工作条例（2020年）》、"
                     "《宗教事务条例（1994年）》。\n")
    kb = KnowledgeBase.load(tree.root)
    assert [t for _, t, _ in cites_of(kb)] == ["zj-2017", "zj-2004", "zj-2004", "zj-2004", "tz-2015", "tz-2020", None]
    assert [p.title for p in kb.citations.pending] == ["宗教事务条例（1994年）"]


def test_article_citations_and_missing_articles(tree):
    write_docs(tree)
    write_case(tree, "第一行\n\n依照《宗教事务条例》第三十六条第二款和《宗教事务条例》第十二条之一，"
                     "以及《宗教事務條例》第三十六條。\n\n《宗教事务条例》第九十九条没有收录。\n")
    kb = KnowledgeBase.load(tree.root)
    assert cites_of(kb) == [
        ("《宗教事务条例》第三十六条第二款", "zj-2017", "article-36"),
        ("《宗教事务条例》第十二条之一", "zj-2017", "article-12-1"),
        ("《宗教事務條例》第三十六條", "zj-2017", "article-36"),
        ("《宗教事务条例》第九十九条", "zj-2017", None),
    ]
    assert kb.problems.errors == []
    assert [str(p) for p in kb.problems.warnings] == [
        "data/cases/c1.md:13: 正文: 警告: 《宗教事务条例》第九十九条：data/regulations/zj-2017.md 中没有这一条，链接只能指向文件本身"
    ]


def test_short_form_refers_to_the_last_matching_full_title_in_the_section(tree):
    write_docs(tree)
    tree.write("reports/r.md", """
        ---
        id: r
        type: report
        title: 某区委统战部2023年工作总结
        unit: 某区委统战部
        year: 2023
        period: 年度
        level: 区县
        areas: [religion]
        ---
        ## 一、宗教工作

        学习《宗教事务条例》和《宗教教职人员管理办法》，对照《条例》第三十六条核对备案，按《办法》规范管理。

        ## 二、统战工作

        贯彻《条例》。

        ## 三、其他

        学习《宗教事务条例》和《某工作条例》，落实《条例》。
        """)
    kb = KnowledgeBase.load(tree.root)
    cs = kb.citations.by_source["r"]
    assert [(c.text, c.target, c.article, c.short, c.section) for c in cs] == [
        ("《宗教事务条例》", "zj-2017", None, False, "sec-1"),
        ("《宗教教职人员管理办法》", None, None, False, "sec-1"),
        ("《条例》第三十六条", "zj-2017", "article-36", True, "sec-1"),
        ("《办法》", None, None, True, "sec-1"),
        ("《宗教事务条例》", "zj-2017", None, False, "sec-3"),
        ("《某工作条例》", "tz-2020", None, False, "sec-3"),
    ]
    # The short form of a document not in the knowledge base counts for it on the to-do list.
    (pending,) = kb.citations.pending
    assert pending.title == "宗教教职人员管理办法" and len(pending.citations) == 2
    assert [str(p) for p in kb.problems.warnings] == [
        "data/reports/r.md:17: 正文: 警告: 简称《条例》无法确定所指文件（此前没有引用可对应的全称），请写出全称",
        "data/reports/r.md:21: 正文: 警告: 简称《条例》无法确定所指文件（可能指 《宗教事务条例》、《某工作条例》），请写出全称",
    ]


MARKUP = """普通文字《宗教事务条例》第三十六条。

行内代码 `《宗教事务条例》` 不变，``双反引号 《宗教事务条例》 `` 也不变。

已有链接 [《宗教事务条例》](https://example.org/x) 和 [见《宗教事务条例》][ref] 以及 ![《宗教事务条例》](img.png) 不变。

<a href="/x">《宗教事务条例》</a> 与 <abbr title="《宗教事务条例》">缩写</abbr> 与 <span>《某工作条例》</span>

```text
《宗教事务条例》第三十六条
```

~~~~
《某工作条例》
~~~~

[ref]: https://example.org/《宗教事务条例》
"""


def test_code_links_and_html_are_untouched(tree):
    write_docs(tree)
    write_case(tree, MARKUP)
    kb = KnowledgeBase.load(tree.root)
    assert cites_of(kb) == [("《宗教事务条例》第三十六条", "zj-2017", "article-36"),
                            ("《某工作条例》", "tz-2020", None)]  # text in inline HTML, not attributes
    md = Generator(kb).render_uri(kb.by_id["c1"].src_uri)
    body = md[md.index("</div>\n") + 7:]
    linked = re.sub(r'<a class="kb-cite[^"]*" href="[^"]*" title="[^"]*">([^<]*)</a>', r"\1", body)
    assert linked.strip() == MARKUP.strip()  # nothing else changed
    assert body.count('class="kb-cite') == 2
    assert 'href="../../regulations/zj-2017/#article-36"' in body


def test_backlinks_skip_self_citations_and_group_by_section(tree):
    write_docs(tree)
    write_case(tree, "《宗教事务条例》第三十六条、《宗教事务条例》第十二条之一、《宗教事务条例》第三十六条。\n")
    kb = KnowledgeBase.load(tree.root)
    assert {c.source for c in kb.citations.by_target["zj-2017"]} == {"c1"}  # not zj-2017 itself
    rows = citations.by_source_rows(kb.citations.by_target["zj-2017"], kb.by_id, kb.structures["zj-2017"])
    assert [(r.source.id, r.section, r.count, r.articles) for r in rows] == [
        ("c1", None, 3, [("article-36", "第三十六条"), ("article-12-1", "第十二条之一")])]
    md = Generator(kb).render_uri(kb.by_id["zj-2017"].src_uri)
    assert 'id="cited-by"' in md and 'href="../../cases/c1/"' in md
    assert '<a href="#article-36">第三十六条</a>、<a href="#article-12-1">第十二条之一</a>' in md
    assert "被引用 2 次" in md  # article 36, in the article table of contents


# In-memory entries (no files, no validation): only what citation analysis reads.
def _doc(i: int) -> Entry:
    meta = SimpleNamespace(id=f"reg-{i}", type="regulation", title=f"关于第{i}项工作的条例", aliases=[],
                           status="in-force", promulgated=dt.date(2000 + i % 20, 1, 1), effective=None)
    body = "**第一条** 条文。\n\n**第二条** 条文。\n"
    return Entry(meta, SourceDoc(Path("x"), f"data/regulations/reg-{i}.md", {}, {}, body, 9))


def _case(i: int, n: int) -> Entry:
    meta = SimpleNamespace(id=f"case-{i}", type="case", title="案例")
    body = "".join(f"依照《关于第{(i * 7 + k) % n}项工作的条例》第二条和《未收录文件{k}》开展工作。\n\n" for k in range(4))
    return Entry(meta, SourceDoc(Path("x"), f"data/cases/case-{i}.md", {}, {}, body, 9))


def _analyse_time(n: int) -> float:
    docs = [_doc(i) for i in range(n)]
    cases = [_case(i, n) for i in range(n)]
    structures = {d.id: parse(d.doc.body, 9) for d in docs}
    best = float("inf")
    for _ in range(2):
        citations.normalize.cache_clear()
        started = time.perf_counter()
        index = citations.analyse(docs + cases, docs, structures, Families(), Problems())
        best = min(best, time.perf_counter() - started)
    assert sum(len(v) for v in index.by_source.values()) == 8 * n
    assert all(c.article == "article-2" for c in index.by_source["case-0"] if c.target)
    return best


def test_resolution_on_many_titles_resolves_every_citation():
    # Correctness at scale; the speed itself is measured by bench/, not asserted here.
    _analyse_time(4000)


# -- the built site (sample data plus conftest.CITING_CASE) -------------------


class Anchors(HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids: set[str] = set()
        self.cites: list[tuple[str, str]] = []  # (href, text)
        self._cite: str | None = None
        self._text = ""

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "id" in a:
            self.ids.add(a["id"])
        if tag == "a" and "kb-cite" in (a.get("class") or ""):
            self._cite, self._text = a["href"], ""

    def handle_data(self, data):
        if self._cite is not None:
            self._text += data

    def handle_endtag(self, tag):
        if tag == "a" and self._cite is not None:
            self.cites.append((self._cite, self._text))
            self._cite = None


def parsed(site: Path, url: str) -> Anchors:
    p = Anchors()
    p.feed((site / url / "index.html").read_text(encoding="utf-8"))
    return p


@pytest.mark.slow
def test_added_case_links_to_the_current_article_and_is_listed_as_citing(law_site):
    case = parsed(law_site, "cases/zz-citing-case/")
    assert ("../../regulations/zongjiao-shiwu-tiaoli-2017/#article-36", "《宗教事务条例》第三十六条") in case.cites
    assert all("实施细则" not in text for _, text in case.cites)  # unknown title: plain text
    reg_html = (law_site / "regulations/zongjiao-shiwu-tiaoli-2017/index.html").read_text(encoding="utf-8")
    assert 'id="article-36"' in reg_html
    backlinks = reg_html[reg_html.index('id="cited-by"'):]
    m = re.search(r'<li><a href="../../cases/zz-citing-case/">测试用案例：依法办理教职人员备案</a>.*?</li>', backlinks, re.S)
    assert m and '<a href="#article-36">第三十六条</a>' in m.group(0)
    uncited = (law_site / "policies/xin-jieceng-lianxi-huiyi-zhidu-2019/index.html").read_text(encoding="utf-8")
    assert 'id="cited-by"' in uncited and "知识库中暂无条目引用本文件。" in uncited
    # The older version is not where the bare title points.
    old = (law_site / "regulations/zongjiao-shiwu-tiaoli-2004/index.html").read_text(encoding="utf-8")
    assert "zz-citing-case" not in old


@pytest.mark.slow
def test_unknown_title_is_on_the_pending_page(law_site):
    html = (law_site / "pending/index.html").read_text(encoding="utf-8")
    row = re.search(r"<tr><td>《某省宗教教职人员备案实施细则》</td><td>(\d+)</td><td>(.*?)</td></tr>", html, re.S)
    assert row and row.group(1) == "1"
    assert 'href="../cases/zz-citing-case/"' in row.group(2)
    for title in ("宗教活动场所管理办法", "县宗教教职人员认定备案工作规程"):  # cited by the sample data
        assert f"<td>《{title}》</td>" in html
    assert "<td>《宗教事务条例》</td>" not in html  # known documents are not pending
    home = (law_site / "index.html").read_text(encoding="utf-8")
    assert 'href="pending/"' in home  # in the navigation


@pytest.mark.slow
def test_every_citation_link_in_the_site_resolves(law_site):
    pages: dict[Path, Anchors] = {}
    total = with_article = 0
    for path in sorted(law_site.rglob("index.html")):
        p = parsed(law_site, str(path.parent.relative_to(law_site)))
        for href, text in p.cites:
            url, _, frag = urljoin(f"http://h/{path.parent.relative_to(law_site).as_posix()}/", href).partition("#")
            target = law_site / url[len("http://h/"):] / "index.html"
            assert target.is_file(), (path, href)
            if frag:
                pages.setdefault(target, parsed(law_site, str(target.parent.relative_to(law_site))))
                assert frag in pages[target].ids, (path, href)
                with_article += 1
            assert re.match(r"《|(?:本|该|該|上述|前述)?\w{0,2}第", text), text  # a title or an article number
            total += 1
    # (the restricted sample case, with two article citations, is not in the default internal build)
    assert total >= 30 and with_article >= 10


@pytest.mark.slow
def test_report_section_citations_and_short_form_in_sample(law_site):
    report = parsed(law_site, "reports/mouqu-tongzhanbu-2019-shangbannian/")
    assert ("../../regulations/zongjiao-shiwu-tiaoli-2017/#article-36", "《条例》第三十六条") in report.cites
    assert ("../../regulations/tongzhan-gongzuo-tiaoli-shixing-2015/", "《中国共产党统一战线工作条例（试行）》") in report.cites
    trad = parsed(law_site, "reports/moxian-tongzhanbu-2020-niandu/")
    assert ("../../regulations/zongjiao-shiwu-tiaoli-2017/#article-22", "《宗教事務條例》第二十二條") in trad.cites
    reg = (law_site / "regulations/zongjiao-shiwu-tiaoli-2017/index.html").read_text(encoding="utf-8")
    assert re.search(r'href="../../reports/mouqu-tongzhanbu-2019-shangbannian/#sec-1-3">[^<]*› （三）依法管理宗教事务', reg)
    old = parsed(law_site, "cases/zongjiao-jiaozhi-renyuan-beian-2021/")
    assert ("../../regulations/zongjiao-shiwu-tiaoli-2004/#article-27", "《宗教事务条例（2004年）》第二十七条") in old.cites
