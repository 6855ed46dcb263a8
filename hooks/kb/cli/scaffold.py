"""`kb new`: scaffold an entry file from a template, never overwriting."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from jinja2 import Environment, PackageLoader

from kb.schema.models import TYPE_DIRS
from kb.source.atomic import write_atomic

REQUIRED = {
    "regulation": ("title", "areas", "issuer", "status", "promulgated"),
    "policy": ("title", "areas", "issuer", "status", "promulgated"),
    "report": ("title", "areas", "unit", "year", "period", "level"),
    "case": ("title", "areas", "unit", "year"),
}
FIELD_ORDER = ("id", "type", "title", "areas", "issuer", "doc_number", "level", "status", "promulgated",
               "effective", "unit", "year", "period", "audience")


def slugify(text: str, fallback: str) -> str:
    """ASCII id from a title: keep ASCII words and digits, else the fallback stem."""
    words = re.findall(r"[a-z0-9]+", text.lower())
    return "-".join(words) if words else fallback


def free_id(base: str, taken: set[str]) -> str:
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


@dataclass
class Scaffold:
    path: Path
    text: str
    id: str


def render(etype: str, values: dict[str, Any], data_dir: Path, taken_ids: set[str]) -> Scaffold:
    """Build the file text and a free path for a new entry of ``etype``."""
    year = values.get("year") or (values.get("promulgated") or dt.date.today()).__str__()[:4]
    base = values.get("id") or slugify(values.get("title", ""), f"{etype}-{year}")
    directory = data_dir / TYPE_DIRS[etype]
    taken = taken_ids | {p.stem for p in directory.glob("*.md")} if directory.is_dir() else set(taken_ids)
    eid = free_id(base, taken)
    meta = {"id": eid, "type": etype}
    for key in FIELD_ORDER:
        if key in values and values[key] not in (None, "", []) and key not in meta:
            meta[key] = values[key]
    front = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False, default_flow_style=None).rstrip("\n")
    env = Environment(loader=PackageLoader("kb.cli", "templates"), autoescape=False, keep_trailing_newline=True)
    text = env.get_template(f"{etype}.md.j2").render(front_matter=front)
    return Scaffold(path=directory / f"{eid}.md", text=text, id=eid)


def write_new(scaffold: Scaffold) -> None:
    """Create the file, complete or not at all; refuses to touch an existing one (exclusive create)."""
    scaffold.path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(scaffold.path, scaffold.text, exclusive=True)
