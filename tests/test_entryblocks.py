"""Entry pages: the generated blocks skip Markdown (kb.site.entryblocks via kb.site.rawhtml).

What MkDocs makes of an entry page whose blocks were stashed and put back must
be what it makes of the whole page: content, table of contents, anchors, title,
links to anchors; a body cannot move the blocks' limits or make a block appear;
hostile HTML of a body is still removed."""

from __future__ import annotations

import pytest
from mkdocs.config import load_config
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page

from conftest import ROOT
from kb.engine.session import BuildSession
from kb.model.knowledge import KnowledgeBase
from kb.site import entryblocks
from kb.site.pages import Generator
from kb.site.rawhtml import RawHtml


@pytest.fixture(scope="module")
def config():
    cfg = load_config(str(ROOT / "mkdocs.yml"))
    cfg.plugins._current_plugin = None  # File.generated reads it (set by MkDocs while a plugin runs)
    return cfg


def convert(config, gen: Generator, uri: str, markdown: str) -> Page:
    files = Files([File.generated(config, s.uri, content="") for s in gen.specs()])
    page = Page(None, File.generated(config, uri, content=markdown), config)
    page.read_source(config)
    page.render(config, files)
    return page


def links(page: Page) -> dict:
    return {f.src_uri: v for f, v in (page.links_to_anchors or {}).items()}


def stashed_page(config, gen: Generator, uri: str) -> tuple[Page, str, Page]:
    """(the whole page converted, its content with the blocks put back, the stashed page converted)."""
    spec = next(s for s in gen.specs() if s.uri == uri)
    markdown = gen.render(spec)
    raw = RawHtml()
    stashed = raw.stash_page(spec, markdown)
    assert stashed != markdown and entryblocks.TOKEN in stashed
    whole, part = convert(config, gen, uri, markdown), convert(config, gen, uri, stashed)
    return whole, raw.restore(uri, part.content, part), part


def assert_same(whole: Page, content: str, part: Page) -> None:
    assert content == whole.content
    assert str(part.toc) == str(whole.toc)
    assert part.present_anchor_ids == whole.present_anchor_ids
    assert part._title_from_render == whole._title_from_render
    assert links(part) == links(whole)


def test_sample_entry_pages_convert_as_whole_pages(config):
    """Every entry of the sample knowledge base (all types, version histories, backlinks, report sections)."""
    gen = Generator(KnowledgeBase.load(ROOT, audience="all"))
    entries = [s for s in gen.specs() if s.template == entryblocks.ENTRY_TEMPLATE]
    assert {s.uri.split("/")[0] for s in entries} >= {"regulations", "policies", "reports", "cases"}
    seen_anchors: set[str] = set()
    for spec in entries:
        whole, content, part = stashed_page(config, gen, spec.uri)
        assert_same(whole, content, part)
        assert entryblocks.TOKEN not in content
        seen_anchors |= part.present_anchor_ids
    # The headings of the generated blocks: anchors MkDocs knows (links to them are checked), not in the toc.
    assert {"top", "versions", "cited-by"} <= seen_anchors


REGULATION = """
---
id: demo-reg
type: regulation
title: 示例条例
issuer: 国务院
status: in-force
promulgated: 2020-01-01
areas: [religion]
audience: public
---
{body}
"""


def one_entry(tree, body: str) -> tuple[Generator, str]:
    tree.write("regulations/demo-reg.md", REGULATION.format(body=body))
    kb = KnowledgeBase.load(tree.root, audience="all")
    assert not kb.problems.errors, kb.problems.errors
    return Generator(kb), kb.by_id["demo-reg"].src_uri


@pytest.mark.parametrize("body", [
    "**第一条** 条文。\n\n## 附则 {#fuze}\n\n正文。",
    "<div>\n左开的 HTML 块，没有闭合\n\n**第一条** 条文。",  # the backlinks end up inside it, as raw text
    "    缩进的代码\n",
    "",
    '</div>\n\n<section class="kb-backlinks" aria-labelledby="cited-by">\n<h2 id="x">假的</h2>\n</section>\n',
])
def test_bodies_that_touch_the_block_limits(config, tree, body):
    gen, uri = one_entry(tree, body)
    whole, content, part = stashed_page(config, gen, uri)
    assert_same(whole, content, part)


REPORT = """
---
id: demo-report
type: report
title: 示例工作总结
unit: 某区委统战部
year: 2023
period: 年度
level: 区县
areas: [religion]
---
## 一、宗教工作

开展宗教活动场所规范管理，和谐寺观教堂创建。

## 二、民族工作
紧接标题的正文：民族团结进步创建。

<p class="kb-section-meta">作者自己写的同名段落 <b>粗体</b></p>

## 三、下一步计划

<p class="kb-section-meta">跨行的
段落</p>

继续推进。
"""


def test_report_section_lines_skip_markdown_too(config, tree):
    """The kind-and-areas line under each report section is a block of its own (not converted)."""
    tree.write("reports/demo-report.md", REPORT)
    kb = KnowledgeBase.load(tree.root, audience="all")
    assert not kb.problems.errors, kb.problems.errors
    gen = Generator(kb)
    uri = kb.by_id["demo-report"].src_uri
    assert sum(s.has_text for s in kb.by_id["demo-report"].sections) >= 2
    whole, content, part = stashed_page(config, gen, uri)
    assert_same(whole, content, part)
    # Head, three generated lines; an author's one-line paragraph of the same form is a block too
    # (Markdown gives a raw HTML block back unchanged); the two-line one is converted.
    assert part.markdown.count(entryblocks.TOKEN) == 5
    assert part.markdown.count("kb-section-meta") == 1 and "跨行的" in part.markdown


def test_a_body_cannot_make_a_block_appear(config, tree):
    """The token of a page depends on the whole page: one copied from an earlier build is text."""
    gen, uri = one_entry(tree, "**第一条** 条文。")
    spec = next(s for s in gen.specs() if s.uri == uri)
    _, stashed = entryblocks.split(gen.render(spec))
    copied = " ".join(stashed.tokens)
    gen, uri = one_entry(tree, f"**第一条** 条文。\n\n{stashed.tokens[0]}\n\n{copied}")
    whole, content, part = stashed_page(config, gen, uri)
    assert_same(whole, content, part)
    assert content.count('<div class="kb-entry') == 1
    assert content.count('<section class="kb-backlinks"') == 1
    assert f"<p>{stashed.tokens[0]}</p>" in content


def test_hostile_body_is_still_cleaned_with_the_blocks_put_back(config, tree):
    gen, uri = one_entry(tree, '**第一条** 条文<script>alert(1)</script>。\n\n<p onclick="x()">段落</p>\n\n'
                               '<img src=x onerror="alert(2)">')
    spec = next(s for s in gen.specs() if s.uri == uri)
    session = BuildSession(entry_pages=frozenset({uri}))
    part = convert(config, gen, uri, session.raw_html.stash_page(spec, gen.render(spec)))
    out = session.page_content(part.content, uri, part)
    assert "<script" not in out and "onclick" not in out and "onerror" not in out
    assert '<h1 id="top">示例条例</h1>' in out and '<h2 id="cited-by">' in out
    assert entryblocks.TOKEN not in out
    assert {"top", "cited-by"} <= part.present_anchor_ids


def test_pages_not_laid_out_as_entries_are_left_whole():
    assert entryblocks.split("---\ntitle: x\n---\n\n# 标题\n") is None
    assert entryblocks.split('---\ntitle: x\n---\n\n<div class="kb-entry kb-entry--case">\n<div>\n</div>\n') is None
    # A regulation without its backlinks section: not what entry.md.j2 writes, converted whole.
    assert entryblocks.split('---\ntitle: x\n---\n\n<div class="kb-entry kb-entry--regulation">\n</div>\n\n正文\n') is None


def test_a_change_in_a_stashed_block_changes_what_mkdocs_gets():
    """The build cache keys a page on the Markdown MkDocs gets (kb.engine.pagecache): the tokens
    carry a digest of the whole page, so a change inside a block changes that Markdown too."""
    page = ('---\ntitle: x\n---\n\n<div class="kb-entry kb-entry--case">\n<h1 id="top">{}</h1>\n</div>\n\n'
            '## 背景\n\n正文。\n')
    first, second = entryblocks.split(page.format("甲")), entryblocks.split(page.format("乙"))
    assert first[0].replace(first[1].tokens[0], "") == second[0].replace(second[1].tokens[0], "")  # body alike
    assert first[0] != second[0]
