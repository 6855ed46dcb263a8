"""Scoring an imported regulation or policy against its hand labels (``NAME.expected.yml``).

Fields: type, title, issuer, doc_number, promulgated, effective, level, status
and whether it is marked for review; anchors: every ``#chapter-N``,
``#chapter-N-section-M`` and ``#article-N`` (之一: ``article-N-M``) the labels
expect, and no other; furniture: none of the ``absent`` strings in the body.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

FIELDS = ("type", "title", "issuer", "doc_number", "promulgated", "effective", "level", "status", "review")


@dataclass
class DocScore:
    name: str
    fields: dict[str, tuple[object, object]] = field(default_factory=dict)  # field -> (got, want)
    anchors_expected: int = 0
    anchors_found: int = 0  # expected anchors that are there
    anchors_extra: list[str] = field(default_factory=list)
    furniture: list[str] = field(default_factory=list)  # ``absent`` strings still in the body

    @property
    def wrong(self) -> list[str]:
        return [k for k, (got, want) in self.fields.items() if got != want]


def expected_anchors(labels: dict) -> list[str]:
    out = [f"chapter-{n}" for n in range(1, int(labels.get("chapters") or 0) + 1)]
    for chapter, count in (labels.get("sections") or {}).items():
        out += [f"chapter-{chapter}-section-{m}" for m in range(1, int(count) + 1)]
    out += [f"article-{n}" for n in range(1, int(labels.get("articles") or 0) + 1)]
    out += [f"article-{x}" for x in labels.get("inserted") or []]
    return out


def _norm(value):
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def score(name: str, result, labels: dict) -> DocScore:
    """``result``: a ``kb.importer.document.DocumentResult`` (or None when the import failed)."""
    s = DocScore(name)
    want_anchors = expected_anchors(labels)
    s.anchors_expected = len(want_anchors)
    front = getattr(result, "front", None) or {}
    got = {k: _norm(front.get(k)) for k in FIELDS if k not in ("type", "review")}
    got["type"] = getattr(result, "type", "report" if result is not None else None)
    got["review"] = bool(front.get("review"))
    for key in FIELDS:
        s.fields[key] = (got.get(key), _norm(labels.get(key)))
    anchors = list(getattr(result, "anchors", []) or [])
    s.anchors_found = sum(a in anchors for a in want_anchors)
    s.anchors_extra = [a for a in anchors if a not in want_anchors]
    body = (getattr(result, "markdown", "") or "").split("\n---\n", 1)[-1]
    s.furniture = [w for w in labels.get("absent") or [] if w in body]
    return s


def totals(scores: list[DocScore]) -> dict[str, float]:
    n_fields = sum(len(s.fields) for s in scores) or 1
    right = sum(len(s.fields) - len(s.wrong) for s in scores)
    want = sum(s.anchors_expected for s in scores) or 1
    found = sum(s.anchors_found for s in scores)
    return {"fields": right / n_fields, "anchors": found / want,
            "extra_anchors": sum(len(s.anchors_extra) for s in scores),
            "furniture": sum(len(s.furniture) for s in scores)}


METRICS = {f"doc_{k}": label for k, label in (
    ("type", "类型"), ("title", "标题"), ("issuer", "制定机关"), ("doc_number", "发文字号"), ("promulgated", "公布日期"),
    ("effective", "施行日期"), ("level", "效力级别"), ("status", "时效性"), ("review", "待核对标记"))}
METRICS["anchors"] = "章节条锚点（多出的也算错）"


def score_fixture(name: str, path, expected: dict, keywords: dict, root):
    """The ``kb.importer.fixture_eval`` scorer of ``type: regulation`` and ``type: policy`` fixtures."""
    from kb.importer.dispatch import import_source
    from kb.importer.fixture_eval import FixtureScore
    from kb.importer.pipeline import ImportFailed
    from kb.importer.reading import ReadError

    out = FixtureScore(fixtures=1)
    try:
        result = import_source(path, root, keywords, etype=expected.get("force_type"))
    except (ReadError, ImportFailed) as exc:
        out.errors.append(f"{name}: 导入失败：{exc}")
        result = None
    s = score(name, result, expected)
    for key, (got, want) in s.fields.items():
        out.count(f"doc_{key}", got == want, f"{name}: {key} = {got!r}，应为 {want!r}")
    for anchor in expected_anchors(expected):
        out.count("anchors", anchor in (getattr(result, "anchors", None) or []), f"{name}: 缺少锚点 #{anchor}")
    for anchor in s.anchors_extra:
        out.count("anchors", False, f"{name}: 多出的锚点 #{anchor}")
    out.boilerplate += [f"{name}: {w}" for w in s.furniture]
    return out
