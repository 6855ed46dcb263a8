"""Version links between an imported document and one already in the knowledge base.

A document whose title (without a version note such as （试行）) is that of a
regulation or policy already held is another version of it: the newer one
``supersedes`` the older one, the older one is ``superseded_by`` the newer one
and, once the newer one is in force, its status becomes ``amended``. ``kb
import`` proposes this; with ``--link-versions`` it writes it, changing only
these lines of the other entry's front matter (atomically) and nothing a
person wrote elsewhere in it.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from kb.analysis.titles import base_title, normalize
from kb.source.atomic import write_atomic
from kb.source.listing import entry_files


@dataclass(frozen=True)
class Held:
    """A regulation or policy already in the knowledge base (its front matter only)."""

    id: str
    title: str
    path: Path
    promulgated: dt.date | None
    status: str
    supersedes: str | None
    superseded_by: str | None


def held_documents(data_dir: Path) -> list[Held]:
    out: list[Held] = []
    for path in entry_files(data_dir):
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        front = _front(text)
        if not isinstance(front, dict) or front.get("type") not in ("regulation", "policy"):
            continue
        prom = front.get("promulgated")
        out.append(Held(str(front.get("id")), str(front.get("title", "")), path,
                        prom if isinstance(prom, dt.date) else None, str(front.get("status", "")),
                        front.get("supersedes"), front.get("superseded_by")))
    return out


def _front(text: str):
    m = re.match(r"^---[ \t]*\n(.*?\n)---[ \t]*(?:\n|$)", text, re.S)
    if not m:
        return None
    try:
        return yaml.safe_load(m.group(1))
    except yaml.YAMLError:
        return None


def _key(title: str) -> str:
    return base_title(normalize(title))


@dataclass
class Proposal:
    """How the new document and a held one are linked."""

    other: Held
    newer: bool  # the imported document is the newer version
    links: dict = field(default_factory=dict)  # front matter of the imported entry
    edits: dict = field(default_factory=dict)  # front matter lines of the held entry to change
    done: bool = False  # the held entry already says so (an earlier --link-versions)
    conflict: str | None = None

    def describe(self, rel: str) -> str:
        o = self.other
        year = f"{o.promulgated.year}年" if o.promulgated else ""
        if self.conflict:
            return f"知识库中已有同名文件 {rel}（{year}），未建立版本关系：{self.conflict}"
        if self.done:
            return f"与 {rel}（{year}）的版本关系已写入"
        edits = "，".join(f"{k}: {v}" for k, v in self.edits.items())
        links = "，".join(f"{k}: {v}" for k, v in self.links.items())
        role = "较新" if self.newer else "较旧"
        return (f"知识库中已有同名文件 {rel}（{year}），本文件是{role}的版本。建议：本条目写 {links}；"
                f"{rel} 改为 {edits}")


def propose(new_id: str, title: str, promulgated: dt.date, status: str, held: list[Held]) -> Proposal | None:
    key = _key(title)
    same = [h for h in held if h.id != new_id and _key(h.title) == key]
    if not same:
        return None
    older = sorted((h for h in same if h.promulgated and h.promulgated < promulgated), key=lambda h: h.promulgated)
    newer = sorted((h for h in same if h.promulgated and h.promulgated > promulgated), key=lambda h: h.promulgated)
    if older:
        other = older[-1]
        p = Proposal(other, newer=True, links={"supersedes": other.id})
        if other.superseded_by == new_id:
            p.done = True
            return p
        if other.superseded_by:
            p.conflict = f"它已写明被 {other.superseded_by} 取代"
            return p
        p.edits["superseded_by"] = new_id
        if status == "in-force" and other.status == "in-force":
            p.edits["status"] = "amended"
        return p
    if newer:
        other = newer[0]
        p = Proposal(other, newer=False, links={"superseded_by": other.id})
        if status == "in-force" and other.status == "in-force":
            p.links["status"] = "amended"
        if other.supersedes == new_id:
            p.done = True
            return p
        if other.supersedes:
            p.conflict = f"它已写明取代 {other.supersedes}"
            return p
        p.edits["supersedes"] = new_id
        return p
    other = same[0]
    return Proposal(other, newer=False, conflict="两者的公布日期相同或缺少公布日期，无法判断新旧，请手工写明")


def edit_front(text: str, edits: dict) -> str:
    """``text`` with the given front-matter keys set: an existing ``key:`` line is replaced, a new
    one goes before the closing ``---``. Nothing else changes."""
    m = re.match(r"^---[ \t]*\n(.*?\n)(---[ \t]*(?:\n|$))", text, re.S)
    if not m:
        raise ValueError("没有头信息")
    front = m.group(1)
    for key, value in edits.items():
        line = f"{key}: {value}\n"
        pattern = re.compile(rf"^{re.escape(key)}[ \t]*:.*\n", re.M)
        front = pattern.sub(lambda _: line, front, count=1) if pattern.search(front) else front + line
    return text[: m.start(1)] + front + text[m.end(1):]


def apply(p: Proposal) -> None:
    """Write the edits of the held entry (atomically)."""
    if not p.edits:
        return
    text = p.other.path.read_text(encoding="utf-8")
    write_atomic(p.other.path, edit_front(text, p.edits))
