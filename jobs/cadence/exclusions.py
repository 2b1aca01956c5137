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
        day = cursor.take().value
        if not 1 <= day <= 31:
            raise CadenceError(f"There is no {ordinal(day)} day in a month. Try 'every day except on the 1st'.")
        draft.skip.add((0, day))
    else:
        cursor.index = start
        return False
    return True


def _day_follows(cursor: Cursor, ahead: int) -> bool:
    token = cursor.peek(ahead)
    return token is not None and token.kind in ("num", "ord") and not cursor.kind(ahead + 1, "unit")


def _dates(cursor: Cursor, month: int, day) -> None:
    """Add 'june 23', 'december 25 to 31', 'december 24 and 31' to the skipped dates."""
    first = checked_day(cursor, month, day)
    last = first
    if cursor.kw(0, "to", "-") and _day_follows(cursor, 1):
        cursor.take()
        last = checked_day(cursor, month, cursor.take())
        if last < first:
            raise CadenceError(f"{MONTH_NAMES[month]} {first} to {last} runs backwards. Try "
                               f"'except on {MONTH_NAMES[month].lower()} {last} to {first}'.")
    cursor.draft.skip |= {(month, d) for d in range(first, last + 1)}
    while cursor.separator("num", "ord") and _day_follows(cursor, 0):
        cursor.draft.skip.add((month, checked_day(cursor, month, cursor.take())))


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
