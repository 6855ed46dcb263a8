"""Listings split over pages of at most ``page_size`` rows.

A listing (a type, an area, a year, the review list) is a sequence of
groups: entries of one type, report sections of one kind, ... Its rows are
cut into pages in order; a page shows the part of each group that falls on
it. Page 1 keeps the listing's own address; page ``k`` lives below it at
``.../page/k/`` (``areas/religion/page/2/``), so addresses stay stable as
long as the rows before them do.

Pure functions of the rows: ``kb.site.catalog`` turns one declared listing
into one page spec per page, the templates render ``Page`` values.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Sequence

PAGE_DIR = "page"
GAP = None  # a run of page numbers left out of the pager


@dataclass(frozen=True)
class Group:
    """Rows shown under one heading: ``key`` is its anchor (``type-report``),
    ``kind`` what the rows are (``entries``, ``sections``, ...)."""

    key: str
    label: str
    kind: str
    items: tuple[Any, ...]
    note: Any = None  # anything else its heading shows (e.g. a count of citations)


@dataclass(frozen=True)
class Part:
    """The rows of one group that fall on one page (``start``: index in the group)."""

    group: Group
    start: int
    items: tuple[Any, ...]

    @property
    def split(self) -> bool:
        """Part of the group is on another page."""
        return len(self.items) < len(self.group.items)

    @property
    def first(self) -> int:  # 1-based, for "第 101–200 个"
        return self.start + 1

    @property
    def last(self) -> int:
        return self.start + len(self.items)


@dataclass(frozen=True)
class Page:
    """One page of a listing."""

    number: int  # 1-based
    count: int  # pages of the listing
    uris: tuple[str, ...]  # src_uri of every page of the listing, page 1 first
    parts: tuple[Part, ...]
    first: int  # rows on this page, 1-based over the whole listing
    last: int
    total: int
    group_pages: tuple[tuple[str, int, int], ...]  # every group: key, rows, the page its first row is on

    @property
    def uri(self) -> str:
        return self.uris[self.number - 1]

    def page_of(self, key: str) -> str:
        """src_uri of the page where group ``key`` starts (the last page for a group the listing lacks)."""
        return self.uris[next((n for k, _, n in self.group_pages if k == key), self.count) - 1]

    @property
    def prev_uri(self) -> str | None:
        return self.uris[self.number - 2] if self.number > 1 else None

    @property
    def next_uri(self) -> str | None:
        return self.uris[self.number] if self.number < self.count else None

    def numbers(self, around: int = 2) -> list[int | None]:
        """Page numbers the pager shows: the first, the last and ``around`` on
        each side of this one; ``GAP`` where two or more numbers are left out."""
        keep = sorted({1, self.count, *range(max(1, self.number - around), min(self.count, self.number + around) + 1)})
        out: list[int | None] = []
        for n in keep:
            if out and n - out[-1] == 2:  # a gap of one page: show its number instead
                out.append(n - 1)
            elif out and n - out[-1] > 2:
                out.append(GAP)
            out.append(n)
        return out

    def depends(self) -> tuple:
        """What this page shows of the listing: its rows, its place, the sizes of all groups."""
        return (self.number, self.count, self.group_pages,
                tuple((p.group.key, p.group.label, p.group.note, p.start, p.items) for p in self.parts))


def page_uri(first_uri: str, number: int) -> str:
    """src_uri of page ``number`` of the listing whose first page is ``first_uri``
    (``reports/index.md`` -> ``reports/page/2/index.md``)."""
    if number == 1:
        return first_uri
    if not first_uri.endswith("index.md"):
        raise ValueError(f"a paginated listing must be an index page: {first_uri}")
    return f"{first_uri[: -len('index.md')]}{PAGE_DIR}/{number}/index.md"


def paginate(first_uri: str, groups: Sequence[Group], size: int) -> list[Page]:
    """The pages of a listing: rows in group order, ``size`` to a page, at least one page."""
    if size < 1:
        raise ValueError("page size must be at least 1")
    total = sum(len(g.items) for g in groups)
    count = max(1, -(-total // size))
    uris = tuple(page_uri(first_uri, n) for n in range(1, count + 1))
    parts: list[list[Part]] = [[] for _ in range(count)]
    starts: list[tuple[str, int, int]] = []
    offset = 0
    for g in groups:
        starts.append((g.key, len(g.items), min(offset // size, count - 1) + 1))
        i = 0
        while i < len(g.items):
            n = (offset + i) // size
            take = min(len(g.items) - i, (n + 1) * size - (offset + i))
            parts[n].append(Part(g, i, tuple(g.items[i:i + take])))
            i += take
        offset += len(g.items)
    group_pages = tuple(starts)
    pages = [Page(n, count, uris, tuple(parts[n - 1]), min((n - 1) * size + 1, total), min(n * size, total),
                  total, group_pages) for n in range(1, count + 1)]
    return pages


def contexts(pages: Sequence[Page], context: Callable[[Page], dict[str, Any]]) -> list[Callable[[], dict[str, Any]]]:
    """One template context per page: the listing's values for that page, and ``page``."""
    return [_PageContext(context, p) for p in pages]


@dataclass(frozen=True, eq=False)
class _PageContext:
    values: Callable[[Page], dict[str, Any]]
    page: Page

    def __call__(self) -> dict[str, Any]:
        return {**self.values(self.page), "page": self.page}
