"""Import quality on real reports: runs the importer on ../shared/seeds/* and
compares with the hand-made annotation in tests/fixtures/seeds_expected.yml.

    .venv/bin/python bench/eval_import.py [--seeds DIR] [--expected FILE] [-v]

Prints section-kind accuracy, primary-area accuracy, metadata correctness,
citation recall and boilerplate survivors (nothing is written to data/).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "hooks"))

from kb.importer.evaluate import evaluate, load_annotation, summary  # noqa: E402
from kb.importer.pipeline import import_file  # noqa: E402
from kb.source.loader import read_taxonomy  # noqa: E402
from kb.problems import Problems  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seeds", type=Path, default=ROOT.parent / "shared" / "seeds")
    ap.add_argument("--expected", type=Path, default=ROOT / "tests" / "fixtures" / "seeds_expected.yml")
    ap.add_argument("-v", "--verbose", action="store_true", help="list every mismatch and surviving noise line")
    args = ap.parse_args()
    taxonomy = read_taxonomy(ROOT / "data" / "areas.yml", ROOT, Problems())
    keywords = {slug: spec["keywords"] for slug, spec in taxonomy.areas.items()}
    annotation = load_annotation(args.expected)
    started = time.perf_counter()
    results = {}
    for name in sorted(annotation):
        path = args.seeds / name
        results[name] = import_file(path, ROOT, keywords)
    elapsed = time.perf_counter() - started
    total = evaluate(results, annotation)
    sections = sum(len(r.sections) for r in results.values())
    review = sum(s.review for r in results.values() for s in r.sections)
    print(f"报告 {len(results)} 份，段落 {sections} 个（其中标记待核对 {review} 个），用时 {elapsed:.2f} 秒")
    print(summary(total))
    if args.verbose:
        for line in total.errors + total.boilerplate:
            print("  " + line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
