"""The knowledge base's side of a MkDocs (or ProperDocs) build.

``hooks/mkdocs_hooks.py`` creates one ``BuildSession`` in ``on_startup`` and
passes every event to it; everything a build remembers between events (the
settings, the knowledge base, the page generator, the live preview's state)
lives on this object, not in module globals.

- ``configure`` (on_config): settings validated first (Chinese messages),
  then ``data/`` loaded and validated for the build's audience (errors stop
  the build), the navigation derived from the page list (kb.site.catalog);
- ``register_files`` (on_files): the project's style sheets and scripts
  bundled into one file of each kind (``kb.site.assets``; under ``kb serve``
  also under older names, ``kb.preview.live.bundle_aliases``); one generated
  file per page of the page list (index pages as HTML, entry pages with their
  generated blocks stashed: ``kb.site.rawhtml``), ``feed.xml``; a docs/ file
  that is a link out of the project, a device, FIFO or socket stops the build;
- ``prerender`` (on_nav): the pages the build cache lacks built in forked
  processes, one per core, and stored; MkDocs then finds them in the cache
  (``kb.engine.prerender``); meanwhile this process writes the search index,
  or, when there are no page children (after an edit), a forked child writes
  it while MkDocs writes the pages (``kb.engine.background``);
- ``stamp_pages`` (on_env): every page dated by the data, not the build day
  (reproducible sitemap); Material's navigation partial compact on the pages
  not in the navigation and rendered once per directory (``kb.engine.navcache``);
- ``page_content`` (on_page_content): an entry page's HTML cleaned to the
  allow-list of ``kb.text.html`` (no script from an entry reaches a reader);
- ``post_page`` (on_post_page): every page without the whitespace no reader
  sees (``kb.site.compact``), then the build cache;
- ``finish`` (on_post_build): search index and ``entries.json`` (unless made
  while ``prerender`` waited for its children), and for the offline edition
  the script-loadable index shards; ``shutdown`` (on_shutdown): see kb.engine.quickexit.

Under ``kb serve`` (``kb.preview``) entries come from the per-file cache,
only changed pages are rendered and the search index is written by the
first build only.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File, Files, InclusionLevel

from kb.engine import (background, cachedir, messages, navcache, outdir, pagecache, pagekeys, prerender, quickexit,
                       siteoutputs)
from kb.engine.lazypage import LazyPage
from kb.model.knowledge import KnowledgeBase
from kb.preview import live
from kb.problems import Problems
from kb.publish import offline
from kb.settings import BUILD_LABELS, Settings, SettingsError
from kb.site import assets, gcpolicy, parallel, search, workers
from kb.site.compact import collapse
from kb.site.rawhtml import RawHtml
from kb.site.pages import Generator
from kb.source import files as source_files
from kb.text import html as sanitise

log = logging.getLogger("mkdocs.hooks.kb")


@dataclass
class BuildSession:
    """State of the knowledge base across the events of one build (and, under
    ``kb serve``, across the rebuilds of one preview)."""

    command: str = "build"
    preview: live.PreviewState | None = None
    settings: Settings = field(default_factory=Settings)
    generator: Generator | None = None
    entry_pages: frozenset[str] = frozenset()  # src_uri of every entry page (sanitised in page_content)
    raw_html: RawHtml = field(default_factory=RawHtml)  # index pages handed to MkDocs as HTML (kb.site.rawhtml)
    nav_cache: navcache.NavCache | None = None  # this build's rendered navigation (kb.engine.navcache)
    page_cache: pagecache.PageCache | None = None  # pages kept between builds (kb.engine.pagecache)
    bytecode: Any = None  # compiled Jinja templates kept between builds (kb.engine.pagecache)
    jobs: int = 1  # processes for independent work (KB_JOBS, kb.site.workers), read in on_config
    outputs_written: bool = False  # this build's search index and entries.json (``_site_outputs``)
    background: Any = None  # the child writing them while MkDocs writes pages (kb.engine.background)
    dirty: bool | None = None  # MkDocs' --dirty as on_startup said (None: no on_startup, not known)
    kept_dirs: Any = None  # the output's folders kept from the last build (kb.engine.outdir)
    succeeded: bool = False  # on_post_build ran and no on_build_error followed (kb.engine.quickexit)

    @classmethod
    def start(cls, command: str = "build", dirty: bool = False) -> "BuildSession":
        messages.install()  # the engine's progress messages in Chinese
        return cls(command=command, dirty=dirty)

    # -- on_config ---------------------------------------------------------------

    def configure(self, config: Any) -> Any:
        # The live preview's state, when `kb serve` builds this config (kb.preview).
        self.preview = live.of(config)
        self.outputs_written = self.succeeded = False
        self.background = None
        problems = Problems()
        try:
            self.settings = settings = Settings.from_config(config, problems=problems)
        except SettingsError as exc:
            for problem in exc.problems.errors:
                log.error(str(problem))
            raise PluginError(f"设置有 {len(exc.problems.errors)} 处错误，构建已停止（详见上方）") from None
        for problem in problems.warnings:
            log.info(str(problem))
        try:  # KB_JOBS: processes for the work done on every core (kb.site.workers)
            self.jobs = workers.jobs()
        except ValueError as exc:
            raise PluginError(str(exc)) from None
        # Theme templates of our own in front of Material's (a Chinese 404 page).
        theme_dir = str(Path(__file__).resolve().parent.parent / "site" / "theme")
        if theme_dir not in config.theme.dirs:
            config.theme.dirs.insert(0, theme_dir)
        if settings.offline:
            config.use_directory_urls = False  # file:// has no directory index pages
        root = Path(config.config_file_path).resolve().parent
        # Before MkDocs walks docs/ (following links): only regular files of the project.
        self._refuse(source_files.tree_problems(Path(config.docs_dir), root))
        # kb.entries: only the entries this build may show
        digests = pagecache.Digests()  # of what pages show (kb.engine.pagekeys): seeded by the entries' load
        if self.preview is not None:
            kb = live.load(self.preview, root, settings.audience)
            # Kept between rebuilds (unchanged entries are the same objects) and seeded like a build's.
            digests = self.preview.digests = self.preview.digests or pagecache.Digests()
            cachedir.seed_digests(digests, kb, self.preview.cache)
        else:
            gcpolicy.build_started()  # the collector through a build (kb.site.gcpolicy)
            with gcpolicy.paused():  # what the load makes stays alive
                if not cachedir.disabled():  # parsed entries kept between builds (kb.model.cache)
                    kb = cachedir.load_entries(root, settings.audience, digests)
                else:
                    kb = KnowledgeBase.load(root, audience=settings.audience)
                # ... and out of every later collection's sight until the build ends: frozen before the
                # collector is back (it would first go through the millions of objects the load made)
                gcpolicy.hold()
        log.info(f"可见范围：{BUILD_LABELS[settings.audience]}（{len(kb.entries)} 个条目）")
        for problem in kb.problems.warnings:
            log.info(str(problem))  # warnings must not fail a strict build
        errors = kb.problems.errors
        if errors:
            for problem in errors:
                log.error(str(problem))
            raise PluginError(f"知识库数据有 {len(errors)} 个错误，构建已停止（详见上方，也可运行 kb check）")
        self.entry_pages = frozenset(e.src_uri for e in kb.entries)
        self.generator = gen = Generator(kb, site_title=config.site_name, directory_urls=config.use_directory_urls,
                                         settings=settings,
                                         kept=self.preview.generator_kept if self.preview is not None else {})
        config.nav = gen.nav(config.nav)
        # The build cache (kb.engine.pagecache), for `kb serve` too: there a page the preview
        # renders again (its first build: every page) is still taken from the cache when it has it.
        use_cache = not cachedir.disabled()
        self.page_cache = pagecache.PageCache(root, config, partial=self.preview is not None,
                                              digests=digests) if use_cache else None
        gen.memo = self.page_cache.memo if self.page_cache is not None else None  # e.g. 各单位对照 texts
        if use_cache and self.preview is None:  # compiled templates kept between builds too (the preview: in memory)
            self.bytecode = gen.env.bytecode_cache = cachedir.bytecode_cache(root)
        return config

    # -- on_pre_build -------------------------------------------------------------

    def pre_build(self, config: Any) -> None:
        """The output's folders kept while MkDocs empties it (kb.engine.outdir): not in a dirty build
        (nothing is emptied), nor when no on_startup said whether the build is dirty."""
        self.kept_dirs = None
        if self.preview is None and self.dirty is False:
            # The search index's folder is removed and written whole by its writer (kb.site.search).
            self.kept_dirs = outdir.Keeper.start(config.site_dir, replaced=(search.INDEX_DIR,))

    # -- on_files ----------------------------------------------------------------

    def register_files(self, files: Files, config: Any) -> Files:
        if self.kept_dirs is not None:  # MkDocs has emptied the output: its folders back
            self.kept_dirs.restore()
        gen = self._generator()
        root = Path(config.config_file_path).resolve().parent
        listed = (f.abs_src_path for f in files if f.abs_src_path)
        self._refuse(source_files.listed_problems(listed, Path(config.docs_dir), root))
        # One style sheet and one script per page (kb.site.assets), before the build key: pages name them.
        bundles = assets.register(files, config)
        for path, why in bundles.kept:
            log.info(f"docs/{path} 未合并到 {assets.BUNDLE_DIR}/{assets.PREFIX}.*：{why}，单独加载")
        if self.preview is not None:
            for path, content in live.bundle_aliases(self.preview, bundles.bundles):
                files.append(assets.bundle_file(config, path, content))
        cache = self.page_cache
        if cache is not None:
            cache.start(self._build_key(files, config, bundles.digest), (spec.uri for spec in gen.specs()))
            if self.kept_dirs is not None:  # what the last build wrote in the site (kb.engine.outdir)
                self.kept_dirs.known = cache.site_files(config.site_dir)
                if pagekeys.only_hooks(config):  # a hit whose file is right: no plugin needs its HTML either
                    cache.unwritten = self.kept_dirs.would_hold
        if self.preview is not None:  # kb serve: only changed pages are rendered (see kb.preview)
            live.add_files(self.preview, files, config, gen,
                           render=(lambda spec: cache.markdown(spec, gen.render)) if cache is not None else None)
        else:
            specs = gen.specs()
            for spec in specs:
                if files.get_file_from_path(spec.uri) is not None:
                    raise PluginError(f"docs/{spec.uri} 与自动生成的页面同名，请改名或移走")
            # The pages' Markdown on every core (kb.site.parallel); from the build cache when stored.
            render_many = partial(parallel.render_all, gen, processes=self.jobs)
            # Without the Markdown of a page whose final page is stored (made only if MkDocs needs it).
            texts = cache.markdown_all(specs, render_many, lazy=True) if cache is not None else render_many(specs)
            if sum(t is not None for t in texts) < prerender.MIN_PAGES:  # few pages to make: no page children
                self._outputs_in_background(config)  # so the search index starts now, in a child
            for i, spec in enumerate(specs):
                # Entries are deliberately not in the nav: say so, so MkDocs does not list them.
                inclusion = InclusionLevel.INCLUDED if spec.in_nav else InclusionLevel.NOT_IN_NAV
                text = texts[i]
                texts[i] = ""  # one copy of a page's Markdown at a time
                # Index pages and the generated blocks of entry pages skip Markdown (kb.site.rawhtml).
                content = None if text is None else self.raw_html.stash_page(spec, text)
                if cache is None:
                    files.append(File.generated(config, spec.uri, content=content, inclusion=inclusion))
                else:
                    files.append(LazyPage.later(config, spec.uri, partial(self._page_markdown, spec), content,
                                                inclusion=inclusion))
        if self.preview is not None:  # kept when unchanged (kb.preview.live)
            live.add_static_files(self.preview, files, config, gen.static_files())
        else:
            for path, text in gen.static_files():  # feed.xml, 各单位对照 JSON, compilations
                f = outdir.KeptFile.generated(config, path, content=text)
                f.keeper = self.kept_dirs  # written only where the site does not hold it already
                files.append(f)
        return files

    def release(self, files: list[Any]) -> None:
        """Generated pages this process will not convert (kb.engine.prerender's children build them):
        their Markdown and stashed HTML forgotten, made again if needed after all."""
        for f in files:
            if isinstance(f, LazyPage):
                f.drop()
                self.raw_html.forget(f.src_uri)

    def _page_markdown(self, spec: Any) -> str:
        """What MkDocs gets for a ``LazyPage`` when it reads it after all."""
        gen = self._generator()
        assert self.page_cache is not None
        return self.raw_html.stash_page(spec, self.page_cache.markdown(spec, gen.render))

    def _build_key(self, files: Files, config: Any, bundles: bytes = b"") -> bytes:
        """What every page of this build depends on besides its own Markdown (kb.engine.pagecache);
        ``bundles``: the digest of the bundled style sheets and scripts (their sources left ``files``)."""
        gen = self._generator()
        extra = (gen.today.isoformat(), gen.site_title, gen.kb.taxonomy.areas, bundles.hex())
        return pagecache.build_key(config, self.settings, pagekeys.project_files(files, config), extra=extra)

    # -- on_nav ------------------------------------------------------------------

    def prerender_pages(self, nav: Any, config: Any, files: Files) -> Any:
        """The pages the build cache lacks, built on every core (kb.engine.prerender)."""
        if self.preview is not None:
            return nav
        # Meanwhile this process writes the search index (one core: the children have the others).
        prerender.prerender(self, nav, config, files, meanwhile=lambda: self._site_outputs(config, 1))
        self._outputs_in_background(config)  # no page children (e.g. after an edit), if not started yet
        return nav

    def _outputs_in_background(self, config: Any) -> None:
        """The search index and ``entries.json`` in a forked child while MkDocs goes on here (their
        files and cache records reach the build through the disk); started in ``register_files``
        once the build is known to have few pages to make (after an edit), else after ``prerender``."""
        cache = self.page_cache
        if (self.outputs_written or self.background is not None or self.jobs <= 1 or cache is None
                or not cache.open or len(self._generator().kb.entries) < background.MIN_ENTRIES):
            return

        def work() -> None:
            cache.begin_child()
            self.background = None  # this child is the one writing them
            self._site_outputs(config, 1)
            if not cache.commit_child():
                raise OSError("构建缓存不可用")

        cache.flush()  # what this process staged is in the store, not staged again by the child
        self.background = background.start(work)

    # -- on_pre_page / on_page_markdown / on_post_page ------------------------------

    def pre_page(self, page: Any, files: Files) -> Any:
        if self.page_cache is not None:
            self.page_cache.pre_page(page, files)
        return page

    def page_markdown(self, markdown: str, page: Any, files: Files) -> str:
        if self.page_cache is not None:
            self.page_cache.page_markdown(markdown, page, files)
        return markdown

    def post_page(self, output: str, page: Any) -> str:
        output = collapse(output)  # whitespace no reader sees (kb.site.compact); a cache hit's is ""
        kept, cache, path = self.kept_dirs, self.page_cache, page.file.abs_dest_path
        # A page whose file holds its bytes already (kb.engine.outdir): MkDocs gets "", writes nothing.
        unwritten = False
        if cache is not None:
            digest = cache.hit_digest(page)  # a hit the last build wrote here: not even decompressed
            unwritten = kept is not None and digest is not None and kept.holds(path, digest)
            output = cache.post_page(output, page, unwritten=unwritten)
        if kept is not None and not unwritten:
            unwritten = kept.same(path, output.encode("utf-8", "xmlcharrefreplace"))
        if unwritten:
            messages.unwritten(page.file.src_uri)
            return ""
        return output

    # -- on_env ------------------------------------------------------------------

    def stamp_pages(self, env: Any, files: Files, config: Any = None) -> Any:
        # Reproducible output: every page carries a date from the data, not the
        # build day (sitemap.xml, the gzip header of sitemap.xml.gz). Set here,
        # once the pages exist, so pages a dirty preview build does not re-read have it too.
        date = self._generator().today.isoformat()  # the same date the 待复核 page counts from
        for f in files.documentation_pages():
            if f.page is not None:
                f.page.update_date = date
        if self.preview is not None:
            live.speed_up_env(env)
        elif self.bytecode is not None:
            env.bytecode_cache = self.bytecode
        if config is not None:  # Material's navigation rendered once per directory (kb.engine.navcache)
            self.nav_cache = navcache.install(env, config)
        return env

    def page_content(self, html: str, src_uri: str, page: Any = None) -> str:
        if self.page_cache is not None and self.page_cache.is_hit(src_uri) is not None:
            self.raw_html.restore(src_uri, html)
            return html  # the stored HTML this method returned last time (put back by the hit's render)
        if self.preview is not None:
            html = live.page_content(self.preview, html, src_uri, page)
        else:
            html = self.raw_html.restore(src_uri, html, page)
        if src_uri in self.entry_pages:
            # Entry bodies are content, not code (kb.text.html): the whole rendered
            # content of an entry page is held to the allow-list, generated blocks included.
            html = sanitise.clean(html)
        if self.page_cache is not None and page is not None:
            self.page_cache.page_content(html, page)
        return html

    # -- on_post_build -----------------------------------------------------------

    def finish(self, config: Any) -> None:
        gen = self._generator()
        if self.preview is not None:  # the preview rewrites the search index and entries.json
            live.after_build(self.preview, config, gen)  # only when their entries change
        else:
            if self.background is not None:
                if self.background.wait():
                    self.outputs_written = True
                else:  # done here instead
                    log.info("搜索索引：后台进程未能完成，改由主进程生成")
                self.background = None
            self._site_outputs(config, self.jobs)
        if self.settings.offline:
            offline.write_script_shards(config.site_dir)
        if self.kept_dirs is not None:
            written = self.kept_dirs.finish()
            if self.page_cache is not None:
                self.page_cache.site_files(config.site_dir, written)
            self.kept_dirs = None
        if self.page_cache is not None:
            self.page_cache.finish()
        if self.preview is None:
            gcpolicy.build_ended()
        self.succeeded = True

    def build_failed(self) -> None:  # on_build_error: also a --strict build failing after on_post_build
        self.succeeded = False

    def shutdown(self) -> None:
        """on_shutdown: a successful ``mkdocs build`` ends without its teardown (kb.engine.quickexit)."""
        quickexit.end_if_done(self.command, self.succeeded)

    def _site_outputs(self, config: Any, processes: int) -> None:
        """The search index and ``entries.json`` (kb.engine.siteoutputs), once per build: while the
        children of ``prerender_pages`` build pages when there are any (this process would only
        wait), else in ``finish``."""
        if not self.outputs_written and self.background is None:  # (nor written by a child now)
            self.outputs_written = True
            siteoutputs.write(self._generator().kb, config, self.page_cache, processes)

    @staticmethod
    def _refuse(problems: list[str]) -> None:
        """Stop the build on files of docs/ that are not regular files of the project."""
        if problems:
            for problem in problems:
                log.error(problem)
            raise PluginError(f"docs/ 中有 {len(problems)} 个文件不是项目中的普通文件，构建已停止（详见上方）")

    def _generator(self) -> Generator:
        if self.generator is None:
            raise PluginError("知识库尚未加载（on_config 未运行）")
        return self.generator
