"""One source file -> a report, regulation or policy entry, by what the file is (or ``--type``)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from kb.importer.document import DocumentResult, build
from kb.importer.official import looks_official, parse
from kb.importer.pipeline import ImportResult, import_file
from kb.importer.reading import read_blocks
from kb.importer.versions import Held, propose

TYPES = ("report", "regulation", "policy")


def import_source(path: Path, root: Path, keywords: dict[str, list[str]], etype: str | None = None,
                  held: list[Held] | None = None, link_versions: bool = False,
                  today: dt.date | None = None, given: dict | None = None) -> ImportResult | DocumentResult:
    """The entry for ``path`` (nothing is written). A regulation or policy gets a version
    proposal against ``held``; its links are in the entry when ``link_versions`` is set or
    the held entry already names it. ``given``: report metadata from the command line."""
    if etype == "report":
        return import_file(path, root, keywords, given)
    blocks = read_blocks(path)
    if etype not in ("regulation", "policy") and not looks_official(blocks):
        return import_file(path, root, keywords, given)
    doc = parse(blocks)
    result = build(path, doc, root, keywords, etype, today)
    if held:
        front = result.front
        proposal = propose(result.id, front["title"], front["promulgated"], front["status"], held)
        if proposal is not None and proposal.conflict is None and (proposal.done or link_versions):
            result = build(path, doc, root, keywords, etype, today, links=proposal.links)
        result.versions = proposal
    return result
