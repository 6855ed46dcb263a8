"""Article references as a law database links them: enumerations and ranges after
a citation, 之一, 本条例 / 该条例, bare numbers inside a regulation, and no guessing."""

from __future__ import annotations

import re

from kb.analysis import citations
from kb.model.knowledge import KnowledgeBase
from kb.site.pages import Generator

from conftest import ROOT

REG = """
    ---
    id: sl
    type: regulation
    title: 示例管理条例
    issuer: 国务院
    status: in-force
    promulgated: 2020-01-01
    areas: [religion]
    ---
    **第一条** 依据本条例第二条、第三条至第四条及第四条之一制定。

    **第二条** 条文二。

    **第三条** 条文三。

    **第四条** 条文四。

    **第四条之一** 插入的条文。

    **第五条** 违反第二条或者第九条的，依照《民事诉讼法》第二条、第三条处理；刑法第二条、第三条另有规定的除外。

    **第六条** 条文六。

    **第六条** 编号重复的条文。

    **第七条** 参照第六条，`第二条`，[第三条](https://example.org/)，本条例第九十九条。

    **第八条** 本实施办法第三条所称的场所，见本规定第四条之一；基本法第二条、《示例备案办法》（2021年）第二条不在此列。
    """
OTHER = """
    ---
    id: bf
    type: policy
    title: 示例备案办法
    issuer: 国家宗教事务局
    status: in-force
    promulgated: 2021-01-01
    areas: [religion]
    ---
    **第一条** 第一条的条文。

    **第二条** 条文二。

    **第三条** 条文三。
    """


def write(tree, case_body: str | None = None, *, id: str = "c1", etype: str = "case") -> None:
    tree.write("regulations/sl.md", REG)
    tree.write("policies/bf.md", OTHER)
    if case_body is not None:
        extra = "period: 年度\nlevel: 区县\n" if etype == "report" else ""
        tree.write(f"{etype}s/{id}.md", f"---\nid: {id}\ntype: {etype}\ntitle: 条目{id}\nunit: 某区委统战部\n"
                                        f"year: 2023\n{extra}areas: [religion]\n---\n{case_body}")


def refs(kb, id="c1", line=None):
    return [(c.text, c.target, c.article) for c in kb.citations.by_source.get(id, [])
            if line is None or c.line == line]


def test_internal_enumeration_range_and_inserted_article_in_a_regulation(tree):
    write(tree)
    kb = KnowledgeBase.load(tree.root)
    assert refs(kb, "sl", line=10) == [
        ("本条例第二条", "sl", "article-2"),
        ("第三条", "sl", "article-3"),
        ("第四条", "sl", "article-4"),
        ("第四条之一", "sl", "article-4-1"),
    ]
    assert [c.via for c in kb.citations.by_source["sl"] if c.line == 10] == ["own", "next", "next", "next"]
    md = Generator(kb).render_uri(kb.by_id["sl"].src_uri)
    assert ('依据<a class="kb-cite kb-cite--article" href="#article-2"' in md
            and re.search(r'、<a [^>]*href="#article-3"[^>]*>第三条</a>至<a [^>]*href="#article-4"[^>]*>第四条</a>'
                          r'及<a [^>]*href="#article-4-1"[^>]*>第四条之一</a>制定', md))
    assert "sl" not in kb.citations.by_target  # self-citations are not backlinks
    # ... but the article table of contents counts them apart from citations by other entries
    internal = dict(re.findall(r'href="#(article-[\d-]+)">[^<]*</a>(?: <span class="kb-excerpt">[^<]*</span>)?'
                               r' <span class="kb-cited-count kb-cited-count--internal"[^>]*>本文件援引 (\d+) 次', md))
    assert internal == {"article-2": "2", "article-3": "2", "article-4": "1", "article-4-1": "2"}
    assert "被引用" not in md[:md.index('id="cited-by"')]


def test_case_enumeration_range_inserted_article_and_anaphor(tree):
    write(tree, "对照《示例管理条例》第二条、第三条至第四条和第四条之一开展检查。依照该条例第三条处理。\n")
    kb = KnowledgeBase.load(tree.root)
    assert refs(kb) == [
        ("《示例管理条例》第二条", "sl", "article-2"),
        ("第三条", "sl", "article-3"),
        ("第四条", "sl", "article-4"),
        ("第四条之一", "sl", "article-4-1"),
        ("该条例第三条", "sl", "article-3"),
    ]
    assert [c.source for c in kb.citations.by_target["sl"]] == ["c1"] * 5
    md = Generator(kb).render_uri(kb.by_id["c1"].src_uri)
    assert md.count('class="kb-cite kb-cite--article" href="../../regulations/sl/#article-') == 5
    page = Generator(kb).render_uri(kb.by_id["sl"].src_uri)
    toc = page[:page.index('id="cited-by"')]
    counts = dict(re.findall(r'href="#(article-[\d-]+)">[^<]*</a>(?: <span class="kb-excerpt">[^<]*</span>)?'
                           r' <span class="kb-cited-count"[^>]*>被引用 (\d+) 次', toc))
    assert counts == {"article-2": "1", "article-3": "2", "article-4": "1", "article-4-1": "1"}


def test_a_range_cites_every_article_in_it(tree):
    write(tree, "依照《示例管理条例》第二条至第四条之一，以及《示例管理条例》第四条之一至第六条。\n")
    kb = KnowledgeBase.load(tree.root)
    cs = kb.citations.by_source["c1"]
    assert [(c.text, c.article, c.through) for c in cs] == [
        ("《示例管理条例》第二条", "article-2", ()),
        ("第四条之一", "article-4-1", ("article-3", "article-4")),
        ("《示例管理条例》第四条之一", "article-4-1", ()),
    ]  # 第六条 is duplicated in the regulation: no link (and a warning)
    (row,) = citations.by_source_rows(kb.citations.by_target["sl"], kb.by_id, kb.structures["sl"])
    assert [a for a, _ in row.articles] == ["article-2", "article-4-1", "article-3", "article-4"]
    page = Generator(kb).render_uri(kb.by_id["sl"].src_uri)
    assert '<a href="#article-4">第四条</a>' in page[page.index('id="cited-by"'):]


def test_traditional_script_and_both_widths_of_punctuation(tree):
    write(tree, "依照《示例管理條例》第二條、第三條第二款,第四條 和 第四條之一，第一條～第二條第三項，"
                "《示例备案办法》第一条-第三条，第二条——第三条。\n")
    kb = KnowledgeBase.load(tree.root)
    assert [(c.text, c.article) for c in kb.citations.by_source["c1"]] == [
        ("《示例管理條例》第二條", "article-2"), ("第三條第二款", "article-3"), ("第四條", "article-4"),
        ("第四條之一", "article-4-1"), ("第一條", "article-1"), ("第二條第三項", "article-2"),
        ("《示例备案办法》第一条", "article-1"), ("第三条", "article-3"), ("第二条", "article-2"),
        ("第三条", "article-3"),
    ]
    assert [c.target for c in kb.citations.by_source["c1"]] == ["sl"] * 6 + ["bf"] * 4
    assert kb.citations.by_source["c1"][7].through == ("article-2",)


def test_no_guessing_other_laws_unknown_duplicated_code_and_links(tree):
    write(tree)
    kb = KnowledgeBase.load(tree.root)
    # 第五条: 第二条 is its own; 第九条 does not exist; the other laws' numbers stay text.
    assert refs(kb, "sl", line=20) == [("第二条", "sl", "article-2"), ("《民事诉讼法》第二条", None, None)]
    # 第七条: 第六条 is duplicated; code, an existing link and a missing article stay as they are.
    assert refs(kb, "sl", line=26) == []
    (pending,) = kb.citations.pending
    assert pending.title == "民事诉讼法" and len(pending.citations) == 1
    assert [str(p) for p in kb.problems.warnings if "sl.md:26" in str(p)] == [
        "data/regulations/sl.md:26: 正文: 警告: 本条例第九十九条：本文件中没有这一条，不生成链接"]
    md = Generator(kb).render_uri(kb.by_id["sl"].src_uri)
    assert "参照第六条，`第二条`，[第三条](https://example.org/)，本条例第九十九条。" in md
    assert refs(kb, "sl", line=28) == [("本实施办法第三条", "sl", "article-3"), ("本规定第四条之一", "sl", "article-4-1"),
                                       ("《示例备案办法》", "bf", None)]
    # A label is never a link to itself.
    assert not re.search(r'<a class="kb-cite[^>]*>第[一二三四五六七]条</a>\*\*', md)


def test_missing_or_duplicated_articles_of_a_known_document_are_warnings(tree):
    write(tree, "第一行\n\n依照《示例管理条例》第二条、第九条和第六条，该条例第九十条。\n")
    kb = KnowledgeBase.load(tree.root)
    assert refs(kb) == [("《示例管理条例》第二条", "sl", "article-2")]
    assert sorted(str(p) for p in kb.problems.warnings if "c1.md" in str(p)) == sorted([
        "data/cases/c1.md:11: 正文: 警告: 《示例管理条例》第九条：data/regulations/sl.md 中没有这一条，不生成链接",
        "data/cases/c1.md:11: 正文: 警告: 《示例管理条例》第六条：data/regulations/sl.md 中这一条编号重复，不生成链接",
        "data/cases/c1.md:11: 正文: 警告: 《示例管理条例》第九十条：data/regulations/sl.md 中没有这一条，不生成链接",
    ])


def test_anaphors_refer_to_the_last_document_of_their_kind_in_the_section(tree):
    write(tree, """## 一、检查

学习《示例管理条例》和《示例备案办法》，按照该条例第二条和该办法第三条办理，该法第二条不指办法；《某未收录条例》印发后，该条例第二条另行执行。

## 二、整改

依照该条例第二条整改，本条例第二条、第三条也不适用于报告。

## 三、依据

对照《示例管理条例》和《条例》第二条、第三条检查。
""", id="r", etype="report")
    kb = KnowledgeBase.load(tree.root)
    assert [(c.text, c.target, c.article, c.section) for c in kb.citations.by_source["r"] if c.via != "title"] == [
        ("该条例第二条", "sl", "article-2", "sec-1"),
        ("该办法第三条", "bf", "article-3", "sec-1"),
        ("第三条", "sl", "article-3", "sec-3"),  # after the short form 《条例》第二条
    ]
    assert [c.text for c in kb.citations.by_source["r"] if c.section == "sec-3"] == [
        "《示例管理条例》", "《条例》第二条", "第三条"]  # the unknown 条例 is the last one in section 1; section 2 cites nothing before
    assert kb.problems.warnings == [p for p in kb.problems.warnings if "r.md" not in str(p)]


def test_citations_in_the_sample_replace_exactly_their_own_text():
    kb = KnowledgeBase.load(ROOT)
    linked = 0
    for e in kb.entries:
        cs = kb.citations.by_source.get(e.id, [])
        assert all(a.end <= b.start for a, b in zip(cs, cs[1:])), e.id  # in order, never overlapping
        assert all(e.doc.body[c.start:c.end] == c.text for c in cs), e.id
        marked = citations.render(e.doc.body, cs, lambda c: f"\x00{c.text}\x01")
        assert re.sub("\x00([^\x01]*)\x01", r"\1", marked) == e.doc.body, e.id  # nothing else changed
        linked += sum(1 for c in cs if c.via == "next" and c.article)
    assert linked >= 1  # 《宗教事务条例（2004年）》第十三条至第十五条
