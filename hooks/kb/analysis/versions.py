"""Version families of regulations and policies, and the rules they obey.

A family is the set of documents joined by ``supersedes`` / ``superseded_by``
(e.g. 宗教事务条例 2004 -> 2017). ``check`` builds the families and reports:

- a cycle (A supersedes B supersedes A), naming every file in it;
- ``superseded_by`` and the other side's ``supersedes`` disagreeing;
- a superseded version promulgated after the one superseding it;
- more than one in-force version in a family;
- 施行日期 before 公布日期 (any document).

Missing ids and links between different types are reported by
``KnowledgeBase._check_links``; such links are ignored here. Everything is
linear in the number of documents.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Iterable

from kb.problems import Problems

if TYPE_CHECKING:  # pragma: no cover
    from kb.model.entry import Entry

DOC_TYPES = ("regulation", "policy")


@dataclass
class Family:
    """The versions of one document, oldest first."""

    members: list["Entry"]
    current: "Entry"  # the in-force version, else the newest

    def newer_than(self, e: "Entry") -> list["Entry"]:
        return self.members[self.members.index(e) + 1:]


@dataclass
class Families:
    by_id: dict[str, Family] = field(default_factory=dict)

    def of(self, e: "Entry") -> Family | None:
        """The family of ``e``, or None for a document without other versions."""
        return self.by_id.get(e.id)

    def current(self, e: "Entry") -> "Entry | None":
        """The version readers should use instead of ``e`` (None if ``e`` is it)."""
        fam = self.by_id.get(e.id)
        if fam is None or fam.current is e:
            return None
        return fam.current

    def members(self, e: "Entry") -> list["Entry"]:
        fam = self.by_id.get(e.id)
        return fam.members if fam else [e]


def version_key(e: "Entry") -> tuple:
    m = e.meta
    return (m.promulgated, m.effective or m.promulgated, e.id)  # type: ignore[attr-defined]


def _line(e: "Entry", fld: str) -> int:
    return e.doc.line_of((fld,))


def _where(e: "Entry", fld: str) -> str:
    return f"{e.doc.rel}:{_line(e, fld)}"


def check(entries: Iterable["Entry"], problems: Problems) -> Families:
    docs = {e.id: e for e in entries if e.type in DOC_TYPES}
    _check_dates(docs.values(), problems)

    # Directed edges older -> newer, from both fields; only valid same-type links.
    def target(e: "Entry", fld: str) -> "Entry | None":
        other = docs.get(getattr(e.meta, fld) or "")
        return other if other is not None and other.type == e.type else None

    newer: dict[str, list[tuple[str, str, str]]] = {i: [] for i in docs}  # id -> [(newer id, owner id, field)]
    for e in docs.values():
        if (s := target(e, "supersedes")) is not None:
            newer[s.id].append((e.id, e.id, "supersedes"))
        if (n := target(e, "superseded_by")) is not None:
            newer[e.id].append((n.id, e.id, "superseded_by"))

    in_cycle = _report_cycles(docs, newer, problems)

    for e in sorted(docs.values(), key=lambda e: e.id):
        if e.id in in_cycle:
            continue
        if (n := target(e, "superseded_by")) is not None and n.id not in in_cycle and n.meta.supersedes != e.id:
            said = f"写的是“{n.meta.supersedes}”" if n.meta.supersedes else "没有填写"
            problems.add(e.doc.rel, _line(e, "superseded_by"), "superseded_by",
                         f"新版本“{n.id}”的 supersedes {said}，应为“{e.id}”（{_where(n, 'supersedes')}），两边必须一致")
        if (s := target(e, "supersedes")) is not None and s.id not in in_cycle:
            if s.meta.superseded_by != e.id:
                said = f"写的是“{s.meta.superseded_by}”" if s.meta.superseded_by else "没有填写"
                problems.add(e.doc.rel, _line(e, "supersedes"), "supersedes",
                             f"旧版本“{s.id}”的 superseded_by {said}，应为“{e.id}”（{_where(s, 'superseded_by')}），两边必须一致")
            if s.meta.promulgated > e.meta.promulgated:
                problems.add(e.doc.rel, _line(e, "supersedes"), "supersedes",
                             f"被取代的旧版本“{s.id}”公布日期（{s.meta.promulgated}）晚于本文件（{e.meta.promulgated}）")

    families = _build_families(docs, newer)
    for fam in {id(f): f for f in families.by_id.values()}.values():
        in_force = [m for m in fam.members if m.meta.status == "in-force"]
        if len(in_force) > 1:
            for m in in_force:
                others = "、".join(_where(o, "status") for o in in_force if o is not m)
                problems.add(m.doc.rel, _line(m, "status"), "status",
                             f"同一文件的多个版本同时为现行有效（另见 {others}），旧版本应改为 amended 或 repealed")
    return families


def _check_dates(docs: Iterable["Entry"], problems: Problems) -> None:
    for e in docs:
        m = e.meta
        if m.effective is not None and m.effective < m.promulgated:  # type: ignore[attr-defined]
            problems.add(e.doc.rel, _line(e, "effective"), "effective",
                         f"施行日期（{m.effective}）早于公布日期（{m.promulgated}）")  # type: ignore[attr-defined]


def _report_cycles(docs: dict[str, "Entry"], newer: dict[str, list[tuple[str, str, str]]],
                   problems: Problems) -> set[str]:
    """Strongly connected components (iterative Tarjan); report each cycle once per member."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    counter = 0
    cycles: list[list[str]] = []
    for root in sorted(docs):
        if root in index:
            continue
        work: list[tuple[str, int]] = [(root, 0)]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, i = work[-1]
            edges = newer[node]
            if i < len(edges):
                work[-1] = (node, i + 1)
                nxt = edges[i][0]
                if nxt not in index:
                    index[nxt] = low[nxt] = counter
                    counter += 1
                    stack.append(nxt)
                    on_stack.add(nxt)
                    work.append((nxt, 0))
                elif nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                comp: list[str] = []
                while True:
                    top = stack.pop()
                    on_stack.discard(top)
                    comp.append(top)
                    if top == node:
                        break
                self_loop = any(n == node for n, _, _ in edges)
                if len(comp) > 1 or self_loop:
                    cycles.append(sorted(comp))
    members: set[str] = set()
    for comp in cycles:
        members.update(comp)
        inside = set(comp)
        paths = " → ".join(docs[i].doc.rel for i in comp + comp[:1])
        for node in comp:
            # The fields of this file that create edges inside the cycle.
            flds = sorted({fld for src in comp for n, owner, fld in newer[src] if owner == node and n in inside})
            e = docs[node]
            fld = flds[0] if flds else "supersedes"
            problems.add(e.doc.rel, _line(e, fld), fld, f"版本关系（supersedes / superseded_by）形成循环：{paths}")
    return members


def _build_families(docs: dict[str, "Entry"], newer: dict[str, list[tuple[str, str, str]]]) -> Families:
    parent = {i: i for i in docs}

    def find(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for src, edges in newer.items():
        for dst, _, _ in edges:
            a, b = find(src), find(dst)
            if a != b:
                parent[max(a, b)] = min(a, b)
    groups: dict[str, list["Entry"]] = {}
    for i in sorted(docs):
        groups.setdefault(find(i), []).append(docs[i])
    out = Families()
    for members in groups.values():
        if len(members) < 2:
            continue
        members.sort(key=version_key)
        in_force = [m for m in members if m.meta.status == "in-force"]
        fam = Family(members=members, current=in_force[-1] if in_force else members[-1])
        for m in members:
            out.by_id[m.id] = fam
    return out
