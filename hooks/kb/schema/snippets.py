"""VS Code snippets for new entries, generated from the JSON Schema.

Typing ``kb-case`` (etc.) in a Markdown file inserts the front matter of that
type with every required field, enumerations offered as choices (status,
period, level, area slugs) — the completion half of the editor support; the
checking half is remark-lint-frontmatter-schema with the same schema.
"""

from __future__ import annotations

from typing import Any

from kb.schema.models import ENTRY_TYPES, MODELS, TYPE_LABELS



def _choice(values: list[Any]) -> str:
    escaped = [str(v).replace("\\", "\\\\").replace("|", "\\|").replace(",", "\\,") for v in values]
    return "|" + ",".join(escaped) + "|"


def _placeholder(n: int, name: str, prop: dict[str, Any]) -> str:
    alts = [p for p in prop.get("anyOf", [prop]) if p.get("type") != "null"]
    alt = alts[0] if alts else prop
    if "enum" in alt:
        return f"${{{n}{_choice(alt['enum'])}}}"
    if alt.get("type") == "array" and "enum" in alt.get("items", {}):
        return f"[${{{n}{_choice(alt['items']['enum'])}}}]"
    if alt.get("format") == "date":
        return f"${{{n}:YYYY-MM-DD}}"
    if alt.get("type") == "integer":
        return f"${{{n}:{alt.get('minimum', 0) if name != 'year' else '$CURRENT_YEAR'}}}"
    return f"${{{n}:{prop.get('description', name)}}}"


def snippets(schema: dict[str, Any]) -> dict[str, Any]:
    """A ``.code-snippets`` document: one snippet per entry type."""
    out: dict[str, Any] = {}
    for etype in ENTRY_TYPES:
        model = schema["$defs"][MODELS[etype].__name__]
        props = model["properties"]
        body = ["---", "id: ${1:xin-tiaomu-id}", f"type: {etype}"]
        n = 2
        for name in model.get("required", []):
            if name in ("id", "type"):
                continue
            body.append(f"{name}: {_placeholder(n, name, props[name])}")
            n += 1
        body += ["---", "", "${0:正文}"]
        out[f"新建{TYPE_LABELS[etype]}（{etype}）"] = {
            "scope": "markdown",
            "prefix": [f"kb-{etype}", f"kb{TYPE_LABELS[etype]}"],
            "description": f"统战知识库：{TYPE_LABELS[etype]}条目的头信息（必填字段）",
            "body": body,
        }
    return out
