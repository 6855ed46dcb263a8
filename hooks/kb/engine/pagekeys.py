"""Stable digests of what a generated page shows (``PageSpec.depends``), so
that a warm build finds a page's Markdown without rendering its template.

``PageSpec.depends`` returns model objects (entries, citations, report
sections, git dates); ``kb.site.catalog.signatures`` compares them by
identity inside one process. Between processes the same value must give the
same bytes: an entry is its file's parsed content (path, front matter, body,
the line its body starts on) and its version label (which follows from other
entries); a dataclass is its fields; tuples, lists, dicts and plain values
are themselves. Anything else is ``Unstable``: that page is rendered (its
Markdown is still the key of its output, see kb.engine.pagecache).

An entry's digest assumes that loading a file gives the same entry for the
same bytes, the taxonomy (``data/areas.yml``) and the code, which are part
of the build key; so an entry loaded through the build's entry cache takes
its digest (and its report sections') from its file's bytes (``seed``),
computed once when the file was read, instead of from its fields.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import sys
from importlib import metadata
from pathlib import Path
from typing import Any, Iterable

from kb.model.entry import Entry


KB_PACKAGE = Path(__file__).resolve().parent.parent  # hooks/kb
FORMAT = 1  # bump when what a page's output depends on changes

# Configuration keys that do not change a page's bytes (or are not plain values).
_CONFIG_SKIP = {"site_dir", "plugins", "hooks", "watch", "dev_addr", "strict", "validation", "config_file_path",
                "exclude_docs", "draft_docs", "not_in_nav"}


_FIELDS: dict[type, tuple[str, ...]] = {}


def _field_names(cls: type) -> tuple[str, ...]:
    names = _FIELDS.get(cls)
    if names is None:
        names = _FIELDS[cls] = tuple(f.name for f in dataclasses.fields(cls))
    return names


def _plain(x: Any) -> bool:
    """A value whose ``repr`` is stable: plain values, and lists, tuples and dicts of them (one level)."""
    t = type(x)
    if t in _PLAIN_TYPES:
        return True
    if t is list or t is tuple:
        return all(type(y) in _PLAIN_TYPES for y in x)
    if t is dict:
        return all(type(k) in _PLAIN_TYPES and (type(y) in _PLAIN_TYPES or (type(y) is list and all(
            type(z) in _PLAIN_TYPES for z in y))) for k, y in x.items())
    return False


class Unstable(Exception):
    """A value with no stable digest (the page is rendered instead)."""


_PLAIN = (str, int, float, bool, type(None), dt.date, dt.datetime)
_PLAIN_TYPES = frozenset(_PLAIN)


class Digests:
    """Digests of depends() values; the digest of an entry, or of any other dataclass object
    (citations, report sections), computed once per object and process (the same object
    appears in the depends() of many pages: a citation in its source's and its target's)."""

    def __init__(self) -> None:
        self._objects: dict[int, tuple[Any, bytes]] = {}  # id -> (the object, kept alive; its digest)
        self._seeded: dict[int, tuple[Entry, bytes, str]] = {}  # id -> (entry, file digest, version label)

    def entry(self, e: Entry) -> bytes:
        stored = self._objects.get(id(e))
        if stored is not None and stored[0] is e:
            return stored[1]
        doc = e.doc
        h = hashlib.blake2b(digest_size=16)
        h.update(repr((doc.rel, doc.meta, sorted(doc.lines.items()), doc.body_line, e.version_label)).encode())
        h.update(doc.body.encode("utf-8"))
        d = b"E" + h.digest()
        self._objects[id(e)] = (e, d)
        return d

    def seed(self, e: Entry, file_digest: bytes) -> None:
        """Take ``e``'s digest, and its report sections', from the digest of the bytes of its file
        (kb.model.cache: an entry loaded from the same bytes is the same entry), not from its fields.
        Seeding the same entry from the same digest again (the preview's next rebuild) does nothing."""
        label = e.version_label
        seeded = self._seeded.get(id(e))
        if seeded is not None and seeded[0] is e and seeded[1] == file_digest and seeded[2] == label:
            return
        self._seeded[id(e)] = (e, file_digest, label)
        h = hashlib.blake2b(file_digest, digest_size=16)
        h.update(repr((e.doc.rel, label)).encode())
        self._objects[id(e)] = (e, b"E" + h.digest())
        for i, s in enumerate(getattr(e, "sections", None) or ()):
            self._objects[id(s)] = (s, b"D" + hashlib.blake2b(file_digest + b"section %d" % i, digest_size=16).digest())

    def of(self, value: Any) -> bytes:
        """The digest of a depends() value; raises ``Unstable``."""
        h = hashlib.blake2b(digest_size=16)
        self._feed(h, value)
        return h.digest()

    def _feed(self, h: Any, v: Any) -> None:
        t = type(v)
        if t is tuple or t is list:  # the common case first: listings are tuples of entries
            h.update(b"(%d" % len(v))
            objects = self._objects
            for x in v:
                stored = objects.get(id(x))
                if stored is not None and stored[0] is x:  # an entry or dataclass seen before
                    h.update(stored[1])
                elif type(x) is Entry:
                    h.update(self.entry(x))
                else:
                    self._feed(h, x)
            h.update(b")")
        elif t is Entry or isinstance(v, Entry):
            h.update(self.entry(v))
        elif t in _PLAIN_TYPES or isinstance(v, _PLAIN):
            h.update(b"P" + repr(v).encode() + b"\0")
        elif isinstance(v, (tuple, list)):
            self._feed(h, list(v))
        elif isinstance(v, dict):
            h.update(b"{%d" % len(v))
            for k, x in v.items():
                self._feed(h, k)
                self._feed(h, x)
            h.update(b"}")
        elif isinstance(v, (set, frozenset)):
            h.update(b"S" + repr(sorted(repr(x) for x in v)).encode())
        elif dataclasses.is_dataclass(v) and not isinstance(v, type):
            h.update(self._dataclass(v))
        else:
            raise Unstable(t.__qualname__)

    def _dataclass(self, v: Any) -> bytes:
        stored = self._objects.get(id(v))
        if stored is not None and stored[0] is v:
            return stored[1]
        t = type(v)
        sub = hashlib.blake2b(digest_size=16)
        values = tuple(getattr(v, name) for name in _field_names(t))
        if all(_plain(x) for x in values):  # e.g. citations, report sections: one repr
            sub.update(b"R" + t.__qualname__.encode() + repr(values).encode() + b"|")
        else:
            sub.update(b"D" + t.__qualname__.encode())
            for x in values:
                self._feed(sub, x)
            sub.update(b"|")
        d = b"D" + sub.digest()
        self._objects[id(v)] = (v, d)
        return d


# -- what every page of a build depends on -------------------------------------


def _stable(value: Any) -> Any:
    """A plain, repr-stable form of a configuration value (no object addresses)."""
    if isinstance(value, dict) or (hasattr(value, "items") and hasattr(value, "keys")):
        return sorted((str(k), _stable(v)) for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return [_stable(v) for v in value]
    if isinstance(value, (set, frozenset)):
        return sorted(repr(_stable(v)) for v in value)
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if hasattr(value, "__dict__"):
        return (type(value).__qualname__, _stable({k: v for k, v in vars(value).items() if not k.startswith("_")}))
    return (type(value).__qualname__, str(value))


def _tree_digest(h: "hashlib._Hash", root: Path, skip_dirs: Iterable[str] = ("__pycache__",)) -> None:
    skip = set(skip_dirs)
    for path in sorted(root.rglob("*")):
        if path.is_file() and not skip & set(path.relative_to(root).parts):
            h.update(path.relative_to(root).as_posix().encode() + b"\0")
            h.update(hashlib.blake2b(path.read_bytes(), digest_size=16).digest())


_CODE: bytes | None = None


def code_digest() -> bytes:
    """Python, every installed package and its version, and the knowledge-base package's files
    (code, templates, theme): computed once per process."""
    global _CODE
    if _CODE is None:
        h = hashlib.blake2b(digest_size=16)
        h.update(sys.version.encode())
        dists = sorted({(d.metadata["Name"] or "", d.version) for d in metadata.distributions()})
        h.update(repr(dists).encode())
        _tree_digest(h, KB_PACKAGE)
        _CODE = h.digest()
    return _CODE


def build_key(config: Any, settings: Any, docs_files: Iterable[tuple[str, str]], extra: Iterable[Any] = ()) -> bytes:
    """What every page of a build depends on (see the module docstring).

    ``docs_files``: (src_uri, absolute path) of the files MkDocs took from docs/
    and the theme's custom directory; ``extra``: further build-wide values (the page date).
    """
    h = hashlib.blake2b(digest_size=16)
    h.update(f"kb-page-cache {FORMAT}".encode())
    h.update(code_digest())
    # The engine (MkDocs or ProperDocs: it names itself in every page).
    engine = sys.modules.get(type(config).__module__)
    h.update(f"{type(config).__module__} {getattr(engine, '__file__', '')} {'properdocs' in sys.modules}".encode())
    if config.config_file_path and Path(config.config_file_path).is_file():
        h.update(Path(config.config_file_path).read_bytes())
    for hook in config.get("hooks") or ():  # the hook modules (hooks/mkdocs_hooks.py): code outside hooks/kb
        path = Path(config.config_file_path or ".").parent / str(hook)
        h.update(path.read_bytes() if path.is_file() else str(hook).encode())
    h.update(repr([(k, _stable(config[k])) for k in sorted(config.keys()) if k not in _CONFIG_SKIP]).encode())
    h.update(repr(_stable(settings)).encode())
    for uri, path in sorted(docs_files):
        h.update(uri.encode() + b"\0")
        try:
            h.update(hashlib.blake2b(Path(path).read_bytes(), digest_size=16).digest())
        except OSError:
            h.update(b"\1missing")
    h.update(repr([_stable(x) for x in extra]).encode())
    return h.digest()


def project_files(files: Any, config: Any) -> list[tuple[str, str]]:
    """(src_uri, absolute path) of the files MkDocs took from docs/ and of a custom theme directory
    of the project (themes of installed packages count by their versions, part of ``code_digest``)."""
    docs = Path(config.docs_dir).resolve()
    own = [(f.src_uri, f.abs_src_path) for f in files
           if f.abs_src_path and Path(f.abs_src_path).resolve().is_relative_to(docs)]
    for d in config.theme.dirs:
        p = Path(d).resolve()
        if not p.is_relative_to(Path(sys.prefix).resolve()) and not p.is_relative_to(KB_PACKAGE):
            own += [(f"theme:{x.relative_to(p).as_posix()}", str(x)) for x in p.rglob("*") if x.is_file()]
    return own


def only_hooks(config: Any) -> bool:
    """Whether the build runs no plugin but the hook modules of ``mkdocs.yml`` (another plugin may
    want what MkDocs keeps of a cached page, e.g. its HTML)."""
    hooks = {str(h) for h in (config.get("hooks") or ())}
    return all(name in hooks for name in config.plugins)

