"""Turning front matter into typed models, with Chinese problem messages."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from kb.source.loader import SourceDoc
from kb.problems import Problems
from kb.schema.models import ENTRY_TYPES, MODELS, TYPE_LABELS, EntryBase

# Chinese messages for pydantic's built-in error types. Custom errors raised
# by the schema (type names starting with ``kb_``) already carry Chinese text.
_MESSAGES: dict[str, str] = {
    "missing": "缺少必填字段",
    "extra_forbidden": "未知字段（请检查拼写，可用字段见《字段说明》）",
    "string_type": "应为文字",
    "string_too_short": "不能为空",
    "string_too_long": "内容过长（最多 {max_length} 个字符）",
    "list_type": "应为列表，例如 [religion, ethnic]",
    "too_short": "至少需要 {min_length} 项",
    "dict_type": "应为“字段: 值”的映射",
    "model_type": "应为“字段: 值”的映射",
    "int_type": "应为整数",
    "int_parsing": "应为整数",
    "bool_type": "应为 true 或 false",
    "greater_than_equal": "不能小于 {ge}",
    "less_than_equal": "不能大于 {le}",
}


def _message(err: dict[str, Any]) -> str:
    etype = err["type"]
    ctx = err.get("ctx") or {}
    if etype.startswith("kb_"):
        return err["msg"]
    if etype == "literal_error":
        expected = ctx.get("expected", "")
        expected = expected.replace("'", "").replace(" or ", "、").replace(", ", "、")
        return f"取值“{err.get('input')}”无效，应为 {expected} 之一"
    template = _MESSAGES.get(etype)
    if template:
        try:
            return template.format(**ctx)
        except (KeyError, IndexError):
            return template
    return f"取值无效（{err['msg']}）"


def _field_name(loc: tuple) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out or "-"


def validate_entry(doc: SourceDoc, area_slugs: set[str], problems: Problems) -> EntryBase | None:
    """Validate one document's front matter; return the model or None."""
    etype = doc.meta.get("type")
    if not isinstance(etype, str) or etype not in MODELS:
        if etype is None:
            msg = "缺少必填字段（应为 " + " / ".join(f"{t}（{TYPE_LABELS[t]}）" for t in ENTRY_TYPES) + "）"
        else:
            msg = f"未知的条目类型“{etype}”，应为 " + " / ".join(ENTRY_TYPES)
        problems.add(doc.rel, doc.line_of(("type",)), "type", msg)
        return None
    model = MODELS[etype]
    try:
        return model.model_validate(doc.meta, context={"areas": area_slugs})
    except ValidationError as exc:
        for err in exc.errors(include_url=False):
            loc = tuple(err["loc"])
            n = (err.get("ctx") or {}).get("n")
            if err["type"] == "kb_area" and isinstance(n, int):
                loc = loc + (n - 1,)
            problems.add(doc.rel, doc.line_of(loc), _field_name(loc), _message(err))
        return None
