"""The knowledge base of an audience is a new knowledge base built from the
visible entries: nothing in it names a hidden entry, whatever index it is
(the walk below covers attributes added later without listing them), the
unrestricted knowledge base is left as it was, entries are reused (not
copied) and problems are reported once."""

from __future__ import annotations

import dataclasses
import datetime as dt
import inspect
import os
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any, Iterator

import pytest

from conftest import case
from kb.model.cache import EntryCache
from kb.model.entry import Entry
from kb.model.knowledge import KnowledgeBase

# Attributes that hold every entry of the tree by design: the full list and the
# hidden ids (``kb check``, ``kb new``, the publish canary scan) and the
# problems, which are about every file (a build stops on any error).
WHOLE_TREE = {"all_entries", "hidden_ids", "problems"}

HIDDEN = ("zz-secret-pol-2019", "zz-secret-report", "zz-secret-case")

ENTRIES = {
    # A version family 2016 -> 2019 (restricted) -> 2023.
    "policies/zz-open-pol-2016.md": """
        ---
        id: zz-open-pol-2016
        type: policy
        title: 公开测试办法
        issuer: 某省人民政府
        status: amended
        promulgated: 2016-05-01
        superseded_by: zz-secret-pol-2019
        areas: [private-economy]
        audience: public
        ---
        **第一条** 二〇一六年的条文。
        """,
    "policies/zz-secret-pol-2019.md": """
        ---
        id: zz-secret-pol-2019
        type: policy
        title: 保密测试办法
        issuer: 某省人民政府
        status: amended
        promulgated: 2019-05-01
        supersedes: zz-open-pol-2016
        superseded_by: zz-open-pol-2023
        aliases: [保密办法简称]
        areas: [private-economy]
        audience: restricted
        ---
        **第一条** 二〇一九年的条文，依照《公开测试办法》第一条。

        **第二条** 本办法自公布之日起施行。
        """,
    "policies/zz-open-pol-2023.md": """
        ---
        id: zz-open-pol-2023
        type: policy
        title: 公开测试办法
        issuer: 某省人民政府
        status: in-force
        promulgated: 2023-05-01
        supersedes: zz-secret-pol-2019
        areas: [private-economy]
        audience: public
        ---
        **第一条** 二〇二三年的条文。
        """,
    # A restricted report with a public case drawn from it.
    "reports/zz-secret-report.md": """
        ---
        id: zz-secret-report
        type: report
        title: 保密测试报告
        unit: 某市委统战部
        year: 2023
        period: 年度
        level: 市
        areas: [religion]
        audience: restricted
        ---
        ## 一、工作成效

        开展宗教活动场所检查，依照《保密测试办法》第二条办理。
        """,
    "cases/zz-open-case.md": """
        ---
        id: zz-open-case
        type: case
        title: 公开测试案例
        unit: 某区委统战部
        year: 2023
        areas: [religion]
        report: zz-secret-report
        audience: public
        ---
        ## 做法

        依照《保密测试办法》第一条和《保密办法简称》第二条办理，参照《公开测试办法》第一条，
        并参照《某省尚未收录的测试规定》。《公开测试办法》第九十九条另有规定。
        """,
    # A public report with a restricted case drawn from it.
    "reports/zz-open-report.md": """
        ---
        id: zz-open-report
        type: report
        title: 公开测试报告
        unit: 某市委统战部
        year: 2024
        period: 年度
        level: 市
        areas: [religion]
        audience: public
        ---
        ## 一、工作成效

        公开报告的成效段落。
        """,
    "cases/zz-secret-case.md": """
        ---
        id: zz-secret-case
        type: case
        title: 保密测试案例
        unit: 某区委统战部
        year: 2024
        areas: [religion]
        report: zz-open-report
        audience: restricted
        ---
        ## 做法

        依照《公开测试办法》第一条、《某省尚未收录的测试规定》和《只有受限条目引用的规定》办理。
        """,
}


@pytest.fixture
def project(tree):
    for rel, text in ENTRIES.items():
        tree.write(rel, text)
    git = shutil.which("git")
    if git:  # so that ``history`` has something to hold
        env = ["-c", "user.name=测试", "-c", "user.email=test@example.invalid"]
        for cmd in (["init", "-q"], ["add", "data"], ["commit", "-q", "-m", "data"]):
            subprocess.run([git, *env, "-C", str(tree.root), *cmd], check=True, capture_output=True)
    return tree.root


# -- a generic walk --------------------------------------------------------------


def _public_values(kb: KnowledgeBase) -> Iterator[tuple[str, Any]]:
    """Every public attribute, property and cached_property of ``kb`` (computed here), methods aside."""
    for name in dir(kb):
        if name.startswith("_") or name in WHOLE_TREE:
            continue
        value = getattr(kb, name)
        if inspect.ismethod(value) or inspect.isfunction(value) or inspect.isclass(value):
            continue
        yield name, value


def _leaks(value: Any, path: str, hidden: list[Entry], seen: set[int]) -> Iterator[str]:
    """Paths under ``value`` that hold a hidden Entry or a string naming a hidden id."""
    if isinstance(value, str):
        if any(h.id in value for h in hidden):
            yield f"{path} = {value!r}"
        return
    if value is None or isinstance(value, (bool, int, float, dt.date, dt.datetime)):
        return
    if isinstance(value, Path):
        yield from _leaks(str(value), path, hidden, seen)
        return
    if id(value) in seen:
        return
    seen.add(id(value))
    if isinstance(value, Entry):
        if any(value is h for h in hidden):
            yield f"{path} is the hidden entry {value.id}"
        return  # a visible entry's own fields are what its author wrote
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _leaks(k, f"{path}[key {k!r}]", hidden, seen)
            yield from _leaks(v, f"{path}[{k!r}]", hidden, seen)
    elif isinstance(value, (list, tuple, set, frozenset)):
        for i, v in enumerate(value):
            yield from _leaks(v, f"{path}[{i}]", hidden, seen)
    elif dataclasses.is_dataclass(value):
        for f in dataclasses.fields(value):
            yield from _leaks(getattr(value, f.name), f"{path}.{f.name}", hidden, seen)
    elif hasattr(value, "__dict__"):
        for k, v in vars(value).items():
            yield from _leaks(v, f"{path}.{k}", hidden, seen)
    else:
        raise AssertionError(f"{path}: the walk does not know {type(value).__name__}; teach it")


def leaks(kb: KnowledgeBase, hidden: list[Entry]) -> list[str]:
    out: list[str] = []
    seen: set[int] = set()
    for name, value in _public_values(kb):
        out.extend(_leaks(value, f"kb.{name}", hidden, seen))
    return out


def fingerprint(value: Any, seen: dict[int, Any] | None = None) -> Any:
    """A comparable picture of ``value``: entries by identity, containers by content."""
    seen = {} if seen is None else seen
    if isinstance(value, (str, bool, int, float, type(None), dt.date, Path)):
        return value
    if isinstance(value, Entry):
        return ("entry", id(value))
    if id(value) in seen:
        return ("seen", id(value))
    seen[id(value)] = True
    if isinstance(value, dict):
        return ("dict", tuple((fingerprint(k, seen), fingerprint(v, seen)) for k, v in value.items()))
    if isinstance(value, (list, tuple)):
        return (type(value).__name__, id(value), tuple(fingerprint(v, seen) for v in value))
    if isinstance(value, (set, frozenset)):
        return ("set", frozenset(value))
    if dataclasses.is_dataclass(value):
        return (type(value).__name__, id(value),
                tuple((f.name, fingerprint(getattr(value, f.name), seen)) for f in dataclasses.fields(value)))
    return (type(value).__name__, id(value), repr(value))


def snapshot(kb: KnowledgeBase) -> dict[str, Any]:
    out = {name: fingerprint(value) for name, value in _public_values(kb)}
    out.update({name: fingerprint(getattr(kb, name)) for name in sorted(WHOLE_TREE)})
    out["problems"] = tuple(kb.problems.items)
    return out


# -- the structural guarantee ------------------------------------------------------


@pytest.mark.parametrize("level", ["public", "internal"])
@pytest.mark.parametrize("how", ["load", "restricted_to"])
def test_no_index_of_the_restricted_kb_names_a_hidden_entry(project, level, how):
    full = KnowledgeBase.load(project, audience="all")
    hidden = [e for e in full.entries if e.id in HIDDEN]
    assert len(hidden) == len(HIDDEN)
    assert not leaks(full, []) and leaks(full, hidden), "the walk sees the hidden entries in the full knowledge base"
    if how == "load":
        kb = KnowledgeBase.load(project, audience=level)
        hidden = [e for e in kb.all_entries if e.id in HIDDEN]
    else:
        kb = full.restricted_to(level)
    assert kb.hidden_ids == frozenset(HIDDEN)
    assert leaks(kb, hidden) == []


def test_restricted_to_leaves_the_full_kb_unchanged(project):
    full = KnowledgeBase.load(project, audience="all")
    before = snapshot(full)  # computes every cached_property of the full knowledge base first
    ids = [e.id for e in full.entries]
    public = full.restricted_to("public")
    internal = full.restricted_to("internal")
    assert public is not full and internal is not full and public is not internal
    assert snapshot(full) == before
    assert [e.id for e in full.entries] == ids and set(HIDDEN) <= set(full.by_id)
    assert full.audience == "all" and full.hidden_ids == frozenset()
    assert full.citations.by_source["zz-open-case"][0].target == "zz-secret-pol-2019"
    assert [m.id for m in full.families.members(full.by_id["zz-open-pol-2016"])] == [
        "zz-open-pol-2016", "zz-secret-pol-2019", "zz-open-pol-2023"]
    # ... and so does a second restriction of the restricted one.
    before_public = snapshot(public)
    assert public.restricted_to("public") is public
    assert snapshot(public) == before_public


def test_entries_are_reused_not_copied(project):
    full = KnowledgeBase.load(project, audience="all")
    public = full.restricted_to("public")
    assert public.entries and all(full.by_id[e.id] is e for e in public.entries)
    assert public.all_entries is full.all_entries
    unchanged = full.by_id["zz-open-report"]
    assert public.citations.by_source.get(unchanged.id) == full.citations.by_source.get(unchanged.id)
    with pytest.raises(ValueError):
        KnowledgeBase(full.root, full.taxonomy, [dataclasses.replace(e) for e in public.entries], full.problems,
                      audience="public", within=full)


def test_widening_is_refused(project):
    public = KnowledgeBase.load(project, audience="public")
    with pytest.raises(ValueError):
        public.restricted_to("all")
    assert public.restricted_to("public") is public


def test_visible_semantics(project):
    kb = KnowledgeBase.load(project, audience="public")
    by_src = kb.citations.by_source["zz-open-case"]
    hidden_cites = [c for c in by_src if "保密" in c.title]
    assert len(hidden_cites) == 2 and all(c.target is None and c.article is None for c in hidden_cites)
    assert {c.target for c in by_src if c.title == "公开测试办法"} == {"zz-open-pol-2023"}
    # Pending: what a visible entry cites that the visible knowledge base does not hold, the hidden
    # document as well as the missing one (a difference would reveal that the hidden one exists);
    # a document cited only by a hidden entry is not pending.
    assert sorted((p.key, p.title, p.sources) for p in kb.citations.pending) == [
        ("保密办法简称", "保密办法简称", ["zz-open-case"]), ("保密测试办法", "保密测试办法", ["zz-open-case"]),
        ("某省尚未收录的测试规定", "某省尚未收录的测试规定", ["zz-open-case"])]
    # Backlinks from visible entries only.
    assert {c.source for c in kb.citations.by_target["zz-open-pol-2023"]} == {"zz-open-case"}
    # The family without its hidden member.
    fam = kb.families.of(kb.by_id["zz-open-pol-2016"])
    assert [m.id for m in fam.members] == ["zz-open-pol-2016", "zz-open-pol-2023"]
    assert fam.current is kb.by_id["zz-open-pol-2023"]
    assert kb.cases_by_report == {}
    assert set(kb.structures) == {"zz-open-pol-2016", "zz-open-pol-2023"}


def _citation_view(kb: KnowledgeBase) -> dict[str, Any]:
    """What pages show of citations: links, articles, pending list, backlinks."""
    cite = lambda c: (c.source, c.start, c.text, c.key, c.target, c.article, c.short)  # noqa: E731
    return {
        "by_source": {k: [cite(c) for c in v] for k, v in kb.citations.by_source.items()},
        "by_target": {k: [cite(c) for c in v] for k, v in kb.citations.by_target.items()},
        "pending": [(p.title, p.key, [cite(c) for c in p.citations]) for p in kb.citations.pending],
    }


def test_hidden_document_is_cited_exactly_like_a_document_nobody_has(project, tmp_path):
    """The public build of the tree and a build of a tree without the hidden files
    show the same citations: nothing tells a reader that the hidden ones exist."""
    public = KnowledgeBase.load(project, audience="public")
    without = tmp_path / "without"
    shutil.copytree(project / "data", without / "data")
    for rel, text in ENTRIES.items():
        if "audience: public" not in text:
            (without / "data" / rel).unlink()
    bare = KnowledgeBase.load(without, audience="all")
    assert sorted(e.id for e in bare.entries) == sorted(e.id for e in public.entries)
    assert _citation_view(public) == _citation_view(bare)
    assert any(p.key == "保密测试办法" for p in public.citations.pending)


def test_citation_of_a_family_whose_newest_version_is_hidden_links_to_the_newest_visible(tree):
    pol = """
        ---
        id: {id}
        type: policy
        title: 家族测试办法
        issuer: 某省人民政府
        status: {status}
        promulgated: {date}
        {link}
        areas: [religion]
        audience: {audience}
        ---
        **第一条** 条文。
        """
    tree.write("policies/fam-2016.md", pol.format(id="fam-2016", status="amended", date="2016-05-01",
                                                  link="superseded_by: fam-2020", audience="public"))
    tree.write("policies/fam-2020.md", pol.format(id="fam-2020", status="in-force", date="2020-05-01",
                                                  link="supersedes: fam-2016", audience="restricted"))
    tree.write("cases/fam-case.md", case(id="fam-case").replace("year: 2023", "year: 2023\naudience: public")
               .replace("正文。", "依照《家族测试办法》第一条办理。"))
    full = KnowledgeBase.load(tree.root, audience="all")
    assert full.problems.errors == []
    assert [c.target for c in full.citations.by_source["fam-case"]] == ["fam-2020"]
    public = full.restricted_to("public")
    (c,) = public.citations.by_source["fam-case"]
    assert c.target == "fam-2016" and c.article is not None
    assert public.citations.pending == []
    assert [x.source for x in public.citations.by_target["fam-2016"]] == ["fam-case"]


def _problem_counts(kb: KnowledgeBase) -> dict[Any, int]:
    out: dict[Any, int] = {}
    for p in kb.problems.items:
        out[p] = out.get(p, 0) + 1
    return out


def test_problems_are_reported_once_whatever_the_audience(project):
    full = KnowledgeBase.load(project, audience="all")
    counts = _problem_counts(full)
    assert any("第九十九条" in p.message for p in counts), "the fixture has a citation warning"
    assert set(counts.values()) == {1}
    full.restricted_to("public")
    assert _problem_counts(full) == counts
    cache = EntryCache()
    for level in ("public", "internal", "all", "public"):
        assert _problem_counts(KnowledgeBase.load(project, audience=level)) == counts
        assert _problem_counts(KnowledgeBase.load(project, audience=level, cache=cache)) == counts


def test_cached_loads_reuse_entries_across_audience_builds(project):
    old = time.time() - 60  # files written just now are read again (see kb.model.cache.RACY_NS)
    for path in (project / "data").rglob("*.md"):
        os.utime(path, (old, old))
    cache = EntryCache()
    first = KnowledgeBase.load(project, audience="public", cache=cache)
    again = KnowledgeBase.load(project, audience="public", cache=cache)
    assert [e.id for e in again.entries] == [e.id for e in first.entries]
    assert all(a is b for a, b in zip(first.entries, again.entries))
    assert again.citations.by_source == first.citations.by_source
    assert again.families.by_id == first.families.by_id
