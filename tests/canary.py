"""A knowledge base with canary strings in internal and restricted entries.

Every canary is a token that occurs nowhere else, planted in as many places
as an entry has (id, title, issuer, document number, unit, tags, summary,
body, report section heading and text), so a scan of the built files finds
any leak, whatever page, index or export it went to.
"""

from __future__ import annotations

import gzip
import subprocess
import sys
import textwrap
from pathlib import Path

INTERNAL = ["zq-int-reg", "zq-int-report", "zq-int-case", "zqinttitle", "zqintissuer", "zqintdocno",
            "zqinttag", "zqintsummary", "zqintbody", "zqintunit", "zqintheading", "zqintsection",
            "zqintcasebody"]
RESTRICTED = ["zq-res-pol", "zq-res-case", "zq-res-report", "zqrestitle", "zqresbody", "zqresunit",
              "zqrestag", "zqressection", "zqresheading", "zqressummary",
              # the sample data's restricted case
              "feifa-juhuidian-yifa-chuzhi-2023", "依法引导规范一处未经登记的宗教聚会点"]

ENTRIES = {
    "regulations/zq-int-reg.md": """
        ---
        id: zq-int-reg
        type: regulation
        title: 内部测试条例zqinttitle
        issuer: 某省zqintissuer
        doc_number: zqintdocno〔2024〕1号
        status: in-force
        promulgated: 2024-03-01
        areas: [religion]
        tags: [zqinttag]
        audience: internal
        summary: 内部条例摘要zqintsummary。
        ---
        **第一条** 内部条文zqintbody，规范测试事项。

        **第二条** 本条例自公布之日起施行。
        """,
    "reports/zq-int-report.md": """
        ---
        id: zq-int-report
        type: report
        title: 内部测试报告
        unit: zqintunit统战部
        year: 2024
        period: 年度
        level: 市
        areas: [religion]
        audience: internal
        ---
        ## 一、工作成效zqintheading

        开展宗教活动场所检查，成效明显zqintsection。
        """,
    "cases/zq-int-case.md": """
        ---
        id: zq-int-case
        type: case
        title: 内部测试案例
        unit: 某区委统战部
        year: 2024
        areas: [religion]
        report: zq-int-report
        audience: internal
        ---
        ## 做法

        依照《内部测试条例zqinttitle》第一条办理zqintcasebody。
        """,
    # A version family whose newest member is restricted.
    "policies/zq-pub-pol.md": """
        ---
        id: zq-pub-pol
        type: policy
        title: 公开测试办法
        issuer: 某省人民政府
        status: amended
        promulgated: 2019-05-01
        superseded_by: zq-res-pol
        areas: [private-economy]
        audience: public
        ---
        **第一条** 公开测试办法的条文。
        """,
    "policies/zq-res-pol.md": """
        ---
        id: zq-res-pol
        type: policy
        title: 受限测试办法zqrestitle
        issuer: 某省人民政府
        status: in-force
        promulgated: 2024-05-01
        supersedes: zq-pub-pol
        aliases: [受限办法简称]
        areas: [private-economy]
        tags: [zqrestag]
        audience: restricted
        summary: 受限摘要zqressummary。
        ---
        **第一条** 受限条文zqresbody。
        """,
    # A public report with a restricted case drawn from it.
    "reports/zq-pub-report.md": """
        ---
        id: zq-pub-report
        type: report
        title: 公开测试报告
        unit: 某市委统战部
        year: 2023
        period: 年度
        level: 市
        areas: [religion]
        audience: public
        ---
        ## 一、工作成效

        公开报告的成效段落。
        """,
    "cases/zq-res-case.md": """
        ---
        id: zq-res-case
        type: case
        title: 受限测试案例
        unit: zqresunit统战部
        year: 2023
        areas: [religion]
        report: zq-pub-report
        audience: restricted
        ---
        ## 做法

        受限案例正文zqresbody。
        """,
    # A restricted report; a public case drawn from it cites the restricted policy.
    "reports/zq-res-report.md": """
        ---
        id: zq-res-report
        type: report
        title: 受限测试报告
        unit: 某县委统战部
        year: 2023
        period: 年度
        level: 区县
        areas: [religion]
        audience: restricted
        ---
        ## 一、工作成效zqresheading

        受限报告段落zqressection。
        """,
    "cases/zq-pub-case.md": """
        ---
        id: zq-pub-case
        type: case
        title: 公开测试案例
        unit: 某县委统战部
        year: 2023
        areas: [religion]
        report: zq-res-report
        audience: public
        ---
        ## 做法

        参照《受限办法简称》第一条和《某省尚未收录的测试细则》开展工作。
        """,
}


def plant(project: Path) -> None:
    for rel, text in ENTRIES.items():
        path = project / "data" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")


def build(project: Path, site: Path, audience: str | None = None, *extra: str) -> subprocess.CompletedProcess:
    env = {"NO_MKDOCS_2_WARNING": "1", "PATH": "/usr/bin:/bin"}
    if audience is not None:
        env["KB_AUDIENCE"] = audience
    return subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site), *extra],
                          cwd=project, capture_output=True, text=True, env=env)


def file_texts(site: Path):
    """(relative path, text) of every file of ``site``; ``.gz`` files decompressed."""
    for path in sorted(p for p in site.rglob("*") if p.is_file()):
        raw = path.read_bytes()
        if path.suffix == ".gz":
            raw = gzip.decompress(raw)
        yield path.relative_to(site).as_posix(), raw.decode("utf-8", errors="replace")


def find(site: Path, needles: list[str]) -> dict[str, list[str]]:
    """needle -> files containing it (also as a JSON \\u escape or in a file name)."""
    import json

    forms = {n: {n.lower(), json.dumps(n)[1:-1].lower()} for n in needles}
    hits: dict[str, list[str]] = {}
    for rel, text in file_texts(site):
        hay = (rel + "\n" + text).lower()
        for n, fs in forms.items():
            if any(f in hay for f in fs):
                hits.setdefault(n, []).append(rel)
    return hits


def tree_files(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in sorted(site.rglob("*")) if p.is_file()}


def count_audience(project: Path, levels: set[str]) -> int:
    """Entries of ``project`` whose front matter says one of ``levels`` (independent of kb)."""
    n = 0
    for p in (project / "data").rglob("*.md"):
        head = p.read_text(encoding="utf-8").split("\n---", 1)[0]
        level = next((ln.split(":", 1)[1].strip() for ln in head.splitlines() if ln.startswith("audience:")), "internal")
        n += level in levels
    return n


__all__ = ["INTERNAL", "RESTRICTED", "plant", "build", "find", "file_texts", "tree_files", "count_audience"]
