"""kb publish: verified, atomic, reversible; a broken tree leaves DEST alone."""

from __future__ import annotations

import gzip
import hashlib
import io
import os
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

from canary import INTERNAL, RESTRICTED, find, plant
from conftest import SMALL, copy_project, run_kb
from kb.publish import release as pub
from kb.publish import verify
from kb.model.knowledge import KnowledgeBase

KB = [str(Path(sys.executable).parent / "kb")]
ENV = {"NO_MKDOCS_2_WARNING": "1", "PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin"}


def kb_publish(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([*KB, "publish", *args], cwd=cwd, capture_output=True, text=True, env=ENV)


def snapshot(d: Path) -> dict[str, bytes]:
    return {p.relative_to(d).as_posix(): p.read_bytes() for p in sorted(d.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    p = copy_project(tmp_path_factory.mktemp("pub") / "p", keep=SMALL)  # what is published does not matter
    plant(p)
    return p


@pytest.fixture(scope="module")
def published(project, tmp_path_factory):
    """Two publishes of the project into one DEST (public, then default)."""
    root = tmp_path_factory.mktemp("www")
    dest = root / "kb"
    first = kb_publish(str(dest), "--audience", "public", cwd=project)
    assert first.returncode == 0, first.stderr
    first_target = os.readlink(dest)
    second = kb_publish(str(dest), cwd=project)
    assert second.returncode == 0, second.stderr
    return dest, first_target, first, second


@pytest.mark.slow
def test_publish_swaps_a_symlink_and_keeps_the_previous_release(published):
    dest, first_target, first, second = published
    assert dest.is_symlink() and (dest / "index.html").is_file()
    assert os.readlink(dest) != first_target
    assert "已发布到" in second.stdout
    # The public release really is public, the second one holds internal entries.
    assert find(dest.parent / first_target, INTERNAL + RESTRICTED) == {}
    assert sorted(find(dest, INTERNAL + RESTRICTED)) == sorted(INTERNAL)


@pytest.mark.slow
def test_archive_and_checksum(published):
    dest, *_ = published
    release = Path(os.path.realpath(dest)).parent
    archive = release / "site.tar.gz"
    line = (release / "site.tar.gz.sha256").read_text(encoding="utf-8")
    digest, name = line.split()
    assert name == "site.tar.gz" and digest == hashlib.sha256(archive.read_bytes()).hexdigest()
    assert subprocess.run(["sha256sum", "-c", "site.tar.gz.sha256"], cwd=release, capture_output=True).returncode == 0
    raw = archive.read_bytes()
    assert raw[4:8] == b"\0\0\0\0"  # gzip header without a time stamp
    with tarfile.open(fileobj=io.BytesIO(gzip.decompress(raw))) as tar:
        members = tar.getmembers()
        assert all(m.mtime == 0 and m.uid == 0 and m.uname == "" for m in members)
        files = {m.name[len("site/"):]: tar.extractfile(m).read() for m in members if m.isfile()}
    assert files == snapshot(dest)


@pytest.mark.slow
def test_archive_is_reproducible(tmp_path, published):
    dest, *_ = published
    a, b = tmp_path / "a.tar.gz", tmp_path / "b.tar.gz"
    assert pub.write_archive(Path(os.path.realpath(dest)), a) == pub.write_archive(Path(os.path.realpath(dest)), b)


@pytest.mark.slow
def test_rollback_and_forward_again(published):
    dest, first_target, *_ = published
    current = os.readlink(dest)
    r = run_kb(["publish", "--rollback", dest], dest.parent)  # in process: kb publish is run as a command above
    assert r.returncode == 0, r.stderr
    assert os.readlink(dest) == first_target and "已回滚" in r.stdout
    r = run_kb(["publish", "--rollback", dest], dest.parent)  # in process: kb publish is run as a command above
    assert r.returncode == 0 and os.readlink(dest) == current


@pytest.mark.slow
def test_broken_tree_leaves_dest_untouched(project, published, tmp_path):
    dest, *_ = published
    before_link, before = os.readlink(dest), snapshot(dest)
    releases_before = sorted(p.name for p in pub.releases_dir(dest).iterdir())
    broken = tmp_path / "broken"
    import shutil
    shutil.copytree(project, broken, symlinks=True)
    (broken / "data" / "cases" / "zq-pub-case.md").write_text("---\nid: zq-pub-case\ntype: case\n---\n", encoding="utf-8")
    r = kb_publish(str(dest), cwd=broken)
    assert r.returncode == 1
    assert "构建失败" in r.stderr and "zq-pub-case.md" in r.stderr and "Traceback" not in r.stderr
    assert os.readlink(dest) == before_link and snapshot(dest) == before
    assert sorted(p.name for p in pub.releases_dir(dest).iterdir()) == releases_before  # no leftover build


@pytest.mark.slow
def test_failed_verification_leaves_dest_untouched(project, tmp_path, monkeypatch):
    """A build that passes MkDocs but leaks (here: a hand-written page naming a hidden entry)."""
    import shutil
    leaky = tmp_path / "leaky"
    shutil.copytree(project, leaky, symlinks=True)
    (leaky / "docs" / "guide" / "index.md").write_text(
        "# 使用指南\n\n另见内部测试条例zqinttitle。\n", encoding="utf-8")
    dest = tmp_path / "site"
    dest.mkdir()
    (dest / "index.html").write_text("旧网站", encoding="utf-8")
    r = kb_publish(str(dest), "--audience", "public", cwd=leaky)
    assert r.returncode == 1, r.stdout
    assert "校验发现" in r.stderr and "guide/index.html: 含有超出可见范围（public）的条目内容“内部测试条例zqinttitle”" in r.stderr
    assert not dest.is_symlink() and (dest / "index.html").read_text(encoding="utf-8") == "旧网站"


@pytest.mark.slow
def test_plain_directory_dest_is_kept_as_earlier_release(project, tmp_path):
    dest = tmp_path / "site"
    dest.mkdir()
    (dest / "index.html").write_text("旧网站", encoding="utf-8")
    (dest / "manual.pdf").write_bytes(b"%PDF old")
    r = kb_publish(str(dest), cwd=project)
    assert r.returncode == 0, r.stderr
    assert dest.is_symlink()
    earlier = pub.releases_dir(dest) / pub.EARLIER / "site"
    assert (earlier / "manual.pdf").read_bytes() == b"%PDF old"
    r = run_kb(["publish", "--rollback", dest], dest.parent)  # in process: kb publish is run as a command above
    assert r.returncode == 0, r.stderr
    assert (dest / "index.html").read_text(encoding="utf-8") == "旧网站"


def test_rollback_without_history_is_a_clear_error(tmp_path):
    r = run_kb(["publish", "--rollback", tmp_path / "nothing"], tmp_path)
    assert r.returncode == 1 and "无法回滚" in r.stderr and "Traceback" not in r.stderr


# -- verify on its own ---------------------------------------------------------------


@pytest.mark.slow
def test_verify_finds_broken_links_anchors_empty_pages_and_outside_resources(published, tmp_path):
    dest, *_ = published
    import shutil
    site = tmp_path / "s"
    shutil.copytree(os.path.realpath(dest), site)
    page = site / "regulations" / "index.html"
    text = page.read_text(encoding="utf-8")
    text = text.replace("</article>", '<a href="../nowhere/">x</a><a href="../areas/religion/#no-such-anchor">y</a>'
                        '<img src="https://cdn.example.org/x.png"></article>', 1)
    page.write_text(text, encoding="utf-8")
    empty = site / "years" / "index.html"
    t = empty.read_text(encoding="utf-8")
    start, end = t.index("<article"), t.index("</article>")
    empty.write_text(t[:t.index(">", start) + 1] + "\n" + t[end:], encoding="utf-8")
    report = verify.Report(audience="internal")
    verify.check_links(site, report)
    joined = "\n".join(report.errors)
    assert "regulations/index.html: 链接 ../nowhere/ 的目标不存在" in joined
    assert "#no-such-anchor" in joined
    assert "站外资源 https://cdn.example.org/x.png" in joined
    assert "years/index.html: 页面为空" in joined
    assert len(report.errors) == 4, joined


def test_canary_needles_skip_titles_a_visible_entry_cites(project):
    kb = KnowledgeBase.load(project, audience="public")
    needles = verify.needles(kb)
    assert "cases/zq-res-case/" in needles and "受限测试办法zqrestitle" in needles
    assert "内部测试条例zqinttitle" in needles  # hidden and cited only by a hidden case
    visible_titles = {e.title for e in kb.entries}
    assert not visible_titles & set(needles)
