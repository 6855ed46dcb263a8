"""Reading entry files: front matter with line numbers, body, taxonomy.

Nothing here knows about entry types; it turns files into ``SourceDoc``
objects (or problems) as fast as it can: one read and one YAML compose per
file, no subprocess.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from kb.problems import Problems
from kb.source.files import file_problem

try:  # libyaml is bundled with PyYAML wheels; fall back to pure Python.
    _Base = yaml.CSafeLoader
except AttributeError:  # pragma: no cover
    _Base = yaml.SafeLoader


class _Loader(_Base):  # type: ignore[misc, valid-type]
    """Safe loader that keeps impossible dates (2017-13-01) as text, so that
    validation reports them against their field instead of crashing."""


def _timestamp(loader: yaml.SafeLoader, node: yaml.Node):
    try:
        return yaml.SafeLoader.construct_yaml_timestamp(loader, node)
    except ValueError:
        return loader.construct_scalar(node)


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp)

FM_DELIM = "---"
MAX_ENTRY_BYTES = 5 * 1024 * 1024

Path_ = tuple  # a location inside the front matter, e.g. ("areas", 2)


@dataclass
class SourceDoc:
    """One entry file as read from disk, before validation."""

    path: Path
    rel: str  # path relative to the project root, POSIX separators
    meta: dict[str, Any]
    lines: dict[Path_, int]  # front-matter location -> 1-based file line
    body: str
    body_line: int  # 1-based file line where the body starts

    def line_of(self, loc: tuple) -> int:
        """Best line for a location: the deepest known prefix, else line 1."""
        loc = tuple(loc)
        while loc:
            if loc in self.lines:
                return self.lines[loc]
            loc = loc[:-1]
        return 1


@dataclass
class Taxonomy:
    """Work areas from ``data/areas.yml``, in file order."""

    areas: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def slugs(self) -> list[str]:
        return list(self.areas)

    def name(self, slug: str) -> str:
        return self.areas.get(slug, {}).get("name", slug)


# libyaml's messages, explained for contributors (matched by substring).
_YAML_HINTS = (
    ("expected alphabetic or numeric character", "以 * 或 & 开头的取值需要用引号括起来，例如 \"**县委统战部\""),
    ("undefined alias", "以 * 开头的取值需要用引号括起来"),
    ("mapping values are not allowed", "取值中含有“: ”时需要用引号括起来，或检查缩进"),
    ("cannot start any token", "不能用制表符（Tab）缩进或以特殊符号开头，请改用空格或给取值加引号"),
    ("expected ',' or ']'", "方括号列表 [ ] 没有正确闭合"),
    ("expected ',' or '}'", "花括号 { } 没有正确闭合"),
    ("could not find expected ':'", "缺少冒号，应写成“字段: 值”"),
    ("expected <block end>", "缩进不一致，请检查本行与上一行的缩进"),
    ("expected key", "缩进不一致或缺少字段名"),
    ("found duplicate anchor", "不支持 YAML 锚点"),
    ("unacceptable character", "含有不可见的控制字符"),
)


def _yaml_message(problem: str | None) -> str:
    problem = problem or ""
    for needle, hint in _YAML_HINTS:
        if needle in problem:
            return f"YAML 语法错误：{hint}（{problem}）"
    return f"YAML 语法错误：{problem or '无法解析'}"


class _DuplicateAlias(Exception):
    pass


class _HeaderError(Exception):
    """A problem found while walking the composed front matter: (line, field, message)."""


# C0 controls except tab and newline, DEL, C1 controls (NEL included): the
# YAML reader lets some through (U+0085, escapes such as "\x9b" or "\0").
CONTROL_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def _dotted(loc: tuple) -> str:
    return ".".join(str(p) for p in loc) or "-"


def _walk(node: yaml.Node, loc: tuple, lines: dict, seen: set[int], offset: int) -> None:
    if id(node) in seen:  # the composer hands back the same node for an alias
        raise _DuplicateAlias(lines.get(loc, node.start_mark.line + offset))
    seen.add(id(node))
    if isinstance(node, yaml.ScalarNode):
        bad = CONTROL_RE.search(node.value)
        if bad:
            line = node.start_mark.line + offset + node.value.count("\n", 0, bad.start()) * (node.style in ("|", ">"))
            raise _HeaderError(line, _dotted(loc), f"含有不可见的控制字符（U+{ord(bad.group()):04X}），请删除")
    elif isinstance(node, yaml.MappingNode):
        first: dict[str, int] = {}
        for key, value in node.value:
            k = key.value if isinstance(key, yaml.ScalarNode) else str(key.value)
            here = key.start_mark.line + offset
            if k in first:  # PyYAML keeps the last silently: audience: restricted ... audience: public
                raise _HeaderError(here, _dotted(loc + (k,)),
                                   f"字段重复：第 {first[k]} 行和第 {here} 行都写了 {k}，请只保留一个")
            first[k] = here
            lines[loc + (k,)] = here
            if isinstance(key, yaml.ScalarNode) and CONTROL_RE.search(key.value):
                raise _HeaderError(here, _dotted(loc + (k,)), "字段名含有不可见的控制字符，请删除")
            _walk(value, loc + (k,), lines, seen, offset)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            lines[loc + (i,)] = item.start_mark.line + offset
            _walk(item, loc + (i,), lines, seen, offset)


def decode(raw: bytes, rel: str, problems: Problems) -> str | None:
    """Decode UTF-8 (with or without BOM); report the line of a bad byte."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        hint = ""
        try:
            raw.decode("gb18030")
            hint = "（看起来是 GBK/GB18030 编码，请在编辑器中另存为 UTF-8）"
        except UnicodeDecodeError:
            pass
        problems.add(rel, line, "-", f"文件不是有效的 UTF-8 编码，请用 UTF-8 保存{hint}")
        return None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def split_front_matter(text: str, rel: str, problems: Problems) -> tuple[str, str, int] | None:
    """Return (yaml_text, body, body_line) or report a problem."""
    if not text.startswith(FM_DELIM + "\n"):
        problems.add(rel, 1, "-", "文件开头缺少 YAML 头信息（第一行应为 ---）")
        return None
    end = -1
    pos = len(FM_DELIM) + 1
    while True:
        nl = text.find("\n" + FM_DELIM, pos - 1)
        if nl < 0:
            break
        after = nl + 1 + len(FM_DELIM)
        if after == len(text) or text[after] == "\n":
            end = nl
            break
        pos = after + 1
    if end < 0:
        problems.add(rel, 1, "-", "YAML 头信息没有结束标记（缺少单独一行的 ---）")
        return None
    yaml_text = text[len(FM_DELIM) + 1 : end + 1]
    body_start = end + 1 + len(FM_DELIM) + 1
    body_line = yaml_text.count("\n") + 3
    return yaml_text, text[body_start:], body_line


def parse_front_matter(yaml_text: str, rel: str, problems: Problems) -> tuple[dict, dict] | None:
    """Compose and construct the YAML mapping, keeping each key's line."""
    offset = 2  # YAML line 0 is file line 2
    raw_control = CONTROL_RE.search(yaml_text)
    if raw_control:  # before YAML reads U+0085 as a line break or names a byte offset
        line = yaml_text.count("\n", 0, raw_control.start()) + offset
        problems.add(rel, line, "-", f"含有不可见的控制字符（U+{ord(raw_control.group()):04X}），请删除")
        return None
    loader = _Loader(yaml_text)
    try:
        node = loader.get_single_node()
        if node is None:
            problems.add(rel, 2, "-", "YAML 头信息为空")
            return None
        if not isinstance(node, yaml.MappingNode):
            problems.add(rel, node.start_mark.line + offset, "-", "YAML 头信息必须是“字段: 值”的映射")
            return None
        lines: dict[tuple, int] = {}
        _walk(node, (), lines, set(), offset)
        data = loader.construct_document(node)
    except _DuplicateAlias as exc:
        problems.add(rel, exc.args[0], "-", "不支持 YAML 锚点和别名（& 与 *），请直接写出取值")
        return None
    except _HeaderError as exc:
        problems.add(rel, *exc.args)
        return None
    except yaml.reader.ReaderError as exc:  # a control character (NUL, ESC...) in the front matter
        pos = max(exc.position, 0)  # libyaml counts bytes, the pure-Python reader characters
        prefix = yaml_text.encode("utf-8")[:pos] if _Base is not yaml.SafeLoader else yaml_text[:pos].encode("utf-8")
        line = prefix.count(b"\n") + offset
        problems.add(rel, line, "-", f"含有不可见的控制字符（U+{exc.character:04X}），请删除")
        return None
    except yaml.MarkedYAMLError as exc:
        # "while parsing a flow sequence ... did not find expected ','": the
        # context mark points at the opening bracket, the problem mark at EOF.
        mark = exc.context_mark or exc.problem_mark
        line = mark.line + offset if mark else 1
        problems.add(rel, line, "-", _yaml_message(exc.problem))
        return None
    except (yaml.YAMLError, ValueError, TypeError, RecursionError) as exc:
        problems.add(rel, 2, "-", f"YAML 头信息无法解析：{exc}")
        return None
    finally:
        loader.dispose()
    if any(not isinstance(k, str) for k in data):
        bad = next(k for k in data if not isinstance(k, str))
        problems.add(rel, 2, str(bad), "字段名必须是文字")
        return None
    return data, lines


def read_capped(path: Path, limit: int) -> bytes:
    """At most ``limit + 1`` bytes of a file (enough to tell that it is too big)."""
    with open(path, "rb") as fh:
        return fh.read(limit + 1)


def read_entry(path: Path, root: Path, problems: Problems) -> SourceDoc | None:
    rel = path.relative_to(root).as_posix()
    refused = file_problem(path, root)
    if refused:
        problems.add(rel, 1, "-", refused)
        return None
    try:
        raw = read_capped(path, MAX_ENTRY_BYTES)
    except OSError as exc:
        problems.add(rel, 1, "-", f"无法读取文件：{exc.strerror}")
        return None
    if len(raw) > MAX_ENTRY_BYTES:
        size = max(os.path.getsize(path), len(raw))
        problems.add(rel, 1, "-", f"文件过大（{size // 1024} KB），单个条目不得超过 {MAX_ENTRY_BYTES // 1024 // 1024} MB")
        return None
    text = decode(raw, rel, problems)
    if text is None:
        return None
    return parse_entry(text, path, rel, problems)


def parse_entry(text: str, path: Path, rel: str, problems: Problems) -> SourceDoc | None:
    """Front matter and body of an entry's (decoded) text."""
    parts = split_front_matter(text, rel, problems)
    if parts is None:
        return None
    yaml_text, body, body_line = parts
    parsed = parse_front_matter(yaml_text, rel, problems)
    if parsed is None:
        return None
    meta, lines = parsed
    nul = body.find("\x00")
    if nul >= 0:  # would reach the page's HTML
        problems.add(rel, body_line + body.count("\n", 0, nul), "-", "正文含有空字符（NUL，U+0000），请删除")
        return None
    return SourceDoc(path=path, rel=rel, meta=meta, lines=lines, body=body, body_line=body_line)


def read_taxonomy(path: Path, root: Path, problems: Problems) -> Taxonomy:
    """Read ``data/areas.yml``: a mapping slug -> {name, description, keywords}."""
    rel = path.relative_to(root).as_posix() if path.is_relative_to(root) else str(path)
    if not path.exists() and not path.is_symlink():
        problems.add(rel, 1, "-", "找不到工作领域分类文件 areas.yml")
        return Taxonomy()
    refused = file_problem(path, root)
    if refused:
        problems.add(rel, 1, "-", refused)
        return Taxonomy()
    try:
        raw = read_capped(path, MAX_ENTRY_BYTES)
    except OSError:
        problems.add(rel, 1, "-", "找不到工作领域分类文件 areas.yml")
        return Taxonomy()
    text = decode(raw, rel, problems)
    if text is None:
        return Taxonomy()
    try:
        data = yaml.load(text, Loader=_Loader)  # noqa: S506 - safe loader
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        problems.add(rel, (mark.line + 1) if mark else 1, "-", _yaml_message(exc.problem))
        return Taxonomy()
    if not isinstance(data, dict):
        problems.add(rel, 1, "-", "areas.yml 必须是以领域 slug 为键的映射")
        return Taxonomy()
    areas: dict[str, dict[str, Any]] = {}
    for slug, spec in data.items():
        if not isinstance(spec, dict) or not isinstance(spec.get("name"), str):
            problems.add(rel, 1, str(slug), "每个领域需要 name（名称）")
            continue
        kws = spec.get("keywords") or []
        if not isinstance(kws, list) or not all(isinstance(k, str) for k in kws):
            problems.add(rel, 1, f"{slug}.keywords", "keywords 必须是文字列表")
            kws = []
        areas[str(slug)] = {
            "name": spec["name"],
            "description": str(spec.get("description") or ""),
            "keywords": kws,
        }
    return Taxonomy(areas)
