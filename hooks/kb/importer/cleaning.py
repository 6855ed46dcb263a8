"""Removing web and template noise from a report, line by line.

Rules are matched on the Simplified form of a line (so Traditional pages are
cleaned by the same rules) but the kept lines are returned as written: only
pinyin readings and stray whitespace are taken out of body text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from kb.text.script import to_simplified
from kb.importer.reading import Block
from kb.importer.runon import unglue_blocks

# -- within a line --------------------------------------------------------

_TONED = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü"
_PINYIN = re.compile(
    rf"(?<=[\u3400-\u9fff])[（(]\s*([a-z{_TONED}]{{1,7}}[1-5]?(?:\s+[a-z{_TONED}]{{1,7}}[1-5]?)*)\s*[)）]"
)
_HAS_TONE = re.compile(f"[{_TONED}]|[a-z][1-5]")
_INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
_CJK = "\u3400-\u9fff\u3000-\u303f\uff00-\uffef\u2018-\u201f\u2026\u2014\u00b7"
_SPACE_RUN = re.compile(rf"(?<=[{_CJK}0-9(),.:;!?])[ \t\u3000\u00a0]+(?=[{_CJK}0-9(),.:;!?])")
_MULTI_SPACE = re.compile(r"[ \t\u3000\u00a0]{2,}")
_HAS_CJK = re.compile(rf"[{_CJK}]")


def strip_pinyin(text: str, loose: bool = False) -> str:
    """Remove pinyin readings written after characters: 統(tǒng)戰(zhàn) -> 統戰.

    A reading needs a tone mark (or tone number), unless ``loose`` (the
    document has many toneless ones).
    """
    def repl(m: re.Match) -> str:
        return "" if loose or _HAS_TONE.search(m.group(1)) else m.group(0)

    return _PINYIN.sub(repl, text)


def count_plain_pinyin(text: str) -> int:
    return sum(1 for m in _PINYIN.finditer(text) if not _HAS_TONE.search(m.group(1)))


def tidy_spaces(text: str) -> str:
    """Trim a line and drop spaces that separate Chinese characters or numbers."""
    text = _INVISIBLE.sub("", text).strip(" \t\u3000\u00a0")
    if not _HAS_CJK.search(text):
        return _MULTI_SPACE.sub(" ", text)
    text = _SPACE_RUN.sub(lambda m: "" if _cjk_side(text, m) else m.group(0), text)
    return _MULTI_SPACE.sub(" ", text)


def _cjk_side(text: str, m: re.Match) -> bool:
    before, after = text[m.start() - 1], text[m.end()]
    return bool(_HAS_CJK.match(before) or _HAS_CJK.match(after))


# -- whole lines ----------------------------------------------------------

_BREADCRUMB_START = re.compile(r"^(?:当前位置|您的位置|你的位置|您现在的位置|你现在的位置|您当前的位置|所在位置|当前页面|位置)\s*[：:>]")
_CRUMB_SEP = re.compile(r"\s*(?:>>|[>›»＞→]|&gt;)\s*")
_NAV_WORDS = frozenset(
    "首页 专题 返回 返回顶部 返回首页 返回列表 上一篇 下一篇 上一页 下一页 打印 关闭 收藏 分享 分享到 打印本页 "
    "关闭窗口 更多 登录 注册 扫一扫 顶部 目录 点赞 评论 举报 纠错 下载 复制 全文阅读 阅读全文 展开全文 加入收藏 "
    "设为首页 网站地图 联系我们 字号 大 中 小".split()
)
_NAV_LINE = re.compile(r"^[\s【】\[\]|｜·•/、]*(?:(?:" + "|".join(sorted(_NAV_WORDS, key=len, reverse=True)) + r")[\s【】\[\]|｜·•/：:、]*)+$")
_COPYRIGHT = re.compile(
    r"版权所有|版权归|版权属于|版权声明|著作权归|著作权属于|转载请注明|转载请保留|转载或引用|如若转载|转载时请|禁止转载|"
    r"谢绝转载|请勿转载|未经.{0,12}(?:许可|授权|同意).{0,8}(?:转载|使用|复制)|侵犯了?您的|侵权.{0,6}(?:删除|联系)|"
    r"免责声明|icp备|icp证|备案号|公网安备|copyright|all rights reserved|©|本站(?:的资料|所有|内容|文章|部分)|"
    r"本网站|资料来自互联网|来自互联网"
)
_URL = re.compile(r"https?://|www\.[a-z0-9-]+\.", re.I)
_FIELD_LINE = re.compile(
    r"^[【\[（(]?(?:文章来源|信息来源|稿件来源|来源|作者|编辑|责任编辑|责编|编审|审核|审校|校对|供稿|撰稿|摄影|图片|"
    r"发布时间|发布日期|发布者|发布人|更新时间|日期|时间|浏览次数|浏览量|阅读次数|阅读量|点击数|点击量|访问量|字号|字体|"
    r"本文链接|原文链接|原文地址|原标题)[】\]]?\s*[：:]"
)
# Site furniture that needs no colon (short lines only).
_SITE_LINE = re.compile(
    r"^[【\[（(]?(?:扫描二维码|扫码|扫一扫|长按二维码|长按识别|关注公众号|关注我们|立即下载|免费下载|文档下载|下载文档|全文下载|"
    r"本文共\d|全文共\d|微信分享|分享至|缩略图|预览图|查看大图|点击(?:查看|预览|放大)|(?:图|图片)\s*\d{1,3}$)"
)
# A site's own name on a line (好文档分享站, 某某范文网) and a site's title for a
# report (某镇统战工作总结范文(通用3篇)): never report text.
_SITE_NAME = re.compile(r"^[^\s，。,.；;：:]{2,14}(?:网|文库|分享站|下载站|资料站|范文站|文档站)$")
_SITE_TITLE_LINE = re.compile(r"范文|通用\s*\d+\s*篇|精选\s*\d+\s*篇|\d+\s*篇(?:精选|通用)|怎么写")
_LEAD_IN = re.compile(
    r"^[【\[]?(?:编者按|编者的话|编者注|导读|导语|核心提示|内容提要|提要|摘要)[】\]]?\s*[：:】]?|"
    r"小编|为大家(?:整理|收集|带来|分享|准备|精心)|为您(?:整理|收集|带来|分享)|欢迎(?:阅读|借鉴|参考|下载)|仅供(?:参考|学习)|"
    r"希望(?:对|能)(?:你|您|大家)|范文网|精选范文|优秀范文|以下是.{0,30}(?:范文|文章)|"
    # document-sharing and template sites
    r"本文具有广泛通用性|具有广泛通用性|欢迎各位亲|各位亲|下载后可|可自行编辑|可编辑修改|文档均由用户上传|用户上传|"
    r"文档来源于网络|相关范文|更多范文|范文(?:下载|大全|模板)|精品范文|精品文档|(?:免费|文档)下载|"
    r"继续阅读|还剩\s*\d+\s*页|阅读已结束|点击下载|付费下载|下载券|vip|文档仅供|本文档由|文档贡献者|上传者"
)
# A site's name after a title: _某某文库, - 某某网, | 某某文档
_SITE_SUFFIX = re.compile(r"(?<=\S)\s*[_\-|｜—–]+\s*[^_\-|｜—–\s，。]{1,12}(?:网|站|文库|文档|巴巴|豆丁)$")
TOP_LINES = 8
# 篇一 / 第二篇: a sharing site's page holding several reports one after another.
_PIECE_MARK = re.compile(r"^[【\[]?(?:篇[一二三四五六七八九十]|第[一二三四五六七八九十]篇)[】\]]?$")
# A site's title for a report (范文(通用5篇), 怎么写, 精选3篇), never the report's own.
_SITE_TITLE = re.compile(r"范文|通用\s*\d+\s*篇|精选\s*\d+\s*篇|\d+\s*篇|怎么写|模板|大全|精选|汇编|合集|下载|文库|[_\-|｜].{1,12}(?:网|站|文库)$")
_LIST_HEAD = re.compile(
    r"^[【\[]?(?:推荐访问|推荐阅读|相关推荐|相关阅读|相关文章|相关链接|相关新闻|延伸阅读|猜你喜欢|你可能(?:还)?喜欢|"
    r"热门文章|热门推荐|热点文章|最新文章|精彩推荐|大家都在看|本栏目阅读排行|本栏目|栏目最新|最新更新|阅读排行|"
    r"热门排行|版权声明|免责声明|更多(?:相关)?(?:文章|内容|阅读)|更多精彩|文章推荐|网友评论|发表评论|上一篇|下一篇)"
)
_OUTER_HEADING = re.compile(r"^(?:第?[一二三四五六七八九十]+[、．.]|第[一二三四五六七八九十]+部分|[（(][一二三四五六七八九十]+[）)])")
_TITLE_WORDS = re.compile(r"总结|报告|汇报|计划|要点|工作情况|述职|小结|回顾|打算|思路")
_TITLE_YEAR = re.compile(r"(?:19|20)\d{2}\s*年|[〇零○一二][〇零○一二三四五六七八九]{3}年|年度|上半年|下半年")
_END_PUNCT = "。！？；，,;:："


_DATE_LINE = re.compile(r"^[（(]?(?:(?:19|20)\d{2}|[一二〇零○][〇零○一二三四五六七八九]{3})\s*年\s*[0-9一二三四五六七八九十]{1,3}\s*月"
                        r"(?:\s*[0-9一二三四五六七八九十]{1,3}\s*日)?[)）]?$")
_SIGNATURE_UNIT = re.compile(r"^[^，,。；;：:]{2,30}(?:统战部|统战办|统一战线工作部|党委|党工委|委员会|人民政府|办公室)$")


@dataclass
class Cleaned:
    title: str | None
    blocks: list[Block]
    removed: list[tuple[str, str]] = field(default_factory=list)  # (rule, line)
    preamble: list[str] = field(default_factory=list)  # short lines above the title (used for metadata only)


def _norm(text: str) -> str:
    return re.sub(r"\s+", "", to_simplified(text))


def _is_breadcrumb(simple: str) -> bool:
    if _BREADCRUMB_START.match(simple):
        return True
    if "。" in simple or "，" in simple or len(simple) > 80:
        return False
    parts = [p for p in _CRUMB_SEP.split(simple)]
    seps = len(parts) - 1
    if seps < 1:
        return False
    filled = [p for p in parts if p.strip()]
    short = all(len(p) <= 16 for p in filled)
    return short and (seps >= 2 or simple.rstrip().endswith((">", "›", "»", "＞")) or filled[0] in ("首页", "网站首页"))


def line_noise(simple: str) -> str | None:
    """Name of the rule a (Simplified, trimmed) line falls under, or None."""
    low = simple.lower()
    if _is_breadcrumb(simple):
        return "breadcrumb"
    if len(simple) <= 30 and _NAV_LINE.match(simple):
        return "nav"
    if _COPYRIGHT.search(low):
        return "copyright"
    if _URL.search(low) and len(simple) < 160:
        return "url"
    if len(simple) <= 80 and (_FIELD_LINE.match(simple) or _SITE_LINE.match(simple)):
        return "byline"
    if len(simple) <= 200 and _LEAD_IN.search(simple):
        return "lead-in"
    if _SITE_NAME.match(simple) or (len(simple) <= 60 and _SITE_TITLE_LINE.search(simple)
                                    and not re.search("[，。；]", simple)):
        return "site"
    return None


def _is_prose(simple: str) -> bool:
    return len(simple) >= 60 and any(p in simple for p in "，。,")


def _has_report_text(blocks: list[Block]) -> bool:
    return any(_OUTER_HEADING.match(to_simplified(b.text)) for b in blocks)


def find_title(lines: list[str], hint: str | None = None) -> str | None:
    if hint and _TITLE_WORDS.search(to_simplified(hint)) and not _SITE_TITLE.search(to_simplified(hint)):
        return hint
    candidates = []
    for text in lines[:6]:
        simple = to_simplified(text)
        if _SITE_TITLE.search(simple):
            continue
        if len(simple) <= 60 and not simple.endswith(tuple(_END_PUNCT)) and not _OUTER_HEADING.match(simple) \
                and _TITLE_WORDS.search(simple):
            candidates.append(text)
    # A report title usually names its year (工作总结频道 does not).
    dated = [t for t in candidates if _TITLE_YEAR.search(t)]
    if dated or candidates:
        return (dated or candidates)[0]
    if hint and _TITLE_WORDS.search(to_simplified(hint)):
        return hint
    if lines and len(lines[0]) <= 40 and not lines[0].endswith(tuple(_END_PUNCT)):
        return lines[0]
    return None


TITLE_SUFFIX_MAX = 12
PRETITLE_MAX = 30


def _is_title_copy(line: str, title: str) -> bool:
    """The title again, possibly with a site's suffix (（全文）, _某某网, -范文)."""
    if line == title:
        return True
    rest = line[len(title):] if line.startswith(title) else None
    return rest is not None and len(rest) <= TITLE_SUFFIX_MAX and not re.search("[，。,；]", rest)


def clean(blocks: list[Block]) -> Cleaned:
    """Drop noise lines and noise blocks; trim, de-pinyin and find the title."""
    loose = sum(count_plain_pinyin(b.text) for b in blocks) >= 3
    blocks, removed = unglue_blocks(blocks)
    out: list[Block] = []
    in_list = False
    pieces = 0
    title_hint: str | None = None
    for i, b in enumerate(blocks):
        text = tidy_spaces(strip_pinyin(b.text, loose))
        if i < TOP_LINES and len(out) < 3:
            # 某镇2023年统战工作总结_某某文库: the title without the site's name
            text = _SITE_SUFFIX.sub("", text)
        if not text:
            continue
        simple = to_simplified(text)
        if _PIECE_MARK.match(simple):
            pieces += 1
            removed.append(("piece-mark", text))
            if pieces > 1 or (out and _has_report_text(out)):
                break  # the next report on a sharing site's page
            continue
        if in_list:
            # A related-articles list or copyright notice runs on over short
            # lines; report text (a top-level heading or prose) ends it.
            if _OUTER_HEADING.match(simple) or (_is_prose(simple) and line_noise(simple) is None):
                in_list = False
            else:
                removed.append(("list", text))
                continue
        if _LIST_HEAD.match(simple) and len(simple) <= 40:
            removed.append(("list", text))
            in_list = True
            continue
        rule = line_noise(simple)
        if rule:
            removed.append((rule, text))
            continue
        if b.heading_level == 0 or (b.heading_level == 1 and title_hint is None and not out):
            title_hint = title_hint or text
        out.append(Block(text, b.heading_level))
    # The signature at the end (unit and date) is not report text.
    for _ in range(3):
        if out and (_DATE_LINE.match(to_simplified(out[-1].text)) or _SIGNATURE_UNIT.match(to_simplified(out[-1].text))):
            removed.append(("signature", out.pop().text))
    title = find_title([b.text for b in out], title_hint)
    if title:
        key = _norm(title)
        kept: list[Block] = []
        seen = False
        preamble: list[str] = []
        for b in out:
            if _is_title_copy(_norm(b.text), key):
                if seen:
                    removed.append(("repeated-title", b.text))
                    continue
                seen = True
                # Short lines above the title (site name, column label, the
                # unit on a line of its own) are not report text.
                while kept and len(kept[-1].text) <= PRETITLE_MAX and not _OUTER_HEADING.match(kept[-1].text):
                    preamble.insert(0, kept.pop().text)
                removed.extend(("pre-title", t) for t in preamble)
                continue  # the title goes to the front matter, not the body
            kept.append(b)
        out = kept
        return Cleaned(title=title, blocks=out, removed=removed, preamble=preamble)
    return Cleaned(title=title, blocks=out, removed=removed)
