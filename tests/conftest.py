"""Shared fixtures: a scratch knowledge base built from the real taxonomy."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT.parent / "shared" / "seeds"


class Tree:
    """A throw-away project: data/areas.yml from the repo plus entries we write."""

    def __init__(self, root: Path):
        self.root = root
        (root / "data").mkdir(parents=True)
        shutil.copy(ROOT / "data" / "areas.yml", root / "data" / "areas.yml")

    def write(self, rel: str, text: str) -> Path:
        path = self.root / "data" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
        return path

    def write_bytes(self, rel: str, raw: bytes) -> Path:
        path = self.root / "data" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(raw)
        return path


@pytest.fixture
def tree(tmp_path: Path) -> Tree:
    return Tree(tmp_path / "kb")


def seed_texts() -> dict[str, str]:
    """The real reports in ../shared/seeds (read in place, never copied)."""
    if not SEEDS.is_dir():
        pytest.fail(f"seed reports not found at {SEEDS}: the tests expect ../shared beside the repo")
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))}


CASE = """
---
id: {id}
type: case
title: {title}
areas: [{areas}]
unit: 某区委统战部
year: 2023
---
## 背景

正文。
"""


def case(id: str = "demo-case", title: str = "示例案例", areas: str = "religion") -> str:
    return CASE.format(id=id, title=title, areas=areas)
