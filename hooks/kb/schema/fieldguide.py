"""The 字段说明 (field reference) page, derived from the JSON Schema.

The page is generated from ``schema.json_schema`` — the same schema
``kb schema`` prints and the editor settings use, itself generated from the
models that validate the data — so the three can never disagree.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kb.schema.models import AUDIENCE_LABELS, ENTRY_TYPES, KIND_LABELS, MODELS, STATUS_LABELS, TYPE_LABELS

_ENUM_LABELS = {**STATUS_LABELS, **AUDIENCE_LABELS, **KIND_LABELS}


@dataclass(frozen=True)
class FieldRow:
    name: str
    required: bool
    values: str  # what may be written (plain text; the template escapes it)
    description: str
    default: str | None


def _alternatives(prop: dict[str, Any]) -> list[dict[str, Any]]:
    """The non-null alternatives of an (optionally nullable) property."""
    if "anyOf" in prop:
        return [p for p in prop["anyOf"] if p.get("type") != "null"]
    return [prop]


def describe_values(prop: dict[str, Any]) -> str:
    """A short Chinese description of the values a property accepts."""
    parts = []
    for alt in _alternatives(prop):
        if "const" in alt:
            parts.append(f"{alt['const']}")
        elif "enum" in alt:
            parts.append("、".join(f"{v}（{_ENUM_LABELS[v]}）" if v in _ENUM_LABELS else str(v) for v in alt["enum"]))
        elif alt.get("format") == "date":
            parts.append("日期，写成 YYYY-MM-DD")
        elif alt.get("type") == "boolean":
            parts.append("true 或 false")
        elif alt.get("type") == "integer":
            lo, hi = alt.get("minimum"), alt.get("maximum")
            parts.append(f"整数（{lo}–{hi}）" if lo is not None and hi is not None else "整数")
        elif alt.get("type") == "array":
            items = alt.get("items", {})
            if "enum" in items and len(items["enum"]) > 6:
                parts.append("列表，取值为工作领域标识（见下表）")
            else:
                parts.append("列表，例如 [甲, 乙]" if "enum" not in items else
                             "列表，取值为 " + "、".join(map(str, items["enum"])))
        elif alt.get("type") == "object":
            parts.append("映射：段落锚点（如 sec-1-2）或标题 → 覆盖项（见下文）")
        elif alt.get("type") == "string":
            if alt.get("pattern"):
                parts.append("小写英文字母、数字和连字符")
            else:
                n = alt.get("maxLength")
                parts.append(f"文字（最多 {n} 字）" if n else "文字")
        else:  # pragma: no cover - a new kind of field: show its JSON type
            parts.append(str(alt.get("type", "")))
    return "；".join(parts)


def _rows(model: dict[str, Any], names: list[str]) -> list[FieldRow]:
    props, required = model["properties"], set(model.get("required", []))
    rows = []
    for name in names:
        prop = props[name]
        default = prop.get("default")
        rows.append(FieldRow(
            name=name,
            required=name in required,
            values=describe_values(prop),
            description=prop.get("description", ""),
            default=None if default in (None, [], {}) else str(default),
        ))
    return rows


def field_guide(schema: dict[str, Any]) -> dict[str, Any]:
    """Rows for the field page: common fields, per-type fields, section overrides."""
    defs = schema["$defs"]
    models = {t: defs[MODELS[t].__name__] for t in ENTRY_TYPES}
    order = list(models["case"]["properties"])  # declaration order of the base fields first
    base = models["case"]
    # Common: the same definition and the same required-ness in every type
    # (``level`` exists everywhere but means different things, so it is listed per type).
    common = [n for n in order if all(
        m["properties"].get(n) == base["properties"][n]
        and (n in m.get("required", [])) == (n in base.get("required", []))
        for m in models.values())]
    common_rows = _rows(models["case"], [n for n in common if n != "type"])
    per_type = []
    for t, m in models.items():
        own = [n for n in m["properties"] if n not in common]
        per_type.append({"type": t, "label": TYPE_LABELS[t], "rows": _rows(m, own)})
    section = defs.get("SectionOverride")
    return {
        "common": common_rows,
        "types": per_type,
        "section_rows": _rows(section, list(section["properties"])) if section else [],
    }
