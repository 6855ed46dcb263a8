"""Report sections: splitting a report body at its headings, and inferring
each section's kind (achievement, problem, ...) and work areas."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from kb.text.markdown import ATTR_ID_RE, ATTR_RE, HEADING_RE, MD_ESCAPE_RE, FenceTracker
from kb.text.script import to_simplified

NUMBERING_RE = re.compile(
    r"^\s*(?:第?[一二三四五六七八九十百〇零]+[、．.，,是]|[（(][一二三四五六七八九十百〇零0-9]+[)）]|\d+[、．.，,)）]|[①-⑳])\s*"
)

# Kind patterns on Simplified heading text, checked in this order.
KIND_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    # 建议 names a part only at its end (几点建议, 意见和建议), not in 提出建议20条.
    ("suggestion", re.compile(r"对策|建议$|建议(?:和|与|及)")),
    ("problem", re.compile(r"存在的?问题|问题与不足|问题和不足|不足$|存在的?不足|差距|短板$|薄弱环节|困难和问题|主要问题")),
    ("plan", re.compile(r"下一步|下半年|明年|计划|打算|思路|工作安排|工作设想|今后|展望|重点工作")),
    ("experience", re.compile(r"经验|做法|体会|启示|特色|亮点")),
    ("achievement", re.compile(r"主要工作|工作开展|开展情况|工作情况|工作成效|成效|成绩|完成情况|工作回顾|上半年|全年|取得")),
]
# A heading is treated as naming a *part* (and so may set the kind even when
# its parent already has one) only if it is short, like 存在问题 or 下半年工作思路.
PART_HEADING_MAX = 8

HEADING_WEIGHT = 3
CONTEXT_WEIGHT = 1  # keywords in the parent part's heading (民族宗教工作 over its 1、2、)
MIN_SCORE = 2
# One specific keyword (统战干部队伍, 党外代表人士) is enough when no other area is named.
LONE_KEYWORD_MIN = 4
SECONDARY_RATIO = 0.5
MAX_AREAS = 3


@dataclass
class Section:
    """One report section, addressable by ``anchor`` on the report page."""

    anchor: str
    heading: str  # as written, without attribute list
    level: int  # depth in the report: 1 for a part, 2 for its sections, ...
    line: int  # 1-based line in the entry file
    text: str  # body text up to the next heading
    parent: int | None  # index of the parent section
    kind: str = "achievement"
    kind_explicit: bool = False  # the heading itself named the kind
    areas: list[str] = field(default_factory=list)
    matched: dict[str, list[str]] = field(default_factory=dict)  # area -> keywords
    overridden: bool = False
    scores: dict[str, float] = field(default_factory=dict)  # area -> keyword score, strongest first

    @property
    def has_text(self) -> bool:
        return bool(self.text.strip())


def strip_numbering(heading: str) -> str:
    return NUMBERING_RE.sub("", heading, count=1).strip()


def split_sections(body: str, body_line: int) -> list[Section]:
    """Split a Markdown body at ATX headings (outside code fences)."""
    lines = body.split("\n")
    heads: list[tuple[int, int, str, str | None]] = []  # (line idx, md level, text, explicit id)
    fences = FenceTracker()
    for i, line in enumerate(lines):
        if fences.in_code(line):
            continue
        h = HEADING_RE.match(line)
        if h:
            text = h.group(2)
            idm = ATTR_ID_RE.search(text)
            text = MD_ESCAPE_RE.sub(r"\1", ATTR_RE.sub("", text).strip())  # the heading as displayed
            if text:
                heads.append((i, len(h.group(1)), text, idm.group(1) if idm else None))
    if not heads:
        return []
    sections: list[Section] = []
    stack: list[tuple[int, int]] = []  # (md level, section index)
    counters: dict[int | None, int] = {}
    for n, (idx, mdlevel, text, explicit) in enumerate(heads):
        while stack and stack[-1][0] >= mdlevel:
            stack.pop()
        parent = stack[-1][1] if stack else None
        counters[parent] = counters.get(parent, 0) + 1
        number = counters[parent]
        anchor = f"{sections[parent].anchor}-{number}" if parent is not None else f"sec-{number}"
        end = heads[n + 1][0] if n + 1 < len(heads) else len(lines)
        sections.append(
            Section(
                anchor=explicit or anchor,
                heading=text,
                level=len(stack) + 1,
                line=body_line + idx,
                text="\n".join(lines[idx + 1 : end]).strip(),
                parent=parent,
            )
        )
        stack.append((mdlevel, len(sections) - 1))
    return sections


# Set phrases that contain a kind word without naming a report part.
KIND_NEUTRAL_RE = re.compile(r"特色社会主义|中国特色|特色小镇|特色产业")
QUOTES_RE = re.compile(r"[“”‘’「」『』\"']")


# 上半年重点工作完成情况 reports what was done, though 重点工作 alone reads as a plan.
ACHIEVED_RE = re.compile(r"完成情况|开展情况|推进情况|进展情况|落实情况|工作回顾|主要成效|主要成绩|取得的成效")
# 下半年 alone is not the future: in a second-half report "下半年工作开展情况"
# is the period being reported on. It is only with a plan word.
FUTURE_RE = re.compile(r"下一步|明年|今后|打算|计划|下半年(?:工作)?(?:思路|安排|重点|要点|目标|任务)")


def heading_kind(heading: str) -> str | None:
    simple = KIND_NEUTRAL_RE.sub("", to_simplified(strip_numbering(heading)))
    achieved = ACHIEVED_RE.search(simple) is not None and FUTURE_RE.search(simple) is None
    for kind, pattern in KIND_PATTERNS:
        if kind == "plan" and achieved:
            continue
        if pattern.search(simple):
            return kind
    return None


class AreaMatcher:
    """Scores text against the keywords of each work area."""

    def __init__(self, keywords: dict[str, list[str]]):
        self.keyword_area: dict[str, list[str]] = {}
        for slug, kws in keywords.items():
            for kw in kws:
                kw = to_simplified(kw.strip())
                if kw:
                    self.keyword_area.setdefault(kw, [])
                    if slug not in self.keyword_area[kw]:
                        self.keyword_area[kw].append(slug)
        self.order = {slug: i for i, slug in enumerate(keywords)}
        alternatives = sorted(self.keyword_area, key=lambda k: (-len(k), k))
        self.pattern = re.compile("|".join(map(re.escape, alternatives))) if alternatives else None

    def score(self, heading: str, text: str, context: str = "") -> tuple[list[str], dict[str, list[str]]]:
        """Return (areas, matched keywords per area), strongest first."""
        areas, matched, _ = self.score_detail(heading, text, context)
        return areas, matched

    def score_detail(self, heading: str, text: str, context: str = ""
                     ) -> tuple[list[str], dict[str, list[str]], dict[str, float]]:
        """Like ``score``, with the score of every matched area (strongest first).

        ``context`` is the heading of the enclosing part: weak evidence that
        breaks ties between areas mentioned in the section itself.
        """
        if self.pattern is None:
            return [], {}, {}
        scores: dict[str, float] = {}
        matched: dict[str, list[str]] = {}
        for source, weight, is_context in ((heading, HEADING_WEIGHT, False), (text, 1, False),
                                           (context, CONTEXT_WEIGHT, True)):
            if not source:
                continue
            # A section that names no area at all leans on its part's heading,
            # just enough to be listed (MIN_SCORE per area, however many keywords).
            lean = is_context and not scores
            for kw in self.pattern.findall(QUOTES_RE.sub("", to_simplified(source))):
                for slug in self.keyword_area[kw]:
                    if is_context and not lean and slug not in scores:
                        continue  # context only weighs areas the section itself names
                    scores[slug] = MIN_SCORE if lean else scores.get(slug, 0) + weight
                    bucket = matched.setdefault(slug, [])
                    if kw not in bucket:
                        bucket.append(kw)
        if not scores:
            return [], {}, {}
        ranked = sorted(scores, key=lambda s: (-scores[s], self.order.get(s, 99)))
        ordered = {s: scores[s] for s in ranked}
        top = scores[ranked[0]]
        lone = len(ranked) == 1 and any(len(kw) >= LONE_KEYWORD_MIN for kw in matched[ranked[0]])
        if top < MIN_SCORE and not lone:
            return [], {s: matched[s] for s in ranked}, ordered
        floor = min(top, MIN_SCORE)
        chosen = [s for s in ranked if scores[s] >= max(floor, top * SECONDARY_RATIO)][:MAX_AREAS]
        return chosen, {s: matched[s] for s in ranked}, ordered


@lru_cache(maxsize=8)
def _matcher_for(key: tuple) -> AreaMatcher:
    return AreaMatcher({slug: list(kws) for slug, kws in key})


def matcher(keywords: dict[str, list[str]]) -> AreaMatcher:
    return _matcher_for(tuple((s, tuple(k)) for s, k in keywords.items()))


def section_keys(sec: Section) -> tuple[str, ...]:
    """Keys by which front matter may address a section."""
    return (sec.anchor, sec.heading, strip_numbering(sec.heading))


def unknown_override_keys(sections: list[Section], overrides: dict) -> list[str]:
    known = {k for sec in sections for k in section_keys(sec)}
    return [key for key in overrides if key not in known]


def classify(sections: list[Section], keywords: dict[str, list[str]], overrides: dict | None = None) -> None:
    """Infer kind and areas of every section in place.

    ``overrides`` maps a section key (anchor or heading) to an object with
    optional ``kind`` and ``areas``; an overridden kind is inherited by the
    section's children like an inferred one.
    """
    m = matcher(keywords)
    overrides = overrides or {}
    for sec in sections:
        ov = next((overrides[k] for k in section_keys(sec) if k in overrides), None)
        parent = sections[sec.parent] if sec.parent is not None else None
        own = heading_kind(sec.heading)
        short = len(strip_numbering(sec.heading)) <= PART_HEADING_MAX
        if ov is not None and ov.kind:
            sec.kind, sec.kind_explicit, sec.overridden = ov.kind, True, True
        elif own and (parent is None or not parent.kind_explicit or (short and not parent.overridden)):
            sec.kind, sec.kind_explicit = own, True
        elif parent is not None:
            sec.kind, sec.kind_explicit = parent.kind, parent.kind_explicit
        context = parent.heading if parent is not None else ""
        sec.areas, sec.matched, sec.scores = m.score_detail(sec.heading, sec.text, context)
        if ov is not None and ov.areas is not None:
            sec.areas, sec.overridden = list(ov.areas), True
    _umbrella_areas(sections, m.order)


def _umbrella_areas(sections: list[Section], order: dict[str, int]) -> None:
    """A heading with no text of its own (一、主要工作) gets the areas of its
    children, the most frequent primary areas first; innermost first, so a
    part's areas come from sections that already have theirs."""
    for i in range(len(sections) - 1, -1, -1):
        sec = sections[i]
        if sec.has_text or sec.areas or sec.overridden:
            continue
        count: dict[str, int] = {}
        for child in sections[i + 1:]:
            if child.parent == i and child.areas:
                count[child.areas[0]] = count.get(child.areas[0], 0) + 1
        sec.areas = sorted(count, key=lambda a: (-count[a], order.get(a, 99)))[:MAX_AREAS]
