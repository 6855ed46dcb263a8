"""The knowledge base's settings: one object, validated once.

MkDocs refuses unknown top-level keys under ``strict``, so the knowledge
base's own settings live under ``extra.kb`` in ``mkdocs.yml``; the
repository and site addresses are MkDocs' own ``repo_url`` and ``site_url``.
Environment variables override the file where a build needs it:

==================  =========================  ==============================
setting             ``mkdocs.yml``             environment (wins)
==================  =========================  ==============================
audience            ``extra.kb.audience``      ``KB_AUDIENCE``
offline             ``extra.kb.offline``       ``KB_OFFLINE``
review_every        ``extra.kb.review_every``
edit_path           ``extra.kb.edit_path``
feed_size           ``extra.kb.feed_size``
page_size           ``extra.kb.page_size``
federation          ``extra.kb.federation``
today               (the data's newest date)   ``KB_TODAY``, ``SOURCE_DATE_EPOCH``
==================  =========================  ==============================

``KBConfig`` is the schema of ``extra.kb`` in the style of MkDocs plugin
configs (``mkdocs.config.config_options``), with Chinese messages;
``Settings`` is the validated, frozen result that the build (``on_config``,
before ``data/`` is read), ``kb check`` and ``kb publish`` all use.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Mapping

from mkdocs.config import base
from mkdocs.config import config_options as c

from kb.problems import Problems
from kb.schema.models import ENTRY_TYPES

BUILD_AUDIENCES = ("public", "internal", "all")
BUILD_LABELS = {"public": "公开版", "internal": "内部版", "all": "完整版（含受限条目）"}
DEFAULT_AUDIENCE = "internal"
# Default review cycle per type, in months. Reports are records of a past
# period and are not reviewed unless an entry asks for it (review_every).
DEFAULT_REVIEW_EVERY: dict[str, int] = {"regulation": 24, "policy": 12, "case": 24}
DEFAULT_EDIT_PATH = "edit/main/"
DEFAULT_FEED_SIZE = 50
DEFAULT_PAGE_SIZE = 100  # rows per page of a listing (kb.site.paging)

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


class SettingsError(ValueError):
    """Settings that cannot be used; ``problems`` holds one Chinese message per mistake."""

    def __init__(self, problems: Problems) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems.errors))


def audience_message(value: Any, where: str) -> str:
    allowed = "、".join(BUILD_AUDIENCES)
    return (f"{where}：可见范围“{value}”无效，应为 {allowed} 之一"
            "（public 只含公开条目，internal 另含内部条目，all 另含受限条目）")


def check_audience(value: Any, where: str) -> str:
    """A build audience, or ``ValueError`` with a Chinese message naming ``where``."""
    if isinstance(value, str) and value.strip() in BUILD_AUDIENCES:
        return value.strip()
    raise ValueError(audience_message(value, where))


# -- the schema of extra.kb ------------------------------------------------------


class _Audience(c.BaseConfigOption[str]):
    def __init__(self) -> None:
        super().__init__()
        self.default = DEFAULT_AUDIENCE

    def run_validation(self, value: object) -> str:
        if value is None:
            return DEFAULT_AUDIENCE
        try:
            return check_audience(value, "mkdocs.yml：extra.kb.audience")
        except ValueError as exc:
            raise c.ValidationError(str(exc)) from None


class _Flag(c.BaseConfigOption[bool]):
    def __init__(self, default: bool) -> None:
        super().__init__()
        self.default = default

    def run_validation(self, value: object) -> bool:
        if value is None:
            return bool(self.default)
        if not isinstance(value, bool):
            raise c.ValidationError(f"应为 true 或 false，而不是“{value}”")
        return value


class _Int(c.BaseConfigOption[int]):
    def __init__(self, default: int, lo: int, hi: int) -> None:
        super().__init__()
        self.default, self.lo, self.hi = default, lo, hi

    def run_validation(self, value: object) -> int:
        if value is None:
            return int(self.default)
        if isinstance(value, bool) or not isinstance(value, int) or not self.lo <= value <= self.hi:
            raise c.ValidationError(f"“{value}”无效，应为 {self.lo}–{self.hi} 的整数")
        return value


class _Text(c.BaseConfigOption[str]):
    def __init__(self, default: str, example: str) -> None:
        super().__init__()
        self.default, self.example = default, example

    def run_validation(self, value: object) -> str:
        if value is None:
            return str(self.default)
        if not isinstance(value, str):
            raise c.ValidationError(f"应为文字，例如 {self.example}")
        return value


class _ReviewEvery(c.BaseConfigOption[dict]):
    """``type: months`` over the defaults; 0 or empty turns a type's review off."""

    def __init__(self) -> None:
        super().__init__()
        self.default = dict(DEFAULT_REVIEW_EVERY)

    def run_validation(self, value: object) -> dict:
        review = dict(DEFAULT_REVIEW_EVERY)
        if value is None:
            return review
        if not isinstance(value, Mapping):
            raise c.ValidationError("应为“类型: 月数”的映射，例如 policy: 12")
        for etype, months in value.items():
            if etype not in ENTRY_TYPES:
                raise _KeyError(str(etype), f"未知的条目类型“{etype}”，应为 " + " / ".join(ENTRY_TYPES))
            if months in (None, 0, False):
                review.pop(etype, None)
            elif isinstance(months, bool) or not isinstance(months, int) or not 1 <= months <= 120:
                raise _KeyError(str(etype), f"“{months}”不是有效的复核周期，应为 1–120 的整数（月），0 表示不复核")
            else:
                review[etype] = months
        return review


class _KeyError(c.ValidationError):
    """A mistake in one key of a mapping option (reported as ``option.key``)."""

    def __init__(self, key: str, message: str) -> None:
        super().__init__(message)
        self.key = key


@dataclass(frozen=True)
class FederatedSite:
    """Another published knowledge base that the search page also queries."""

    name: str
    url: str  # absolute http(s) address of its site root, ending in "/"


class _Federation(c.BaseConfigOption[tuple]):
    """A list of ``{name: 显示名称, url: https://…/}``: other sites searched together with this one."""

    def __init__(self) -> None:
        super().__init__()
        self.default = ()

    def run_validation(self, value: object) -> tuple:
        if value is None:
            return ()
        example = "例如 - {name: 某市民宗局知识库, url: https://mzj.example.cn/kb/}"
        if not isinstance(value, list):
            raise c.ValidationError("应为站点列表，每项写 name（显示名称）和 url（网址），" + example)
        out: list[FederatedSite] = []
        for i, item in enumerate(value, 1):
            where = f"[{i}]"
            if not isinstance(item, Mapping):
                raise _KeyError(where, f"第 {i} 项应为含 name 和 url 的映射，" + example)
            for key in item.keys() - {"name", "url"}:
                raise _KeyError(f"{where}.{key}", f"第 {i} 项：未知的字段“{key}”，只能写 name 和 url")
            name, url = item.get("name"), item.get("url")
            if not isinstance(name, str) or not name.strip():
                raise _KeyError(f"{where}.name", f"第 {i} 项缺少显示名称 name（例如 某市民宗局知识库）")
            if not isinstance(url, str) or not re.fullmatch(r"https?://[^/\s?#]+(/[^\s?#]*)?", url.strip()):
                raise _KeyError(f"{where}.url", f"第 {i} 项（{name.strip()}）的网址“{url}”无效，"
                                "应为以 http:// 或 https:// 开头的站点根地址，例如 https://mzj.example.cn/kb/")
            url = url.strip().rstrip("/") + "/"
            if any(s.url == url for s in out):
                raise _KeyError(f"{where}.url", f"第 {i} 项（{name.strip()}）的网址“{url}”与前面的站点重复")
            out.append(FederatedSite(name.strip(), url))
        return tuple(out)


class KBConfig(base.Config):
    """``extra.kb`` of ``mkdocs.yml``."""

    audience = _Audience()
    """Which entries a build contains: ``public``, ``internal`` or ``all``."""
    offline = _Flag(False)
    """Build the edition that works opened from the file system."""
    edit_path = _Text(DEFAULT_EDIT_PATH, "edit/main/")
    """Path of the repository's web editor, between ``repo_url`` and a file's path."""
    review_every = _ReviewEvery()
    """Default review cycle per entry type, in months."""
    feed_size = _Int(DEFAULT_FEED_SIZE, 1, 1000)
    """Entries in ``feed.xml``."""
    page_size = _Int(DEFAULT_PAGE_SIZE, 1, 1000)
    """Rows per page of a listing (types, areas, years, review); more rows go to ``.../page/2/`` etc."""
    federation = _Federation()
    """Other published knowledge bases searched together with this one (search page)."""


# -- the settings object ---------------------------------------------------------


@dataclass(frozen=True)
class Settings:
    audience: str = DEFAULT_AUDIENCE
    offline: bool = False
    review_every: Mapping[str, int] = field(default_factory=lambda: dict(DEFAULT_REVIEW_EVERY))
    repo_url: str | None = None
    edit_path: str = DEFAULT_EDIT_PATH
    site_url: str | None = None
    feed_size: int = DEFAULT_FEED_SIZE
    page_size: int = DEFAULT_PAGE_SIZE
    today: dt.date | None = None  # the build's reference date when set from the environment
    federation: tuple[FederatedSite, ...] = ()

    def edit_url(self, rel: str) -> str | None:
        """Address of the repository's editor for a file (path relative to the project root)."""
        if not self.repo_url:
            return None
        return self.repo_url.rstrip("/") + "/" + self.edit_path.strip("/") + "/" + rel

    def with_audience(self, audience: str) -> "Settings":
        return replace(self, audience=check_audience(audience, "audience"))

    @classmethod
    def from_mapping(cls, conf: Mapping[str, Any], problems: Problems, where: str = "mkdocs.yml",
                     environ: Mapping[str, str] | None = None, text: str | None = None) -> "Settings":
        """Settings from a parsed mkdocs.yml (a dict or MkDocs' config object) and
        the environment. Every mistake is added to ``problems`` (with the line in
        ``text``, the file's content, when given); the setting keeps its default."""
        environ = os.environ if environ is None else environ

        def add(keys: tuple[str, ...], message: str, severity: str = "error") -> None:
            keys = tuple(k for key in keys for k in re.split(r"\.(?![^\[]*\])|(?=\[)", key) if k)
            problems.add(where, _line_of(text, keys), ".".join(keys).replace(".[", "["), message, severity)

        extra = conf.get("extra") or {}
        raw = (extra.get("kb") or {}) if isinstance(extra, Mapping) else {}
        if not isinstance(raw, Mapping):
            add(("extra", "kb"), "应为“字段: 值”的映射，例如 extra: {kb: {audience: internal}}")
            raw = {}
        # Each option of the schema validates its own value; unlike MkDocs'
        # Config.validate, which stops at the first failure, every mistake is reported.
        values: dict[str, Any] = {}
        for name, option in KBConfig._schema:
            try:
                values[name] = option.validate(raw.get(name))
            except c.ValidationError as err:
                sub = (err.key,) if isinstance(err, _KeyError) else ()
                add(("extra", "kb", name, *sub), str(err))
                values[name] = option.default
        for key in raw.keys() - {name for name, _ in KBConfig._schema}:
            add(("extra", "kb", str(key)), "未知的设置项，已忽略", "warning")
        audience = values["audience"]
        if (env := environ.get("KB_AUDIENCE", "")).strip():
            try:
                audience = check_audience(env, "环境变量 KB_AUDIENCE")
            except ValueError as exc:
                problems.add("", 0, "KB_AUDIENCE", str(exc))
        offline = values["offline"]
        if (env := environ.get("KB_OFFLINE", "")).strip():
            v = env.strip().lower()
            if v in _TRUE | _FALSE:
                offline = v in _TRUE
            else:
                problems.add("", 0, "KB_OFFLINE", f"环境变量 KB_OFFLINE：“{env}”无效，应为 1 或 0")
        return cls(
            audience=audience,
            offline=offline,
            review_every=values["review_every"],
            repo_url=conf.get("repo_url") or None,
            edit_path=values["edit_path"],
            site_url=conf.get("site_url") or None,
            feed_size=values["feed_size"],
            page_size=values["page_size"],
            federation=values["federation"],
            today=_today_from(environ, problems),
        )

    @classmethod
    def from_config(cls, config: Any, environ: Mapping[str, str] | None = None,
                    problems: Problems | None = None) -> "Settings":
        """Settings of a loaded MkDocs config (``on_config``); ``SettingsError`` on any
        mistake. Warnings (unknown keys) are added to ``problems`` when given."""
        problems = Problems() if problems is None else problems
        path = Path(config.config_file_path) if config.config_file_path else None
        text = path.read_text(encoding="utf-8-sig") if path and path.is_file() else None
        settings = cls.from_mapping(config, problems, where=path.name if path else "mkdocs.yml",
                                    environ=environ, text=text)
        if problems.errors:
            raise SettingsError(problems)
        return settings

    @classmethod
    def load(cls, root: Path, problems: Problems, environ: Mapping[str, str] | None = None) -> "Settings":
        """Settings from ``root/mkdocs.yml`` (``kb check``, ``kb publish``); defaults when there is none."""
        path = root / "mkdocs.yml"
        if not path.is_file():
            return cls.from_mapping({}, problems, environ=environ)
        try:
            conf = read_mkdocs_yml(path)
            text = path.read_text(encoding="utf-8-sig")
        except ValueError as exc:
            problems.add("mkdocs.yml", 1, "-", str(exc))
            return cls()
        return cls.from_mapping(conf, problems, environ=environ, text=text)


def read_mkdocs_yml(path: Path) -> dict[str, Any]:
    """``mkdocs.yml`` read the way MkDocs reads it (``!ENV`` resolved), as a dict.

    Raises ``ValueError`` with a Chinese message when it cannot be read.
    """
    from mkdocs.utils.yaml import yaml_load

    try:
        with open(path, encoding="utf-8-sig") as fh:
            conf = yaml_load(fh) or {}
    except Exception as exc:  # noqa: BLE001 - any YAML/IO problem becomes one message
        raise ValueError(f"无法读取 {path.name}：{exc}") from None
    return conf if isinstance(conf, dict) else {}


def _today_from(environ: Mapping[str, str], problems: Problems) -> dt.date | None:
    """``KB_TODAY`` (YYYY-MM-DD) or ``SOURCE_DATE_EPOCH`` (seconds), if set."""
    if (v := environ.get("KB_TODAY", "").strip()):
        try:
            return dt.date.fromisoformat(v)
        except ValueError:
            problems.add("", 0, "KB_TODAY", f"环境变量 KB_TODAY=“{v}”不是有效日期，应写成 YYYY-MM-DD")
            return None
    if (v := environ.get("SOURCE_DATE_EPOCH", "").strip()):
        try:
            return dt.datetime.fromtimestamp(int(v), tz=dt.timezone.utc).date()
        except (ValueError, OverflowError, OSError):
            problems.add("", 0, "SOURCE_DATE_EPOCH", f"环境变量 SOURCE_DATE_EPOCH=“{v}”不是有效的时间戳（秒）")
    return None


def _line_of(text: str | None, keys: tuple[str, ...]) -> int:
    """1-based line of a nested key (``[n]``: the n-th item of a list) in a YAML text
    (the nearest enclosing line found when it cannot be found; 1 for none)."""
    if not text:
        return 1
    lines = text.splitlines()
    start, found, indent, block = 0, 1, -1, -1  # block: leading spaces of the enclosing line
    for key in keys:
        item = re.fullmatch(r"\[(\d+)\]", key)
        if item:
            pat, deeper, skip = re.compile(r"^(\s*)-\s"), 0, int(item.group(1)) - 1
        else:
            pat, deeper, skip = re.compile(rf"^(\s*(?:-\s+)?){re.escape(key)}\s*:"), 1, 0
        for i in range(start, len(lines)):
            line = lines[i]
            lead = len(line) - len(line.lstrip(" "))
            if i > found - 1 and line.strip() and not line.lstrip().startswith("#") and lead <= block \
                    and not (item and lead == block and line.lstrip().startswith("- ")):
                return found  # past the end of the enclosing block
            m = pat.match(line)
            if not m or len(m.group(1)) < indent + deeper:
                continue
            if skip:
                skip -= 1
                continue
            if item:  # an item's first field is on the item's own line
                start, found, indent, block = i, i + 1, len(m.group(1)) + 1, len(m.group(1))
            else:
                start, found, indent, block = i + 1, i + 1, len(m.group(1)), lead
            break
        else:
            return found
    return found
