"""The build engine's own progress messages in Chinese.

MkDocs logs "Cleaning site directory", "Building documentation to directory: …"
and "Documentation built in … seconds" in English on every build. A logging
filter on that logger rewrites them (the rest of its messages pass unchanged).
A page the build did not write because the site already holds its bytes
(``unwritten``, kb.engine.outdir) is handed to MkDocs empty; MkDocs' note
that it skipped an empty page is dropped for those pages only.
The live-reload server's messages are left alone: ``kb serve`` and its tests
wait for "Serving on".
"""

from __future__ import annotations

import logging
import re

_BUILD_LOGGER = "mkdocs.commands.build"
_RULES = [
    (re.compile(r"^Cleaning site directory$"), "清理网站目录"),
    (re.compile(r"^Building documentation to directory: (.*)$"), r"生成网站到目录：\1"),
    (re.compile(r"^Documentation built in ([\d.]+) seconds$"), r"网站生成完毕，用时 \1 秒"),
    (re.compile(r"^The directory contains stale files\. Use --clean to remove them\.$"),
     "目录中有上次生成留下的文件，加 --clean 可先清除"),
]


_SKIPPED = re.compile(r"^Page skipped: '(.*)'\. Generated empty output\.$")
_unwritten: set[str] = set()  # src_uri of pages left as the site holds them, until MkDocs notes it


def unwritten(src_uri: str) -> None:
    """The page ``src_uri`` goes to MkDocs empty because its file is already right: no note of it."""
    _unwritten.add(src_uri)


class ChineseBuildMessages(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        try:
            text = record.getMessage()
        except Exception:  # pragma: no cover - a malformed record: leave it to logging
            return True
        skipped = _SKIPPED.match(text) if _unwritten else None
        if skipped is not None and skipped.group(1) in _unwritten:
            _unwritten.discard(skipped.group(1))
            return False
        for pattern, repl in _RULES:
            if pattern.match(text):
                record.msg, record.args = pattern.sub(repl, text), ()
                break
        return True


_FILTER = ChineseBuildMessages()


def install() -> None:
    """Add the filter once per process (every build of ``kb serve`` calls this)."""
    logger = logging.getLogger(_BUILD_LOGGER)
    if _FILTER not in logger.filters:
        logger.addFilter(_FILTER)
