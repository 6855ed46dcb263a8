"""Live preview (``kb serve``): rebuild only what an edit changed.

A full build of 10,000 entries takes over a minute; most of it is Jinja,
Markdown and theme rendering of pages an edit did not touch. ``kb serve``
runs MkDocs' development server with *dirty* builds (the site directory is
kept between builds, and MkDocs skips every file whose ``is_modified()`` is
false) and turns this module on. Then, on every rebuild:

1. ``KnowledgeBase.load`` reuses the parsed and validated entries of
   unchanged files (``kb.model.cache``), and their article structures and
   citations while no regulation or policy changed; the cross-entry checks
   run again. A reused entry is the very same ``Entry`` object as before.
2. Every generated page gets a *signature*: the entries (objects) and
   citations it shows. A page whose signature equals the one it had when it
   was last written is not rendered at all; its output from the last build
   stays in the site directory. Other pages are rendered with Jinja, and
   still kept if the Markdown is byte-for-byte what was written last time
   (e.g. a body edit does not change the area pages listing it). Kept entry
   pages are not handed to MkDocs at all; kept index pages are, as
   ``KeptFile`` (the navigation needs them), and MkDocs skips them.
3. Index pages are one raw HTML block: MkDocs gets a placeholder instead of
   running Markdown over up to a megabyte of HTML; entry pages get tokens
   for their generated blocks (``kb.site.rawhtml``, as in every build).
4. Hand-written pages (docs/) are few and always rebuilt. Outputs of deleted
   entries and hand-written pages are removed from the site directory.
5. The search index is rewritten when the entries it is built from
   changed: another set of visible entries (added, deleted, an audience
   changed) or an entry read again (its text changed). A reused entry is
   the same object, so comparing object identities is enough. A rewrite
   takes seconds at 10,000 entries, so it runs in the background, in a
   process of its own from 300 entries on (``SearchWriter``,
   kb.preview.searchworker; the page reload does not wait for it), except when an
   entry left the visible set: then the build waits for the new index, so
   that no hidden entry stays searchable.
6. The build cache of ``mkdocs build`` (kb.engine.pagecache, ``.cache/kb``)
   is used too: a page rendered again (on the first build, every page) whose
   Markdown and build-wide inputs are stored is not converted or themed, and
   pages the preview renders are stored for the next build. The preview
   does not drop what it did not use (it sees only the pages it changed).
7. No garbage collection during a rebuild, compiled Jinja templates are
   kept in memory, and file changes come from inotify, not polling.

The first build builds everything (as long as ``mkdocs serve``). Pages
that were not rebuilt keep the navigation they were built with (e.g. a year
added by an edit shows in the 年度 menu of rebuilt pages only); restart
``kb serve`` or run ``mkdocs build`` for a fully consistent site. An edit of
a style sheet or script of ``docs/`` makes a bundle of another name
(``kb.site.assets``): rebuilt pages name the new one, and the bundle is also
written under the names the kept pages use (``bundle_aliases``), so every
page shows the edit at once.

State lives in this module (the MkDocs hook module is executed again on
every config load, the ``kb`` package is not), and is committed only when a
build succeeded: after a failed build the next one is compared with the last
good one.
"""

from __future__ import annotations

import gc
import hashlib
import logging
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Iterator

from kb.model.cache import EntryCache
from kb.preview.searchindex import SearchWriter
from kb.site import catalog
from kb.site.rawhtml import RawHtml

if TYPE_CHECKING:  # pragma: no cover
    from kb.model.knowledge import KnowledgeBase
    from kb.site.pages import Generator

log = logging.getLogger("mkdocs.hooks.kb.preview")

# MkDocs logs this warning on every dirty build; under `strict: true` it would
# abort the build. In the preview, dirty builds are the design, not an accident.
_DIRTY_WARNING = "A 'dirty' build is being performed"


@dataclass
class PlannedPage:
    """A generated page of this build: new Markdown, or ``kept`` (output of the last build is still right)."""

    src_uri: str
    markdown: str
    in_nav: bool
    kept: bool


@dataclass
class _Written:
    signature: Any  # None: no signature, always rendered and compared
    digest: bytes


@dataclass
class PreviewState:
    """Everything the preview remembers between rebuilds (one per process)."""

    cache: EntryCache = field(default_factory=EntryCache)
    written: dict[str, _Written] = field(default_factory=dict)  # committed: pages in the site directory
    planned: dict[str, _Written] | None = None  # this build's pages, committed on success
    search_written: bool = False  # the first build is done (and wrote the search index)
    search_entries: tuple = ()  # the entries the search index was written from (kept alive: compared by id)
    search_rewritten: str = ""  # how this build updated the search index: "", "now" or "background"
    search: SearchWriter = field(default_factory=SearchWriter)
    raw_html: RawHtml = field(default_factory=RawHtml)  # index pages of this build (kb.site.rawhtml)
    generator_kept: dict[Any, Any] = field(default_factory=dict)  # Generator.kept between rebuilds
    labels: Any = None  # the entries' version labels of the last build (kb.site.catalog.Labels)
    digests: Any = None  # the build cache's digests of what pages show (kb.engine.pagekeys), kept between rebuilds
    static: dict[str, Any] = field(default_factory=dict)  # generated files that are not pages, as last written
    bundle_names: dict[tuple[str, int], set[str]] = field(default_factory=dict)  # (kind, n) -> names pages use
    # Figures of the last build (logged, and read by tests and bench/bench_preview.py).
    rendered: int = 0
    kept: int = 0
    removed: int = 0
    started: float = 0.0  # phases of the last build (perf_counter): load started and done, pages planned
    load_done: float = 0.0
    loaded: float = 0.0  # MkDocs' own preparation (files, theme) done, planning starts
    planned_at: float = 0.0

    def reset(self) -> None:
        """Forget everything (tests; a new server)."""
        self.search.close()
        self.__init__()  # type: ignore[misc]


# Where a config carries the preview's state: `kb serve` (kb.preview.server)
# sets it on every config it builds; kb.engine.session reads it in on_config.
CONFIG_ATTR = "kb_live_preview"


def attach(config: Any, state: PreviewState) -> Any:
    """Mark ``config`` as a live-preview build with ``state`` (kept across rebuilds)."""
    setattr(config, CONFIG_ATTR, state)
    return config


def of(config: Any) -> PreviewState | None:
    """The preview state a config carries, or ``None`` for an ordinary build."""
    return getattr(config, CONFIG_ATTR, None)


def drop_dirty_warning(record: logging.LogRecord) -> bool:
    """Logging filter for preview rebuilds (a dirty build is the design there)."""
    return not record.getMessage().startswith(_DIRTY_WARNING)


def load(state: PreviewState, root: Path, audience: str) -> "KnowledgeBase":
    """``KnowledgeBase.load`` with the preview's per-file cache."""
    from kb.model.knowledge import KnowledgeBase

    state.started = time.perf_counter()
    kb = KnowledgeBase.load(root, audience=audience, cache=state.cache)
    state.load_done = time.perf_counter()
    return kb


def _titled_in_nav(nav: Iterable) -> set[str]:
    """Pages the navigation gives a title to (a kept page has no title of its own)."""
    out: set[str] = set()
    for item in nav or ():
        if isinstance(item, dict):
            for value in item.values():
                if isinstance(value, str):
                    out.add(value)
                else:
                    out |= _titled_in_nav(value)
    return out


def page_content(state: PreviewState, html: str, src_uri: str, page: Any = None) -> str:
    """The preview's ``on_page_content``: the stashed HTML of an index page or the blocks of an entry page."""
    return state.raw_html.restore(src_uri, html, page)


def _digest(markdown: str) -> bytes:
    return hashlib.blake2b(markdown.encode("utf-8"), digest_size=16).digest()


def plan(state: PreviewState, gen: "Generator", render: Any = None) -> Iterator[PlannedPage]:
    """The pages of the page list (kb.site.catalog) for this build, rendering only those that may have changed.
    ``render(spec)`` makes a page's Markdown: the build cache's (kb.engine.pagecache), else ``gen.render``."""
    speed_up_env(gen.env)
    specs = gen.specs()
    state.labels = catalog.Labels.of(gen.kb.entries, state.labels)  # kept object while no label changed
    sigs = catalog.signatures(specs, (gen.site_title, gen.directory_urls), state.labels)
    titled = _titled_in_nav(catalog.nav(specs))
    written = state.written
    planned: dict[str, _Written] = {}
    state.rendered = state.kept = 0
    state.raw_html.clear()
    state.loaded = time.perf_counter()

    def result(spec: Any, markdown: str, sig: Any, digest: bytes | None = None) -> PlannedPage:
        src_uri, in_nav = spec.uri, spec.in_nav
        old = written.get(src_uri)
        digest = digest or _digest(markdown)
        # A page in the nav without a title there needs its own (read from its Markdown).
        keepable = old is not None and (not in_nav or src_uri in titled)
        kept = keepable and old.digest == digest
        planned[src_uri] = _Written(sig, digest)
        if kept:
            state.kept += 1
            return PlannedPage(src_uri, "", in_nav, True)
        state.rendered += 1
        # Its output is about to be overwritten: if this build fails after
        # writing it, the next one must not take the old record for the truth.
        written.pop(src_uri, None)
        return PlannedPage(src_uri, state.raw_html.stash_page(spec, markdown), in_nav, False)

    for spec in specs:
        src_uri, in_nav = spec.uri, spec.in_nav
        sig = sigs.get(src_uri)
        old = written.get(src_uri)
        if sig is not None and old is not None and old.signature == sig and (not in_nav or src_uri in titled):
            planned[src_uri] = old
            state.kept += 1
            yield PlannedPage(src_uri, "", in_nav, True)
            continue
        yield result(spec, (render or gen.render)(spec), sig)
    state.planned = planned
    state.planned_at = time.perf_counter()


class _MemoryBytecodeCache:
    """Compiled Jinja templates kept in memory across rebuilds (every build
    makes new Jinja environments, for the theme and for kb.pages, and would
    compile every template again). Keyed by template and source checksum."""

    def __init__(self) -> None:
        import jinja2

        class Cache(jinja2.BytecodeCache):
            def __init__(self) -> None:
                self.store: dict[str, tuple[str, Any]] = {}

            def load_bytecode(self, bucket) -> None:
                stored = self.store.get(bucket.key)
                if stored is not None and stored[0] == bucket.checksum:
                    bucket.code = stored[1]

            def dump_bytecode(self, bucket) -> None:
                self.store[bucket.key] = (bucket.checksum, bucket.code)

        self.cache = Cache()


_BYTECODE = _MemoryBytecodeCache()


def speed_up_env(env) -> None:
    """Give a Jinja environment (the theme's, in ``on_env``) the shared bytecode cache."""
    env.bytecode_cache = _BYTECODE.cache


def add_files(state: PreviewState, files, config, gen: "Generator", render: Any = None):
    """Register this build's generated pages with MkDocs (the preview's ``on_files``)."""
    from mkdocs.exceptions import PluginError
    from mkdocs.structure.files import File, InclusionLevel

    # Hand-written pages are few: rebuild them every time, else MkDocs' dirty
    # build skips the unmodified ones and their nav titles go missing.
    hand_pages = files.documentation_pages()
    for f in hand_pages:
        f.__class__ = FreshFile
    # Kept entry pages are not even handed to MkDocs (at 10,000 entries its
    # per-file work is most of a rebuild). Nothing links to them in Markdown:
    # index pages and citations are HTML. A Markdown link written in an entry
    # body to another entry's .md file therefore is not rewritten in the
    # preview; say so at INFO level instead of failing a strict build.
    config.validation.links.not_found = logging.INFO
    hand_written = {f.src_uri for f in files}
    for page in plan(state, gen, render):
        if page.src_uri in hand_written:
            raise PluginError(f"docs/{page.src_uri} 与自动生成的页面同名，请改名或移走")
        if page.kept and not page.in_nav:
            continue
        # Entries are not in the nav: say so, so MkDocs does not list them.
        inclusion = InclusionLevel.INCLUDED if page.in_nav else InclusionLevel.NOT_IN_NAV
        cls = KeptFile if page.kept else File
        files.append(cls.generated(config, page.src_uri, content=page.markdown, inclusion=inclusion))
    # Remembered too, so that the output of a deleted hand-written page is removed.
    assert state.planned is not None
    state.planned.update({f.src_uri: _Written(None, b"") for f in hand_pages})
    return files


def add_static_files(state: PreviewState, files, config, static: Iterable[tuple[str, str | bytes]]) -> None:
    """Generated files that are not pages (feed.xml, 各单位对照 JSON, compilations): a file whose bytes
    are what the last build wrote is not written again (thousands of files at 10,000 entries)."""
    from mkdocs.structure.files import File

    assert state.planned is not None
    last = state.static
    state.static = {}
    for path, content in static:
        old = last.get(path)
        # Unchanged files are mostly the very same objects (kept between rebuilds): `is` first.
        kept = path in state.written and old is not None and (old is content or old == content)
        if not kept:
            state.written.pop(path, None)  # see plan(): a failed build must not leave a stale record
        state.static[path] = content
        state.planned[path] = _Written(None, b"")
        files.append((KeptFile if kept else File).generated(config, path, content=content))


def bundle_aliases(state: PreviewState, bundles: list[Any]) -> list[tuple[str, bytes]]:
    """(name, bytes) of the current bundles (kb.site.assets.Bundle) under the names of earlier rebuilds'
    bundles in the same place (the n-th style sheet or script bundle), which kept pages still name."""
    current = {b.path for b in bundles}
    out: list[tuple[str, bytes]] = []
    seen: dict[str, int] = {}
    for b in bundles:
        n = seen[b.kind] = seen.get(b.kind, -1) + 1
        names = state.bundle_names.setdefault((b.kind, n), set())
        out += [(name, b.content) for name in sorted(names - current)]
        names.add(b.path)
    return out


def _file_classes():
    from mkdocs.structure.files import File

    class KeptFile(File):
        """A generated page whose output from the last build is still right:
        MkDocs' dirty build neither renders nor writes it."""

        def is_modified(self) -> bool:
            return False

    class FreshFile(File):
        """A hand-written page: always rebuilt in the preview."""

        def is_modified(self) -> bool:
            return True

    return KeptFile, FreshFile


KeptFile, FreshFile = _file_classes()


def after_build(state: PreviewState, config, gen: "Generator") -> None:
    """Commit this build's pages and generated files; remove those that are gone (entries, hand-written
    pages, generated files); the search index if its entries changed (see the module docstring)."""
    from mkdocs.structure.files import File

    planned = state.planned or {}
    state.removed = 0
    for src_uri in state.written.keys() - planned.keys():
        dest = Path(File(src_uri, None, config.site_dir, config.use_directory_urls).abs_dest_path)
        if dest.is_file():
            dest.unlink()
            state.removed += 1
            if config.use_directory_urls and dest.name == "index.html" and not any(dest.parent.iterdir()):
                shutil.rmtree(dest.parent, ignore_errors=True)
    state.written = planned
    state.planned = None
    entries, before = tuple(gen.kb.entries), state.search_entries
    changed = len(entries) != len(before) or any(a is not b for a, b in zip(entries, before))
    left = {e.id for e in before} - {e.id for e in entries}  # deleted, or hidden by an audience change
    state.search_rewritten = "now" if left or not state.search_written else "background" if changed else ""
    if state.search_rewritten == "now":
        state.search.write_now(gen.kb, config.site_dir, config.use_directory_urls)
    elif state.search_rewritten:
        state.search.request(gen.kb, config.site_dir, config.use_directory_urls)
    state.search_entries = entries
    if not state.search_written:
        state.search_written = True
        # Move what the first build left (the cached entries: millions of
        # objects at 10,000 entries) out of the garbage collector's sight, so
        # that a full collection during a rebuild does not walk them all.
        gc.collect()
        gc.freeze()
    now = time.perf_counter()
    log.info(f"预览：重新生成 {state.rendered} 个页面，沿用 {state.kept} 个，删除 {state.removed} 个"
             f"（用时 {now - state.started:.2f} 秒：读取与检查 {state.load_done - state.started:.2f}，"
             f"MkDocs 准备 {state.loaded - state.load_done:.2f}，生成页面 {state.planned_at - state.loaded:.2f}，"
             f"MkDocs 输出 {now - state.planned_at:.2f}）")
