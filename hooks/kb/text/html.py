"""Entry bodies are content, not code: the HTML allow-list of entry pages.

An entry's Markdown becomes HTML inside MkDocs, so the rendered content of
an entry page (``on_page_content``, ``kb.engine.session``) is cleaned here
with nh3 (a maintained allow-list sanitiser): what Markdown, ``attr_list``,
``md_in_html``, ``admonition`` and the project's own generated blocks
(``kb.site`` templates: citation links, article anchors, section lines,
metadata tables, the filter form) need is kept; scripts, styles, frames,
event handlers, ``javascript:``/``data:`` URLs and every other tag or
attribute are removed. The whole content of an entry page is cleaned rather
than the body alone: the body cannot be cut out of the rendered page without
markers its author could forge, and the generated markup is held to the same
list (``tests/test_sanitise.py`` checks that the sample site loses nothing).

``body_warnings`` finds, line by line, what the cleaning will remove from a
body, so ``kb check`` can say so at ``path:line``.
"""

from __future__ import annotations

import re
from html import unescape as html_unescape
from typing import Iterator

import nh3

from kb.text.markdown import FenceTracker

TAGS = frozenset({
    # Markdown and its extensions
    "p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "strong", "em", "b", "i", "u", "s", "del", "ins",
    "mark", "sub", "sup", "small", "code", "pre", "kbd", "samp", "var", "blockquote", "q", "cite", "abbr",
    "ul", "ol", "li", "dl", "dt", "dd", "table", "thead", "tbody", "tfoot", "tr", "th", "td", "caption",
    "colgroup", "col", "a", "img", "span", "div", "section", "details", "summary", "time", "figure",
    "figcaption",
    # the generated filter form of regulation and policy listings (kb.site.filters)
    "form", "label", "select", "option", "button",
})
# Removed with their content, not just unwrapped.
DROPPED_WITH_CONTENT = frozenset({"script", "style", "iframe", "object", "embed", "template", "noscript",
                                  "textarea", "math", "svg"})
GENERIC_ATTRS = frozenset({"class", "id", "title", "lang", "dir", "role", "hidden", "aria-label",
                           "aria-labelledby", "aria-describedby", "aria-live", "aria-hidden"})
TAG_ATTRS = {
    "a": {"href", "name", "rel"},
    "img": {"src", "alt", "width", "height", "loading"},
    "th": {"colspan", "rowspan", "align", "style"},
    "td": {"colspan", "rowspan", "align", "style"},
    "col": {"span"},
    "ol": {"start", "type", "reversed"},
    "li": {"value"},
    "details": {"open"},
    "time": {"datetime"},
    "select": {"name"},
    "option": {"value", "selected"},
    "button": {"type"},
    "label": {"for"},
}
URL_SCHEMES = frozenset({"http", "https", "mailto", "tel"})
STYLE_PROPERTIES = frozenset({"text-align"})  # the tables extension aligns columns with style
_ATTRIBUTES = {"*": set(GENERIC_ATTRS), **{t: set(a) for t, a in TAG_ATTRS.items()}}


def _filter(tag: str, attr: str, value: str) -> str | None:
    """What the list alone cannot say (kept as the reference ``clean`` is tested against):
    data-* is kept for the project's own scripts (kb-filter.js), but Material's components
    (data-md-*) must not be steered from an entry; nor its elements found by id (#__config,
    #__search, #__drawer...): an entry's element with such an id, earlier in the page, would be
    found first."""
    if attr.startswith("data-md"):
        return None
    if attr in ("id", "for", "name") and value.startswith("__"):
        return None
    return value


_OPTIONS = dict(tags=set(TAGS), clean_content_tags=set(DROPPED_WITH_CONTENT), attributes=_ATTRIBUTES,
                generic_attribute_prefixes={"data-"}, url_schemes=set(URL_SCHEMES),
                filter_style_properties=set(STYLE_PROPERTIES), link_rel=None, strip_comments=True)
# Built once (not per page); without a Python callback per attribute, which doubled the cost of a
# page: ``_filter``'s two rules are applied to nh3's output instead, where a tag is always written as
# <name attr="value" ...> (lower-case names, values in double quotes with " written &quot;).
_CLEANER = nh3.Cleaner(**_OPTIONS)
_OUT_TAG = re.compile(r'<([a-z][a-z0-9-]*)((?:\s+[^\s"\'>/=]+(?:="[^"]*")?)*)(\s*/?)>')
_OUT_ATTR = re.compile(r'\s+([^\s"\'>/=]+)(?:="([^"]*)")?')


def _reserved(tag: re.Match[str]) -> str:
    """A tag of nh3's output without the attributes ``_filter`` removes."""
    attrs = [a for a in _OUT_ATTR.finditer(tag.group(2))
             if _filter(tag.group(1), a.group(1), html_unescape(a.group(2) or "")) is not None]
    return f"<{tag.group(1)}{''.join(a.group(0) for a in attrs)}{tag.group(3)}>"


def clean(html: str) -> str:
    """The HTML of an entry page with only allowed tags, attributes and URLs."""
    out = _CLEANER.clean(html)
    if "data-md" in out or '"__' in out:  # rare: only then are the tags looked through
        out = _OUT_TAG.sub(_reserved, out)
    return out


def clean_reference(html: str) -> str:
    """``clean`` as nh3 does it with ``_filter`` called for every attribute (slower; the tests
    check that ``clean`` gives the same markup)."""
    return nh3.clean(html, attribute_filter=_filter, **_OPTIONS)


# -- what a body holds that the cleaning removes (kb check) ---------------------------

_CODE_SPAN = re.compile(r"(`+)(?:(?!\1).)+?\1")
_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9-]*)((?:\s+[^<>]*?)?)\s*/?>")
_ATTR = re.compile(r"""([^\s"'=<>/]+)(?:\s*=\s*("[^"]*"|'[^']*'|[^\s"'>]+))?""")
_MD_URL = re.compile(r"\]\(\s*<?\s*([A-Za-z][A-Za-z0-9+.-]*):")
_ATTR_LIST = re.compile(r"\{:?([^{}]*)\}")
_SCHEME = re.compile(r"^\s*([A-Za-z][A-Za-z0-9+.\-]*)\s*:")


def _unsafe_scheme(value: str) -> str | None:
    """The scheme of a URL the cleaning removes (javascript, data...), else None."""
    m = _SCHEME.match(re.sub(r"[\x00-\x20]", "", value))
    scheme = m.group(1).lower() if m else None
    return scheme if scheme and scheme not in URL_SCHEMES else None


def _attr_removed(tag: str, name: str, value: str) -> str | None:
    name = name.lower()
    value = value.strip("\"'")
    if name.startswith("on"):
        return f"事件属性 {name}"
    scheme = _unsafe_scheme(value) if name in ("href", "src") else None
    if scheme:
        return f" {name} 中的 {scheme}: 网址"
    allowed = name in GENERIC_ATTRS or name in TAG_ATTRS.get(tag, ()) or (
        name.startswith("data-") and not name.startswith("data-md"))
    if not allowed or (name == "style" and any(
            p.split(":")[0].strip().lower() not in STYLE_PROPERTIES for p in value.split(";") if p.strip())):
        return f"属性 {name}"
    return None


def removed_in_line(line: str) -> list[str]:
    """What the cleaning removes from one Markdown line (outside code), described in Chinese."""
    text = _CODE_SPAN.sub("", line)
    found: list[str] = []
    for m in _TAG.finditer(text):
        tag = m.group(2).lower()
        if tag not in TAGS:
            if not m.group(1):
                found.append(f"标签 <{tag}>")
            continue
        for a in _ATTR.finditer(m.group(3) or ""):
            why = _attr_removed(tag, a.group(1), a.group(2) or "")
            if why:
                found.append(f"<{tag}> 的{why}")
    for m in _MD_URL.finditer(text):
        if m.group(1).lower() not in URL_SCHEMES:
            found.append(f"链接中的 {m.group(1)}: 网址")
    if "{" in text:
        for m in _ATTR_LIST.finditer(text):
            for a in _ATTR.finditer(m.group(1)):
                if a.group(2) is not None and a.group(1).lower().startswith("on"):
                    found.append(f"属性列表中的事件属性 {a.group(1)}")
    return list(dict.fromkeys(found))


def body_warnings(body: str, body_line: int) -> Iterator[tuple[int, str]]:
    """(file line, Chinese message) for each body line holding HTML the site will not show."""
    fences = FenceTracker()
    for i, line in enumerate(body.split("\n")):
        if fences.in_code(line) or line.startswith(("    ", "\t")):
            continue
        if "<" not in line and "](" not in line and "{" not in line:
            continue
        removed = removed_in_line(line)
        if removed:
            yield body_line + i, (f"正文含有生成网站时会被删除的 HTML：{'、'.join(removed)}"
                                  "（正文中的脚本、事件属性、javascript: 网址和不允许的标签不会出现在网站上）")
