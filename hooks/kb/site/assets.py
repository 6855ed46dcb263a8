"""One stylesheet and one script per page: the project's own CSS and JS bundled at build time.

``mkdocs.yml`` lists the project's style sheets (``extra_css``) and scripts
(``extra_javascript``) one by one, and the theme gives every page one
``<link>`` or ``<script>`` tag per entry: 13 requests and about 650 bytes of
every page. In ``on_files`` (``kb.engine.session``) the local entries are
concatenated, in their order, into one file per kind whose name carries a
short hash of its bytes (``assets/kb.<8 hex>.css``, ``assets/kb.<8 hex>.js``:
a browser never uses a stale copy after a publish); ``config.extra_css`` and
``config.extra_javascript`` are rewritten to it, it is added as a generated
file (written atomically) and the bundled sources are not copied to the site.

What stays out of a bundle, in its place in the list (the files before and
after it form separate bundles, so the order of loading is kept):

- an entry that is not a plain file of ``docs/``: an address (``https://``,
  ``//``, ``/...``, with ``?`` or ``#``), a theme file;
- a script with attributes (``type: module``, ``async``, ``defer``; ``.mjs``);
- a file that would not work inside the bundle: not UTF-8; a style sheet with
  ``@import`` or ``@namespace`` (only valid at the top of a style sheet); a
  file with a ``sourceMappingURL`` (it would describe the whole bundle); and,
  for a file outside ``assets/``, relative ``url()`` references or a script
  reading ``document.currentScript`` (both resolve against the file's address).

Scripts are joined with ``\\n;\\n`` (a file ending in a ``//`` comment or
without a semicolon cannot swallow or continue into the next) and share one
global scope, as separate scripts do. A ``"use strict"`` directive at the top
of a file would make the whole bundle strict, and the same words inside the
bundle are no directive at all: strict files and the others therefore go to
separate bundles (each run of files of the same kind). The project's own
scripts are each one function expression run at once (nothing declared at the
top level, ``"use strict"`` inside), so they form one bundle
(``tests/test_assets.py`` checks both). A leading byte-order mark is dropped.

Under ``kb serve`` pages an edit did not touch are not rendered again and still
name the bundle of the earlier build: ``kb.preview.live.bundle_aliases`` writes
the current bundle under those names too.
"""

from __future__ import annotations

import hashlib
import posixpath
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable
from urllib.parse import urlsplit

BUNDLE_DIR = "assets"
PREFIX = "kb"
HASH_LEN = 8  # hex digits of the content hash in a bundle's name
SEPARATORS = {"css": "\n", "js": "\n;\n"}
BUNDLE_NAME = re.compile(rf"^{BUNDLE_DIR}/{PREFIX}\.[0-9a-f]{{{HASH_LEN}}}\.(css|js)$")

_BOM = "\ufeff"
_SOURCE_MAP = re.compile(r"[#@]\s*sourceMappingURL=")
_CSS_TOP_ONLY = re.compile(r"@(import|namespace)\b", re.I)
_CSS_URL = re.compile(r"""url\(\s*(['"]?)\s*([^'")\s]*)""", re.I)
_CURRENT_SCRIPT = re.compile(r"\bcurrentScript\b")
# Whitespace and comments, then one string literal (a possible directive of the prologue).
_GAP = re.compile(r"(?:\s+|//[^\n]*|/\*.*?\*/)*", re.S)
_STRING = re.compile(r"""(['"])((?:\\.|(?!\1)[^\\\n])*)\1""")
_CONTINUES = tuple(".[(+-*/%<>=&|^?,`")  # after a line break these continue the expression


@dataclass(frozen=True)
class Bundle:
    kind: str  # "css" or "js"
    path: str  # in the site, e.g. assets/kb.1a2b3c4d.css
    sources: tuple[str, ...]  # paths in docs/ of the files in it, in order
    content: bytes


@dataclass
class Plan:
    """This build's bundles and the ``extra_css`` / ``extra_javascript`` that name them."""

    extra_css: list[Any]
    extra_javascript: list[Any]
    bundles: list[Bundle] = field(default_factory=list)
    kept: list[tuple[str, str]] = field(default_factory=list)  # (docs path, why not bundled)

    @property
    def bundled(self) -> list[str]:
        """The docs/ files now inside a bundle (not copied to the site), in order."""
        return [src for b in self.bundles for src in b.sources]

    @property
    def digest(self) -> bytes:
        """Of every bundle, its place and its sources (kb.engine.pagekeys: pages name the bundles)."""
        h = hashlib.blake2b(digest_size=16)
        for b in self.bundles:
            h.update(repr((b.kind, b.path, b.sources)).encode() + hashlib.blake2b(b.content).digest())
        return h.digest()


def use_strict(js: str) -> bool:
    """Whether the directive prologue of a script says ``"use strict"``."""
    pos = 0
    while True:
        pos = _GAP.match(js, pos).end()
        m = _STRING.match(js, pos)
        if m is None:
            return False
        after = _GAP.match(js, m.end()).end()
        gap = js[m.end():after]
        nxt = js[after:after + 1]
        # A directive is a statement of the string alone: ";" follows, or the end, "}" or a line
        # break before anything that does not continue the expression ("use strict".length is none).
        if not (nxt in ("", ";", "}") or (("\n" in gap or "\r" in gap) and not nxt.startswith(_CONTINUES))):
            return False
        if m.group(2) == "use strict":
            return True
        pos = after + (nxt == ";")


def local_path(entry: Any) -> str | None:
    """The docs/ path an ``extra_css`` / ``extra_javascript`` entry names, or None for an address
    or a script with attributes (left as it is)."""
    if not isinstance(entry, str):  # mkdocs.config.config_options.ExtraScriptValue
        if getattr(entry, "type", "") or getattr(entry, "defer", False) or getattr(entry, "async_", False):
            return None
        entry = str(entry)
    parts = urlsplit(entry)
    if not entry or parts.scheme or parts.netloc or parts.query or parts.fragment or entry.startswith("/"):
        return None
    path = posixpath.normpath(entry)
    return None if path.startswith("../") or path == ".." else path


def _unbundlable(kind: str, path: str, text: str) -> str | None:
    """Why a source would not work inside a bundle (see the module docstring), or None."""
    if _SOURCE_MAP.search(text):
        return "含 sourceMappingURL"
    same_dir = posixpath.dirname(path) == BUNDLE_DIR
    if kind == "css":
        if _CSS_TOP_ONLY.search(text):
            return "含 @import 或 @namespace"
        if not same_dir and any(_relative(m.group(2)) for m in _CSS_URL.finditer(text)):
            return f"不在 {BUNDLE_DIR}/ 中且含相对地址 url()"
    elif not same_dir and _CURRENT_SCRIPT.search(text):
        return f"不在 {BUNDLE_DIR}/ 中且读取 document.currentScript"
    return None


def _relative(url: str) -> bool:
    return bool(url) and not (url.startswith(("/", "#")) or urlsplit(url).scheme)


def bundle_name(kind: str, content: bytes) -> str:
    return f"{BUNDLE_DIR}/{PREFIX}.{hashlib.sha256(content).hexdigest()[:HASH_LEN]}.{kind}"


def _plan_kind(kind: str, entries: Iterable[Any], read: Callable[[str], bytes | None],
               plan: Plan) -> list[Any]:
    """``entries`` with each run of bundlable files replaced by its bundle."""
    out: list[Any] = []
    run: list[tuple[str, str]] = []  # (path, text) of the current run
    run_strict: bool | None = None

    def close() -> None:
        nonlocal run, run_strict
        if run:
            content = SEPARATORS[kind].join(text for _, text in run).encode("utf-8")
            bundle = Bundle(kind, bundle_name(kind, content), tuple(p for p, _ in run), content)
            if all(b.path != bundle.path for b in plan.bundles):  # two runs of the same bytes: one file
                plan.bundles.append(bundle)
            out.append(bundle.path)
        run, run_strict = [], None

    for entry in entries:
        path = local_path(entry)
        raw = read(path) if path is not None else None
        if path is None or raw is None:
            close()
            out.append(entry)
            continue
        try:
            text = raw.decode("utf-8").removeprefix(_BOM)
        except UnicodeDecodeError:
            text, why = "", "不是 UTF-8 文本"
        else:
            why = _unbundlable(kind, path, text)
        if why is not None:
            plan.kept.append((path, why))
            close()
            out.append(entry)
            continue
        strict = kind == "js" and use_strict(text)
        if run and strict != run_strict:
            close()
        run.append((path, text))
        run_strict = strict
    close()
    return out


def plan(extra_css: Iterable[Any], extra_javascript: Iterable[Any], read: Callable[[str], bytes | None]) -> Plan:
    """The bundles of ``extra_css`` and ``extra_javascript``; ``read(path)``: the bytes of that file of
    docs/, None when docs/ has no such file."""
    result = Plan([], [])
    result.extra_css = _plan_kind("css", extra_css, read, result)
    result.extra_javascript = _plan_kind("js", extra_javascript, read, result)
    return result


# -- the build's side (MkDocs files and configuration) ---------------------------------


def register(files: Any, config: Any) -> Plan:
    """``on_files``: bundle the local ``extra_css`` and ``extra_javascript`` of ``config``, rewrite
    both to name the bundles, drop the bundled sources from ``files`` and add the bundles."""
    docs = Path(config.docs_dir).resolve()

    def read(path: str) -> bytes | None:
        f = files.get_file_from_path(path)
        if f is None or not f.abs_src_path or not Path(f.abs_src_path).resolve().is_relative_to(docs):
            return None
        return Path(f.abs_src_path).read_bytes()

    result = plan(config.extra_css, config.extra_javascript, read)
    for b in result.bundles:
        if files.get_file_from_path(b.path) is not None:
            from mkdocs.exceptions import PluginError

            raise PluginError(f"docs/{b.path} 与自动生成的合并样式表或脚本同名，请改名或移走")
    config.extra_css = result.extra_css
    config.extra_javascript = result.extra_javascript
    for path in dict.fromkeys(result.bundled):  # a file listed twice is in the bundle twice
        files.remove(files.get_file_from_path(path))
    for b in result.bundles:
        files.append(bundle_file(config, b.path, b.content))
    return result


def bundle_file(config: Any, path: str, content: bytes) -> Any:
    """A generated file of the site written atomically (``BundleFile``)."""
    return _bundle_file_class().generated(config, path, content=content)


_CLASS: Any = None


def _bundle_file_class() -> Any:
    global _CLASS
    if _CLASS is None:
        import os

        from mkdocs.structure.files import File

        from kb.source.atomic import write_atomic

        class BundleFile(File):
            """A bundle: written complete or not at all; a dirty build (kb serve) skips it when
            the site already has these bytes."""

            def is_modified(self) -> bool:
                try:
                    return Path(self.abs_dest_path).read_bytes() != self.content_bytes
                except OSError:
                    return True

            def copy_file(self, dirty: bool = False) -> None:
                if dirty and not self.is_modified():
                    return
                os.makedirs(os.path.dirname(self.abs_dest_path), exist_ok=True)
                write_atomic(self.abs_dest_path, self.content_bytes)

        _CLASS = BundleFile
    return _CLASS
