"""Front-matter schema: pydantic models, the single source of truth.

Validation, ``kb schema`` (later) and the field guide all derive from these
models. Messages shown to contributors are Chinese (see ``validate``).
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from typing import Annotated, Any, Literal, Optional, Union

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    Strict,
    ValidationInfo,
    WithJsonSchema,
    field_validator,
)
from pydantic_core import PydanticCustomError

ENTRY_TYPES = ("regulation", "policy", "report", "case")
STATUSES = ("in-force", "amended", "repealed", "not-yet-effective")
AUDIENCES = ("public", "internal", "restricted")
PERIODS = ("年度", "上半年", "下半年", "专项")
UNIT_LEVELS = ("省", "市", "区县", "乡镇")
DOC_LEVELS = ("法律", "行政法规", "党内法规", "部门规章", "地方性法规", "规范性文件")
SECTION_KINDS = ("achievement", "experience", "problem", "plan", "suggestion")

ID_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
RESERVED_IDS = frozenset({"index", "search", "assets", "areas", "years", "types"})
DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _id(value: Any) -> Any:
    if not isinstance(value, str):
        raise PydanticCustomError("kb_id", "应为文字（小写英文字母、数字和连字符）")
    if len(value) > 120 or not ID_RE.match(value):
        raise PydanticCustomError(
            "kb_id", "“{value}”不是有效的 id：只能使用小写英文字母、数字和单个连字符，例如 zongjiao-shiwu-tiaoli-2017",
            {"value": value},
        )
    if value in RESERVED_IDS:
        raise PydanticCustomError("kb_id", "“{value}”是保留字，不能用作 id", {"value": value})
    return value


def _impossible_date(text: str) -> str:
    """Why a YYYY-MM-DD that is written correctly is still not a date: the month or the day."""
    year, month, day = (int(part) for part in text.split("-"))
    if year < 1:
        return f"“{text}”不是有效日期：没有{year}年"
    if not 1 <= month <= 12:
        return f"“{text}”不是有效日期：没有{month}月（月份应为 1–12）"
    last = calendar.monthrange(year, month)[1]
    return f"“{text}”不是有效日期：{year}年{month}月没有{day}日（这个月只有 {last} 天）"


def _date(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and DATE_RE.match(value.strip()):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            raise PydanticCustomError("kb_date", _impossible_date(value.strip()), {"value": value}) from None
    raise PydanticCustomError("kb_date", "“{value}”不是有效日期，应写成 YYYY-MM-DD，例如 2017-08-26", {"value": value})


def _year(value: Any) -> Any:
    if isinstance(value, bool) or not isinstance(value, int):
        raise PydanticCustomError("kb_year", "“{value}”不是年份，应写成四位整数，例如 2024", {"value": value})
    if not 1949 <= value <= 2100:
        raise PydanticCustomError("kb_year", "年份 {value} 超出范围（1949–2100）", {"value": value})
    return value


# The JSON Schema (kb schema, editor checks, 字段说明) states the same rules
# the validators enforce.
EntryId = Annotated[str, BeforeValidator(_id),
                    WithJsonSchema({"type": "string", "pattern": ID_RE.pattern, "maxLength": 120})]
Date = Annotated[dt.date, BeforeValidator(_date)]
Year = Annotated[int, BeforeValidator(_year), WithJsonSchema({"type": "integer", "minimum": 1949, "maximum": 2100})]
Text = Annotated[str, Strict(), Field(min_length=1, max_length=2000)]
ShortText = Annotated[str, Strict(), Field(min_length=1, max_length=300)]


def _check_areas(value: list[str], info: ValidationInfo) -> list[str]:
    known = (info.context or {}).get("areas")
    if known is None:
        return value
    for i, slug in enumerate(value):
        if slug not in known:
            raise PydanticCustomError(
                "kb_area", "未知的工作领域“{slug}”（第 {n} 项），可用的领域见 data/areas.yml",
                {"slug": slug, "n": i + 1},
            )
    if len(set(value)) != len(value):
        raise PydanticCustomError("kb_area", "工作领域有重复")
    return value


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class SectionOverride(_Model):
    """Front-matter override of an inferred report section."""

    kind: Optional[Literal[SECTION_KINDS]] = Field(None, description="段落类别")  # type: ignore[valid-type]
    areas: Optional[list[ShortText]] = Field(None, description="工作领域")
    reason: Optional[Text] = Field(None, description="自动识别的依据（kb import 记录匹配到的关键词）")
    review: Optional[Annotated[bool, Strict()]] = Field(
        None, description="true：自动识别把握不大，待人工核对（核对后删除此项）")

    _areas = field_validator("areas")(lambda v, info: v if v is None else _check_areas(v, info))


class EntryBase(_Model):
    id: EntryId = Field(description="唯一且稳定的标识（小写英文、数字和连字符），也是网址的一部分")
    title: ShortText = Field(description="标题")
    areas: list[ShortText] = Field(min_length=1, description="所属工作领域（areas.yml 中的 slug）")
    tags: list[ShortText] = Field(default_factory=list, description="标签")
    summary: Optional[Text] = Field(None, description="摘要")
    audience: Literal[AUDIENCES] = Field("internal", description="可见范围")  # type: ignore[valid-type]
    source: Optional[ShortText] = Field(None, description="来源")
    reviewed: Optional[Date] = Field(None, description="最近复核日期（YYYY-MM-DD）")
    review_every: Optional[Annotated[int, Strict(), Field(ge=1, le=120)]] = Field(
        None, description="复核周期（月）；不写则用 mkdocs.yml 中该类型的默认值"
    )
    owner: Optional[ShortText] = Field(None, description="负责人（负责复核本条目的人或处室）")

    _areas = field_validator("areas")(_check_areas)

    @property
    def refs(self) -> dict[str, str]:
        """Fields that name other entries: field -> id."""
        return {}


class DocumentBase(EntryBase):
    issuer: ShortText = Field(description="制定机关")
    status: Literal[STATUSES] = Field(description="时效性")  # type: ignore[valid-type]
    promulgated: Date = Field(description="公布日期")
    doc_number: Optional[ShortText] = Field(None, description="发文字号")
    level: Optional[Literal[DOC_LEVELS]] = Field(None, description="效力级别")  # type: ignore[valid-type]
    effective: Optional[Date] = Field(None, description="施行日期")
    supersedes: Optional[EntryId] = Field(None, description="本文件取代的旧版本 id")
    superseded_by: Optional[EntryId] = Field(None, description="取代本文件的新版本 id")
    aliases: list[ShortText] = Field(default_factory=list, description="简称")
    review: Optional[Text] = Field(
        None, description="kb import 自动识别把握不大的地方（如效力级别为推断），核对后删除此项")

    @property
    def refs(self) -> dict[str, str]:
        return {k: v for k in ("supersedes", "superseded_by") if (v := getattr(self, k))}


class Regulation(DocumentBase):
    type: Literal["regulation"]


class Policy(DocumentBase):
    type: Literal["policy"]


class Report(EntryBase):
    type: Literal["report"]
    unit: ShortText = Field(description="报送单位")
    year: Year = Field(description="年份")
    period: Literal[PERIODS] = Field(description="报告期")  # type: ignore[valid-type]
    level: Literal[UNIT_LEVELS] = Field(description="单位层级")  # type: ignore[valid-type]
    sections: dict[str, SectionOverride] = Field(
        default_factory=dict, description="按段落锚点（如 sec-1-2）或标题覆盖自动识别的类别和领域"
    )
    review: Optional[Annotated[bool, Strict()]] = Field(
        None, description="true：导入时有字段未能从原文识别（见 review_reason），待人工核对（核对后删除此项）")
    review_reason: Optional[Text] = Field(None, description="需要核对的原因（kb import 填写）")


class Case(EntryBase):
    type: Literal["case"]
    unit: ShortText = Field(description="单位")
    year: Year = Field(description="年份")
    level: Optional[Literal[UNIT_LEVELS]] = Field(None, description="单位层级")  # type: ignore[valid-type]
    report: Optional[EntryId] = Field(None, description="案例出自的工作报告 id")

    @property
    def refs(self) -> dict[str, str]:
        return {"report": self.report} if self.report else {}


EntryModel = Union[Regulation, Policy, Report, Case]
MODELS: dict[str, type[EntryBase]] = {
    "regulation": Regulation,
    "policy": Policy,
    "report": Report,
    "case": Case,
}

# Display labels (Simplified Chinese) for enumerations.
TYPE_LABELS = {"regulation": "法规", "policy": "政策文件", "report": "工作报告", "case": "典型案例"}
TYPE_DIRS = {"regulation": "regulations", "policy": "policies", "report": "reports", "case": "cases"}
STATUS_LABELS = {"in-force": "现行有效", "amended": "已修改", "repealed": "已废止", "not-yet-effective": "尚未生效"}
KIND_LABELS = {
    "achievement": "工作成效",
    "experience": "经验做法",
    "problem": "存在问题",
    "plan": "工作计划",
    "suggestion": "对策建议",
}
AUDIENCE_LABELS = {"public": "公开", "internal": "内部", "restricted": "受限"}


def json_schema(area_slugs: list[str] | None = None) -> dict:
    """JSON Schema of the front matter, generated from the models above.

    With ``area_slugs`` the ``areas`` lists are restricted to the taxonomy,
    so editors can complete and check them.
    """
    from pydantic import TypeAdapter

    adapter = TypeAdapter(Annotated[EntryModel, Field(discriminator="type")])
    generated = adapter.json_schema()
    # Draft-07 with one if/then per type instead of pydantic's oneOf +
    # OpenAPI discriminator: editor validators (ajv) understand it and report
    # errors against the entry's own type only, not against all four.
    names = {m.__name__: t for t, m in MODELS.items()}
    schema = {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "title": "统战知识库条目头信息",
        "type": "object",
        "required": ["type"],
        "properties": {"type": {"enum": list(ENTRY_TYPES), "description": "条目类型"}},
        "allOf": [
            {"if": {"properties": {"type": {"const": names[name]}}},
             "then": {"$ref": f"#/$defs/{name}"}}
            for name in sorted(generated["$defs"]) if name in names
        ],
        "$defs": generated["$defs"],
    }
    if area_slugs:
        for model in schema.get("$defs", {}).values():
            props = model.get("properties", {})
            if "areas" in props:
                target = props["areas"]
                items = target.get("items") or next(
                    (alt.get("items") for alt in target.get("anyOf", []) if alt.get("type") == "array"), None)
                if items is not None:
                    items["enum"] = list(area_slugs)
    return schema
