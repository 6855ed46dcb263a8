"""Live preview (kb serve): the per-file cache, incremental builds, a real server."""

from __future__ import annotations

import os
import re
import textwrap
import time
from pathlib import Path

import markdown
import pytest
from mkdocs.config import load_config
from mkdocs.exceptions import Abort

from kb.preview import live as preview
from kb.preview.searchindex import SearchWriter
from kb.preview.server import rebuild
from kb.model.cache import EntryCache
from kb.model.knowledge import KnowledgeBase
from kb.site.pages import Generator

from conftest import CITING_CASE, ROOT, SMALL, case, copy_project

SERVE_URL = "http://127.0.0.1:8000/"


# -- the per-file cache -----------------------------------------------------------


def _bump(path: Path) -> None:
    """Make the file look older, so the cache trusts it (see cache.RACY_NS)."""
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns - 10_000_000_000))


def test_cache_reuses_unchanged_files_and_rereads_changed_ones(tree):
    a = tree.write("cases/a.md", case("case-a", "甲案例"))
    b = tree.write("cases/b.md", case("case-b", "乙案例"))
    _bump(a), _bump(b)
    cache = EntryCache()
    first = KnowledgeBase.load(tree.root, cache=cache)
    second = KnowledgeBase.load(tree.root, cache=cache)
    assert cache.misses == 2 and cache.hits == 2
    assert second.by_id["case-a"] is first.by_id["case-a"]

    tree.write("cases/a.md", case("case-a", "甲案例（修订）"))
    third = KnowledgeBase.load(tree.root, cache=cache)
    assert third.by_id["case-a"].title == "甲案例（修订）"
    assert third.by_id["case-a"] is not first.by_id["case-a"]
    assert third.by_id["case-b"] is first.by_id["case-b"]


def test_cache_sees_added_and_deleted_files(tree):
    a = tree.write("cases/a.md", case("case-a", "甲案例"))
    _bump(a)
    cache = EntryCache()
    assert [e.id for e in KnowledgeBase.load(tree.root, cache=cache).entries] == ["case-a"]
    b = tree.write("cases/b.md", case("case-b", "乙案例"))
    assert [e.id for e in KnowledgeBase.load(tree.root, cache=cache).entries] == ["case-a", "case-b"]
    a.unlink()
    assert [e.id for e in KnowledgeBase.load(tree.root, cache=cache).entries] == ["case-b"]
    assert set(cache.slots) == {b}


def test_cache_keeps_reporting_an_invalid_file_until_it_is_fixed(tree):
    a = tree.write("cases/a.md", case("case-a", "甲案例"))
    _bump(a)
    cache = EntryCache()
    KnowledgeBase.load(tree.root, cache=cache)
    tree.write("cases/a.md", case("case-a", "甲案例", areas="no-such-area"))
    _bump(a)
    for _ in range(2):  # the second load replays the stored problem
        kb = KnowledgeBase.load(tree.root, cache=cache)
        assert kb.entries == []
        assert [(p.path, p.field) for p in kb.problems.errors] == [("data/cases/a.md", "areas[0]")]
        assert "no-such-area" in kb.problems.errors[0].message
    assert cache.hits >= 1
    tree.write("cases/a.md", case("case-a", "甲案例（已改正）"))
    kb = KnowledgeBase.load(tree.root, cache=cache)
    assert not kb.problems.errors
    assert kb.by_id["case-a"].title == "甲案例（已改正）"


def test_cache_rereads_a_file_changed_within_the_same_clock_tick(tree):
    a = tree.write("cases/a.md", case("case-a", "甲案例"))
    cache = EntryCache()
    KnowledgeBase.load(tree.root, cache=cache)
    st = a.stat()
    tree.write("cases/a.md", case("case-a", "乙案例"))  # same size
    os.utime(a, ns=(st.st_atime_ns, st.st_mtime_ns))  # and the same mtime
    assert KnowledgeBase.load(tree.root, cache=cache).by_id["case-a"].title == "乙案例"


def test_cache_is_emptied_when_the_taxonomy_changes(tree):
    a = tree.write("cases/a.md", case("case-a", "甲案例", areas="religion"))
    _bump(a)
    cache = EntryCache()
    assert not KnowledgeBase.load(tree.root, cache=cache).problems.errors
    areas = tree.root / "data" / "areas.yml"
    text = areas.read_text(encoding="utf-8")
    areas.write_text(re.sub(r"(?m)^religion:", "religion-work:", text), encoding="utf-8")
    kb = KnowledgeBase.load(tree.root, cache=cache)
    assert [p.field for p in kb.problems.errors] == ["areas[0]"]


def _citations(kb: KnowledgeBase) -> dict:
    return {k: [(c.target, c.article, c.line, c.short) for c in v] for k, v in kb.citations.by_source.items()}


def _problems(kb: KnowledgeBase) -> list[str]:
    return [str(p) for p in kb.problems.errors + kb.problems.warnings]


def test_cached_loads_find_the_same_citations_and_warnings_as_fresh_loads(tmp_path):
    root = copy_project(tmp_path / "p")
    (root / "data" / "cases" / "zz-citing-case.md").write_text(textwrap.dedent(CITING_CASE).lstrip("\n"), encoding="utf-8")
    (root / "data" / "cases" / "zz-bad-article.md").write_text(
        case("zz-bad-article", "引用不存在条文的案例").replace("正文。", "依照《宗教事务条例》第九百条办理。").lstrip("\n"),
        encoding="utf-8")
    for path in (root / "data").rglob("*.md"):
        _bump(path)
    cache = EntryCache()

    def check() -> KnowledgeBase:
        cached, fresh = KnowledgeBase.load(root, cache=cache), KnowledgeBase.load(root)
        assert _citations(cached) == _citations(fresh)
        assert _problems(cached) == _problems(fresh)
        return cached

    first = check()
    assert any("第九百条" in p for p in _problems(first))
    second = check()
    assert second.citations.by_source["zz-citing-case"] is first.citations.by_source["zz-citing-case"]
    assert second.structures["zongjiao-shiwu-tiaoli-2017"] is first.structures["zongjiao-shiwu-tiaoli-2017"]

    # Renaming the cited regulation changes what every citation of it resolves to.
    reg = root / "data" / "regulations" / "zongjiao-shiwu-tiaoli-2017.md"
    reg.write_text(reg.read_text(encoding="utf-8").replace("title: 宗教事务条例", "title: 宗教事务条例修订稿", 1),
                   encoding="utf-8")
    third = check()
    assert _citations(third)["zz-citing-case"] != _citations(first)["zz-citing-case"]


# -- incremental builds -------------------------------------------------------------


def _site_files(site: Path) -> dict[str, bytes]:
    """Every output file except the search index (compared on its own where it matters)."""
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in sorted(site.rglob("*"))
            if p.is_file() and not p.relative_to(site).as_posix().startswith("search/idx/")}


class PreviewProject:
    """A copy of the sample project (``keep``: only these folders of data/), built in this process
    as kb serve does."""

    def __init__(self, root: Path, keep: tuple[str, ...] | None = None):
        self.root = copy_project(root, keep=keep)
        self.site = root.parent / "preview-site"
        self.full = root.parent / "full-site"
        self.state = preview.PreviewState()  # what kb serve remembers between rebuilds

    def config(self, site: Path):
        return load_config(config_file=str(self.root / "mkdocs.yml"), site_dir=str(site))

    def build(self) -> None:
        rebuild(self.config(self.site), SERVE_URL, self.state)

    def full_build(self) -> dict[str, bytes]:
        """A normal full build of the same data (preview switched off meanwhile)."""
        from mkdocs.commands.build import build

        self.state.search.wait()  # the preview's search index and entries.json may still be being written
        build(self.config(self.full), serve_url=SERVE_URL)  # a config without the preview's state
        return _site_files(self.full)

    def site_files(self) -> dict[str, bytes]:
        """The preview's site, once the search index and entries.json it may be writing are written."""
        self.state.search.wait()
        return _site_files(self.site)

    def entry(self, rel: str) -> Path:
        return self.root / "data" / rel

    def edit(self, rel: str, old: str, new: str) -> None:
        path = self.entry(rel)
        text = path.read_text(encoding="utf-8")
        assert old in text
        path.write_text(text.replace(old, new, 1), encoding="utf-8")

    def page(self, url: str) -> str:
        return (self.site / url / "index.html").read_text(encoding="utf-8")


@pytest.fixture
def project(tmp_path):
    yield PreviewProject(tmp_path / "p")


@pytest.fixture
def small_project(tmp_path):
    """For the steps that edit a case only: the sample's cases and reports (a cheaper build)."""
    yield PreviewProject(tmp_path / "p", keep=SMALL)


@pytest.mark.slow
def test_preview_builds_only_changed_pages_and_matches_a_full_build(project):
    project.build()
    assert project.state.kept == 0
    assert project.site_files() == project.full_build()
    total = project.state.rendered
    compiled = {k: v for k, v in project.state.generator_kept.items() if k[0] == "compilation"}
    assert compiled  # the area compilations (生成汇编) the build made, kept for the next rebuild

    units_json = sorted(project.site.glob("areas/*/units/*.json"))  # generated files that are not pages
    assert units_json
    stamps = [p.stat().st_mtime_ns for p in units_json]
    project.build()  # nothing changed
    assert project.state.rendered < 5 and project.state.kept > total - 5
    assert [p.stat().st_mtime_ns for p in units_json] == stamps  # not written again
    assert all(project.state.generator_kept[k] is v for k, v in compiled.items())  # not built again

    # A document's title: its page, the index pages listing it, the version
    # family and every page citing it change; nothing else is rendered.
    project.edit("regulations/zongjiao-shiwu-tiaoli-2017.md", "title: 宗教事务条例", "title: 宗教事务条例（预览测试）")
    project.build()
    rendered = project.state.rendered
    assert 3 < rendered < total // 2
    assert "宗教事务条例（预览测试）" in project.page("regulations/zongjiao-shiwu-tiaoli-2017")
    assert "宗教事务条例（预览测试）" in project.page("areas/religion")
    assert "宗教事务条例（预览测试）" in project.page("regulations")
    assert "宗教事务条例（预览测试）" in project.page("regulations/zongjiao-shiwu-tiaoli-2004")
    assert project.site_files() == project.full_build()

    # A body edit: the entry's page only (index pages are rendered, compared, kept).
    project.edit("cases/minzu-tuanjie-shequ-2023.md", "\n---\n", "\n---\n\n预览测试新增的一段。\n")
    project.build()
    assert "预览测试新增的一段" in project.page("cases/minzu-tuanjie-shequ-2023")
    # (section index pages — 工作领域, 文件类型, 年度 — are always rendered: they have no nav title to keep)
    assert project.state.rendered <= 5
    assert project.site_files() == project.full_build()


@pytest.mark.slow
def test_preview_adds_and_removes_entry_pages(small_project):
    small_project.build()
    new = small_project.entry("cases/zz-preview-new.md")
    new.write_text(case("zz-preview-new", "预览测试新增案例").lstrip("\n"), encoding="utf-8")
    small_project.build()
    assert "预览测试新增案例" in small_project.page("cases/zz-preview-new")
    assert "预览测试新增案例" in small_project.page("cases")
    assert small_project.site_files() == small_project.full_build()

    new.unlink()
    small_project.build()
    assert small_project.state.removed == 1
    assert not (small_project.site / "cases" / "zz-preview-new").exists()
    assert "预览测试新增案例" not in small_project.page("cases")
    assert small_project.site_files() == small_project.full_build()


@pytest.mark.slow
def test_preview_rebuilds_the_script_bundle_when_a_script_changes(small_project):
    """A saved script of docs/ (kb.site.assets): the next rebuild writes a new bundle; pages kept from
    the first build still name the old one, which now has the new bytes too."""
    from kb.site import assets

    entry, hand_written = "cases/minzu-tuanjie-shequ-2023", "guide"
    bundle = re.compile(r'<script src="(?:\.\./)*(assets/kb\.[0-9a-f]{8}\.js)"')
    small_project.build()
    [old] = bundle.findall(small_project.page(entry))
    script = small_project.root / "docs" / "assets" / "kb-filter.js"
    script.write_text(script.read_text(encoding="utf-8") + "// 预览脚本合并测试\n", encoding="utf-8")
    small_project.build()
    [new] = bundle.findall(small_project.page(hand_written))  # always rebuilt
    assert new != old and bundle.findall(small_project.page(entry)) == [old]  # kept, not rendered
    data = (small_project.site / new).read_bytes()
    assert "// 预览脚本合并测试\n".encode() in data and (small_project.site / old).read_bytes() == data
    assert new == assets.bundle_name("js", data)
    assert not (small_project.site / "assets" / "kb-filter.js").exists()


@pytest.mark.slow
def test_preview_stops_on_an_invalid_entry_and_recovers_when_fixed(small_project, caplog):
    small_project.build()
    rel = "cases/minzu-tuanjie-shequ-2023.md"
    good = small_project.entry(rel).read_text(encoding="utf-8")
    small_project.edit(rel, "\nyear: 2023", "\nyear: 二〇二三")
    with pytest.raises(Abort):
        small_project.build()
    errors = [r.getMessage() for r in caplog.records if r.levelname == "ERROR"]
    assert any(m.startswith("data/cases/minzu-tuanjie-shequ-2023.md:") and ": year: " in m for m in errors), errors
    assert "民族团结" in small_project.page("cases/minzu-tuanjie-shequ-2023")  # the last good page is still served

    small_project.entry(rel).write_text(good.replace("\n---\n", "\n---\n\n改正后的一段。\n", 1), encoding="utf-8")
    small_project.build()
    assert "改正后的一段" in small_project.page("cases/minzu-tuanjie-shequ-2023")
    assert small_project.site_files() == small_project.full_build()


@pytest.mark.slow
def test_preview_links_an_article_reference_once_its_article_is_added(project):
    reg = "regulations/zongjiao-shiwu-tiaoli-2017.md"
    project.edit(reg, "自2018年2月1日起施行。", "自2018年2月1日起施行，第七十八条另有规定的除外。")
    project.entry("cases/zz-preview-cite.md").write_text(
        case("zz-preview-cite", "预览引用案例").lstrip("\n")
        + "\n依照《宗教事务条例》第三十六条、第七十八条办理，该条例第七十八条另有说明。\n", encoding="utf-8")
    project.build()
    cite = project.page("cases/zz-preview-cite")
    assert "#article-36" in cite and "#article-78" not in cite  # no such article yet: plain text
    assert 'href="#article-78"' not in project.page("regulations/zongjiao-shiwu-tiaoli-2017")

    project.edit(reg, "另有规定的除外。", "另有规定的除外。\n\n**第七十八条** 预览测试新增的条文。")
    project.build()
    cite = project.page("cases/zz-preview-cite")
    assert re.search(r'<a class="kb-cite kb-cite--article" href="../../regulations/zongjiao-shiwu-tiaoli-2017/'
                     r'#article-78"[^>]*>第七十八条</a>', cite)
    assert cite.count("#article-78") == 2  # the enumeration and 该条例第七十八条
    page = project.page("regulations/zongjiao-shiwu-tiaoli-2017")
    assert re.search(r'<a class="kb-cite kb-cite--article" href="#article-78"[^>]*>第七十八条</a>另有规定', page)
    assert re.search(r'href="#article-78">第七十八条</a> <span class="kb-excerpt">[^<]*</span> '
                     r'<span class="kb-cited-count"[^>]*>被引用 2 次', page)
    assert project.site_files() == project.full_build()


@pytest.mark.slow
def test_a_build_failing_after_writing_pages_does_not_leave_them_stale(small_project):
    small_project.build()
    rel = "cases/minzu-tuanjie-shequ-2023.md"
    good = small_project.entry(rel).read_text(encoding="utf-8")
    small_project.edit(rel, "title: ", "title: 失败构建中的标题")
    # A hand-written page linking to a missing anchor: strict mode aborts after all pages are written.
    broken = small_project.root / "docs" / "guide" / "broken.md"
    broken.write_text("# 临时页面\n\n[链接](entries.md#no-such-anchor)\n", encoding="utf-8")
    with pytest.raises(Abort):
        small_project.build()
    assert "失败构建中的标题" in small_project.page("cases/minzu-tuanjie-shequ-2023")  # written before the abort

    broken.unlink()
    small_project.entry(rel).write_text(good, encoding="utf-8")  # back to the last successful build's text
    small_project.build()
    assert "失败构建中的标题" not in small_project.page("cases/minzu-tuanjie-shequ-2023")
    assert small_project.site_files() == small_project.full_build()


def test_index_pages_are_raw_html_that_markdown_leaves_unchanged():
    """Every build skips Markdown for index pages (kb.site.rawhtml): valid only
    while Markdown, with the site's extensions, gives their HTML back unchanged."""
    config = load_config(config_file=str(ROOT / "mkdocs.yml"))
    gen = Generator(KnowledgeBase.load(ROOT))
    checked = 0
    for spec in gen.specs():
        src_uri = spec.uri
        if not spec.in_nav:
            continue
        text = gen.render(spec)
        head, _, body = text.partition("\n---\n")
        md = markdown.Markdown(extensions=config.markdown_extensions, extension_configs=config.mdx_configs)
        assert md.convert(body) == body.strip(), src_uri
        checked += 1
    assert checked > 20


# -- a real server and browser --------------------------------------------------------


def _search_files(site: Path) -> dict[str, bytes]:
    idx = site / "search" / "idx"
    return {p.relative_to(idx).as_posix(): p.read_bytes() for p in sorted(idx.rglob("*")) if p.is_file()}


@pytest.mark.slow
@pytest.mark.parametrize("writer", ["thread", "process"])
def test_preview_rewrites_the_search_index_when_its_entries_change(small_project, writer):
    """An entry turned restricted while kb serve runs leaves the search index at once; an edit shows in it.
    ``process``: the index written by a process of its own (as from 300 entries), not a thread."""
    if writer == "process":
        small_project.state.search = SearchWriter(process_from=0)
    rel = "cases/minzu-tuanjie-shequ-2023.md"
    marker = "预览搜索索引标记语"
    small_project.edit(rel, "\n## 背景\n", f"\n## 背景\n\n{marker}。\n")
    past = time.time() - 10  # not a file just written (kb.model.cache reads those again)
    os.utime(small_project.entry(rel), (past, past))
    small_project.build()
    assert any(marker.encode() in data for data in _search_files(small_project.site).values())

    small_project.edit(rel, "audience: internal", "audience: restricted")
    small_project.build()
    assert small_project.state.search_rewritten == "now"  # a hidden entry leaves the index before the reload
    index = _search_files(small_project.site)
    assert not any(marker.encode() in data or b"minzu-tuanjie-shequ-2023" in data for data in index.values())
    assert not (small_project.site / "cases" / "minzu-tuanjie-shequ-2023").exists()
    small_project.full_build()
    assert index == _search_files(small_project.full)  # the same index as a full build of the same data

    small_project.edit(rel, "audience: restricted", "audience: internal")
    small_project.edit(rel, marker, "改过的预览搜索标记")
    small_project.build()
    assert small_project.state.search_rewritten == "background"  # an edit: the reload does not wait for the index
    small_project.state.search.wait()
    index = _search_files(small_project.site)
    assert any("改过的预览搜索标记".encode() in data for data in index.values())
    assert not any(marker.encode() in data for data in index.values())
    assert not [p for p in small_project.site.parent.iterdir() if p.name.startswith(".kb-search-")]  # no leftovers

    past = time.time() - 10
    os.utime(small_project.entry(rel), (past, past))
    small_project.build()
    small_project.build()  # nothing changed: the index is not written again
    assert not small_project.state.search_rewritten
    worker = small_project.state.search.worker
    if writer == "process":
        assert worker is not None and worker.poll() is None and worker.pid != os.getpid()
        assert small_project.state.search._thread is None  # every write after the first: the process's
        small_project.state.search.close()
        assert worker.wait(timeout=10) == 0  # it ends with its input
    else:
        assert worker is None


@pytest.mark.slow
def test_preview_search_process_falls_back_to_a_thread(small_project, caplog):
    """The search index process dead, or failing a job (here: it reads the files after they were broken
    again), and the index is still written, from the build's own entries, in the server's process."""
    state = small_project.state
    state.search = SearchWriter(process_from=0)
    rel = "cases/minzu-tuanjie-shequ-2023.md"
    small_project.build()
    first = state.search.worker
    assert first is not None
    state.search.wait()

    small_project.edit(rel, "\n## 背景\n", "\n## 背景\n\n进程失败后的标记语。\n")
    small_project.build()
    state.search.wait()
    text = small_project.entry(rel).read_text(encoding="utf-8")
    small_project.entry(rel).write_text(text.replace("\nid: ", "\nid: [坏", 1), encoding="utf-8")
    job = state.search._latest[1]  # (the build's knowledge base, site, directory URLs), asked again
    with caplog.at_level("INFO", logger="mkdocs.hooks.kb.preview"):
        state.search.request(*job)
        state.search.wait()
    assert "搜索索引进程未能更新索引" in caplog.text
    assert any("进程失败后的标记语".encode() in data for data in _search_files(small_project.site).values())
    small_project.entry(rel).write_text(text, encoding="utf-8")

    first.kill()
    first.wait()
    small_project.edit(rel, "进程失败后的标记语", "进程死后的标记语")
    small_project.build()
    state.search.wait()
    assert state.search.worker is None  # gone: the thread writes
    assert any("进程死后的标记语".encode() in data for data in _search_files(small_project.site).values())


