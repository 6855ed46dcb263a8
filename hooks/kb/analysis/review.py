"""Review cycle: when each entry is due for review and which are overdue.

An entry is reviewed every ``review_every`` months (its own field, else the
default for its type in ``mkdocs.yml``). The cycle counts from ``reviewed``,
else from the day the entry was added to git. Entries with neither have no
known start and are not reported as overdue.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterable, Mapping

from kb.source.gitinfo import FileHistory
from kb.problems import Problems
from kb.schema.models import DocumentBase

if TYPE_CHECKING:  # pragma: no cover
    from kb.model.entry import Entry


def add_months(d: dt.date, months: int) -> dt.date:
    """``d`` plus whole months, clamped to the month's last day (01-31 + 1 month = 02-28/29)."""
    index = d.month - 1 + months
    year, month = d.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(d.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class ReviewState:
    entry: Entry
    every: int  # months
    since: dt.date | None  # last review, or the day the entry was added
    since_kind: str  # "reviewed" | "added" | "unknown"
    due: dt.date | None

    def overdue_days(self, today: dt.date) -> int:
        return (today - self.due).days if self.due is not None else 0

    def is_overdue(self, today: dt.date) -> bool:
        return self.due is not None and self.due < today


def state(entry: Entry, defaults: Mapping[str, int], history: Mapping[str, FileHistory]) -> ReviewState | None:
    """The entry's review state, or None when it has no review cycle.

    Amended and repealed documents are historical versions: they are not reviewed.
    """
    if isinstance(entry.meta, DocumentBase) and entry.meta.status in ("amended", "repealed"):
        return None
    every = entry.meta.review_every or defaults.get(entry.type)
    if not every:
        return None
    if entry.meta.reviewed is not None:
        since, kind = entry.meta.reviewed, "reviewed"
    elif (h := history.get(entry.doc.rel)) is not None:
        since, kind = h.created.date(), "added"
    else:
        return ReviewState(entry, every, None, "unknown", None)
    return ReviewState(entry, every, since, kind, add_months(since, every))


def overdue(entries: Iterable[Entry], defaults: Mapping[str, int], history: Mapping[str, FileHistory],
            today: dt.date) -> list[ReviewState]:
    """Overdue entries, most overdue first (ties by id)."""
    out = [s for e in entries if (s := state(e, defaults, history)) is not None and s.is_overdue(today)]
    out.sort(key=lambda s: (s.due, s.entry.id))
    return out


def warn(entries: Iterable[Entry], defaults: Mapping[str, int], history: Mapping[str, FileHistory],
         today: dt.date, problems: Problems) -> int:
    """Add one warning per overdue entry (``kb check``); returns how many."""
    states = overdue(entries, defaults, history, today)
    for s in states:
        e = s.entry
        since = f"上次复核 {s.since}" if s.since_kind == "reviewed" else f"收录于 {s.since}，尚未复核"
        owner = f"，负责人：{e.meta.owner}" if e.meta.owner else "，未指定负责人（owner）"
        loc = ("reviewed",) if e.meta.reviewed is not None else ("id",)
        problems.add(e.doc.rel, e.doc.line_of(loc), "reviewed",
                     f"已超过复核期限 {s.overdue_days(today)} 天（{since}，每 {s.every} 个月复核一次，"
                     f"应于 {s.due} 前复核{owner}）。复核后把 reviewed 改为复核当天的日期",
                     severity="warning")
    return len(states)


def data_date(entries: Iterable[Entry], history: Mapping[str, FileHistory]) -> dt.date | None:
    """The newest date the given entries carry: last git change, else the newest date field.

    Only the entries passed in count (the visible ones in a build), so the
    date of a change to a hidden entry never shows.
    """
    entries = list(entries)
    if history:
        changed = [h.updated for e in entries if (h := history.get(e.doc.rel)) is not None]
        if changed:
            return max(changed).date()
    dates: list[dt.date] = []
    for e in entries:
        m = e.meta
        if m.reviewed:
            dates.append(m.reviewed)
        if isinstance(m, DocumentBase):
            dates.append(m.promulgated)
        else:
            dates.append(dt.date(e.year, 1, 1))
    return max(dates, default=None)


def reference_date(entries: Iterable[Entry], history: Mapping[str, FileHistory],
                   today: dt.date | None = None) -> dt.date:
    """The "today" of a build, so the same input gives the same site.

    ``today`` when given (the settings' ``KB_TODAY`` or ``SOURCE_DATE_EPOCH``),
    else the date of the newest change in the data (git, else the data's own dates).
    """
    if today is not None:
        return today
    return data_date(entries, history) or dt.date(1970, 1, 1)
