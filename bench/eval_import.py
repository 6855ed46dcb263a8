"""Import quality on real reports: runs the importer on ../shared/seeds/* and on the
fictional held-out reports (tests/fixtures/heldout/), and compares each with its
hand-made annotation (tests/fixtures/seeds_expected.yml, tests/fixtures/heldout/expected.yml).

    .venv/bin/python bench/eval_import.py [--seeds DIR] [--expected FILE] [--check] [-v]
    .venv/bin/python bench/eval_import.py --fixtures tests/fixtures/import_eval [--check] [-v]

Prints section-kind accuracy, primary-area accuracy, metadata correctness,
citation recall and boilerplate survivors (nothing is written to data/).

With --check the figures are compared with the minimums in bench/eval_thresholds.yml
(--min-kind / --min-area override them), and the imported reports are also checked
beyond the figures: a second import gives the same text, the entries pass kb check,
they build into the site (mkdocs build --strict) with every section anchor and no
stray Markdown, and the seed texts agree with the site's own text handling (search
character table against OpenCC; section splitting and area matching). The exit
status is 1 when any check fails, 2 when the seed reports are missing. `make eval`
runs this; CI runs it when ../shared/seeds exists beside the repository.

With --fixtures DIR only the hand-labelled fixtures in DIR are scored (one source
file plus NAME.expected.yml each, scored by the scorer of its `type:`, see
kb.importer.fixture_eval): sections (heading, kind, primary area), metadata,
boilerplate; --check compares them with the `fixtures:` minimums per type and checks that
a report fixture imports to the same text twice and passes kb check. Without
--fixtures, tests/fixtures/import_eval is scored after the seeds and held-out reports.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "hooks"))

from kb.importer.evaluate import Score, evaluate, load_annotation, summary  # noqa: E402
from kb.importer.fixture_eval import check_fixture_limits, evaluate_fixtures, fixture_summary  # noqa: E402
from kb.importer.pipeline import import_file  # noqa: E402
from kb.problems import Problems  # noqa: E402
from kb.source.loader import read_taxonomy  # noqa: E402

HELDOUT = ROOT / "tests" / "fixtures" / "heldout"
FIXTURES = ROOT / "tests" / "fixtures" / "import_eval"
THRESHOLDS = Path(__file__).resolve().parent / "eval_thresholds.yml"


class Checks:
    """Collects failed checks (one line each) for --check."""

    def __init__(self) -> None:
        self.failed: list[str] = []

    def expect(self, ok: bool, what: str) -> None:
        if not ok:
            self.failed.append(what)


def check_figures(name: str, total: Score, limits: dict, checks: Checks) -> None:
    """The figures of one corpus against its minimums (and maximums)."""
    figures = {
        "min_kind": total.kind_accuracy, "min_area": total.area_accuracy, "min_meta": total.meta_accuracy,
        "min_cite": total.cite_recall, "min_kind_sections": total.kind_total, "min_area_sections": total.area_total,
    }
    counts = {"max_missing": total.missing_sections, "max_extra": total.extra_sections,
              "max_boilerplate": len(total.boilerplate)}
    for key, value in figures.items():
        if key in limits:
            checks.expect(value >= limits[key], f"{name}: {key} {value:.3g} < {limits[key]}")
    for key, value in counts.items():
        if key in limits:
            checks.expect(value <= limits[key], f"{name}: {key} {value} > {limits[key]}")


def check_repeatable(name: str, files: dict[str, Path], results: dict, keywords: dict, checks: Checks) -> None:
    """A second import of the same file gives the same text and id, byte for byte."""
    for fname, first in results.items():
        again = import_file(files[fname], ROOT, keywords)
        checks.expect(again.markdown == first.markdown and again.meta.id == first.meta.id,
                      f"{name}: {fname}: 两次导入结果不同")


def copy_project(dest: Path) -> Path:
    """The repository's site sources (docs, data, mkdocs.yml) with the live hooks."""
    shutil.copytree(ROOT / "docs", dest / "docs")
    shutil.copytree(ROOT / "data", dest / "data")
    shutil.copy(ROOT / "mkdocs.yml", dest / "mkdocs.yml")
    (dest / "hooks").symlink_to(ROOT / "hooks")
    return dest


def check_written_and_built(name: str, paths: list[Path], checks: Checks) -> None:
    """kb import into a scratch copy of the project, then kb check and mkdocs build --strict."""
    from kb.importer.run import run_import
    from kb.model.knowledge import KnowledgeBase

    with tempfile.TemporaryDirectory() as tmp:
        project = copy_project(Path(tmp) / "p")
        outcome = run_import(paths, project, dry_run=False, force=False, progress=False)
        statuses = [o.status for o in outcome.outcomes]
        checks.expect(statuses == ["written"] * len(paths), f"{name}: 导入状态 {statuses}")
        written = [o for o in outcome.outcomes if o.status == "written"]
        kb = KnowledgeBase.load(project)
        checks.expect(kb.problems.errors == [], f"{name}: kb check 报错 " + "; ".join(map(str, kb.problems.errors)))
        for o in written:
            entry = kb.by_id.get(o.result.meta.id)
            if entry is None:
                checks.failed.append(f"{name}: {o.source.name}: 导入的条目没有被读到")
                continue
            body = entry.doc.body
            source = o.source.read_text(encoding="utf-8", errors="replace")
            if "統戰" in source and "统战" not in source:  # a Traditional report keeps its script
                checks.expect("統戰" in body and "统战" not in body, f"{name}: {o.source.name}: 繁体报告的正文被改成了简体")
            checks.expect(any(s.areas for s in entry.sections), f"{name}: {o.source.name}: 没有段落得到工作领域")
        site = Path(tmp) / "site"
        r = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)],
                           cwd=project, capture_output=True, text=True,
                           env={"NO_MKDOCS_2_WARNING": "1", "PATH": "/usr/bin:/bin"})
        checks.expect(r.returncode == 0, f"{name}: mkdocs build 失败：{r.stderr[-2000:]}")
        if r.returncode != 0:
            return
        for o in written:
            page = site / "reports" / o.result.meta.id / "index.html"
            if not page.is_file():
                checks.failed.append(f"{name}: {o.source.name}: 没有生成页面")
                continue
            html = page.read_text(encoding="utf-8")
            missing = [s.anchor for s in o.result.sections if f'id="{s.anchor}"' not in html]
            checks.expect(missing == [], f"{name}: {o.source.name}: 页面缺少段落锚点 {missing}")
            checks.expect("\\*" not in html, f"{name}: {o.source.name}: 页面中有多余的转义 \\*")
            body = o.result.markdown.split("\n---\n", 1)[-1].replace("\\*", "*")
            if "**" in body:  # anonymised names (张**) stay literal, not bold
                checks.expect(html.count("**") >= body.count("**"),
                              f"{name}: {o.source.name}: 匿名化的 ** 没有原样显示")
            checks.expect("<strong>" not in html.split('id="sec-1"', 1)[-1],
                          f"{name}: {o.source.name}: 正文中出现了加粗")


def seed_as_markdown(text: str) -> str:
    """A seed's numbered lines as Markdown headings, as an importer would write them."""
    out = []
    for line in text.splitlines():
        line = line.strip()
        if re.match(r"^[一二三四五六七八九十]+、", line) and len(line) < 40:
            out.append("## " + line)
        elif re.match(r"^[（(][一二三四五六七八九十]+[）)]", line):
            heading, _, rest = line.partition("。")  # "(一)heading。body" on one line
            out.append("### " + heading)
            out.append(rest)
        else:
            out.append(line)
    return "\n\n".join(out)


def check_texts(name: str, texts: dict[str, str], keywords: dict, limits: dict, checks: Checks) -> None:
    """The site's own text handling on the raw reports."""
    from kb.analysis.sections import AreaMatcher, split_sections
    from kb.site import search
    from kb.text.script import to_simplified

    # Where OpenCC's phrase conversion keeps the length, the search character table gives the same text.
    checked = 0
    for fname, text in texts.items():
        for line in text.splitlines():
            phrase = to_simplified(line)
            if len(phrase) != len(line):
                continue
            norm = search.normalize(line)
            diff = [(a, b) for a, b in zip(norm, phrase) if a != b and "\u4e00" <= b <= "\u9fff"]
            checks.expect(len(diff) <= max(1, len(line) // 200), f"{name}: {fname}: 字符表与 OpenCC 不一致 {diff[:5]}")
            checked += len(line)
    checks.expect(checked > 1000, f"{name}: 只比较了 {checked} 个字符")

    # Reports in both scripts split into sections and get areas from the taxonomy.
    matcher = AreaMatcher(keywords)
    total, with_area, found = 0, 0, set()
    for fname, text in texts.items():
        secs = split_sections(seed_as_markdown(text), 1)
        checks.expect(len(secs) >= 4, f"{name}: {fname}: 只分出 {len(secs)} 个段落")
        for s in secs:
            areas, _ = matcher.score(s.heading, s.text)
            total += 1
            with_area += bool(areas)
            found.update(areas)
    checks.expect(total > 0 and with_area / total > limits.get("min_split_with_area", 0.6),
                  f"{name}: 有工作领域的段落 {with_area}/{total}")
    want = set(limits.get("areas_found", []))
    checks.expect(want <= found, f"{name}: 没有找到的工作领域 {sorted(want - found)}")


def run_corpus(name: str, directory: Path, expected: Path, keywords: dict, args, limits: dict | None,
               checks: Checks | None) -> None:
    annotation = load_annotation(expected)
    files = {fname: directory / fname for fname in sorted(annotation)}
    started = time.perf_counter()
    results = {fname: import_file(path, ROOT, keywords) for fname, path in files.items()}
    elapsed = time.perf_counter() - started
    total = evaluate(results, annotation)
    sections = sum(len(r.sections) for r in results.values())
    review = sum(s.review for r in results.values() for s in r.sections)
    print(f"== {name}（{directory}）")
    print(f"报告 {len(results)} 份，段落 {sections} 个（其中标记待核对 {review} 个），用时 {elapsed:.2f} 秒")
    print(summary(total))
    if args.verbose:
        for line in total.errors + total.boilerplate:
            print("  " + line)
    if checks is None:
        return
    limits = dict(limits or {})
    if name == "seeds":
        limits.update({k: v for k, v in (("min_kind", args.min_kind), ("min_area", args.min_area)) if v is not None})
        present = {p.name for p in directory.glob("*.txt")}
        checks.expect(present == set(annotation), f"{name}: 报告与标注不一致：{sorted(present ^ set(annotation))}")
    check_figures(name, total, limits, checks)
    check_repeatable(name, files, results, keywords, checks)
    check_written_and_built(name, list(files.values()), checks)
    if name == "seeds":
        check_texts(name, {f: p.read_text(encoding="utf-8") for f, p in files.items()}, keywords, limits, checks)


def run_fixtures(directory: Path, keywords: dict, args, limits: dict | None, checks: Checks | None) -> None:
    """The hand-labelled fixtures, scored per document type."""
    started = time.perf_counter()
    scores = evaluate_fixtures(directory, keywords, ROOT)
    print(f"== 样例（{directory}），用时 {time.perf_counter() - started:.2f} 秒")
    for kind, score in sorted(scores.items()):
        print(fixture_summary(kind, score))
        if args.verbose:
            for line in score.errors + score.boilerplate:
                print("  " + line)
        if checks is not None:
            checks.failed += check_fixture_limits(kind, score, (limits or {}).get(kind, {}))
    if checks is not None:
        checks.expect(bool(scores), f"样例目录 {directory} 中没有 *.expected.yml")
        check_fixture_entries(directory, keywords, checks)


def check_fixture_entries(directory: Path, keywords: dict, checks: Checks) -> None:
    """Report fixtures: a second import gives the same text, and the entries pass kb check."""
    from kb.importer.fixture_eval import fixture_pairs
    from kb.model.knowledge import KnowledgeBase

    with tempfile.TemporaryDirectory() as tmp:
        project = copy_project(Path(tmp) / "p")
        for name, source, expected in fixture_pairs(directory):
            if expected.get("type", "report") != "report":
                continue
            try:
                first = import_file(source, ROOT, keywords, expected.get("args") or {})
            except Exception as exc:  # noqa: BLE001 - reported as a failed check
                checks.failed.append(f"样例 {name}: 导入失败：{exc}")
                continue
            again = import_file(source, ROOT, keywords, expected.get("args") or {})
            checks.expect(again.markdown == first.markdown, f"样例 {name}: 两次导入结果不同")
            (project / "data" / "reports" / f"{first.meta.id}.md").write_text(first.markdown, encoding="utf-8")
        kb = KnowledgeBase.load(project)
        checks.expect(kb.problems.errors == [], "样例: kb check 报错 " + "; ".join(map(str, kb.problems.errors)))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seeds", type=Path, default=ROOT.parent / "shared" / "seeds")
    ap.add_argument("--expected", type=Path, default=ROOT / "tests" / "fixtures" / "seeds_expected.yml")
    ap.add_argument("--no-heldout", action="store_true", help="skip the fictional held-out reports")
    ap.add_argument("--check", action="store_true", help="exit 1 when a figure is below its minimum or a check fails")
    ap.add_argument("--thresholds", type=Path, default=THRESHOLDS, help="minimums per corpus (YAML)")
    ap.add_argument("--min-kind", type=float, default=None, help="minimum section-kind accuracy on the seeds")
    ap.add_argument("--min-area", type=float, default=None, help="minimum primary-area accuracy on the seeds")
    ap.add_argument("--fixtures", type=Path, default=None,
                    help="only score the labelled fixtures in this folder (NAME.* + NAME.expected.yml)")
    ap.add_argument("-v", "--verbose", action="store_true", help="list every mismatch and surviving noise line")
    args = ap.parse_args()
    taxonomy = read_taxonomy(ROOT / "data" / "areas.yml", ROOT, Problems())
    keywords = {slug: spec["keywords"] for slug, spec in taxonomy.areas.items()}
    thresholds = yaml.safe_load(args.thresholds.read_text(encoding="utf-8")) if args.check else {}
    checks = Checks() if args.check else None

    if args.fixtures is not None:
        run_fixtures(args.fixtures, keywords, args, thresholds.get("fixtures"), checks)
        return finish(checks, args)
    if args.seeds.is_dir():
        run_corpus("seeds", args.seeds, args.expected, keywords, args, thresholds.get("seeds"), checks)
    else:
        print(f"找不到真实报告目录 {args.seeds}（应在仓库旁的 ../shared/seeds）", file=sys.stderr)
        if args.check:
            return 2
    if not args.no_heldout:
        run_corpus("heldout", HELDOUT, HELDOUT / "expected.yml", keywords, args, thresholds.get("heldout"), checks)
    if FIXTURES.is_dir():
        run_fixtures(FIXTURES, keywords, args, thresholds.get("fixtures"), checks)
    return finish(checks, args)


def finish(checks: Checks | None, args) -> int:
    if checks is None:
        return 0
    if checks.failed:
        print(f"\n未通过 {len(checks.failed)} 项：", file=sys.stderr)
        for line in checks.failed:
            print("  " + line, file=sys.stderr)
        return 1
    print("\n全部检查通过（阈值见 " + str(args.thresholds.relative_to(ROOT) if args.thresholds.is_relative_to(ROOT)
                                    else args.thresholds) + "）")
    return 0


if __name__ == "__main__":
    sys.exit(main())
