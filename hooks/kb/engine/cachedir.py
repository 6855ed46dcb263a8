"""The build cache's directory (``.cache/kb/`` of the project) and what a build keeps there
besides its pages (kb.engine.pagecache): the parsed entries (kb.model.cache) and compiled
Jinja templates. ``KB_NO_CACHE=1`` turns all of it off.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from kb.engine.pagekeys import Digests, code_digest

CACHE_DIR = Path(".cache") / "kb"


def bytecode_cache(root: Path) -> Any:
    """Compiled Jinja templates under ``.cache/kb/jinja`` (Jinja writes them atomically and
    checks the source checksum and Python version when loading); None if the directory cannot be made."""
    import jinja2

    directory = root / CACHE_DIR / "jinja"
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return jinja2.FileSystemBytecodeCache(str(directory))


ENTRIES_NAME = "entries.pickle"


def load_entries(root: Path, audience: str, digests: Digests | None = None) -> Any:
    """``KnowledgeBase.load`` reusing the entries parsed by the last build whose files are unchanged
    (kb.model.cache), and keeping this load's for the next build. ``digests``: seeded with the
    entries' digests from their files' bytes (kb.engine.pagekeys)."""
    from kb.model.cache import EntryCache
    from kb.model.knowledge import KnowledgeBase

    cache, path = EntryCache(), root / CACHE_DIR / ENTRIES_NAME
    cache.restore(path, code_digest())
    kb = KnowledgeBase.load(root, audience=audience, cache=cache)
    if digests is not None:
        seed_digests(digests, kb, cache)
    if cache.misses or cache.dropped:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError:
            return kb
        cache.save(path, code_digest())
    return kb


def seed_digests(digests: Digests, kb: Any, cache: Any) -> None:
    """Each entry's digest from the bytes of its file (``cache``: the kb.model.cache it was loaded with)."""
    for e in kb.entries:
        if (d := cache.file_digest(e)) is not None:
            digests.seed(e, d)


def disabled(environ: Any = os.environ) -> bool:
    """``KB_NO_CACHE=1`` (or any value but empty/0/false/no) turns the cache off."""
    return environ.get("KB_NO_CACHE", "").strip().lower() not in ("", "0", "false", "no")
