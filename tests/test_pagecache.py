"""The persistent build cache (kb.engine.pagecache): a build that reuses it
gives the same bytes as a build without it, after every kind of change.

One project copy; each step changes it, builds with the cache (warm: the
cache holds the previous step's pages) and with ``KB_NO_CACHE=1`` (cold), and
compares the two sites file by file. The warm build must have reused pages
(else the comparison proves nothing) and rendered the changed ones again.
"""

from __future__ import annotations

import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from canary import tree_files
from conftest import copy_project

from kb.engine import cachedir, pagecache
from kb.engine.pagekeys import Digests, Unstable

pytestmark = pytest.mark.slow

CASE = "data/cases/minzu-tuanjie-shequ-2023.md"
REPORT = "data/reports/moushi-tongzhanbu-2022-niandu.md"
REUSED = re.compile(r"构建缓存：沿用 (\d+) 个页面，新生成 (\d+) 个")
MARKDOWN_READ = re.compile(r"从缓存读取 (\d+) 个页面的 Markdown")


def start(project: Path, site: Path, cache: bool, env: dict[str, str] | None = None) -> subprocess.Popen:
    """``mkdocs build --strict`` started (``KB_NO_CACHE=1`` unless ``cache``)."""
    full_env = {"NO_MKDOCS_2_WARNING": "1", "PATH": "/usr/bin:/bin", **(env or {})}
    if not cache:
        full_env["KB_NO_CACHE"] = "1"
    return subprocess.Popen([sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)],
                            cwd=project, env=full_env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


LOGS: dict[int, str] = {}  # pid of a build -> what it logged


def finish(proc: subprocess.Popen, cache: bool) -> tuple[int, int]:
    """(pages reused, pages rendered) as the build logged them (0, 0 without the cache)."""
    _, stderr = proc.communicate(timeout=600)
    LOGS[proc.pid] = stderr
    problems = [ln for ln in stderr.splitlines() if not ln.startswith(("DEBUG", "INFO"))]
    assert proc.returncode == 0, "\n".join(problems[-30:])
    m = REUSED.search(stderr)
    assert (m is not None) == cache, stderr[-2000:]
    return (int(m.group(1)), int(m.group(2))) if m else (0, 0)


def build(project: Path, site: Path, cache: bool, env: dict[str, str] | None = None) -> tuple[int, int]:
    return finish(start(project, site, cache, env), cache)


def same_site(a: Path, b: Path) -> None:
    fa, fb = tree_files(a), tree_files(b)
    assert sorted(fa) == sorted(fb)
    differ = [p for p in sorted(fa) if (a / p).read_bytes() != (b / p).read_bytes()]
    assert differ == [], f"warm and cold builds differ in {differ[:10]}"


THEME = '{% extends "base.html" %}\n{% block announce %}TEXT{% endblock %}\n'


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    project = copy_project(tmp_path_factory.mktemp("pagecache") / "p")
    (project / "overrides").mkdir()  # a theme template of the project's own (changed below)
    (project / "overrides" / "main.html").write_text(THEME.replace("TEXT", "缓存测试"), encoding="utf-8")
    config = project / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8").replace("  name: material\n",
                                                                 "  name: material\n  custom_dir: overrides\n"),
                      encoding="utf-8")
    build(project, project.parent / "first", cache=True)  # cold (empty cache): fills the cache
    return project


def step(project: Path, name: str, env: dict[str, str] | None = None) -> tuple[int, int]:
    out = project.parent / name
    warm, cold = start(project, out / "warm", True, env), start(project, out / "cold", False, env)  # both cores
    reused, rendered = finish(warm, True)
    finish(cold, False)
    same_site(out / "warm", out / "cold")
    return reused, rendered


def test_cache_lives_in_the_project_and_is_ignored_by_git(project: Path) -> None:
    db = project / ".cache" / "kb" / pagecache.DB_NAME
    assert db.is_file()
    assert (project / ".cache" / ".gitignore").read_text() == "*\n"
    rows = sqlite3.connect(db).execute("SELECT count(*) FROM pages").fetchone()[0]
    assert rows > 27  # every generated page, and the Markdown of those that declare what they show


def test_unchanged_project_reuses_every_generated_page(project: Path) -> None:
    proc = start(project, project.parent / "same", cache=True)
    reused, rendered = finish(proc, cache=True)
    assert reused > 40 and rendered == 0
    # Pages stored whole: not even their stored Markdown is read (kb.engine.lazypage).
    assert MARKDOWN_READ.search(LOGS[proc.pid]).group(1) == "0"
    same_site(project.parent / "same", project.parent / "first")


def test_edit_and_add_entries(project: Path) -> None:
    case = project / CASE
    case.write_text(case.read_text(encoding="utf-8") + "\n缓存测试追加的一段。\n", encoding="utf-8")
    text = case.read_text(encoding="utf-8").replace("minzu-tuanjie-shequ-2023", "minzu-tuanjie-xin-2024")
    (project / "data/cases/minzu-tuanjie-xin-2024.md").write_text(text.replace("year: 2023", "year: 2024"),
                                                                   encoding="utf-8")
    # A report's section changed: its 各单位对照 texts are made again, the other reports' reused.
    report = project / REPORT
    report.write_text(report.read_text(encoding="utf-8") + "\n缓存测试追加到报告最后一段。\n", encoding="utf-8")
    reused, rendered = step(project, "edit-add")
    assert reused > 40
    assert 3 <= rendered < 30  # the three entries and the listings showing them


def test_delete_and_rename_entries(project: Path) -> None:
    (project / "data/cases/minzu-tuanjie-xin-2024.md").unlink()
    old = project / "data/cases/qiaojie-yunshang-lianyi-2025.md"
    text = old.read_text(encoding="utf-8").replace("qiaojie-yunshang-lianyi-2025", "qiaojie-lianyi-2025")
    (project / "data/cases/qiaojie-lianyi-2025.md").write_text(text, encoding="utf-8")
    old.unlink()
    reused, rendered = step(project, "delete-rename")
    assert reused > 40 and rendered >= 1


def test_theme_template_change(project: Path) -> None:
    (project / "overrides" / "main.html").write_text(THEME.replace("TEXT", "改过"), encoding="utf-8")
    reused, rendered = step(project, "template")
    assert reused == 0 and rendered > 40  # every page shows the announcement


def test_stylesheet_change_renames_the_bundle_every_page_names(project: Path) -> None:
    """A source of the style sheet bundle (kb.site.assets) changed: a bundle of another name, and
    every page names it, from the cache as without it."""
    def bundles(site: Path) -> list[str]:
        return sorted(p.name for p in (site / "assets").glob("kb.*.css"))

    [before] = bundles(project.parent / "template" / "warm")
    law = project / "docs" / "assets" / "kb-law.css"
    law.write_text(law.read_text(encoding="utf-8") + ".kb-cache-test { color: red; }\n", encoding="utf-8")
    reused, rendered = step(project, "stylesheet")
    assert reused == 0 and rendered > 40
    site = project.parent / "stylesheet" / "warm"
    [after] = bundles(site)
    assert after != before and b".kb-cache-test { color: red; }" in (site / "assets" / after).read_bytes()
    assert not (site / "assets" / "kb-law.css").exists()
    page = (site / "regulations" / "index.html").read_text(encoding="utf-8")
    assert f'href="../assets/{after}"' in page and before not in page


def test_setting_and_audience_change(project: Path) -> None:
    config = project / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8").replace("    feed_size: 50", "    feed_size: 5"),
                      encoding="utf-8")
    # One step for both (each build costs a few seconds): the cache must see either change.
    reused, rendered = step(project, "audience", env={"KB_AUDIENCE": "public"})
    assert rendered > 0


def test_damaged_cache_is_rebuilt(project: Path) -> None:
    cold = project.parent / "audience" / "cold"  # the last step's cold build: the same project and settings
    env = {"KB_AUDIENCE": "public"}
    db = project / ".cache" / "kb" / pagecache.DB_NAME
    # Stored pages (and Markdown) damaged, the small records of their Markdown's digest not: pages
    # are handed to MkDocs without Markdown (kb.engine.lazypage), which is made when the stored page fails.
    con = sqlite3.connect(db)
    assert con.execute("UPDATE pages SET data = x'00' || data WHERE length(data) > 200").rowcount > 20
    con.commit()
    con.close()
    reused, rendered = build(project, project.parent / "after-page-damage", cache=True, env=env)
    assert rendered > 20
    same_site(project.parent / "after-page-damage", cold)
    build(project, project.parent / "refill", cache=True, env=env)  # a damaged store was dropped: filled again
    con = sqlite3.connect(db)
    con.execute("UPDATE pages SET data = x'00' || data")  # every stored record fails its digest
    con.commit()
    con.close()
    reused, rendered = build(project, project.parent / "after-damage", cache=True, env=env)
    assert reused == 0 and rendered > 20
    same_site(project.parent / "after-damage", cold)
    db.write_bytes(b"not a database")
    (project / ".cache" / "kb" / "entries.pickle").write_bytes(b"garbage")
    reused, _ = build(project, project.parent / "after-garbage", cache=True, env=env)
    assert reused == 0
    same_site(project.parent / "after-garbage", cold)


def test_disabled_by_environment() -> None:
    assert cachedir.disabled({"KB_NO_CACHE": "1"})
    assert not cachedir.disabled({"KB_NO_CACHE": "0"})
    assert not cachedir.disabled({})


def test_depends_digests_are_stable_and_refuse_unknown_objects() -> None:
    d = Digests()
    assert d.of(("a", 1, [2, {"k": None}])) == Digests().of(("a", 1, [2, {"k": None}]))
    assert d.of(("a", 1)) != d.of(("a", 2))
    with pytest.raises(Unstable):
        d.of((object(),))


def test_memo_keeps_results_between_builds(tmp_path: Path) -> None:
    """``PageCache.memo`` (e.g. the 各单位对照 texts of each report): a later build with the
    same digest of ``depends`` gets the stored result without producing it; another build key
    or other ``depends``, the result is produced again."""
    calls: list[str] = []

    def build(key: bytes, values: list[str]) -> list[str]:
        cache = pagecache.PageCache(tmp_path, config=None)
        cache.start(key, [])
        out = [cache.memo("group", ("v", v), lambda v=v: calls.append(v) or v.upper()) for v in values]
        cache.finish()
        return out

    assert build(b"k1", ["a", "b"]) == ["A", "B"] and calls == ["a", "b"]
    assert build(b"k1", ["a", "b", "c"]) == ["A", "B", "C"] and calls == ["a", "b", "c"]
    assert build(b"k1", ["b", "c"]) == ["B", "C"] and calls == ["a", "b", "c"]
    assert build(b"k2", ["b"]) == ["B"] and calls == ["a", "b", "c", "b"]
