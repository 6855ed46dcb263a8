"""An imported provincial regulation page, built: every article anchor and the metadata card."""

from __future__ import annotations

import re
import shutil

import pytest

from conftest import ROOT, copy_project, mkdocs_build, run_kb
from test_articles import page

PAGE = ROOT / "tests" / "fixtures" / "import_eval" / "qinghe-zongjiao-tiaoli.html"
ENTRY = "regulations/qinghe-sheng-zongjiao-shiwu-tiaoli-2023"


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The sample project without its reports and cases (a small build) plus the imported regulation."""
    project = copy_project(tmp_path_factory.mktemp("imported") / "p")
    for folder in ("reports", "cases"):
        shutil.rmtree(project / "data" / folder)
    ran = run_kb(["import", "--root", project, PAGE], project)
    assert ran.returncode == 0, ran.stderr
    result = mkdocs_build(project, project / "site")
    assert result.returncode == 0, result.stderr
    return project


@pytest.mark.slow
def test_built_page_has_every_article_anchor_and_the_card(built):
    html, p = page(built / "site", ENTRY)
    expected = [f"chapter-{n}" for n in range(1, 7)] + ["chapter-3-section-1", "chapter-3-section-2"]
    expected += [f"article-{n}" for n in range(1, 22)] + ["article-12-1"]
    assert [a for a in expected if a not in p.ids] == []
    assert [a for a in expected if f"#{a}" not in p.hrefs] == []  # the table of contents links each one
    assert len(p.ids) == len(set(p.ids))
    card = html[html.index('<dl class="kb-card">'):html.index("</dl>", html.index('<dl class="kb-card">'))]
    facts = dict(re.findall(r"<dt>([^<]+)</dt><dd>(.*?)</dd>", card, re.S))
    assert facts["制定机关"] == "青禾省人民代表大会常务委员会"
    assert facts["发文字号"] == "青禾省人民代表大会常务委员会公告第18号"
    assert facts["效力级别"] == "地方性法规"
    assert (facts["公布日期"], facts["施行日期"]) == ("2023-09-28", "2024-01-01")
    assert "现行有效" in facts["时效性"]
    assert re.search(r'<p><a id="article-12-1" class="kb-article-anchor"></a><strong>第十二条之一</strong>', html)
    assert '<h3 id="chapter-3-section-2">第二节 内部管理' in html
