"""Offline edition: a site that works opened from the file system (``file://``).

Browsers refuse ``fetch()`` of local files, and a directory URL (``areas/``)
opens a directory listing instead of its ``index.html``. So the offline
edition (``KB_OFFLINE=1``, ``extra.kb.offline: true`` or ``kb publish
--offline``; see kb.settings):

- is built with ``use_directory_urls: false`` (every link names its ``.html``
  file), as Material's own ``offline`` plugin does;
- ships every search index file also as a small script
  (``search/idx/s/0.bin.js``) that stores it in ``window.__kbIdx``; on a
  ``file:`` page ``docs/assets/kb-search-core.js`` loads these with ``<script>``
  tags instead of ``fetch()``. Binary files are base64 text, JSON files a
  JSON literal.

Material's ``offline`` plugin is not used: besides ``use_directory_urls`` it
only packs Material's built-in lunr index, which this site replaces.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path

from kb.site.search import INDEX_DIR


def script_for(rel: str, data: bytes) -> str:
    if rel.endswith(".json"):
        payload = data.decode("utf-8")  # HTML-safe JSON (kb.site.export.dumps_html_safe) is a valid JS literal
    else:
        payload = json.dumps(base64.b64encode(data).decode("ascii"))
    return f"(window.__kbIdx=window.__kbIdx||{{}})[{json.dumps(rel)}]={payload};\n"


def write_script_shards(site_dir: Path | str) -> int:
    """Write ``<file>.js`` beside every search index file; returns how many."""
    root = Path(site_dir) / INDEX_DIR
    n = 0
    for path in sorted(p for p in root.rglob("*") if p.is_file() and p.suffix != ".js"):
        rel = path.relative_to(root).as_posix()
        path.with_name(path.name + ".js").write_text(script_for(rel, path.read_bytes()), encoding="utf-8")
        n += 1
    return n
