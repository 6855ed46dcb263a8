"""Line-level Markdown scanning shared by the analysis stages: ATX headings,
attribute lists (``{#id .class}``), backslash escapes and fenced code blocks."""

from __future__ import annotations

import re

HEADING_RE = re.compile(r"^(#{1,6})[ \t]+(.+?)[ \t]*#*[ \t]*$")
ATTR_RE = re.compile(r"[ \t]*\{[^{}]*\}[ \t]*$")
ATTR_ID_RE = re.compile(r"\{[^{}]*#([A-Za-z][\w-]*)[^{}]*\}[ \t]*$")
MD_ESCAPE_RE = re.compile(r"\\([\\`*_{}\[\]()>#+\-.!])")  # Python-Markdown's backslash escapes
FENCE_RE = re.compile(r"^[ \t]{0,3}(`{3,}|~{3,})")


class FenceTracker:
    """Follows fenced code blocks line by line (``` or ~~~, closed by the same kind)."""

    def __init__(self) -> None:
        self.fence: str | None = None

    def in_code(self, line: str) -> bool:
        """True for a fence line or a line inside a fenced block."""
        m = FENCE_RE.match(line)
        if m:
            marker = m.group(1)
            if self.fence is None:
                self.fence = marker[0] * 3
            elif marker.startswith(self.fence):
                self.fence = None
            return True
        return self.fence is not None
