"""Official documents (regulations and policies): recognising them and reading their parts.

An official document is told from a report by its form: a decree or an
announcement header (国务院令第686号, 某省人大常委会公告), a 发文字号
(某政办发〔2024〕12号), an adoption note (…会议通过) or a run of 第X条
articles. ``parse`` finds the title, the header facts (issuer, number, dates)
and the body lines; ``kb.importer.document`` turns them into an entry.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from kb.importer.cleaning import tidy_spaces
from kb.importer.reading import Block
from kb.text.numerals import NUMERAL_CHARS, to_int

_N = f"[{NUMERAL_CHARS}]+"
_SP = "[ \t\u3000\u00a0]"
DIVISION_LINE = re.compile(f"^第(?P<num>{_N})(?P<kind>[章节節])(?:{_SP}*(?P<name>[^。；;]{{0,30}}))?$")
ARTICLE_LINE = re.compile(f"^(?P<label>第(?P<num>{_N})[条條](?:之(?P<sub>{_N}))?)(?P<space>{_SP}*)(?P<rest>.*)$")
DATE = (r"(?:(?:19|20)\d{2}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日"
        r"|[〇零○Ｏ一二三四五六七八九]{4}年[一二三四五六七八九十]{1,3}月[一二三四五六七八九十]{1,3}日)")
_DATE_RE = re.compile(r"((?:19|20)\d{2})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
_CN_DATE_RE = re.compile("([〇零○Ｏ一二三四五六七八九]{4})年([一二三四五六七八九十]{1,3})月([一二三四五六七八九十]{1,3})日")
_DIGIT_OF = {c: str(i) for i, c in enumerate("〇一二三四五六七八九")} | {"零": "0", "○": "0", "Ｏ": "0"}
TITLE_SUFFIX = re.compile(
    r"(?:条例|法|办法|规定|细则|规则|准则|意见|通知|决定|方案|规划|纲要|制度|措施|意见稿|公告)(?:[（(][^（）()]{1,12}[）)])?$")
DOC_NUMBER = re.compile(r"[\u4e00-\u9fff]{1,12}\s*[〔\[［【(（]\s*((?:19|20)\d{2})\s*[〕\]］】)）]\s*(\d{1,4})\s*号")
DECREE = re.compile(f"^(?P<who>[\u4e00-\u9fff]{{2,30}}?)令(?:{_SP}*[（(]?{_SP}*第{_SP}*(?P<n>{_N}){_SP}*号[）)]?)?$")
NUMBER_LINE = re.compile(f"^[（(]?{_SP}*第{_SP}*(?P<n>{_N}){_SP}*号{_SP}*[）)]?$")
ISSUED = re.compile(f"({DATE})((?:中共|中国共产党)?[\u4e00-\u9fff]{{2,30}}?)(?:发布|印发|公布)")
ANNOUNCEMENT = re.compile(
    f"^(?P<who>[\u4e00-\u9fff]{{2,40}}?)公告{_SP}*(?:[（(]{_SP}*第{_SP}*(?P<n>{_N}){_SP}*号{_SP}*[）)]|第{_SP}*(?P<n2>{_N}){_SP}*号)?$")
ADOPTED = re.compile(f"({DATE})[^，。；]{{0,4}}?((?:[\u4e00-\u9fff]{{2,30}}?)(?:会议|常务会议|全体会议))[^，。；]{{0,8}}?通过")
EFFECTIVE = re.compile(f"自({DATE})起(?:施行|实施|执行|生效)")
EFFECTIVE_ON_ISSUE = re.compile(r"自(?:公布|发布|印发|下发)之日起(?:施行|实施|执行|生效)")
DATE_LINE = re.compile(f"^[（(]?({DATE})[）)]?$")
# Labelled facts on a government site's information-disclosure block.
LABELLED = re.compile(r"^(发文机关|制定机关|发布机关|发文字号|文号|成文日期|公布日期|施行日期|实施日期|效力级别)"
                      rf"{_SP}*[:：]{_SP}*(.*)$")
_LABEL_FIELD = {"发文机关": "issuer", "制定机关": "issuer", "发布机关": "issuer", "发文字号": "doc_number",
                "文号": "doc_number", "成文日期": "promulgated", "公布日期": "promulgated", "施行日期": "effective",
                "实施日期": "effective", "效力级别": "level"}
# Page furniture of government sites and printed pages.
FURNITURE = re.compile(
    r"^(?:当前位置|您(?:现在)?的位置|首页\s*[>＞›»]|来源[:：]|信息来源[:：]|发布时间[:：]|浏览次数|阅读次数|点击[数量率]|"
    r"【?\s*字体[:：]|【?\s*字号[:：]|打印本页|【?\s*打印|关闭窗口|【?\s*关闭|分享到|扫一扫|版权所有|主办单位|承办单位|"
    r"网站标识码|网站地图|联系我们|.*ICP备|.*公网安备|索引号[:：]|主题分类[:：]|上一篇|下一篇|相关(?:链接|文章|阅读)|"
    r"责任编辑|编辑[:：]|附件下载|发布日期[:：]|发布时间|[-—–_\s]*\d{1,4}[-—–_\s]*$|第\s*\d+\s*页)"
)
_TOC = re.compile(f"^目{_SP}*录$")
_ISSUER_TAIL = re.compile(
    r"(?:人民代表大会常务委员会|人民代表大会|人民政府办公厅|人民政府办公室|人民政府|委员会|办公厅|办公室|"
    r"统战部|统一战线工作部|中央|省委|市委|县委|区委|部|局|厅|委|院|署|会)$")
_REPORT_TITLE = re.compile(r"总结|汇报|述职|报告|要点|计划|打算")
_DOC_TITLE = re.compile(r"^(?:.{0,30}关于.{2,60}(?:意见|通知|决定|办法|规定|方案|细则|措施)"
                        r"|.{2,40}(?:条例|办法|规定|细则|准则))(?:[（(][^（）()]{1,12}[）)])?$")


@dataclass
class Official:
    """What the text of an official document states about itself."""

    title: str = ""
    issuer: str | None = None
    doc_number: str | None = None
    promulgated: dt.date | None = None
    effective: dt.date | None = None
    level: str | None = None  # as labelled on the page (效力级别：…), if it was
    decree: str | None = None  # who issued the decree or announcement (国务院, 某省人大常委会)
    adopted_by: str | None = None  # the meeting that adopted it, without its session number
    body: list[str] = field(default_factory=list)  # lines: divisions, articles, paragraphs
    articles: int = 0
    signature: str | None = None  # an issuer signing at the end (policies)
    notes: list[str] = field(default_factory=list)  # how a fact was found (for the review reason)


def to_date(text: str) -> dt.date | None:
    text = re.sub(r"\s", "", text)
    m = _DATE_RE.search(text)
    if m:
        y, mo, d = (int(g) for g in m.groups())
    else:
        m = _CN_DATE_RE.search(text)
        if not m:
            return None
        y = int("".join(_DIGIT_OF.get(c, "0") for c in m.group(1)))
        mo, d = to_int(m.group(2)) or 0, to_int(m.group(3)) or 0
    try:
        return dt.date(y, mo, d)
    except ValueError:
        return None


def article_count(lines: list[str]) -> int:
    """Lines that start a 第X条 article in sequence (a stray 第三条 in a sentence does not count)."""
    last, count = 0, 0
    for line in lines:
        m = ARTICLE_LINE.match(line)
        if m and accept_article(m, last):
            last = to_int(m.group("num")) or last
            count += 1
    return count


def accept_article(m: re.Match, last: int) -> bool:
    num = to_int(m.group("num"))
    if not num:
        return False
    if m.group("space") or not m.group("rest"):
        return True
    return num == last + 1 or (num == last and bool(m.group("sub")))  # 第五条之一 glued to its text


def looks_official(blocks: list[Block]) -> bool:
    """An official document rather than a work report."""
    lines = [tidy_spaces(b.text) for b in blocks if b.text.strip()]
    head = lines[:40]
    if any(_REPORT_TITLE.search(line) and len(line) <= 60 for line in head[:5]) and article_count(lines) < 3:
        return False
    if article_count(lines) >= 3:
        return True
    if any(DECREE.match(line) or ANNOUNCEMENT.match(line) for line in head):
        return True
    if any(DOC_NUMBER.search(line) and len(line) <= 40 for line in head):
        return True  # 某政办发〔2024〕12号, 发文字号：…
    if any((m := LABELLED.match(line)) and m.group(1) in ("发文机关", "制定机关", "发文字号", "效力级别") for line in head):
        return True
    if any(ADOPTED.search(line) for line in head):
        return True
    # A document title among the first lines: 关于……的实施意见, ……管理办法
    return any(_DOC_TITLE.match(line) and not _REPORT_TITLE.search(line) for line in head[:6])


def _org(meeting: str) -> str:
    """某省第十四届人民代表大会常务委员会第三次会议 -> 某省人民代表大会常务委员会."""
    name = re.sub(f"第{_N}届", "", meeting)
    name = re.sub(f"第{_N}次(?:常务|全体)?会议$", "", name)
    name = re.sub(r"(?:常务|全体)?会议$", "", name)
    return name


def _decree_issuer(who: str) -> str:
    return re.sub(r"^中华人民共和国(?=国务院)", "", who)


def parse(blocks: list[Block]) -> Official:
    """Title, header facts and body lines of an official document."""
    out = Official()
    labelled: dict[str, str] = {}
    rest: list[tuple[str, int | None]] = []
    for block in blocks:
        text = tidy_spaces(block.text)
        if not text or FURNITURE.match(text):
            continue
        lm = LABELLED.match(text)
        if lm and lm.group(2):
            raw = LABELLED.match(block.text.strip(" \t\u3000\u00a0"))  # keep the space between two issuers
            value = (raw.group(2) if raw else lm.group(2)).strip()
            labelled.setdefault(_LABEL_FIELD[lm.group(1)], re.sub(r"[ \t\u3000\u00a0]+", "　", value))
        else:
            rest.append((text, block.heading_level))
    rest = _without_toc(rest)
    start = _body_start([t for t, _ in rest])
    title_at = _find_title(rest, start)  # may join a title broken over two lines
    texts = [t for t, _ in rest]
    start = _body_start(texts)
    out.title = texts[title_at].strip("《》") if title_at is not None else _quoted_title(texts[:start or 10])
    header = texts[:start] if start is not None else texts[: (title_at or 0) + 3]
    _header_facts(out, header, title_at)
    body_from = start if start is not None else _policy_body_start(texts, title_at)
    body = _drop_toc(texts[body_from:])
    body, signature, signed = _signature(body)
    out.body = body
    out.articles = article_count(body)
    out.signature = signature
    if signed and out.promulgated is None:
        out.promulgated = signed
        out.notes.append("公布日期取自落款日期")
    all_text = "\n".join(texts)
    em = EFFECTIVE.search(all_text)
    if em:
        out.effective = to_date(em.group(1))
    elif EFFECTIVE_ON_ISSUE.search(all_text) and out.promulgated:
        out.effective = out.promulgated
    for key, value in labelled.items():
        if key in ("promulgated", "effective"):
            date = to_date(value) or (dt.date.fromisoformat(value[:10]) if re.match(r"\d{4}-\d{2}-\d{2}", value) else None)
            if date and getattr(out, key) is None:
                setattr(out, key, date)
        elif getattr(out, key) is None:
            setattr(out, key, value)
    if out.issuer is None:
        if out.decree and out.decree.endswith("主席") and out.adopted_by:
            out.decree = None  # a law is made by the legislature, the President's order promulgates it
        out.issuer = out.decree or out.adopted_by or _issuer_from_title(out) or signature
    return out


def _body_start(texts: list[str]) -> int | None:
    """Index of the first chapter or article of the body (after a table of contents)."""
    last = 0
    for i, text in enumerate(texts):
        if _TOC.match(text):
            continue
        d = DIVISION_LINE.match(text)
        m = ARTICLE_LINE.match(text)
        if d and to_int(d.group("num")) == 1:
            return i
        if m and to_int(m.group("num")) == 1 and accept_article(m, last):
            # the first article, if the chapters were all missing
            return i
    return None


def _find_title(rest: list[tuple[str, int | None]], start: int | None) -> int | None:
    limit = start if start is not None else min(len(rest), 25)
    for i, (text, level) in enumerate(rest[:limit]):
        if level is not None and level <= 1 and TITLE_SUFFIX.search(text.strip("《》")) and len(text) <= 80:
            return i
    candidates = [i for i, (text, _) in enumerate(rest[:limit])
                  if TITLE_SUFFIX.search(text.strip("《》")) and len(text) <= 80 and not re.search("[。；，,]", text)
                  and not DECREE.match(text) and not ANNOUNCEMENT.match(text)]
    # the title nearest the body: a decree's announcement names it first, the body follows its own title
    at = candidates[-1] if start is not None and candidates else (candidates[0] if candidates else None)
    if at:  # a long title broken over two lines: 某市人民政府办公室关于进一步做好 / 某某工作的通知
        prev = rest[at - 1][0]
        if "关于" in prev and not re.search("[。；，,：:]", prev) and not TITLE_SUFFIX.search(prev) and len(prev) <= 40:
            rest[at - 1] = (prev + rest[at][0], rest[at - 1][1])
            del rest[at]
            return at - 1
    return at


def _header_facts(out: Official, header: list[str], title_at: int | None) -> None:
    dated: list[tuple[int, dt.date]] = []
    for i, text in enumerate(header):
        dm = DECREE.match(text)
        am = ANNOUNCEMENT.match(text)
        following = NUMBER_LINE.match(header[i + 1]) if i + 1 < len(header) else None
        if dm and (dm.group("n") or following):
            who = _decree_issuer(dm.group("who"))
            out.decree = who
            out.doc_number = f"{who}令第{dm.group('n') or following.group('n')}号"
        elif am:
            out.decree = am.group("who")
            n = am.group("n") or am.group("n2") or (following.group("n") if following else None)
            if n:
                out.doc_number = f"{am.group('who')}公告第{n}号"
        elif DOC_NUMBER.fullmatch(text) and out.doc_number is None:
            out.doc_number = _bracket(text)
        elif (nm := DOC_NUMBER.search(text)) and out.doc_number is None and len(text) <= 40:
            out.doc_number = _bracket(nm.group(0))
        if DATE_LINE.match(text) or re.match(f"^[\u4e00-\u9fff]{{1,6}}{_SP}+[\u4e00-\u9fff]{{2,4}}{_SP}*$", text):
            if (d := to_date(text)) is not None:
                dated.append((i, d))
        am2 = ADOPTED.search(text)
        if am2 and out.adopted_by is None:
            out.adopted_by = _org(am2.group(2))
        for im in ISSUED.finditer(text):
            out.adopted_by = im.group(2)  # the last issuing body named: 2022年6月20日中共某省委发布
    # The date of the decree or announcement: a date standing on its own line before the title.
    before = [d for i, d in dated if title_at is None or i < title_at]
    if before:
        out.promulgated = before[-1]
        out.notes.append("公布日期取自公布令/公告的日期")
        return
    # Else the latest date in the adoption note: （…通过 …修订 …修正）
    note = "\n".join(header[title_at + 1:] if title_at is not None else header)
    dates = [d for d in (to_date(m.group(0)) for m in re.finditer(DATE, note)) if d]
    if dates:
        out.promulgated = max(dates)
        out.notes.append("公布日期取自“…通过”的日期")


def _bracket(number: str) -> str:
    number = re.sub(r"\s", "", number)
    return re.sub(r"[\[［【(（](\d{4})[\]］】)）]", r"〔\1〕", number)


def _policy_body_start(texts: list[str], title_at: int | None) -> int:
    """After the title of a document without articles, and the number and date lines under it."""
    i = (title_at + 1) if title_at is not None else 0
    while i < len(texts) and (DOC_NUMBER.fullmatch(texts[i]) or DATE_LINE.match(texts[i])
                              or re.match(f"^[（(].{{0,80}}(?:通过|印发|发布|公布)[^）)]*[）)]$", texts[i])):
        i += 1
    return i


def _without_toc(rest: list[tuple[str, int | None]]) -> list[tuple[str, int | None]]:
    """Lines without the 目录: from the 目录 line to where its first entry comes again."""
    for t, (text, _) in enumerate(rest):
        if _TOC.match(text) and t + 1 < len(rest):
            first = rest[t + 1][0]
            for j in range(t + 2, len(rest)):
                if rest[j][0] == first:
                    return rest[:t] + rest[j:]
    return rest


def _drop_toc(body: list[str]) -> list[str]:
    """The 目录 block (a list of chapter headings repeated before the body)."""
    out: list[str] = []
    i = 0
    while i < len(body):
        if _TOC.match(body[i]):
            j = i + 1
            while j < len(body) and (DIVISION_LINE.match(body[j]) or (len(body[j]) <= 8 and not re.search("[。；]", body[j]))):
                j += 1
            i = j
            continue
        out.append(body[i])
        i += 1
    return out


def _signature(body: list[str]) -> tuple[list[str], str | None, dt.date | None]:
    """A closing issuer line and date (落款) taken off the body's end."""
    if len(body) < 2:
        return body, None, None
    tail = body[-4:]
    for k in range(len(tail) - 1, -1, -1):
        if DATE_LINE.match(tail[k]):
            date = to_date(tail[k])
            cut = len(body) - len(tail) + k
            names = [t for t in body[max(0, cut - 2):cut] if _ISSUER_TAIL.search(t) and len(t) <= 40
                     and not re.search("[。；，,：:]", t)]
            start = cut - len(names)
            after = [t for t in body[cut + 1:] if re.match(r"^[（(].{0,20}[）)]$", t)]  # （此件公开发布）
            if len(after) != len(body) - cut - 1:
                return body, None, None
            return body[:start], "　".join(names) or None, date
    return body, None, None


def _issuer_from_title(out: Official) -> str | None:
    m = re.match(r"^(.{2,40}?)关于", out.title)
    if m and _ISSUER_TAIL.search(m.group(1)):
        return m.group(1)
    return None


def _quoted_title(header: list[str]) -> str:
    """The title named in a decree or announcement (《某某条例》已经……通过) when it has no line of its own."""
    for text in header:
        for m in re.finditer(r"《([^《》]{2,60})》", text):
            if TITLE_SUFFIX.search(m.group(1)):
                return m.group(1)
    return ""
