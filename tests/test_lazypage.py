"""kb.engine.lazypage: a generated page whose Markdown is made only when MkDocs reads it."""

from __future__ import annotations

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File, InclusionLevel

from kb.engine.lazypage import LazyPage


def config(tmp_path) -> MkDocsConfig:
    cfg = MkDocsConfig()
    cfg.load_dict({"site_name": "测试", "docs_dir": str(tmp_path / "docs"), "site_dir": str(tmp_path / "site")})
    (tmp_path / "docs").mkdir()
    assert cfg.validate() == ([], [])
    cfg.plugins._current_plugin = None  # as MkDocs' File.generated expects
    return cfg


def test_content_made_once_on_first_read(tmp_path) -> None:
    calls = []

    def make() -> str:
        calls.append(1)
        return "# 标题\n\n正文"

    f = LazyPage.later(config(tmp_path), "reports/r1.md", make, inclusion=InclusionLevel.NOT_IN_NAV)
    assert calls == [] and not f.made
    assert isinstance(f, File) and f.is_documentation_page() and f.dest_uri == "reports/r1/index.html"
    assert f.inclusion == InclusionLevel.NOT_IN_NAV
    assert f.content_string == "# 标题\n\n正文"
    assert f.content_bytes == "# 标题\n\n正文".encode()
    assert calls == [1] and f.made


def test_content_set_before_reading_replaces_the_maker(tmp_path) -> None:
    f = LazyPage.later(config(tmp_path), "a.md", lambda: (_ for _ in ()).throw(AssertionError("made")))
    f.content_string = "别的内容"
    assert f.content_string == "别的内容"


def test_page_reads_it_through_mkdocs(tmp_path) -> None:
    from mkdocs.structure.pages import Page

    cfg = config(tmp_path)
    f = LazyPage.later(cfg, "a.md", lambda: "---\ntitle: 甲\n---\n\n正文一段\n")
    page = Page(None, f, cfg)
    page.read_source(cfg)
    assert page.meta == {"title": "甲"} and page.markdown.strip() == "正文一段"
    assert page.title == "甲"
    assert f.made
