"""Synthetic corpus generator for benchmarks.

    python bench/gen_corpus.py N OUT_DIR [--seed S]

Writes a complete project (mkdocs.yml, docs/, data/ with N entries) into
OUT_DIR: every entry type, reports with sections, all 13 areas, citations
between entries, mixed audience, about one entry in six in Traditional
script. Text is assembled from phrase lists written for this purpose.
Deterministic for a given N and seed.
"""

from __future__ import annotations

import argparse
import random
import shutil
from pathlib import Path

import opencc
import yaml

ROOT = Path(__file__).resolve().parent.parent

SUBJECTS = ["区委统战部", "市委统战部", "县委统战部", "镇党委", "街道党工委"]
VERBS = ["深入开展", "扎实推进", "持续加强", "认真组织", "积极探索", "不断完善", "全面落实", "稳步推动"]
OBJECTS = {
    "ideology": ["主题教育", "理论学习培训", "共同思想政治基础建设", "理想信念教育"],
    "leadership": ["统战工作领导小组会议", "统战工作责任制考核", "大统战工作格局建设"],
    "party-cooperation": ["民主党派参政议政", "政党协商座谈会", "民主监督专项活动", "无党派人士联谊"],
    "representatives": ["党外代表人士队伍建设", "党外干部挂职锻炼", "政协委员人选推荐"],
    "intellectuals": ["党外知识分子联谊", "归国留学人员服务", "知联会专家服务基层"],
    "ethnic": ["民族团结进步创建", "少数民族群众服务", "中华民族共同体意识教育"],
    "religion": ["宗教活动场所规范管理", "和谐寺观教堂创建", "教职人员培训", "宗教事务依法管理"],
    "private-economy": ["民营企业走访服务", "商会组织建设", "光彩事业项目", "亲清政商关系构建"],
    "new-social-strata": ["新的社会阶层人士联谊", "新联会建设", "新媒体从业人员培训"],
    "hk-macao-taiwan-overseas": ["归侨侨眷走访慰问", "海外联谊活动", "港澳台同胞交流"],
    "self-building": ["统战干部队伍建设", "机关作风建设", "党风廉政建设"],
    "research-publicity": ["统战信息报送", "理论调研课题", "统战宣传报道"],
    "central-tasks": ["乡村振兴同心行动", "招商引资服务", "社会治理参与"],
}
AREAS = list(OBJECTS)
RESULTS = ["取得明显成效", "形成了长效机制", "得到群众好评", "进一步凝聚了共识", "推动了工作落实"]
PARTS = [("上半年主要工作", "achievement"), ("主要经验做法", "experience"), ("存在的问题", "problem"),
         ("下半年工作思路", "plan"), ("对策建议", "suggestion")]
NUM = "一二三四五六七八九十"
ISSUERS = ["国务院", "中共中央", "中共中央办公厅", "国家宗教事务局", "某省委统战部", "某市人民政府"]


def sentence(rng: random.Random, area: str, cite: str | None = None) -> str:
    s = f"{rng.choice(SUBJECTS)}{rng.choice(VERBS)}{rng.choice(OBJECTS[area])}"
    if cite:
        s += f"，认真贯彻《{cite}》"
    return s + f"，组织活动{rng.randint(2, 40)}场次，{rng.choice(RESULTS)}。"


def paragraph(rng: random.Random, areas: list[str], n: int, cites: list[str]) -> str:
    return "".join(sentence(rng, rng.choice(areas), rng.choice(cites) if cites and rng.random() < 0.2 else None)
                   for _ in range(n))


def front(meta: dict) -> str:
    return "---\n" + yaml.safe_dump(meta, allow_unicode=True, sort_keys=False) + "---\n"


def generate(n: int, out: Path, seed: int = 1) -> None:
    rng = random.Random(seed)
    t2s = opencc.OpenCC("s2t")
    if out.exists():
        shutil.rmtree(out)
    (out / "data").mkdir(parents=True)
    shutil.copy(ROOT / "data" / "areas.yml", out / "data" / "areas.yml")
    shutil.copytree(ROOT / "docs", out / "docs")
    shutil.copy(ROOT / "mkdocs.yml", out / "mkdocs.yml")
    (out / "hooks").symlink_to(ROOT / "hooks")
    counts = {"regulation": max(1, n // 10), "policy": max(1, n // 5), "case": max(1, n // 4)}
    counts["report"] = max(1, n - sum(counts.values()))
    titles: list[str] = []
    report_ids: list[str] = []
    i = 0
    for etype, count in counts.items():
        d = out / "data" / (etype + "s")
        d.mkdir(exist_ok=True)
        for k in range(count):
            i += 1
            eid = f"{etype}-{k:05d}"
            areas = rng.sample(AREAS, rng.randint(1, 3))
            audience = rng.choices(["public", "internal", "restricted"], [3, 6, 1])[0]
            trad = rng.random() < 1 / 6
            year = rng.randint(2005, 2025)
            if etype in ("regulation", "policy"):
                title = f"关于{rng.choice(VERBS)}{OBJECTS[areas[0]][0]}的{'条例' if etype == 'regulation' else '意见'}（第{k}号）"
                titles.append(title)
                meta = {"id": eid, "type": etype, "title": title, "areas": areas,
                        "issuer": rng.choice(ISSUERS), "status": "in-force",
                        "promulgated": f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
                        "doc_number": f"示例〔{year}〕{k}号", "audience": audience}
                if etype == "regulation":
                    body = "\n\n".join(f"**第{NUM[j % 10]}条** " + paragraph(rng, areas, 2, []) for j in range(8))
                else:
                    body = "\n\n".join(paragraph(rng, areas, 4, titles[-20:]) for _ in range(3))
            elif etype == "report":
                period = rng.choice(["年度", "上半年", "下半年"])
                title = f"某{rng.choice(['区', '市', '县'])}委统战部{year}年{period}工作总结（{k}）"
                meta = {"id": eid, "type": "report", "title": title, "areas": areas, "unit": "某区委统战部",
                        "year": year, "period": period, "level": rng.choice(["市", "区县", "乡镇"]),
                        "audience": audience}
                report_ids.append(eid)
                parts = []
                for p_i, (part, _) in enumerate(rng.sample(PARTS, 3)):
                    parts.append(f"## {NUM[p_i]}、{part}")
                    for s_i in range(rng.randint(2, 4)):
                        area = rng.choice(areas)
                        parts.append(f"### （{NUM[s_i]}）{rng.choice(VERBS)}{OBJECTS[area][0]}")
                        parts.append(paragraph(rng, [area], 3, titles[-50:]))
                body = "\n\n".join(parts)
            else:
                meta = {"id": eid, "type": "case", "title": f"{OBJECTS[areas[0]][-1]}的实践探索（{k}）",
                        "areas": areas, "unit": "某街道党工委", "year": year, "audience": audience}
                if report_ids and rng.random() < 0.3:
                    meta["report"] = rng.choice(report_ids)
                body = "\n\n".join(f"## {h}\n\n" + paragraph(rng, areas, 3, titles[-30:])
                                   for h in ("背景", "做法", "成效", "启示"))
            text = front(meta) + "\n" + body + "\n"
            if trad:
                head, _, rest = text.partition("\n---\n")
                text = head + "\n---\n" + t2s.convert(rest)
            (d / f"{eid}.md").write_text(text, encoding="utf-8")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("n", type=int)
    ap.add_argument("out", type=Path)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    generate(args.n, args.out, args.seed)
    print(f"wrote {args.n} entries to {args.out}")


if __name__ == "__main__":
    main()
