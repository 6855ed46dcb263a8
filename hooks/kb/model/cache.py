"""Per-file cache of parsed and validated entries, for repeated loads in one
process (the live preview rebuilds after every save).

``KnowledgeBase.load(root, cache=...)`` asks the cache for each entry file.
A file is read, parsed and validated again only when its key
(``mtime_ns``, size, inode) differs from the one seen last time, or when it
was stored within two seconds of the file's mtime (see ``RACY_NS``); otherwise the
stored result (the ``Entry`` or nothing, and the problems the file produced)
is reused. Everything that depends on more than one file (duplicate ids,
links, versions, citations) is still computed on every load, and so is
the knowledge base of the build's audience (``KnowledgeBase.restricted_to``),
which reuses the entries themselves, never copies.

The per-file result depends on the taxonomy (valid area slugs and keyword
lists), so a changed ``areas.yml`` empties the cache.

Between builds (kb.engine.pagecache) the per-file results are kept in a
pickle file (``save`` / ``restore``, see kb.model.cachefile: after a few
edits only a small delta file is written): written atomically, stamped with
the code's digest, and ignored when the stamp differs or the file cannot be
read. The per-file results are kept, and with them the memoised per-entry
analyses (``EntryMemo``: article structures, citations found in an entry, and those found
again for the build's audience) of
those entries; the cross-entry results are not kept.
"""

from __future__ import annotations

import hashlib
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Hashable

from kb.problems import Problem, Problems
from kb.source.listing import RACY_NS  # a result stored within this many ns of the file's mtime: read again

if TYPE_CHECKING:  # pragma: no cover
    from kb.model.entry import Entry

FileKey = tuple[int, int, int]  # (mtime_ns, size, inode)


def file_key(path: Path) -> FileKey | None:
    """What identifies one version of a file; None if it cannot be stat'ed."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_mtime_ns, st.st_size, st.st_ino)




@dataclass
class _Slot:
    key: FileKey
    entry: "Entry | None"
    problems: list[Problem]
    racy: bool
    digest: bytes | None = None  # of the file's bytes as loaded (see ``EntryCache.file_digest``)


class EntryMemo:
    """Results computed from one entry (article structure, citations found in
    its body), reused while the entry is the same object and the context
    (e.g. every regulation and policy, for citations) is equal.

    One use per load: ``begin(context)``, ``get`` for each entry, ``end()``;
    results of entries not asked for are dropped at ``end``.
    """

    def __init__(self) -> None:
        self.context: Any = None
        self.results: dict[int, tuple["Entry", Any, list[Problem]]] = {}
        self._seen: dict[int, tuple["Entry", Any, list[Problem]]] = {}

    def begin(self, context: Any = None) -> None:
        if context != self.context:
            self.results.clear()
            self.context = context
        self._seen = {}

    def get(self, e: "Entry", compute: Callable[[Problems], Any], problems: Problems) -> Any:
        stored = self.results.get(id(e))
        if stored is None or stored[0] is not e:
            own = Problems()
            stored = (e, compute(own), list(own.items))
        self._seen[id(e)] = stored
        problems.extend(stored[2])
        return stored[1]

    def end(self) -> None:
        self.results, self._seen = self._seen, {}


@dataclass
class EntryCache:
    """Results of loading single entry files, keyed by path and file key."""

    context: Hashable = None  # the taxonomy the stored results were made with
    slots: dict[Path, _Slot] = field(default_factory=dict)
    hits: int = 0
    misses: int = 0
    dropped: int = 0  # results of files that are gone
    structures: EntryMemo = field(default_factory=EntryMemo)  # articles.parse per regulation/policy
    citations: EntryMemo = field(default_factory=EntryMemo)  # citations found per entry
    restricted: EntryMemo = field(default_factory=EntryMemo)  # an entry's citations rescanned for an audience
    kept: Any = field(default=None, repr=False)  # what the file ``save`` writes holds (kb.model.cachefile)
    listings: dict = field(default_factory=dict, repr=False)  # data/'s directories (kb.source.listing.entry_files)

    def reset_if(self, context: Hashable) -> None:
        """Forget everything when the taxonomy (or anything else per-file results use) changed."""
        if context != self.context:
            self.slots.clear()
            self.structures = EntryMemo()
            self.citations = EntryMemo()
            self.restricted = EntryMemo()
            self.context = context

    def load(self, path: Path, load_one: Callable[[Path, Problems], "Entry | None"],
             problems: Problems) -> "Entry | None":
        """``load_one(path, problems)``, or its stored result if the file is unchanged."""
        key = file_key(path)
        slot = self.slots.get(path)
        if key is not None and slot is not None and slot.key == key and not slot.racy:
            self.hits += 1
            problems.extend(slot.problems)
            return slot.entry
        self.misses += 1
        own = Problems()
        entry = load_one(path, own)
        problems.extend(own.items)
        if key is None:
            self.slots.pop(path, None)
        else:
            racy = time.time_ns() - key[0] < RACY_NS
            try:
                digest = hashlib.blake2b(path.read_bytes(), digest_size=16).digest() if entry is not None else None
            except OSError:
                digest = None
            if digest is not None and file_key(path) != key:  # changed while being loaded: no digest
                digest = None
            self.slots[path] = _Slot(key, entry, list(own.items), racy, digest)
        return entry

    def file_digest(self, entry: "Entry") -> bytes | None:
        """The digest of the bytes ``entry`` was loaded from (None: not known). The entry, its
        sections and everything else made from its file alone follow from those bytes (with
        the taxonomy and the code, see ``reset_if``)."""
        slot = self.slots.get(entry.doc.path)
        return slot.digest if slot is not None and slot.entry is entry else None

    def key_of(self, path: Path) -> FileKey | None:
        """The key the stored result for ``path`` was made from (None: not stored)."""
        slot = self.slots.get(path)
        return slot.key if slot else None

    def forget_missing(self, seen: set[Path]) -> None:
        """Drop results of files that are gone (deleted or renamed)."""
        for path in [p for p in self.slots if p not in seen]:
            del self.slots[path]
            self.dropped += 1

    def save(self, path: Path, stamp: bytes) -> None:
        """Keep the per-file results in ``path`` (kb.model.cachefile; errors ignored: it is a cache)."""
        from kb.model import cachefile

        cachefile.save(self, path, stamp)

    def restore(self, path: Path, stamp: bytes) -> bool:
        """Take the per-file results kept in ``path`` if they were made by the same code."""
        from kb.model import cachefile

        return cachefile.restore(self, path, stamp)
