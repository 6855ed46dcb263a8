"""Project settings for the knowledge base, read from ``mkdocs.yml``.

MkDocs refuses unknown top-level keys under ``strict``, so the knowledge
base's own settings live under ``extra.kb``; the repository address is
MkDocs' own ``repo_url``. The same reader serves the build (which already
has the parsed MkDocs config) and the command line (which reads the file).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from kb.problems import Problems
from kb.schema.models import ENTRY_TYPES

# Default review cycle per type, in months. Reports are records of a past
# period and are not reviewed unless an entry asks for it (review_every).
DEFAULT_REVIEW_EVERY: dict[str, int] = {"regulation": 24, "policy": 12, "case": 24}
DEFAULT_EDIT_PATH = "edit/main/"
DEFAULT_FEED_SIZE = 50


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


@dataclass(frozen=True)
class Settings:
    review_every: Mapping[str, int] = field(default_factory=lambda: dict(DEFAULT_REVIEW_EVERY))
    repo_url: str | None = None
    edit_path: str = DEFAULT_EDIT_PATH
    site_url: str | None = None
    feed_size: int = DEFAULT_FEED_SIZE

    def edit_url(self, rel: str) -> str | None:
        """Address of the repository's editor for a file (path relative to the project root)."""
        if not self.repo_url:
            return None
        return self.repo_url.rstrip("/") + "/" + self.edit_path.strip("/") + "/" + rel

    @classmethod
    def from_mapping(cls, conf: Mapping[str, Any], problems: Problems, where: str = "mkdocs.yml") -> "Settings":
        """Settings from a parsed mkdocs.yml (a dict or MkDocs' config object)."""
        extra = conf.get("extra") or {}
        kb = (extra.get("kb") or {}) if isinstance(extra, Mapping) else {}
        if not isinstance(kb, Mapping):
            problems.add(where, 1, "extra.kb", "应为“字段: 值”的映射")
            kb = {}
        review = dict(DEFAULT_REVIEW_EVERY)
        raw = kb.get("review_every") or {}
        if not isinstance(raw, Mapping):
            problems.add(where, 1, "extra.kb.review_every", "应为“类型: 月数”的映射，例如 policy: 12")
            raw = {}
        for etype, months in raw.items():
            key = f"extra.kb.review_every.{etype}"
            if etype not in ENTRY_TYPES:
                problems.add(where, 1, key, f"未知的条目类型“{etype}”，应为 " + " / ".join(ENTRY_TYPES))
            elif months in (None, 0, False):
                review.pop(etype, None)  # 0 or empty: this type has no review cycle
            elif isinstance(months, bool) or not isinstance(months, int) or not 1 <= months <= 120:
                problems.add(where, 1, key, f"“{months}”不是有效的复核周期，应为 1–120 的整数（月），0 表示不复核")
            else:
                review[etype] = months
        feed_size = kb.get("feed_size", DEFAULT_FEED_SIZE)
        if isinstance(feed_size, bool) or not isinstance(feed_size, int) or not 1 <= feed_size <= 1000:
            problems.add(where, 1, "extra.kb.feed_size", f"“{feed_size}”无效，应为 1–1000 的整数")
            feed_size = DEFAULT_FEED_SIZE
        edit_path = kb.get("edit_path", DEFAULT_EDIT_PATH)
        if not isinstance(edit_path, str):
            problems.add(where, 1, "extra.kb.edit_path", "应为文字，例如 edit/main/")
            edit_path = DEFAULT_EDIT_PATH
        return cls(
            review_every=review,
            repo_url=conf.get("repo_url") or None,
            edit_path=edit_path,
            site_url=conf.get("site_url") or None,
            feed_size=feed_size,
        )

    @classmethod
    def load(cls, root: Path, problems: Problems) -> "Settings":
        """Settings from ``root/mkdocs.yml``; defaults when there is none."""
        path = root / "mkdocs.yml"
        if not path.is_file():
            return cls()
        try:
            conf = read_mkdocs_yml(path)
        except ValueError as exc:
            problems.add("mkdocs.yml", 1, "-", str(exc))
            return cls()
        return cls.from_mapping(conf, problems)
