"""Verification of a built site before it is published (``kb publish``).

Four checks, each linear in the size of the site:

1. links: every internal ``href``/``src`` of every HTML page resolves to a
   file of the site, and every ``#fragment`` to an ``id`` on the target page;
   no page loads a resource (script, style sheet, image, frame) from outside
   the site.
2. empty pages: every HTML page has text in its main content.
3. script check: no inline event handler (``onclick=``...), no
   ``javascript:``/``vbscript:`` URL, no frame/object/embed, and no inline
   ``<script>`` but the snippets the theme writes into every page (entry
   pages are sanitised in the build, ``kb.text.html``; hand-written ``docs/``
   pages are trusted but checked here too).
4. canary scan: the output must not contain anything that identifies an entry
   above the build's audience. The needles are the hidden entries' URLs
   (``cases/<id>/``, ``cases/<id>.html``), their id as a JSON value, and their
   titles, summaries and document numbers, each also in HTML- and
   JSON-escaped form. A title or summary that a *visible* entry's source also
   contains (e.g. a public case citing a restricted document by its title)
   was published by that entry's author and is not a leak, so it is dropped.
   All needles are searched at once with an Aho-Corasick automaton over every
   file (``.gz`` decompressed), so the scan does not grow with the number of
   hidden entries.

HTML is read with regular expressions over the tags MkDocs and Material
write (double-quoted attributes), not a Python-level parser: it runs over
every page of sites with 10,000+ entries.
"""

from __future__ import annotations

import gzip
import html
import json
import posixpath
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote

import ahocorasick

from kb.site.export import dumps_html_safe
from kb.model.knowledge import KnowledgeBase
from kb.schema.models import TYPE_DIRS

_TAG = re.compile(r"<(a|link|script|img|iframe|source|video|audio|embed|object)\b([^>]*)>", re.I)
_ATTR = re.compile(r"""\s(href|src|data)\s*=\s*(?:"([^"]*)"|'([^']*)')""", re.I)
_ID = re.compile(r"""<[A-Za-z][^>]*?\s(?:id|name)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_ARTICLE = re.compile(r"<article\b[^>]*>(.*?)</article>", re.S | re.I)
_STRIP = re.compile(r"<script\b.*?</script>|<style\b.*?</style>|<[^>]*>|&[#\w]+;", re.S | re.I)
_REL = re.compile(r"""\srel\s*=\s*["']([^"']*)["']""", re.I)
_FETCHED_RELS = {"stylesheet", "icon", "preload", "modulepreload", "prefetch", "manifest", "apple-touch-icon"}
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
_EXTERNAL_OK = ("mailto:", "tel:", "javascript:", "data:", "blob:")


@dataclass
class Report:
    errors: list[str] = field(default_factory=list)
    pages: int = 0
    files: int = 0
    links: int = 0
    needles: int = 0
    audience: str = ""

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass
class _Page:
    ids: set[str]
    refs: list[tuple[str, str]]  # (tag, url)


def _read_page(text: str) -> _Page:
    ids = {m.group(1) if m.group(1) is not None else m.group(2) for m in _ID.finditer(text)}
    refs = []
    for m in _TAG.finditer(text):
        tag = m.group(1).lower()
        if tag == "link":
            rel = _REL.search(m.group(2))
            if rel and not set(rel.group(1).lower().split()) & _FETCHED_RELS:
                tag = "a"  # canonical, alternate...: a reference, not something the browser loads
        for a in _ATTR.finditer(m.group(2)):
            refs.append((tag, html.unescape(a.group(2) if a.group(2) is not None else a.group(3))))
    return _Page(ids, refs)


def _is_empty(text: str) -> bool:
    m = _ARTICLE.search(text)
    if m is None:
        # Redirect stubs have no article but a refresh; anything else must have content.
        return "http-equiv=\"refresh\"" not in text and not _STRIP.sub("", text).strip()
    return not _STRIP.sub("", m.group(1)).replace("¶", "").strip()


def _target(site: Path, page_rel: str, path: str, base_path: str = "/") -> str | None:
    """Site-relative file a link resolves to, or None if it leaves the site.

    Root-relative links (MkDocs writes them in 404.html) must start with the
    path the site is served under (``site_url``'s path, ``/`` by default).
    """
    base = posixpath.dirname(page_rel)
    if path.startswith("/"):
        if not path.startswith(base_path):
            return None
        base, path = "", path[len(base_path):]
    joined = posixpath.normpath(posixpath.join(base, unquote(path))) if path else page_rel
    if joined == "." or joined == "":
        joined = ""
    if joined.startswith("../") or joined == ".." or joined.startswith("/"):
        return None
    if path.endswith("/") or joined == "" or (site / joined).is_dir():
        joined = posixpath.join(joined, "index.html") if joined else "index.html"
    return joined


def check_links(site: Path, report: Report, base_path: str = "/") -> None:
    site = Path(site)
    pages: dict[str, _Page] = {}
    for path in sorted(site.rglob("*.html")):
        rel = path.relative_to(site).as_posix()
        text = path.read_text(encoding="utf-8", errors="replace")
        pages[rel] = _read_page(text)
        report.pages += 1
        if _is_empty(text):
            report.errors.append(f"{rel}: 页面为空")
    exists: dict[str, bool] = {}
    for rel, page in pages.items():
        for tag, url in page.refs:
            if not url or url.startswith(_EXTERNAL_OK):
                continue
            report.links += 1
            if _SCHEME.match(url) or url.startswith("//"):
                if tag != "a":  # a resource the browser would fetch from outside the site
                    report.errors.append(f"{rel}: 引用了站外资源 {url}")
                continue
            path, _, frag = url.partition("#")
            path = path.partition("?")[0]
            target = _target(site, rel, path, base_path)
            if target is None:
                report.errors.append(f"{rel}: 链接 {url} 指向网站目录之外")
                continue
            if target not in exists:
                exists[target] = (site / target).is_file()
            if not exists[target]:
                report.errors.append(f"{rel}: 链接 {url} 的目标不存在")
                continue
            if frag and target in pages and unquote(frag) not in pages[target].ids:
                report.errors.append(f"{rel}: 链接 {url} 的锚点 #{unquote(frag)} 在目标页面中不存在")


# -- scripts -----------------------------------------------------------------------

_ELEMENT = re.compile(r"""<([A-Za-z][\w-]*)((?:\s+[^\s"'>/=]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'>]+))?)*)\s*/?>""")
_ELEMENT_ATTR = re.compile(r"""([^\s"'>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+)))?""")
_SCRIPT = re.compile(r"<script\b([^>]*)>(.*?)</script\s*>", re.S | re.I)
_SCRIPT_URL = re.compile(r"^\s*(javascript|vbscript|data)\s*:", re.I)
_URL_ATTRS = frozenset({"href", "src", "action", "formaction", "data", "xlink:href"})
# The inline scripts Material for MkDocs 9 writes into every page (base.html):
# storage scope, palette, and the anchor-to-checkbox snippet.
THEME_INLINE_SCRIPTS = ("__md_scope=new URL(", "var palette=__md_get(\"__palette\")",
                        "var target=document.getElementById(location.hash.slice(1))")


def _script_problems(text: str) -> list[str]:
    found: list[str] = []
    for m in _ELEMENT.finditer(text):
        tag = m.group(1).lower()
        if tag in ("iframe", "object", "embed", "frame"):
            found.append(f"含有 <{tag}>")
        for a in _ELEMENT_ATTR.finditer(m.group(2)):
            name = a.group(1).lower()
            value = html.unescape(next((v for v in a.groups()[1:] if v is not None), ""))
            if name.startswith("on"):
                found.append(f"<{tag}> 含有事件属性 {name}")
            elif name in _URL_ATTRS and _SCRIPT_URL.match(re.sub(r"[\x00-\x20]", "", value)):
                scheme = _SCRIPT_URL.match(re.sub(r"[\x00-\x20]", "", value)).group(1).lower()
                if not (scheme == "data" and tag == "img"):
                    found.append(f"<{tag}> 的 {name} 是 {scheme}: 网址")
    for m in _SCRIPT.finditer(text):
        attrs, body = m.group(1), m.group(2).strip()
        if re.search(r"\ssrc\s*=", attrs, re.I) or re.search(r"""\stype\s*=\s*["']application/json["']""", attrs, re.I):
            continue  # a file of the site (checked with the links) or data
        if not body.startswith(THEME_INLINE_SCRIPTS):
            found.append(f"含有主题之外的内联脚本“{body[:40]}”")
    return list(dict.fromkeys(found))


def check_scripts(site: Path, report: Report) -> None:
    """Every HTML page: no script but the site's files and the theme's own snippets."""
    for path in sorted(Path(site).rglob("*.html")):
        rel = path.relative_to(site).as_posix()
        for problem in _script_problems(path.read_text(encoding="utf-8", errors="replace")):
            report.errors.append(f"{rel}: {problem}")


# -- canary scan -------------------------------------------------------------------


def _forms(s: str) -> set[str]:
    return {s, html.escape(s), html.escape(s, quote=False), json.dumps(s)[1:-1],
            json.dumps(s, ensure_ascii=False)[1:-1], dumps_html_safe(s)[1:-1]} - {""}


def needles(kb: KnowledgeBase) -> dict[str, str]:
    """String that must not occur -> what it identifies (file of the hidden entry and field)."""
    hidden = [e for e in kb.all_entries if e.id in kb.hidden_ids]
    if not hidden:
        return {}
    texts: dict[str, str] = {}
    for e in hidden:
        m = e.meta
        for label, value in (("title", e.title), ("summary", m.summary),
                             ("doc_number", getattr(m, "doc_number", None))):
            if value and len(value) >= 4:
                texts[value] = f"{e.doc.rel}: {label}"
    # Drop the texts that visible entries also contain (written in a visible source).
    visible_auto = ahocorasick.Automaton()
    for t in texts:
        visible_auto.add_word(t, t)
    visible_auto.make_automaton()
    published: set[str] = set()
    for e in kb.entries:
        source = e.doc.body + "\n" + json.dumps(e.doc.meta, ensure_ascii=False, default=str)
        for _, t in visible_auto.iter(source):
            published.add(t)
    out: dict[str, str] = {}
    for t, what in texts.items():
        if t not in published:
            for f in _forms(t):
                out[f] = what
    for e in hidden:
        d = TYPE_DIRS[e.type]
        for f in (f"{d}/{e.id}/", f"{d}/{e.id}.html", f'"id":"{e.id}"', f'"id": "{e.id}"'):
            out[f] = f"{e.doc.rel}: id"
    return out


def scan(site: Path, found: dict[str, str], report: Report) -> None:
    report.needles = len(found)
    if not found:
        return
    auto = ahocorasick.Automaton()
    for s, what in found.items():
        auto.add_word(s, (s, what))
    auto.make_automaton()
    for path in sorted(p for p in Path(site).rglob("*") if p.is_file()):
        rel = path.relative_to(site).as_posix()
        report.files += 1
        raw = path.read_bytes()
        if path.suffix == ".gz":
            try:
                raw = gzip.decompress(raw)
            except (OSError, EOFError):
                report.errors.append(f"{rel}: 无法解压")
                continue
        text = rel + "\n" + raw.decode("utf-8", errors="replace")
        seen: set[str] = set()
        for _, (s, what) in auto.iter(text):
            if what not in seen:
                seen.add(what)
                report.errors.append(f"{rel}: 含有超出可见范围（{report.audience}）的条目内容“{s}”（{what}）")


def verify(site: Path | str, kb: KnowledgeBase, base_path: str = "/") -> Report:
    """Every check on the site built from ``kb`` (loaded with the build's audience).

    ``base_path``: the path the site is served under, for root-relative links."""
    site = Path(site)
    report = Report(audience=kb.audience)
    if not (site / "index.html").is_file():
        report.errors.append("index.html: 缺少首页")
    check_links(site, report, base_path if base_path.endswith("/") else base_path + "/")
    check_scripts(site, report)
    scan(site, needles(kb), report)
    return report
