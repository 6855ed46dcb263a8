"""kb.engine.outdir: the output kept from one build to the next, a page holding its bytes already
not written again, every file the build did not write (or keep) removed; the site equals one
built into an emptied directory. kb.source.sync: a folder brought to hold exactly some files."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from mkdocs.utils import clean_directory

from canary import tree_files
from conftest import copy_project
from kb.engine.outdir import Keeper
from kb.source.sync import write_tree


def dirs_of(site: Path) -> set[str]:
    return {p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_dir() and not p.is_symlink()}


def old_output(site: Path, outside: Path) -> None:
    (site / "a/b/c").mkdir(parents=True)
    (site / "a/b/c/index.html").write_text("旧页面")
    (site / "a/b/.hidden").write_text("隐藏文件")
    (site / "a/gone/deeper").mkdir(parents=True)
    (site / "a/gone/deeper/x.html").write_text("删掉的条目")
    (site / "top.html").write_text("顶层文件")
    (site / ".git/objects").mkdir(parents=True)  # hidden at the top: MkDocs leaves it alone
    (site / ".git/objects/keep").write_text("发布分支")
    (site / ".git/empty").mkdir()
    outside.mkdir()
    (outside / "elsewhere.txt").write_text("站点以外的文件")
    (site / "a/link").symlink_to(outside, target_is_directory=True)


def test_what_the_build_does_not_write_goes_and_the_site_ends_as_after_mkdocs_cleaning(tmp_path: Path) -> None:
    site = tmp_path / "site"
    old_output(site, tmp_path / "outside")
    keeper = Keeper.start(site)
    assert keeper is not None
    # Moved aside: MkDocs' cleaning finds only the top-level file.
    assert sorted(p.name for p in site.iterdir()) == [".git", "top.html"]
    stash = [p for p in tmp_path.iterdir() if p.name.startswith(".site.kb-keep-")]
    assert len(stash) == 1 and (stash[0] / "a/b/c/index.html").is_file()
    clean_directory(str(site))
    keeper.restore()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".site.kb-keep-")]
    assert (site / "a/b/c/index.html").read_text() == "旧页面"  # kept until the build says
    assert not (site / "a/link").exists()  # a link is removed, never followed
    assert (tmp_path / "outside/elsewhere.txt").read_text() == "站点以外的文件"
    # This build writes a page in a kept folder and one in a new folder.
    (site / "a/b/c/index.html").write_text("新页面")
    (site / "n/m").mkdir(parents=True)
    (site / "n/m/index.html").write_text("新条目")
    keeper.finish()

    # The same writes into a directory MkDocs emptied itself.
    ref = tmp_path / "ref"
    old_output(ref, tmp_path / "outside2")
    clean_directory(str(ref))
    for rel, text in (("a/b/c/index.html", "新页面"), ("n/m/index.html", "新条目")):
        (ref / rel).parent.mkdir(parents=True, exist_ok=True)
        (ref / rel).write_text(text)
    assert tree_files(site) == tree_files(ref)
    assert dirs_of(site) == dirs_of(ref)  # folders this build left empty are gone (.git's kept)


def test_a_file_holding_the_bytes_already_is_kept_unwritten(tmp_path: Path) -> None:
    site = tmp_path / "site"
    old_output(site, tmp_path / "outside")
    page = site / "a/b/c/index.html"
    before = page.stat()
    keeper = Keeper.start(site)
    assert keeper is not None
    clean_directory(str(site))
    keeper.restore()
    assert not keeper.same(str(page), "新页面".encode())  # other bytes: MkDocs writes it
    assert not keeper.same(str(site / "a/none.html"), b"")  # not in the old output
    assert keeper.same(str(page), "旧页面".encode())
    keeper.finish()
    after = page.stat()
    assert page.read_text() == "旧页面" and (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
    assert not (site / "a/gone").exists() and not (site / "top.html").exists()


def test_a_hard_linked_file_is_never_written_through(tmp_path: Path) -> None:
    site = tmp_path / "site"
    old_output(site, tmp_path / "outside")
    published = tmp_path / "published.html"
    os.link(site / "a/b/c/index.html", published)  # e.g. a copy kept by hard link
    keeper = Keeper.start(site)
    clean_directory(str(site))
    keeper.restore()
    assert not (site / "a/b/c/index.html").exists()  # removed at the start, as MkDocs would
    assert not keeper.same(str(site / "a/b/c/index.html"), "旧页面".encode())
    (site / "a/b/c/index.html").write_text("新页面")
    keeper.finish()
    assert published.read_text() == "旧页面"
    assert (site / "a/b/c/index.html").read_text() == "新页面"


def test_write_tree_writes_only_what_changed(tmp_path: Path) -> None:
    root = tmp_path / "idx"
    write_tree(root, {"t/0.bin": b"zero", "t/1.bin": b"one", "old/x.bin": b"x", "meta.json": b"{}"})
    kept = (root / "t/0.bin").stat()
    (root / "stray").mkdir()
    (root / "stray/leftover.bin").write_bytes(b"?")
    os.symlink(tmp_path, root / "t/link")
    written = write_tree(root, {"t/0.bin": b"zero", "t/1.bin": b"ONE", "meta.json": b"{}", "n/2.bin": b"two"})
    assert written == 2
    files = {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}
    assert files == {"t/0.bin": b"zero", "t/1.bin": b"ONE", "meta.json": b"{}", "n/2.bin": b"two"}
    assert (root / "t/0.bin").stat().st_ino == kept.st_ino and (root / "t/0.bin").stat().st_mtime_ns == kept.st_mtime_ns
    assert not (root / "old").exists() and not (root / "stray").exists() and not (root / "t/link").is_symlink()
    # A file where a folder now goes, a folder where a file now goes.
    write_tree(root, {"meta.json/inner": b"folder now", "t": b"file now"})
    files = {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}
    assert files == {"meta.json/inner": b"folder now", "t": b"file now"}
    assert write_tree(root, {"a": b"1"}) == 1 and sorted(p.name for p in root.iterdir()) == ["a"]
    assert tmp_path.is_dir() and (tmp_path / "idx").is_dir()  # the link was removed, never followed


def test_a_build_stopped_half_way_leaves_nothing_the_next_one_keeps(tmp_path: Path) -> None:
    site = tmp_path / "site"
    old_output(site, tmp_path / "outside")
    Keeper.start(site)  # the build stops here: folders are in the hidden sibling
    assert [p for p in tmp_path.iterdir() if p.name.startswith(".site.kb-keep-")]
    (site / "a").mkdir()
    (site / "a/p.html").write_text("x")
    keeper = Keeper.start(site)
    assert keeper is not None and [p.name for p in tmp_path.iterdir() if p.name.startswith(".site.kb-keep-")] == [
        keeper.stash.name]
    keeper.finish()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".site.kb-keep-")]
    assert not (site / "a").exists()


def test_nothing_to_keep(tmp_path: Path) -> None:
    assert Keeper.start(tmp_path / "missing") is None
    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "only.html").write_text("x")
    assert Keeper.start(tmp_path / "site") is None


@pytest.mark.slow
def test_rebuild_into_the_same_directory_equals_a_build_into_an_empty_one(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "p")
    env = {"NO_MKDOCS_2_WARNING": "1", "PATH": "/usr/bin:/bin", "KB_JOBS": "1"}

    def build(site: Path) -> str:
        ran = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)],
                             cwd=project, env=env, capture_output=True, text=True, timeout=600)
        assert ran.returncode == 0, ran.stderr[-2000:]
        return ran.stderr

    site = tmp_path / "site"
    build(site)
    case = next((project / "data/cases").glob("*.md"))
    page = site / "cases" / case.stem / "index.html"
    assert page.is_file()
    case.unlink()  # its page and folder must go
    (site / "leftover").mkdir()
    (site / "leftover/old.html").write_text("上次以外的文件")
    tampered = site / "guide" / "index.html"
    tampered.write_text("手工改过的输出")  # written again: the site holds only what the build gives
    # Pages, 各单位对照 JSON, search index shards: a write changes the change time, even in place.
    before = {p: (p.read_bytes(), p.stat().st_ctime_ns) for p in site.rglob("*")
              if p.is_file() and p != tampered and p.parent != site and p.suffix in (".html", ".json", ".bin")}
    log = build(site)
    assert not page.exists() and not page.parent.exists() and not (site / "leftover").exists()
    assert "Page skipped" not in log
    same = [p for p, (data, _) in before.items() if p.is_file() and p.read_bytes() == data]
    assert len(same) > len(before) // 2  # most pages did not change ...
    assert len([p for p in same if "units" in p.parts]) > 5 and len([p for p in same if "idx" in p.parts]) > 5
    assert [p for p in same if p.stat().st_ctime_ns != before[p][1]] == []  # ... nor were written
    # A generated page (a cache hit next time) changed in place, same size, its time put back.
    other = next(p for p in (site / "cases").glob("*/index.html"))
    original, st = other.read_bytes(), other.stat()
    other.write_bytes(b"x" * st.st_size)
    os.utime(other, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert "新生成 0 个" in build(site)
    assert other.read_bytes() == original
    build(tmp_path / "fresh")
    assert tree_files(site) == tree_files(tmp_path / "fresh")
    assert dirs_of(site) == dirs_of(tmp_path / "fresh")
    assert not [p for p in tmp_path.iterdir() if ".kb-keep-" in p.name]


def test_only_a_build_known_not_to_be_dirty_keeps_folders(tmp_path: Path) -> None:
    from types import SimpleNamespace

    from kb.engine.session import BuildSession

    site = tmp_path / "site"
    old_output(site, tmp_path / "outside")
    config = SimpleNamespace(site_dir=str(site))
    for session in (BuildSession.start(dirty=True), BuildSession()):  # --dirty; no on_startup: not known
        session.pre_build(config)
        assert session.kept_dirs is None and (site / "a/b/c/index.html").is_file()
    session = BuildSession.start(dirty=False)
    session.pre_build(config)
    assert session.kept_dirs is not None and not (site / "a").exists()
    session.kept_dirs.finish()


def test_a_folder_the_build_replaces_whole_is_left_to_it(tmp_path: Path) -> None:
    site = tmp_path / "site"
    old_output(site, tmp_path / "outside")
    (site / "search/idx/t").mkdir(parents=True)
    (site / "search/idx/t/0.bin").write_bytes(b"old shard")
    (site / "search/index.html").write_text("搜索页")
    keeper = Keeper.start(site, replaced=("search/idx",))
    clean_directory(str(site))
    keeper.restore()
    keeper.finish()  # this build wrote neither page
    assert not (site / "search/index.html").exists() and not (site / "a/b/c/index.html").exists()
    assert (site / "search/idx/t/0.bin").read_bytes() == b"old shard"  # its writer brings it up to date


def test_write_tree_knows_the_files_it_left(tmp_path: Path, monkeypatch) -> None:
    from kb.source import sync

    root = tmp_path / "idx"
    files = {f"t/{i}.bin": bytes([i]) * 100 for i in range(20)}
    noted: dict = {}
    assert write_tree(root, files, noted=noted) == 20 and len(noted) == 20
    tampered = root / "t/3.bin"
    st = tampered.stat()
    tampered.write_bytes(b"x" * 100)  # changed in place, same size, its time put back
    os.utime(tampered, ns=(st.st_atime_ns, st.st_mtime_ns))
    compared = []
    real = sync.same_file
    monkeypatch.setattr(sync, "same_file", lambda path, data: compared.append(path) or real(path, data))
    again: dict = {}
    assert write_tree(root, {**files, "t/19.bin": b"new"}, known=noted, noted=again) == 2
    assert sorted(os.path.basename(p) for p in compared) == ["19.bin", "3.bin"]  # the others not even read
    assert tampered.read_bytes() == bytes([3]) * 100 and (root / "t/19.bin").read_bytes() == b"new"
    assert set(again) == set(noted) and again[str(root / "t/0.bin")] == noted[str(root / "t/0.bin")]
