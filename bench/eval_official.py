"""Import quality on regulations and policies: runs `kb import` (nothing is written) on the
fictional official documents in tests/fixtures/import_eval/ (every NAME.<ext> whose
NAME.expected.yml says type: regulation or policy) and compares them with the hand labels.

    .venv/bin/python bench/eval_official.py [-v] [--check]

Prints, per document and in total, the share of metadata fields right (type, title,
issuer, 发文字号, 公布日期, 施行日期, 效力级别, 时效性, review mark), the share of the
expected chapter/section/article anchors found, extra anchors and page furniture left in
the body. --check: exit status 1 unless fields and anchors are 100% with no extra anchor
and no furniture.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "hooks"))

from kb.importer.dispatch import import_source  # noqa: E402
from kb.importer.evaluate_official import score, totals  # noqa: E402
from kb.problems import Problems  # noqa: E402
from kb.source.loader import read_taxonomy  # noqa: E402

FIXTURES = ROOT / "tests" / "fixtures" / "import_eval"


def fixtures(directory: Path) -> list[tuple[Path, dict]]:
    out = []
    for labels_file in sorted(directory.glob("*.expected.yml")):
        labels = yaml.safe_load(labels_file.read_text(encoding="utf-8"))
        if labels.get("type") not in ("regulation", "policy"):
            continue
        name = labels_file.name[: -len(".expected.yml")]
        sources = [p for p in directory.glob(f"{name}.*") if not p.name.endswith(".yml")]
        if len(sources) != 1:
            raise SystemExit(f"{labels_file}: 应有且只有一个同名源文件，找到 {len(sources)} 个")
        out.append((sources[0], labels))
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--fixtures", type=Path, default=FIXTURES)
    ap.add_argument("--check", action="store_true")
    ap.add_argument("-v", action="store_true", dest="verbose")
    args = ap.parse_args()
    tax = read_taxonomy(ROOT / "data" / "areas.yml", ROOT, Problems())
    keywords = {s: a["keywords"] for s, a in tax.areas.items()}
    scores = []
    for source, labels in fixtures(args.fixtures):
        try:
            result = import_source(source, ROOT, keywords, etype=labels.get("force_type"))
        except Exception as exc:  # noqa: BLE001 - a failed import scores zero
            print(f"{source.name}: 导入失败：{exc}")
            result = None
        s = score(source.name, result, labels)
        scores.append(s)
        right = len(s.fields) - len(s.wrong)
        print(f"{source.name}: 字段 {right}/{len(s.fields)}，锚点 {s.anchors_found}/{s.anchors_expected}，"
              f"多余锚点 {len(s.anchors_extra)}，残留样板 {len(s.furniture)}")
        if args.verbose:
            for key in s.wrong:
                got, want = s.fields[key]
                print(f"    {key}: 得到 {got!r}，应为 {want!r}")
            for a in s.anchors_extra:
                print(f"    多余锚点 {a}")
            for w in s.furniture:
                print(f"    残留“{w}”")
    t = totals(scores)
    print(f"合计 {len(scores)} 个法规/政策文件：字段正确率 {t['fields']:.1%}，条文锚点 {t['anchors']:.1%}，"
          f"多余锚点 {t['extra_anchors']} 个，残留样板 {t['furniture']} 处")
    if args.check and (t["fields"] < 1 or t["anchors"] < 1 or t["extra_anchors"] or t["furniture"]):
        print("未达到目标（字段和锚点 100%，无多余锚点和残留样板）")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
