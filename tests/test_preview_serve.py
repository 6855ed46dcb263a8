"""The live preview server (kb serve) run as a process: a saved change in the open page, data errors, ports."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import SMALL, copy_project


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.slow
@pytest.mark.browser
def test_kb_serve_shows_a_saved_change_in_the_open_page(tmp_path, browser):
    root = copy_project(tmp_path / "p", keep=SMALL)
    port = _free_port()
    log = (tmp_path / "serve.log").open("w+", encoding="utf-8")
    proc = subprocess.Popen(
        [str(Path(sys.executable).parent / "kb"), "serve", "--root", str(root), "--dev-addr", f"127.0.0.1:{port}"],
        stdout=log, stderr=subprocess.STDOUT, env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )
    try:
        deadline = time.monotonic() + 120
        while "Serving on" not in Path(log.name).read_text(encoding="utf-8"):
            assert proc.poll() is None, Path(log.name).read_text(encoding="utf-8")
            assert time.monotonic() < deadline, "kb serve did not start"
            time.sleep(0.2)
        page = browser.new_page()
        page.goto(f"http://127.0.0.1:{port}/cases/minzu-tuanjie-shequ-2023/")
        entry = root / "data" / "cases" / "minzu-tuanjie-shequ-2023.md"
        text = entry.read_text(encoding="utf-8")
        title = re.search(r"(?m)^title: (.*)$", text).group(1)
        assert title in page.inner_text("h1")

        entry.write_text(text.replace(f"title: {title}", "title: 浏览器预览测试标题", 1), encoding="utf-8")
        page.wait_for_function("document.querySelector('h1')?.innerText.includes('浏览器预览测试标题')",
                               timeout=60_000)

        entry.write_text(text.replace("\nyear: 2023", "\nyear: 二〇二三", 1), encoding="utf-8")
        deadline = time.monotonic() + 60
        while "data/cases/minzu-tuanjie-shequ-2023.md:" not in Path(log.name).read_text(encoding="utf-8"):
            assert time.monotonic() < deadline, Path(log.name).read_text(encoding="utf-8")
            time.sleep(0.2)
        # The open page turns into the error page (with the path:line list), and back once fixed.
        page.wait_for_function("document.querySelector('h1')?.innerText.includes('生成失败')", timeout=60_000)
        assert "data/cases/minzu-tuanjie-shequ-2023.md:6: year:" in page.inner_text("body")
        entry.write_text(text.replace(f"title: {title}", "title: 改正后的预览标题", 1), encoding="utf-8")
        page.wait_for_function("document.querySelector('h1')?.innerText.includes('改正后的预览标题')",
                               timeout=60_000)
        page.close()
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        log.close()


def test_kb_serve_refuses_to_start_on_invalid_data(tmp_path):
    root = copy_project(tmp_path / "p", keep=SMALL)
    entry = root / "data" / "cases" / "minzu-tuanjie-shequ-2023.md"
    entry.write_text(entry.read_text(encoding="utf-8").replace("\nyear: 2023", "\nyear: 二〇二三", 1), encoding="utf-8")
    result = subprocess.run(
        [str(Path(sys.executable).parent / "kb"), "serve", "--root", str(root), "--dev-addr", f"127.0.0.1:{_free_port()}"],
        capture_output=True, text=True, timeout=120, env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )
    assert result.returncode == 1
    assert "data/cases/minzu-tuanjie-shequ-2023.md:6: year:" in result.stderr
    assert "预览无法启动" in result.stderr
    assert "Traceback" not in result.stderr


def _get(url: str, timeout: float = 15) -> tuple[int, str]:
    import urllib.error
    import urllib.request

    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:
            return r.status, r.read().decode("utf-8")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode("utf-8")


def _wait_for(check, what: str, log: Path, timeout: float = 60):
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        assert time.monotonic() < deadline, f"{what}:\n{log.read_text(encoding='utf-8')}"
        time.sleep(0.2)


@pytest.mark.slow
def test_kb_serve_shows_a_data_error_page_and_recovers(tmp_path):
    """A data error: every page request gets a Chinese error page with the path:line list (no
    request hangs), carrying the live-reload script; fixing the data brings the site back."""
    root = copy_project(tmp_path / "p", keep=SMALL)
    port = _free_port()
    log = tmp_path / "serve.log"
    out = log.open("w", encoding="utf-8")
    proc = subprocess.Popen(
        [str(Path(sys.executable).parent / "kb"), "serve", "--root", str(root), "--dev-addr", f"127.0.0.1:{port}"],
        stdout=out, stderr=subprocess.STDOUT, env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )
    url = f"http://127.0.0.1:{port}/cases/minzu-tuanjie-shequ-2023/"
    entry = root / "data" / "cases" / "minzu-tuanjie-shequ-2023.md"
    text = entry.read_text(encoding="utf-8")
    try:
        _wait_for(lambda: "Serving on" in log.read_text(encoding="utf-8") or proc.poll() is not None, "start", log)
        assert proc.poll() is None, log.read_text(encoding="utf-8")
        assert _get(url)[0] == 200

        entry.write_text(text.replace("\nyear: 2023", "\nyear: 二〇二三", 1), encoding="utf-8")
        status, page = _wait_for(lambda: r if "预览：生成失败" in (r := _get(url))[1] else None, "no error page", log)
        assert "data/cases/minzu-tuanjie-shequ-2023.md:6: year:" in page
        assert "/livereload/" in page  # the page reloads itself when the build succeeds again
        assert "预览：生成失败" in _get(f"http://127.0.0.1:{port}/regulations/")[1]  # every page, none waits

        entry.write_text(text.replace("title: ", "title: 改正后的标题", 1), encoding="utf-8")
        _wait_for(lambda: (r := _get(url))[0] == 200 and "改正后的标题" in r[1], "not recovered", log)
        entry.write_text(text.replace("title: ", "title: 再次修改的标题", 1), encoding="utf-8")
        _wait_for(lambda: "再次修改的标题" in _get(url)[1], "live reload stopped after an error", log)
        output = log.read_text(encoding="utf-8")
        assert "Traceback" not in output and "Aborted with" not in output and "appear stuck" not in output, output
        assert "预览：生成失败" in output
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        out.close()


def test_kb_serve_on_a_busy_port_says_so_in_chinese(tmp_path):
    root = copy_project(tmp_path / "p", keep=SMALL)
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        started = time.monotonic()
        result = subprocess.run(
            [str(Path(sys.executable).parent / "kb"), "serve", "--root", str(root), "--dev-addr", f"127.0.0.1:{port}"],
            capture_output=True, text=True, timeout=120, env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        )
    assert result.returncode == 1, result.stderr
    assert f"127.0.0.1:{port} 已被占用" in result.stderr and "--dev-addr" in result.stderr, result.stderr
    assert "Traceback" not in result.stderr and "正在生成" not in result.stderr  # refused before building
    assert time.monotonic() - started < 30
