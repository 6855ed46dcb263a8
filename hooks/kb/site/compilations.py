"""“生成汇编” on the site: each area's regulations and policies as a Word
document and a print-ready page, built with the site when the selection is
small (at most ``SITE_LIMIT`` entries: a few hundred milliseconds, same bytes
every build); a larger one is offered as the ``kb compile`` command instead
(docs/guide/compile.md). Cost (sample data, 9 areas): about 0.07 s of CPU per
Word file, 1 ms per page; the live preview reuses a file none of whose entries changed."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Any, Callable, Iterator

from kb.compile import run
from kb.compile.selection import Selection, select
from kb.site.urls import area_uri, page_url, relative

if TYPE_CHECKING:  # pragma: no cover
    from kb.site.pages import Generator

SITE_LIMIT = 40  # entries in a compilation the build makes; above: the CLI command
TYPES = ("regulation", "policy")
DIR = "compilations"


def area_selection(slug: str) -> Selection:
    return Selection(areas=(slug,), types=TYPES)


def command(slug: str) -> str:
    return f"kb compile --area {slug} --type {','.join(TYPES)}"


def _selected(gen: "Generator", slug: str) -> list:
    """The area's compilation entries, selected once per generator (the files and every page of the
    area's listing ask)."""
    made = gen.__dict__.setdefault("_compilations", {})
    if slug not in made:
        made[slug] = select(gen.kb, area_selection(slug))
    return made[slug]


def _built(gen: "Generator", slug: str) -> int:
    """How many entries the area's compilation holds (0: none)."""
    return len(_selected(gen, slug))


def static_files(gen: "Generator") -> Iterator[tuple[str, Callable[[], Any]]]:
    for slug in gen.kb.taxonomy.slugs:
        if 0 < _built(gen, slug) <= SITE_LIMIT:
            for fmt in run.FORMATS:
                yield f"{DIR}/{slug}.{fmt}", partial(_render, gen, slug, fmt)


def _render(gen: "Generator", slug: str, fmt: str) -> bytes:
    """The file's bytes; the live preview (one process, unchanged entries are the same objects)
    builds it again only when one of its entries, their labels or the date changed."""
    sel = area_selection(slug)
    entries = _selected(gen, slug)
    key = (gen.today, tuple(entries), tuple(e.label for e in entries), tuple(e.meta.areas for e in entries))
    memo = gen.kept.get(("compilation", slug, fmt))
    if memo is not None and memo[0] == key:
        return memo[1]
    data = run.build(gen.kb, sel, fmt, date=gen.today).data
    gen.kept[("compilation", slug, fmt)] = (key, data)
    return data


def area_context(gen: "Generator", slug: str) -> dict[str, Any]:
    """What the area page offers: links to the built files, or the command for a large selection."""
    n = _built(gen, slug)
    here = page_url(area_uri(slug), gen.directory_urls)
    return {
        "count": n,
        "built": 0 < n <= SITE_LIMIT,
        "docx": relative(here, f"{DIR}/{slug}.docx"),
        "html": relative(here, f"{DIR}/{slug}.html"),
        "command": command(slug),
        "guide": relative(here, page_url("guide/compile.md", gen.directory_urls)),
    }
