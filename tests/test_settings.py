"""One settings object (kb.settings): extra.kb validated once, with Chinese
messages that name the line, and environment overrides."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from conftest import copy_project
from kb.problems import Problems
from kb.settings import DEFAULT_REVIEW_EVERY, Settings

YML = """site_name: 测试
extra:
  kb:
    audience: public
    offline: 是
    feed_size: 0
    review_every:
      policy: 6
      memo: 3
    colour: red
"""


def test_every_mistake_named_with_its_line_and_defaults_kept(tmp_path):
    (tmp_path / "mkdocs.yml").write_text(YML, encoding="utf-8")
    problems = Problems()
    s = Settings.load(tmp_path, problems, environ={})
    errors = [str(p) for p in problems.errors]
    assert "mkdocs.yml:5: extra.kb.offline: 应为 true 或 false，而不是“是”" in errors
    assert "mkdocs.yml:6: extra.kb.feed_size: “0”无效，应为 1–1000 的整数" in errors
    assert any(e.startswith("mkdocs.yml:9: extra.kb.review_every.memo: 未知的条目类型“memo”") for e in errors)
    assert len(errors) == 3
    assert [str(p) for p in problems.warnings] == ["mkdocs.yml:10: extra.kb.colour: 警告: 未知的设置项，已忽略"]
    # A bad value keeps its default; good ones are used.
    assert s.audience == "public" and s.offline is False and s.feed_size == 50
    assert s.review_every == DEFAULT_REVIEW_EVERY


def test_environment_overrides_the_file():
    conf = {"extra": {"kb": {"audience": "public", "offline": False}}, "repo_url": "https://git.example.cn/kb"}
    problems = Problems()
    s = Settings.from_mapping(conf, problems, environ={"KB_AUDIENCE": "all", "KB_OFFLINE": "1",
                                                       "SOURCE_DATE_EPOCH": "86400"})
    assert not problems
    assert (s.audience, s.offline, s.today) == ("all", True, dt.date(1970, 1, 2))
    assert s.edit_url("data/cases/a.md") == "https://git.example.cn/kb/edit/main/data/cases/a.md"
    problems = Problems()
    Settings.from_mapping(conf, problems, environ={"KB_OFFLINE": "maybe", "KB_AUDIENCE": "secret"})
    assert sorted(str(p) for p in problems.errors) == sorted([
        "环境变量 KB_OFFLINE：“maybe”无效，应为 1 或 0",
        "环境变量 KB_AUDIENCE：可见范围“secret”无效，应为 public、internal、all 之一"
        "（public 只含公开条目，internal 另含内部条目，all 另含受限条目）",
    ])


def test_a_build_checks_settings_before_reading_data(tmp_path):
    project = copy_project(tmp_path / "p")
    yml = (project / "mkdocs.yml").read_text(encoding="utf-8")
    (project / "mkdocs.yml").write_text(yml.replace("feed_size: 50", "feed_size: 很多"), encoding="utf-8")
    (project / "data" / "cases" / "broken.md").write_text("---\nid: broken\n---\n正文\n", encoding="utf-8")
    r = subprocess.run([sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(project / "mkdocs.yml"),
                        "-d", str(tmp_path / "site")], capture_output=True, text=True, cwd=project)
    assert r.returncode != 0
    assert "extra.kb.feed_size: “很多”无效" in r.stderr
    assert "设置有 1 处错误" in r.stderr and "Traceback" not in r.stderr
    assert "broken.md" not in r.stderr  # data/ was not read: the settings stopped the build first


FEDERATION_YML = """site_name: 测试
extra:
  kb:
    federation:
      - name: 某市民宗局知识库
        url: https://mzj.example.cn/kb
      - name: 某区统战部知识库
        url: ftp://qu.example.cn/
      -   url: https://third.example.cn/
      - name: 重复
        url: https://mzj.example.cn/kb/
"""


def test_federation_sites_are_validated_item_by_item():
    from kb.settings import FederatedSite

    good = {"extra": {"kb": {"federation": [{"name": " 某市民宗局知识库 ", "url": "https://mzj.example.cn/kb"},
                                            {"name": "某区", "url": "http://127.0.0.1:8001/"}]}}}
    problems = Problems()
    s = Settings.from_mapping(good, problems, environ={})
    assert not problems
    assert s.federation == (FederatedSite("某市民宗局知识库", "https://mzj.example.cn/kb/"),
                            FederatedSite("某区", "http://127.0.0.1:8001/"))
    assert Settings.from_mapping({}, Problems(), environ={}).federation == ()

    def errors(yml: str) -> list[str]:
        problems = Problems()
        s = Settings.from_mapping(__import__("yaml").safe_load(yml), problems, environ={}, text=yml)
        assert s.federation == ()  # a bad list keeps the default: no federation
        return [str(p) for p in problems.errors]

    assert errors(FEDERATION_YML) == [
        "mkdocs.yml:8: extra.kb.federation[2].url: 第 2 项（某区统战部知识库）的网址“ftp://qu.example.cn/”无效，"
        "应为以 http:// 或 https:// 开头的站点根地址，例如 https://mzj.example.cn/kb/"]
    third = FEDERATION_YML.replace("ftp://", "https://")
    assert errors(third) == ["mkdocs.yml:9: extra.kb.federation[3].name: 第 3 项缺少显示名称 name（例如 某市民宗局知识库）"]
    dup = third.replace("-   url: https://third.example.cn/", "- {name: 三, url: 'https://third.example.cn/'}")
    assert errors(dup) == ["mkdocs.yml:11: extra.kb.federation[4].url: "
                           "第 4 项（重复）的网址“https://mzj.example.cn/kb/”与前面的站点重复"]
    extra = "extra:\n  kb:\n    federation:\n    - name: 甲\n      url: https://a.example.cn/\n      colour: red\n"
    assert errors(extra) == ["mkdocs.yml:6: extra.kb.federation[1].colour: 第 1 项：未知的字段“colour”，只能写 name 和 url"]
    assert errors("extra:\n  kb:\n    federation: https://a.example.cn/\n")[0].startswith(
        "mkdocs.yml:3: extra.kb.federation: 应为站点列表")
