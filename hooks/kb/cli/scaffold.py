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


MAX_STEM = 40  # characters of an id before the year (a permanent URL: short, readable)
_TOKEN = re.compile(r"[\u3400-\u9fff]+|[A-Za-z0-9]+")


def _han_words(run: str, initials: bool) -> list[str]:
    """Pinyin of a run of Chinese characters: full syllables two characters a word
    (宗教事务条例 -> zongjiao-shiwu-tiaoli), or one word of initials (zjswtl)."""
    from pypinyin import Style, lazy_pinyin

    syllables = [re.sub(r"[^a-z]", "", p.lower()) for p in lazy_pinyin(run, style=Style.NORMAL, v_to_u=False)]
    syllables = [p for p in syllables if p]
    if initials:
        return ["".join(p[0] for p in syllables)] if syllables else []
    return ["".join(syllables[i:i + 2]) for i in range(0, len(syllables), 2)]


def title_stem(title: str, year: str = "") -> str:
    """An id stem from a title: pinyin (full syllables, or initials when that is too long),
    ASCII words kept, the year left out (it is appended), at most ``MAX_STEM`` characters."""
    if year:
        title = re.sub(rf"{re.escape(year)}\s*年?度?", " ", title)
    tokens = _TOKEN.findall(title)
    for initials in (False, True):
        words: list[str] = []
        for tok in tokens:
            if re.match(r"[\u3400-\u9fff]", tok):
                words.extend(_han_words(tok, initials))
            else:
                words.append(tok.lower())
        stem = "-".join(w for w in words if w)
        if len(stem) <= MAX_STEM:
            return stem
    return stem[:MAX_STEM].rstrip("-").rsplit("-", 1)[0] if "-" in stem[:MAX_STEM] else stem[:MAX_STEM]


def new_id(title: str, year: str, etype: str) -> str:
    """``<pinyin of the title>-<year>``, or ``<type>-<year>`` for a title with nothing to spell."""
    stem = title_stem(title, year)
    return f"{stem}-{year}" if stem else f"{etype}-{year}"


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
    base = values.get("id") or new_id(str(values.get("title", "")), str(year), etype)
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
