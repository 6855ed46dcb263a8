"""Script payloads in a public case's body and a public report's headings.

Each payload, if it ran, would set ``window.__kbPwned`` (or open a dialog):
browser tests load the pages and assert that the flag stays unset."""

from __future__ import annotations

from pathlib import Path

PAYLOADS = [
    '<script>window.__kbPwned = 1; alert("s")</script>',
    '<svg onload="window.__kbPwned = 2"><circle r="1"/></svg>',
    '<img src="" onerror="window.__kbPwned = 3">',
    '<p id="kb-hover" onmouseover="window.__kbPwned = 4">悬停</p>',
    '[点我](javascript:window.__kbPwned=5){#kb-click}',
    '<a id="kb-click2" href="JaVaScRiPt:window.__kbPwned=6">链接</a>',
    '<iframe src="data:text/html,<script>parent.__kbPwned=7</script>"></iframe>',
    '<object data="x.swf"></object><style>body{display:none}</style>',
    '<a href="data:text/html;base64,PHNjcmlwdD4=">数据</a>',
    '<details open ontoggle="window.__kbPwned = 8"><summary>x</summary></details>',
    '## 属性列表 {: onclick="window.__kbPwned = 9" }',
]

CASE_ID = "zz-payload-case"
REPORT_ID = "zz-payload-report"
CASE_URI = f"cases/{CASE_ID}/"
REPORT_URI = f"reports/{REPORT_ID}/"

CASE = f"""---
id: {CASE_ID}
type: case
title: 含有脚本的测试案例
unit: 某区委统战部
year: 2024
areas: [religion]
audience: public
---
## 做法

正文开头。

""" + "\n\n".join(PAYLOADS) + "\n\n正文结尾。\n"

REPORT = f"""---
id: {REPORT_ID}
type: report
title: 标题含有脚本的测试报告
unit: 某市委统战部
year: 2024
period: 年度
level: 市
areas: [religion]
audience: public
---
## 一、工作成效<img src="" onerror="window.__kbPwned = 10">

开展宗教活动场所检查，成效明显。

## 二、存在问题<script>window.__kbPwned = 11</script>

个别场所管理不规范。
"""


def install(project: Path) -> None:
    """Add the payload case and report to a copy of the project."""
    (project / "data" / "cases" / f"{CASE_ID}.md").write_text(CASE, encoding="utf-8")
    (project / "data" / "reports" / f"{REPORT_ID}.md").write_text(REPORT, encoding="utf-8")


def assert_inert(page) -> None:
    """Load-time payloads have not run; hover and click the live-looking ones, then check again."""
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.wait_for_load_state("load")
    for sel in ("#kb-hover", "#kb-click", "#kb-click2"):
        loc = page.locator(sel)
        if loc.count():
            if sel == "#kb-hover":
                loc.first.hover()
            else:
                loc.first.click(no_wait_after=True)
    page.wait_for_timeout(300)
    assert page.evaluate("typeof window.__kbPwned") == "undefined"
    assert dialogs == []
