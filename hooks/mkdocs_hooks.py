"""MkDocs adapter: wires MkDocs events to the ``kb`` package. No logic here.

- on_config: resolve the audience, load and validate ``data/`` (errors stop the build), build the nav
- on_files:  register the generated pages (home, areas, types, years, entries, search/,
             最近更新, 待复核, 字段说明) and feed.xml
- on_env:    stamp pages with the data's date, not the build day (reproducible sitemap)
- on_post_build: write the search index (kb.search) under search/idx/, entries.json,
             and for the offline edition the script-loadable index shards

Under ``kb serve`` (kb.preview active) entries come from the per-file cache,
only changed pages are rendered (on_files), the theme's Jinja environment
keeps compiled templates (on_env), index pages skip Markdown
(on_page_content) and the search index is written by the first build only.
"""

from __future__ import annotations

import logging
from pathlib import Path

from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File, Files, InclusionLevel

from kb.model import audience
from kb.site import export, search
from kb.publish import offline
from kb.preview import live as preview
from kb.model.knowledge import KnowledgeBase
from kb.site.pages import Generator
from kb.problems import Problems
from kb.settings import Settings

log = logging.getLogger("mkdocs.hooks.kb")
_state: dict = {}  # generator, data_date


def on_config(config):
    root = Path(config.config_file_path).resolve().parent
    try:
        level = audience.resolve(config.extra)
        _state["offline"] = offline.enabled(config.extra)
    except (audience.AudienceError, offline.OfflineError) as exc:
        raise PluginError(str(exc)) from None
    if _state["offline"]:
        config.use_directory_urls = False  # file:// has no directory index pages
    # kb.entries: only the entries this build may show
    kb = preview.load(root, level) if preview.active() else KnowledgeBase.load(root, audience=level)
    log.info(f"可见范围：{audience.BUILD_LABELS[level]}（{len(kb.entries)} 个条目）")
    for problem in kb.problems.warnings:
        log.info(str(problem))  # warnings must not fail a strict build
    errors = kb.problems.errors
    if errors:
        for problem in errors:
            log.error(str(problem))
        raise PluginError(f"知识库数据有 {len(errors)} 个错误，构建已停止（详见上方，也可运行 kb check）")
    problems = Problems()
    settings = Settings.from_mapping(config, problems)
    if problems:
        raise PluginError("\n".join(str(p) for p in problems.errors))
    gen = Generator(kb, site_title=config.site_name, directory_urls=config.use_directory_urls, settings=settings)
    try:
        gen.today  # the build's reference date: fail early on a bad KB_TODAY / SOURCE_DATE_EPOCH
    except ValueError as exc:
        raise PluginError(str(exc)) from None
    config.nav = gen.nav(config.nav)
    _state["generator"] = gen
    _state["data_date"] = gen.today.isoformat()  # the same date the 待复核 page counts from
    return config


def on_files(files: Files, config) -> Files:
    gen = _state["generator"]
    if preview.active():  # kb serve: only changed pages are rendered (see kb.preview)
        preview.add_files(files, config, gen)
    for page in () if preview.active() else gen.pages():
        if files.get_file_from_path(page.src_uri) is not None:
            raise PluginError(f"docs/{page.src_uri} 与自动生成的页面同名，请改名或移走")
        # Entries are deliberately not in the nav: say so, so MkDocs does not list them.
        inclusion = InclusionLevel.INCLUDED if page.in_nav else InclusionLevel.NOT_IN_NAV
        files.append(File.generated(config, page.src_uri, content=page.markdown, inclusion=inclusion))
    for path, text in gen.static_files():  # feed.xml
        files.append(File.generated(config, path, content=text))
    return files


def on_env(env, config, files):
    # Reproducible output: every page carries a date from the data, not the build
    # day (sitemap.xml, the gzip header of sitemap.xml.gz). Set here, once the
    # pages exist, so pages a dirty preview build does not re-read have it too.
    for f in files.documentation_pages():
        if f.page is not None:
            f.page.update_date = _state["data_date"]
    if preview.active():
        preview.speed_up_env(env)
    return env


def on_page_content(html, page, config, files):
    if preview.active():
        return preview.page_content(html, page.file.src_uri)
    return html


def on_post_build(config) -> None:
    gen = _state["generator"]
    if preview.active():  # the search index is written by the first build only
        preview.after_build(config, gen)
    else:
        search.write_site_index(gen.kb, config.site_dir, directory_urls=config.use_directory_urls)
    export.write_entries_json(gen.kb, config.site_dir, directory_urls=config.use_directory_urls)
    if _state["offline"]:
        offline.write_script_shards(config.site_dir)
