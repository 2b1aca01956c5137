"""Exclusions: 'except fridays', 'except in may', 'except on june 23rd', 'except the last week of december'.

Holiday calendars ('except US holidays') are read by `calendars`. Excluded dates are removed from
the runs; unlike holidays they do not move business-day positions. One 'except' covers a list:
'except weekends and in august'.
"""

from __future__ import annotations

from jobs.cadence.cursor import Cursor
from jobs.cadence.dates import (
    MONTH_NAMES,
    checked_day,
    longest_day,
    numeric_date,
    ordinal,
    read_month_list,
)
from jobs.cadence.errors import CadenceError
from jobs.cadence.grammar_days import read_day_list


def exclusions_clause(cursor: Cursor) -> bool:
    """Read 'except' followed by months, dates, date ranges, days of the month or a week of a month."""
    if not cursor.kw(0, "except"):
        return False
    start = cursor.index
    cursor.take()
    if not _item(cursor):
        cursor.index = start
        return False
    while _more(cursor):
        pass
    return True


def _more(cursor: Cursor) -> bool:
    """Read one more excluded item after ',' or 'and'; leave the separator when none follows."""
    start = cursor.index
    if cursor.separator("month", "num", "ord", "numdate", "kw", "day") and _item(cursor):
        return True
    cursor.index = start
    return False


def _item(cursor: Cursor) -> bool:
    start = cursor.index
    cursor.accept("on", "in")
    cursor.accept("the")
    draft = cursor.draft
    if cursor.kind(0, "month") and _day_follows(cursor, 1):
        month = cursor.take().value
        _dates(cursor, month, cursor.take())
    elif cursor.kind(0, "month"):
        draft.except_months |= read_month_list(cursor)
    elif cursor.kind(0, "numdate"):
        draft.skip.add(numeric_date(cursor, cursor.take()))
    elif cursor.kind(0, "day"):
        draft.except_days |= read_day_list(cursor)
    elif cursor.accept("weekend"):
        draft.except_days |= {5, 6}
    elif _day_follows(cursor, 0) and (cursor.kind(1, "month") or cursor.kw(1, "of") and cursor.kind(2, "month")):
        day = cursor.take()
        cursor.accept("of")
        _dates(cursor, cursor.take().value, day)
    elif (cursor.kind(0, "ord") or cursor.kw(0, "last")) and cursor.kind(1, "unit") and cursor.peek(1).value == "week":
        _week_of(cursor)
    elif cursor.kind(0, "ord") and not cursor.kind(1, "day", "unit") and not cursor.kw(1, "business", "weekday"):
        _days_of_month(cursor)
    else:
        cursor.index = start
        return False
    return True


def _day_follows(cursor: Cursor, ahead: int) -> bool:
    token = cursor.peek(ahead)
    return token is not None and token.kind in ("num", "ord") and not cursor.kind(ahead + 1, "unit")


def _dates(cursor: Cursor, month: int, day) -> None:
    """Add 'june 23', 'december 25 to 31', 'dec 24 through jan 2', 'december 24 and 31' to the skipped dates."""
    first = checked_day(cursor, month, day)
    if cursor.kw(0, "to", "-") and (_day_follows(cursor, 1) or cursor.kind(1, "month") and _day_follows(cursor, 2)):
        cursor.take()
        last_month = cursor.take().value if cursor.kind(0, "month") else month
        _skip_span(cursor, (month, first), (last_month, checked_day(cursor, last_month, cursor.take())))
    else:
        cursor.draft.skip.add((month, first))
    while cursor.separator("num", "ord") and _day_follows(cursor, 0):
        cursor.draft.skip.add((month, checked_day(cursor, month, cursor.take())))


def _days_of_month(cursor: Cursor) -> None:
    """Add 'the 1st', 'the 24th to the 26th' (of every month) or 'the 24th to the 26th of december'."""
    first = last = cursor.take().value
    if cursor.kw(0, "to", "-") and (cursor.kind(1, "ord", "num")
                                    or cursor.kw(1, "the") and cursor.kind(2, "ord", "num")):
        cursor.take()
        cursor.accept("the")
        last = cursor.take().value
    for day in (first, last):
        if not 1 <= day <= 31:
            raise CadenceError(f"There is no {ordinal(day)} day in a month. Try 'every day except on the 1st'.")
    if cursor.kw(0, "of", "in") and cursor.kind(1, "month"):
        cursor.take()
        month = cursor.take().value
        _skip_span(cursor, (month, first), (month, last))
    elif last < first:
        raise CadenceError(f"The {ordinal(first)} to the {ordinal(last)} runs backwards. Try "
                           f"'every day except the {ordinal(last)} to the {ordinal(first)}'.")
    else:
        cursor.draft.skip |= {(0, day) for day in range(first, last + 1)}


def _skip_span(cursor: Cursor, first: tuple[int, int], last: tuple[int, int]) -> None:
    """Skip every date from `first` to `last`, across the new year when `last` comes before it."""
    for month, day in (first, last):
        if day > longest_day(month):
            raise CadenceError(f"{MONTH_NAMES[month]} has no {ordinal(day)}. Check the dates after 'except'.")
    month, day = first
    while True:  # walks at most once round the year: `last` is a real date
        cursor.draft.skip.add((month, day))
        if (month, day) == last:
            return
        month, day = (month, day + 1) if day < longest_day(month) else (month % 12 + 1, 1)


def _week_of(cursor: Cursor) -> None:
    """Skip 'the last week of december' (its last seven days) or 'the first week of january' (1–7)."""
    n = -1 if cursor.take().kind == "kw" else cursor.peek(-1).value
    cursor.take()
    if cursor.accept("of", "in") and cursor.accept("the") and cursor.kind(0, "unit") and cursor.peek().value == "year":
        cursor.take()
        month = 12 if n == -1 else 1  # "the last week of the year"
    elif cursor.kind(0, "month") and cursor.kw(-1, "of", "in") and (n == -1 or 1 <= n <= 4):
        month = cursor.take().value
    else:
        raise CadenceError("Which week of which month? Try 'every day except the last week of december'.")
    length = longest_day(month)
    first = length - 6 if n == -1 else 7 * (n - 1) + 1
    if n == -1 and month == 2:
        first -= 1  # the 22nd to the 29th: February's last seven days in any year
    cursor.draft.skip |= {(month, d) for d in range(first, length + 1 if n == -1 else first + 7)}
