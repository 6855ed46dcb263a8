"""An official document -> a regulation or policy entry (front matter and article body).

The body is written so that ``kb.analysis.articles`` finds every division
and article: ``## 第一章 总则``, ``### 第一节 …`` and ``**第一条** …``
paragraphs, which get the ``#chapter-N``, ``#chapter-N-section-M`` and
``#article-N`` / ``#article-N-M`` (之一) anchors on the built page.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from kb.analysis.articles import parse as parse_articles
from kb.importer.official import ARTICLE_LINE, DIVISION_LINE, Official, accept_article
from kb.importer.pipeline import ImportFailed, _env, md_escape
from kb.problems import Problems
from kb.schema.models import DocumentBase, TYPE_DIRS
from kb.schema.validate import validate_entry
from kb.source.loader import parse_entry
from kb.text.numerals import to_int

REGULATION_LEVELS = ("法律", "行政法规", "党内法规", "部门规章", "地方性法规")
_RULE_FORM = re.compile(r"(?:条例|法|办法|规定|细则|规则|准则)(?:[（(][^（）()]{1,12}[）)])?$")
_PARTY = re.compile(r"^(?:中共|中国共产党)|党委|省委|市委|县委|区委|中央办公厅|中央委员会|纪律检查委员会|统战部|统一战线工作部|组织部|宣传部")
_MINISTRY = re.compile(r"(?:部|局|总局|委员会|总署|署|办公室)$")


@dataclass
class Level:
    value: str | None
    sure: bool
    why: str = ""


def infer_level(doc: Official) -> Level:
    """效力级别 from the issuer and the form of the document."""
    if doc.level in ("法律", "行政法规", "党内法规", "部门规章", "地方性法规", "规范性文件"):
        return Level(doc.level, True, "页面标注")
    issuer = doc.issuer or ""
    title = doc.title
    number = doc.doc_number or ""
    rule = bool(_RULE_FORM.search(title))
    if "主席令" in number or ("全国人民代表大会" in issuer and title.endswith("法")):
        return Level("法律", True)
    if title.startswith("中国共产党") and rule or (_PARTY.search(issuer) and rule and doc.articles >= 3):
        sure = title.startswith("中国共产党") or issuer.startswith(("中共中央", "中国共产党中央委员会"))
        return Level("党内法规", sure, "" if sure else f"按制定机关“{issuer}”推断为党内法规")
    if number.startswith("国务院令") or (issuer == "国务院" and rule and doc.articles >= 3):
        return Level("行政法规", True)
    if "人民代表大会" in issuer and rule:
        return Level("地方性法规", True)
    if "人民政府令" in number:
        return Level(None, False, "地方政府规章：不在可选的效力级别中，请人工确定")
    if number.endswith("号") and "令第" in number and _MINISTRY.search(number.split("令第")[0]):
        return Level("部门规章", True)
    if re.search(r"〔(?:19|20)\d{2}〕", number):
        return Level("规范性文件", True)
    if not rule or doc.articles < 3:
        return Level("规范性文件", False, "没有发文字号，按文件形式推断为规范性文件")
    return Level(None, False, "未能从制定机关和文件形式确定效力级别")


def entry_type(doc: Official, level: Level, override: str | None) -> str:
    if override in ("regulation", "policy"):
        return override
    if level.value in REGULATION_LEVELS:
        return "regulation"
    if level.value == "规范性文件":
        return "policy"
    return "regulation" if doc.articles >= 3 and _RULE_FORM.search(doc.title) else "policy"


class _NoAliases(yaml.SafeDumper):
    """Equal dates (公布 and 施行 on the same day) written twice, not as a YAML alias."""

    def ignore_aliases(self, data) -> bool:
        return True


_PLACE = re.compile(r"^(?:中共)?([\u4e00-\u9fff]{1,5}?(?:省|自治区|市|州|盟|县|区|旗))(?=[\u4e00-\u9fff]{4})")
_FORM = re.compile(r"(条例|办法|规定|细则|规则|准则|意见|通知|决定|方案|规划|纲要|制度|措施|法)$")


def _pairs(text: str) -> list[str]:
    from pypinyin import Style, lazy_pinyin

    syl = [p for p in (re.sub(r"[^a-z]", "", p.lower()) for p in lazy_pinyin(text, style=Style.NORMAL)) if p]
    return ["".join(syl[i:i + 2]) for i in range(0, len(syl), 2)]


def doc_id(title: str, year: int, etype: str) -> str:
    """``<pinyin of the title>-<year>`` like ``kb new``: two syllables a word, the place and
    the form kept apart (青禾省宗教事务条例 -> qinghe-sheng-zongjiao-shiwu-tiaoli); a long middle
    part becomes its initials."""
    title = re.sub(r"[（(][^（）()]*[）)]|[^\u3400-\u9fffA-Za-z0-9]", "", title)
    title = re.sub(r"^(?:关于|中华人民共和国|中国共产党)", "", title)
    place = _PLACE.match(title)
    head = place.group(1) if place else ""
    rest = title[len(place.group(0)):] if place else title
    form = _FORM.search(rest)
    tail = form.group(1) if form and form.start() > 0 else ""
    middle = re.sub(r"的$", "", rest[: len(rest) - len(tail)])
    first = [*(_pairs(head[:-1]) if head else []), *([_pairs(head[-1])[0]] if head else [])]
    last = _pairs(tail) if tail else []
    mid = _pairs(middle)
    while len(mid) > 1 and len("-".join([*first, *mid, *last])) > 40:
        mid.pop()  # the start of a long title is enough to recognise it
    words = [*first, *mid, *last]
    stem = "-".join(w for w in words if w)[:60].strip("-")
    return f"{stem}-{year}" if stem else f"{etype}-{year}"


# -- body -------------------------------------------------------------------


def render_body(lines: list[str]) -> str:
    """Markdown of the body lines: chapters and sections as headings, articles as bold-label paragraphs."""
    out: list[str] = []
    last = 0
    in_chapter = False
    for line in lines:
        d = DIVISION_LINE.match(line)
        if d and to_int(d.group("num")):
            name = re.sub(r"[ \t\u3000\u00a0]+", "", d.group("name") or "")
            label = line[: d.start("name")].strip() if d.group("name") else line.strip()
            label = re.sub(r"[ \t\u3000\u00a0]+", "", label)
            chapter = d.group("kind") == "章"
            in_chapter = in_chapter or chapter
            hashes = "##" if chapter or not in_chapter else "###"
            out.append(f"{hashes} {md_escape(label)}{' ' + md_escape(name) if name else ''}")
            continue
        m = ARTICLE_LINE.match(line)
        if m and accept_article(m, last):
            last = to_int(m.group("num")) or last
            rest = m.group("rest").strip()
            out.append(f"**{m.group('label')}** {md_escape(rest)}".rstrip())
            continue
        out.append(md_escape(line))
    return "\n\n".join(out).strip("\n") + "\n"


# -- the entry --------------------------------------------------------------


@dataclass
class DocumentResult:
    """A regulation or policy produced from a source file (nothing written yet)."""

    source: Path
    type: str
    front: dict
    markdown: str
    anchors: list[str]
    review: list[str] = field(default_factory=list)  # why a person should check it
    versions: object | None = None  # kb.importer.versions.Proposal, filled in by the run

    @property
    def id(self) -> str:
        return self.front["id"]

    @property
    def rel(self) -> str:
        return f"data/{TYPE_DIRS[self.type]}/{self.id}.md"

    def as_json(self) -> dict:
        front = {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in self.front.items()}
        return {**front, "anchors": self.anchors, "needs_review": self.review}


def build(path: Path, doc: Official, root: Path, keywords: dict[str, list[str]], etype: str | None = None,
          today: dt.date | None = None, links: dict | None = None) -> DocumentResult:
    """The entry for ``doc``; ``links`` adds supersedes / superseded_by / status (a version link)."""
    from kb.analysis.sections import matcher

    if not doc.title:
        raise ImportFailed("未能识别文件标题（应为单独一行的“……条例/办法/通知”等），请检查原文或手工新建条目")
    if not doc.body:
        raise ImportFailed("未能识别正文")
    level = infer_level(doc)
    kind = entry_type(doc, level, etype)
    review: list[str] = []
    issuer = doc.issuer
    title = doc.title
    if issuer and title.startswith(issuer + "关于"):
        title = title[len(issuer):]
    if not issuer:
        issuer = "（制定机关待补）"
        review.append("未能识别制定机关")
    promulgated = doc.promulgated
    if promulgated is None:
        review.append("未能识别公布日期（已填施行日期或 1949-10-01，请改正）")
        promulgated = doc.effective or dt.date(1949, 10, 1)
    if not level.sure:
        review.append(f"效力级别：{level.why}" if level.why else "效力级别为推断")
    if etype is None and level.value is None:
        review.append(f"类型按文件形式推断为{'法规' if kind == 'regulation' else '政策文件'}")
    today = today or dt.date.today()
    status = "not-yet-effective" if doc.effective and doc.effective > today else "in-force"
    body = render_body(doc.body)
    text_all = title + "\n" + "\n".join(doc.body)
    scores = matcher(keywords).score_detail(title, text_all)[2]
    ranked = list(scores)
    areas = [a for a in ranked if scores[a] >= scores[ranked[0]] * 0.5][:3] if ranked else []
    if not areas:  # not a refusal: the first area of areas.yml, marked for review
        areas = list(keywords)[:1]
        review.append(f"未能识别工作领域（areas.yml 中的关键词都没有出现），暂填 {areas[0]}")
    front: dict = {"id": doc_id(title, promulgated.year, kind), "type": kind, "title": title, "issuer": issuer}
    if doc.doc_number:
        front["doc_number"] = doc.doc_number
    if level.value:
        front["level"] = level.value
    front["status"] = status
    front["promulgated"] = promulgated
    if doc.effective:
        front["effective"] = doc.effective
    for key, value in (links or {}).items():
        front[key] = value
    front["areas"] = areas
    front["source"] = " ".join(path.name.split())[:300]
    if review:
        front["review"] = "；".join(review)[:2000]
    front_yaml = yaml.dump(front, Dumper=_NoAliases, allow_unicode=True, sort_keys=False, default_flow_style=None,
                           width=1000)
    text = _env().get_template("document.md.j2").render(
        front_matter=front_yaml.rstrip("\n"), source=front["source"], review=bool(review), body=body,
    ).rstrip("\n") + "\n"
    rel = f"data/{TYPE_DIRS[kind]}/{front['id']}.md"
    problems = Problems()
    parsed = parse_entry(text, root / rel, rel, problems)
    model = validate_entry(parsed, set(keywords), problems) if parsed is not None else None
    if problems.errors or not isinstance(model, DocumentBase):
        details = "；".join(f"{p.field}: {p.message}" for p in problems.errors)
        raise ImportFailed(f"生成的条目未通过校验：{details}")
    structure = parse_articles(parsed.body, parsed.body_line)
    anchors = [item.anchor for item in structure.items]
    return DocumentResult(source=path, type=kind, front=front, markdown=text, anchors=anchors, review=review)
