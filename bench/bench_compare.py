"""版本对照 and 汇编 timings (figures in bench/RESULTS.md).

    .venv/bin/python bench/bench_compare.py            # 50 and 200 articles
    .venv/bin/python bench/bench_compare.py 500

(1) Comparing two versions of a synthetic regulation of N articles (every
tenth article reworded, one in twenty inserted, so everything after shifts
number), against an anchor measured in the same run: parsing the two texts
into articles (``kb.analysis.articles.parse``), which every build does anyway.
(2) The sample data's religion compilation (7 entries) as .docx and as a
print page, against loading the sample knowledge base (``KnowledgeBase.load``).
CPU time (``time.process_time``), best of 3.
"""

from __future__ import annotations

import datetime as dt
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "hooks"))

from kb.analysis import articles, compare  # noqa: E402
from kb.compile import run  # noqa: E402
from kb.compile.selection import Selection  # noqa: E402
from kb.model.knowledge import KnowledgeBase  # noqa: E402
from kb.text.numerals import to_chinese  # noqa: E402

WORDS = "宗教团体活动场所教职人员备案登记管理部门县级以上人民政府依法保护合法权益公民信仰自由申请审批条件规定"


def best(fn, reps: int = 3) -> float:
    times = []
    for _ in range(reps):
        t = time.process_time()
        fn()
        times.append(time.process_time() - t)
    return min(times)


def texts(n: int, seed: int = 1, every: int = 10) -> tuple[str, str]:
    rnd = random.Random(seed)
    old: list[str] = []
    for _ in range(n):
        old.append("".join(rnd.choice(WORDS) for _ in range(rnd.randint(40, 120))) + "。")
    new = []
    for i, t in enumerate(old):
        if i % 20 == 5:
            new.append("".join(rnd.choice(WORDS) for _ in range(60)) + "。")  # an inserted article
        new.append(t[:10] + "应当" + t[12:] if i % every == every // 3 else t)
    fmt = lambda arts: "\n\n".join(f"**第{to_chinese(k)}条** {t}" for k, t in enumerate(arts, start=1)) + "\n"
    return fmt(old), fmt(new)


def main(sizes: list[int]) -> None:
    print("版本对照（合成法规）")
    for n, every, what in [(n, e, w) for n in sizes for e, w in ((10, "每十条改一条"), (1, "每条都改"))]:
        a, b = texts(n, every=every)
        anchor = best(lambda: (articles.parse(a, 1), articles.parse(b, 1)))
        took = best(lambda: compare.compare(a, 1, b, 1))
        c = compare.compare(a, 1, b, 1).counts
        print(f"  {n} 条（{what}）：对照 {took * 1000:.1f} ms，解析两版条文（锚点）{anchor * 1000:.1f} ms，比值 {took / anchor:.1f}×；"
              f"结果 修改 {c['modified']}、新增 {c['added']}、删除 {c['removed']}、重新编号 {c['renumbered']}")
    print("汇编（示例数据，宗教工作法规和政策文件）")
    load = best(lambda: KnowledgeBase.load(ROOT), reps=2)
    kb = KnowledgeBase.load(ROOT)
    sel = Selection(areas=("religion",), types=("regulation", "policy"))
    for fmt in run.FORMATS:
        took = best(lambda: run.build(kb, sel, fmt, date=dt.date(2026, 1, 1)))
        size = len(run.build(kb, sel, fmt, date=dt.date(2026, 1, 1)).data)
        print(f"  {fmt}：{took * 1000:.0f} ms，{size // 1024} KB；加载示例知识库（锚点）{load * 1000:.0f} ms，比值 {took / load:.2f}×")


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [50, 200])
