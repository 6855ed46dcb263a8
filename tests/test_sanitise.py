"""Entry bodies are content, not code: the allow-list of entry pages
(kb.text.html), kb check's warnings, and what a build writes."""

from __future__ import annotations

import re

import markdown
import pytest
from bs4 import BeautifulSoup

from conftest import ROOT, case, copy_project, mkdocs_build, serve
from kb.model.knowledge import KnowledgeBase
from kb.site.pages import Generator
from kb.publish import verify
from kb.text import html as sanitise
from payloads import PAYLOADS

DANGEROUS_TAGS = {"script", "iframe", "object", "embed", "svg", "style", "math", "template"}


def unsafe(html: str) -> list[str]:
    """Elements and attributes that could run script or load active content."""
    found = []
    for el in BeautifulSoup(html, "lxml").find_all(True):
        if el.name in DANGEROUS_TAGS:
            found.append(el.name)
        for k, v in el.attrs.items():
            v = " ".join(v) if isinstance(v, list) else v
            if k.lower().startswith("on") or (k in ("href", "src", "data", "action", "formaction")
                                              and re.match(r"\s*(javascript|data|vbscript):", v, re.I)):
                found.append(f"{el.name}[{k}={v}]")
    return found

MD_EXTENSIONS = ["attr_list", "md_in_html", "tables", "toc", "admonition"]


def render(text: str) -> str:
    return markdown.markdown(text, extensions=MD_EXTENSIONS, extension_configs={"toc": {"permalink": True}})


@pytest.mark.parametrize("payload", PAYLOADS)
def test_clean_removes_script_handlers_and_unsafe_urls(payload):
    html = render(payload)
    assert unsafe(html), "the payload is live before cleaning"
    assert unsafe(sanitise.clean(html)) == []


def test_clean_keeps_markdown_and_project_markup():
    text = ("## 标题 {#anchor .kb-x}\n\n| a | b |\n|:--|--:|\n| <mark>1</mark> | 2 |\n\n"
            '!!! note "提示"\n    内容\n\n[链接](../x/#y "t") <a class="kb-cite kb-cite--article" href="../r/#a1" '
            'title="t">《条例》第一条</a><a id="a1" class="kb-article-anchor"></a>\n\n'
            '<div class="kb-filter" data-kb-filter><form aria-label="筛选" hidden><select name="status">'
            '<option value="in-force">现行</option></select></form></div>\n')
    html = render(text)
    assert _shape(sanitise.clean(html)) == _shape(html)
    assert len(_shape(html)) > 15


def _shape(html: str) -> list[tuple[str, tuple]]:
    """Every element with its attributes (values normalised as BeautifulSoup reads them)."""
    soup = BeautifulSoup(html, "lxml")
    def value(k, v):
        v = " ".join(v) if isinstance(v, list) else v
        return re.sub(r"[\s;]", "", v) if k == "style" else v
    return [(el.name, tuple(sorted((k, value(k, v)) for k, v in el.attrs.items())))
            for el in soup.find_all(True) if el.name not in ("html", "body")]


@pytest.fixture(scope="module")
def sample_generator():
    kb = KnowledgeBase.load(ROOT, audience="all")
    return Generator(kb)


def test_sample_entry_pages_lose_no_generated_markup(sample_generator):
    """The generated blocks of every sample entry page pass the allow-list unchanged."""
    gen = sample_generator
    checked = 0
    for spec in gen.specs():
        if spec.uri not in {e.src_uri for e in gen.kb.entries}:
            continue
        html = render(gen.render(spec))
        assert _shape(sanitise.clean(html)) == _shape(html), spec.uri
        checked += 1
    assert checked == len(gen.kb.entries) > 20


def test_kb_check_warns_where_a_body_holds_html_that_is_removed(tree):
    body = "正文。\n\n" + "\n\n".join(PAYLOADS) + "\n\n`<script>` 在代码中不算。\n\n```\n<script>x</script>\n```\n"
    tree.write("cases/x.md", case(id="x").replace("正文。", body))
    kb = KnowledgeBase.load(tree.root, audience="all")
    assert kb.problems.errors == []
    warned = {p.line: str(p) for p in kb.problems.warnings}
    first = 11  # line of 正文。
    expected = {first + 2 + 2 * i for i in range(len(PAYLOADS))}
    assert set(warned) == expected, warned
    assert warned[first + 2].startswith("data/cases/x.md:13: 正文: 警告: 正文含有生成网站时会被删除的 HTML：标签 <script>")
    assert "<img> 的事件属性 onerror" in warned[first + 6] and "链接中的 javascript: 网址" in warned[first + 10]
    assert "<a> 的 href 中的 javascript: 网址" in warned[first + 12]


# -- a build with payloads ------------------------------------------------------------


@pytest.fixture(scope="module")
def payload_site(tmp_path_factory):
    from payloads import install

    project = copy_project(tmp_path_factory.mktemp("payload") / "p")
    install(project)
    site = project / "site"
    r = mkdocs_build(project, site)
    assert r.returncode == 0, r.stderr
    return site


@pytest.mark.slow
def test_built_pages_hold_no_script_from_entries(payload_site):
    from payloads import CASE_URI, REPORT_URI

    checked = 0
    for path in sorted(payload_site.rglob("*.html")):
        text = path.read_text(encoding="utf-8")
        article = BeautifulSoup(text, "lxml").find("article")
        if article is not None:
            found = unsafe(str(article))
            if path.parent.parent.name not in ("cases", "reports", "regulations", "policies"):
                found = [f for f in found if f != "svg"]  # the home page's generated charts
            assert found == [], path
            checked += 1
    assert checked > 50
    case_page = (payload_site / CASE_URI / "index.html").read_text(encoding="utf-8")
    assert "正文开头" in case_page and "正文结尾" in case_page and "悬停" in case_page  # the text stays
    report_page = (payload_site / REPORT_URI / "index.html").read_text(encoding="utf-8")
    assert "工作成效" in report_page and "存在问题" in report_page
    assert "window.__kbPwned = 1" not in case_page  # removed with its content, not shown as text
    report = verify.Report()
    verify.check_scripts(payload_site, report)
    assert report.errors == []


def test_publish_verification_refuses_handlers_urls_and_foreign_inline_scripts(tmp_path):
    """Hand-written docs/ pages are trusted, but kb publish still checks what the site holds."""
    theme = ('<script>__md_scope=new URL(".",location)</script><script id="__config" type="application/json">{}'
             '</script><script src="assets/x.js"></script><img src="data:image/png;base64,AA==">'
             '<p title="a onclick=b">文字</p>')
    (tmp_path / "ok.html").write_text(theme, encoding="utf-8")
    (tmp_path / "bad.html").write_text(
        '<p onmouseover="x()">a</p><a href=" javascript:x()">b</a><script>alert(1)</script><iframe src="y"></iframe>',
        encoding="utf-8")
    report = verify.Report()
    verify.check_scripts(tmp_path, report)
    assert report.errors == [
        "bad.html: <p> 含有事件属性 onmouseover",
        "bad.html: <a> 的 href 是 javascript: 网址",
        "bad.html: 含有 <iframe>",
        "bad.html: 含有主题之外的内联脚本“alert(1)”",
    ]


@pytest.mark.slow
@pytest.mark.browser
@pytest.mark.parametrize("uri", ["cases/zz-payload-case/", "reports/zz-payload-report/"])
def test_payloads_do_not_run_in_the_browser(payload_site, browser, uri):
    """No CSP here (a plain file server): the sanitising alone keeps the payloads inert."""
    from payloads import assert_inert

    with serve(payload_site) as port:
        ctx = browser.new_context()
        try:
            page = ctx.new_page()
            page.goto(f"http://127.0.0.1:{port}/{uri}")
            assert page.locator("h1").count() >= 1
            assert_inert(page)
        finally:
            ctx.close()


def test_session_cleans_entry_pages_only():
    """on_page_content: an entry page is cleaned, a generated index page (charts: svg) is left alone."""
    from kb.engine.session import BuildSession

    session = BuildSession(entry_pages=frozenset({"cases/x.md"}))
    dirty = '<p onclick="x()">a</p><script>x()</script><svg><rect/></svg>'
    assert session.page_content(dirty, "cases/x.md") == "<p>a</p>"
    assert session.page_content(dirty, "index.md") == dirty


def test_clean_drops_ids_that_shadow_the_themes_elements():
    out = sanitise.clean('<p id="__config">{}</p><label for="__search">x</label><p id="ok" data-md-component="x">y</p>')
    assert out == '<p>{}</p><label>x</label><p id="ok">y</p>'


# The reserved attributes applied to nh3's output (kb.text.html.clean) must give what nh3 gives
# with the rule as its per-attribute callback (clean_reference), on anything: the same elements,
# attributes and text (nh3 reorders the remaining attributes of a tag it removed one from).
def same_markup(a: str, b: str) -> bool:
    def shape(html: str) -> tuple:
        soup = BeautifulSoup(html, "html.parser")
        return [(el.name, sorted((k, str(v)) for k, v in el.attrs.items())) for el in soup.find_all(True)], str(
            soup.get_text())

    return shape(a) == shape(b) and len(a) == len(b)


RESERVED = [
    '<p id="__config" class="a" title="x > y">一</p><p id="___">二</p><p id=" __x">三</p>',
    '<a name="__drawer" href="https://e.cn/?a=1&amp;b=2" data-md-state="x" data-kb="1">链</a>',
    "<label for='__search' data-MD-x=\"1\" DATA-md=y>标</label><img data-md src=x.png alt='\"__'>",
    '<p title="&quot;__&quot;" data-x="data-md">正文里写着 data-md="x" 和 id="__config"</p>',
    '<div id="__a"><span id="__b" class="c"><a href="#__c" id="ok">x</a></span></div><br id="__d"/>',
    '<td style="text-align: right" id="__e" colspan="2">1</td><option value="__v" selected>v</option>',
]


@pytest.mark.parametrize("html", RESERVED + PAYLOADS)
def test_clean_equals_the_reference(html):
    assert same_markup(sanitise.clean(html), sanitise.clean_reference(html))
    assert same_markup(sanitise.clean(render(html)), sanitise.clean_reference(render(html)))


def test_clean_equals_the_reference_on_generated_markup():
    from hypothesis import given, settings
    from hypothesis import strategies as st

    names = st.sampled_from(["id", "for", "name", "class", "data-md-x", "data-md", "data-kb", "title",
                             "href", "onclick", "style", "DATA-MD-Y"])
    values = st.sampled_from(["__config", "_x", "ok", "__", " __a", 'a"b', "x>y", "&amp;", "javascript:x()", ""])
    tags = st.sampled_from(["p", "a", "label", "div", "span", "img", "script", "td", "section", "form"])
    attr = st.tuples(names, values).map(lambda nv: f' {nv[0]}="{nv[1].replace(chr(34), "&quot;")}"')
    element = st.tuples(tags, st.lists(attr, max_size=4), st.text(max_size=8)).map(
        lambda t: f"<{t[0]}{''.join(t[1])}>{t[2]}</{t[0]}>")

    @settings(max_examples=300, deadline=None)
    @given(st.lists(element, min_size=1, max_size=6))
    def check(parts):
        html = "".join(parts)
        assert same_markup(sanitise.clean(html), sanitise.clean_reference(html))

    check()
