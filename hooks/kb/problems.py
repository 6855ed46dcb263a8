"""Problems found in the data: one place for their shape and formatting."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True, order=True)
class Problem:
    """A single problem, reported as ``path:line: field: message``."""

    path: str
    line: int
    field: str
    message: str
    severity: Severity = "error"
    # What else the problem is about (entry ids, cited titles, other files): a
    # problem about a file that failed to load follows from that failure (kb.model.cascade).
    about: frozenset[str] = field(default=frozenset(), compare=False)

    def __str__(self) -> str:
        prefix = "" if self.severity == "error" else "警告: "
        if not self.path:  # not about a file (an environment variable): the message names its source
            return f"{prefix}{self.message}"
        return f"{self.path}:{self.line}: {self.field}: {prefix}{self.message}"


@dataclass
class Problems:
    """Collects every problem of a run so they can be reported together."""

    items: list[Problem] = field(default_factory=list)

    def add(self, path: str, line: int, fld: str, message: str, severity: Severity = "error",
            about: Iterable[str] = ()) -> None:
        self.items.append(Problem(path, line, fld, message, severity, frozenset(about)))

    def extend(self, items: Iterable[Problem]) -> None:
        self.items.extend(items)

    @property
    def errors(self) -> list[Problem]:
        return sorted(p for p in self.items if p.severity == "error")

    @property
    def warnings(self) -> list[Problem]:
        return sorted(p for p in self.items if p.severity == "warning")

    def __bool__(self) -> bool:
        return bool(self.items)


class KnowledgeBaseError(Exception):
    """Raised when the data has errors; carries every problem found."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        lines = "\n".join(str(p) for p in problems)
        super().__init__(f"知识库数据有 {len(problems)} 个错误：\n{lines}")
