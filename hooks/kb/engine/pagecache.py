"""The persistent build cache: the rendered output of every generated page,
kept between builds under ``.cache/kb/`` of the project.

A generated page (one ``PageSpec`` of ``kb.site.catalog``) is handed to
MkDocs as Markdown; its output bytes follow from that Markdown, the page's
path and what is the same for every page of a build (``BuildKey``: the
cache format, every installed package's version, the knowledge-base code,
templates and theme files, ``mkdocs.yml`` and the resolved configuration
(navigation included), the hand-written pages of ``docs/``, the settings
(audience, offline edition, subpath) and the page date). The cache key of
a page is the digest of those three, so every kind of generated page is
cached the same way; nothing here knows page kinds.

On a hit (``on_pre_page``, or ``on_page_markdown`` for a page whose
Markdown this build did not make) MkDocs' Markdown conversion and theme
rendering are skipped: the page's ``render`` is replaced by one that puts
back the stored HTML, table of contents is not needed (the theme template is
replaced by an empty one, ``kb-cached.html``), and ``on_post_page`` returns
the stored output. What MkDocs learns from rendering a page is stored too
and put back: its anchors and the links to anchors of other pages (checked
again after every build, as MkDocs does), its title. A page's output can
also depend on other files (a relative link is rewritten when its target
exists): every file lookup the Markdown conversion made is recorded, and a
stored page is used only while each lookup still gives the same answer.

A page that logged a warning while it was built is not stored (the warning
must show again next time). Entries are written in ``on_post_build`` in one
SQLite transaction (a killed build leaves the previous state); every stored
record carries its digest and is verified when read; a cache that cannot be
opened or read is removed and the build goes on without it.
``KB_NO_CACHE=1`` turns the cache off.
"""

from __future__ import annotations

import hashlib
import logging
import zlib
from pathlib import Path
from typing import Any, Callable, Iterable, NamedTuple

from kb.engine.cachedir import CACHE_DIR, disabled  # noqa: F401
from kb.engine.pagekeys import KB_PACKAGE, Digests, Unstable, build_key, code_digest  # noqa: F401
from kb.engine.pagereplay import PageWarnings, Recorder, replay
from kb.engine.pagestore import DB_NAME, PageStore, Record, key_of, lookup_answer, output_digest  # noqa: F401

log = logging.getLogger("mkdocs.hooks.kb.cache")

CACHED_TEMPLATE = "kb-cached.html"  # the empty theme template of a hit (kb/site/theme)
BATCH = 256  # finished pages written to the store together, during the build
_USED = Record(content="")  # a hit whose page is written (its HTML dropped)


class PageCache:
    """One build's use of the store: lookups in ``on_page_markdown``, records in
    ``on_page_content`` / ``on_post_page``, written in ``on_post_build``."""

    def __init__(self, root: Path, config: Any, partial: bool = False, digests: Digests | None = None) -> None:
        self.store = PageStore(root / CACHE_DIR)
        self.store.prune = not partial  # a preview rebuild sees only the pages it changed
        self.config = config
        self.build: bytes = b""
        self.cached: frozenset[str] = frozenset()  # src_uri of the pages that may be cached
        self.hits: dict[str, Record] = {}
        self.waiting: dict[str, bytes] = {}  # src_uri of a hit -> its final page, compressed
        self.keys: dict[str, bytes] = {}
        self.pending: dict[str, Record] = {}
        self.recorder: Recorder | None = None
        self.warnings = PageWarnings(config)
        self.open = False
        self.digests = digests or Digests()
        self.new: dict[bytes, Any] = {}  # markdown and outputs made by this build
        self.used: list[bytes] = []  # markdown and outputs this build took from the cache
        self.markdown_rendered = 0
        self.markdown_read = 0  # Markdown texts read from the store (not needed for pages stored whole)
        self.sources: dict[str, str] = {}  # src_uri -> digest of the generated Markdown of this build
        self.batch: dict[bytes, Any] = {}  # finished pages and Markdown not yet written to the store
        self.rendered = 0
        self.memos: dict[str, _Memo] = {}  # see memo()
        self.prerendered: set[str] = set()  # src_uri of the pages stored by kb.engine.prerender's children
        self.site_noted: dict[bytes, dict] = {}  # see site_files()
        # (path in the site, digest of a page's bytes) -> whether that file holds them already: then a
        # hit's HTML is not read at all (kb.engine.outdir.Keeper.would_hold, set by the session)
        self.unwritten: Callable[[str, bytes], bool] | None = None

    def start(self, build: bytes, cached: Iterable[str]) -> None:
        self.build = build
        self.cached = frozenset(cached)
        self.open = self.store.open()
        if self.open:
            logging.getLogger("mkdocs").addHandler(self.warnings)

    def pre_page(self, page: Any, files: Any) -> None:
        """A generated page (its Markdown made by ``markdown()`` in this build): looked up by the
        digest of that Markdown before MkDocs reads it; a hit is not read (no front matter parsed:
        the stored ``page.meta`` is put back), converted or rendered."""
        uri = page.file.src_uri
        key = self._generated_key(uri)
        if key is None:
            return
        self.keys[uri] = key
        record = self.store.get(key, Record)  # without its HTML
        if record is None or record.meta is None or not self._usable(record, files):
            return
        if self.unwritten is not None and record.digest and self.unwritten(page.file.abs_dest_path, record.digest):
            record.content, record.output = "", None  # its file holds it already: the HTML is not needed
        elif (pair := self.store.body(key)) is not None:
            record.content, record.output = pair
        else:
            return  # damaged: a miss
        meta = {**record.meta, "template": CACHED_TEMPLATE}

        def read_source(config: Any) -> None:
            page.markdown, page.meta = "", meta

        page.read_source = read_source
        self._hit(uri, record, page, files)

    def _generated_key(self, uri: str) -> bytes | None:
        """The store key of a page whose Markdown this build made (None: not cached)."""
        if not self.open or uri not in self.cached or uri not in self.sources:
            return None
        # The generated Markdown as made, not as MkDocs gets it (index pages: a placeholder, kb.site.rawhtml):
        # what MkDocs gets follows from it (MkDocs, its plugins and mkdocs.yml are part of the build key).
        return key_of(self.build, uri, "generated\0" + self.sources[uri])

    def lacks(self, uri: str) -> bool:
        """A generated page this build must convert and render (kb.engine.prerender)."""
        key = self._generated_key(uri)
        return key is not None and not self.store.has(key)

    def flush(self) -> None:
        """Everything staged so far written to the store."""
        if self.batch:
            self.store.put_batch(self.batch)
            self.batch = {}

    def begin_child(self) -> None:
        """In a forked child (kb.engine.background, prerender), before it reads the store: a connection of its own."""
        self.store.reconnect()

    def commit_child(self) -> bool:
        """In a forked child, at its end: what it made and used written; whether the store took it."""
        self.flush()
        self.store.put_batch(self.new)
        self.store.mark_used(self.used)
        return self.store.db is not None

    def page_markdown(self, markdown: str, page: Any, files: Any) -> None:
        """A hit: the page is not converted and not rendered; a miss: its file lookups are recorded."""
        uri = page.file.src_uri
        if not self.open or uri not in self.cached or uri in self.hits:
            return
        if uri not in self.keys:  # not made by markdown(): keyed by the Markdown MkDocs gives
            key = self.keys[uri] = key_of(self.build, uri, "\0" + markdown)
            record = self.store.get_whole(key)
            if record is not None and self._usable(record, files):
                self._hit(uri, record, page, files)
                page.meta["template"] = CACHED_TEMPLATE
                return
        self.recorder = Recorder(files)
        self.recorder.install()

    @staticmethod
    def _usable(record: Record, files: Any) -> bool:
        """Every file lookup of the page's conversion still gives the same answer."""
        return all(lookup_answer(files, u) == a for u, a in record.lookups.items())

    def _hit(self, uri: str, record: Record, page: Any, files: Any) -> None:
        # The final page waits, compressed as stored, until MkDocs writes it: all pages are
        # converted before the first is written, and 10,000 pages of HTML held as text cost gigabytes.
        out = record.output
        if out is not None:
            self.waiting[uri] = zlib.compress(out.encode("utf-8"), 1) if isinstance(out, str) else out
        record.output = ""
        self.hits[uri] = record
        page.render = replay(page, record, files)

    def markdown(self, spec: Any, render: Callable[[Any], str]) -> str:
        """A generated page's Markdown: stored under the digest of what it shows
        (``spec.depends``, kb.engine.pagekeys), else ``render(spec)``."""
        text = self.markdown_all([spec], lambda specs: [render(s) for s in specs])[0]
        assert text is not None
        return text

    def markdown_all(self, specs: list[Any], render_many: Callable[[list[Any]], list[str]],
                     lazy: bool = False) -> list[str | None]:
        """``markdown(spec, ...)`` of every spec, in order; the pages not stored are rendered
        together by ``render_many(specs)`` (on every core, kb.site.parallel).

        Beside a page's Markdown, the digest of that Markdown is stored under the digest of what the
        page shows (``spec.depends``): the key of its final page. With ``lazy``, a page whose final
        page is stored gets None: its Markdown is neither read nor rendered (a warm build at 10,000
        entries would read and decompress some 10,000 of them for nothing); ``markdown()`` makes it
        if MkDocs turns out to need it after all (the stored page cannot be used); and the Markdown
        such a build makes is not stored (only its digest), as the page itself will be."""
        texts: list[Any] = []
        missing: list[tuple[int, Any, bytes | None, _Digest | None]] = []
        for spec in specs:
            sig = self._shows(spec)
            key = text = known = None
            if sig is not None:
                known = self._stored_digest(spec.uri, sig)
                if lazy and known.stored is not None:  # the final page's key, without the Markdown
                    self.sources[spec.uri] = known.stored
                    if self.store.has(self._generated_key(spec.uri) or b""):
                        self.used.append(known.key)
                        texts.append(None)
                        continue
                key = key_of(self.build, f"markdown:{spec.uri}", sig.hex())
                text = self.store.get(key, str)
                if text is not None:
                    self.used.append(key)
                    self.markdown_read += 1
                    self._digest_of(spec.uri, text, known)
            if text is None:
                missing.append((len(texts), spec, key, known))
            texts.append(text)
        for (i, spec, key, known), text in zip(missing, render_many([m[1] for m in missing]), strict=True):
            texts[i] = text
            self._new_markdown(key, text, keep=not lazy)
            self._digest_of(spec.uri, text, known)
        return texts

    def _stored_digest(self, uri: str, sig: bytes) -> "_Digest":
        """Where the digest of the Markdown of the page ``uri`` showing ``sig`` is stored, and what is stored there."""
        key = key_of(self.build, f"markdown-digest:{uri}", sig.hex())
        return _Digest(key, self.store.get(key, str))

    def _digest_of(self, uri: str, text: str, known: "_Digest | None") -> None:
        """The digest of a page's Markdown, for its key (kept: a digest, not the text: MkDocs holds every
        page's Markdown); stored under what the page shows (``known``) when that has a digest."""
        digest = hashlib.blake2b(text.encode("utf-8"), digest_size=16).hexdigest()
        self.sources[uri] = digest
        if known is None:
            return
        if known.stored == digest:
            self.used.append(known.key)
        else:
            self._stage(known.key, digest)

    def _shows(self, spec: Any) -> bytes | None:
        """The digest of what a page shows (None: not cached, or no stable digest: keyed by its Markdown)."""
        if not self.open or spec.depends is None:
            return None
        try:
            return self.digests.of(spec.depends())
        except Unstable:
            return None

    def _new_markdown(self, key: bytes | None, text: str, keep: bool = True) -> None:
        """A page's Markdown made by this build; stored unless ``keep`` is false (a build that stores
        pages whole: its next build reads the Markdown only of a page it cannot take whole, e.g.
        one that warned, and making that one again costs less than storing every page's Markdown)."""
        if key is not None:
            if keep:
                self._stage(key, text)
            self.markdown_rendered += 1

    def memo(self, group: str, depends: Any, produce: Callable[[], Any]) -> Any:
        """``produce()``, or what it gave a previous build whose ``depends`` had the same digest.
        One stored record per ``group`` (e.g. an area's 各单位对照 texts, kb.site.compare_units)
        holds the results this build used; written again only when they changed."""
        if not self.open:
            return produce()
        try:
            sig = self.digests.of(depends)
        except Unstable:
            return produce()
        memo = self.memos.get(group)
        if memo is None:
            key = key_of(self.build, f"memo:{group}", "")
            memo = self.memos[group] = _Memo(key, self.store.get(key, dict) or {})
        value = memo.stored.get(sig, _MISSING)
        if value is _MISSING:
            value = produce()
            memo.changed = True
        memo.kept[sig] = value
        return value

    def is_hit(self, src_uri: str) -> Record | None:
        return self.hits.get(src_uri)

    def page_content(self, html: str, page: Any) -> None:
        """A miss, converted: remember what MkDocs learned (the output follows in ``post_page``)."""
        uri = page.file.src_uri
        rec = self.recorder
        if rec is None or uri not in self.keys or uri in self.hits:
            return
        rec.remove()
        self.recorder = None
        links = {f.src_uri: dict(v) for f, v in (page.links_to_anchors or {}).items()}
        self.pending[uri] = Record(content=html, title=page._title_from_render,
                                   anchors=set(page.present_anchor_ids or ()), links=links, lookups=rec.lookups,
                                   meta=dict(page.meta))

    def hit_digest(self, page: Any) -> bytes | None:
        """The digest of a hit's final page (``output_digest``), known without decompressing it."""
        hit = self.hits.get(page.file.src_uri)
        return hit.digest or None if hit is not None and hit is not _USED else None

    def post_page(self, output: str, page: Any, unwritten: bool = False) -> str:
        """The final page; ``unwritten``: a hit whose file in the site is known to hold it already
        (kb.engine.outdir): not even decompressed, "" returned."""
        uri = page.file.src_uri
        hit = self.hits.get(uri)
        if hit is not None:
            self.hits[uri] = _USED  # the page is written: its HTML need not stay in memory
            stored = self.waiting.pop(uri, None)
            if unwritten:
                return ""
            if stored is None and (pair := self.store.body(self.keys[uri])) is not None:
                stored = pair[1]  # (``unwritten`` said otherwise in pre_page: cannot happen)
            if stored is None:
                raise OSError(f"构建缓存：页面 {uri} 的记录不完整，请删除 .cache/kb 后重新构建")
            return Record.text(stored)
        record = self.pending.pop(uri, None)
        if record is not None:
            self.rendered += 1
            if uri not in self.warnings.pages:  # a page that warned is built again next time (and warns)
                record.output = output
                record.digest = output_digest(output.encode("utf-8", "xmlcharrefreplace"))
                self._stage(self.keys[uri], record)
        return output

    def site_files(self, site_dir: str, files: dict | None = None, part: str = "pages") -> dict:
        """What the last build noted of the files it wrote in ``site_dir`` (``part``: its pages, kb.engine.outdir;
        the search index, kb.engine.siteoutputs); with ``files``, this build's note kept for the next one."""
        key = key_of(b"site-files", f"{Path(site_dir).resolve()}#{part}", "")
        if files is None:
            self.site_noted[key] = noted = self.store.get(key, dict) or {} if self.open else {}
            return noted
        if files == self.site_noted.get(key):
            self.used.append(key)
        else:
            self.new[key] = files
        return files

    def _stage(self, key: bytes, value: Any) -> None:
        """A record to store: written with others during the build, not all kept until its end."""
        self.batch[key] = value
        if len(self.batch) >= BATCH:
            self.store.put_batch(self.batch)
            self.batch = {}

    def finish(self) -> None:
        logging.getLogger("mkdocs").removeHandler(self.warnings)
        if self.recorder is not None:
            self.recorder.remove()
        if not self.open:
            return
        for memo in self.memos.values():
            if memo.changed or len(memo.kept) != len(memo.stored):
                self.new[memo.key] = memo.kept
            else:
                self.used.append(memo.key)
        new = {**self.batch, **self.new}
        self.store.put_all(new, [*(self.keys[u] for u in self.hits), *self.used])
        self.store.close()
        fresh = len(self.prerendered.intersection(self.hits))  # stored by this build's children
        log.info(f"构建缓存：沿用 {len(self.hits) - fresh} 个页面，新生成 {self.rendered + fresh} 个"
                 f"（其中 {self.markdown_rendered} 个页面的 Markdown 重新生成），"
                 f"从缓存读取 {self.markdown_read} 个页面的 Markdown")


_MISSING = object()


class _Digest(NamedTuple):
    """The store key of a page's Markdown digest (under what the page shows), and the digest stored there."""

    key: bytes
    stored: str | None


class _Memo:
    """One group of ``PageCache.memo``: the results stored by the last build, those this build used."""

    def __init__(self, key: bytes, stored: dict[bytes, Any]) -> None:
        self.key = key
        self.stored = stored
        self.kept: dict[bytes, Any] = {}
        self.changed = False
