"""Grammar clauses for days: weekdays, nth weekdays, month days, dates, month edges."""

from __future__ import annotations

import calendar

from jobs.cadence.cursor import Cursor
from jobs.cadence.errors import CadenceError
from jobs.cadence.model import WORKWEEK

MONTH_NAMES = list(calendar.month_name)
DAY_NAMES = list(calendar.day_name)


def ordinal(n: int) -> str:
    """Spell 1 as '1st', 22 as '22nd', -1 as 'last'."""
    if n == -1:
        return "last"
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def days_clause(cursor: Cursor) -> bool:
    """Read weekday names, lists, ranges and groups (weekdays, weekends, business days)."""
    if cursor.kind(0, "day"):
        cursor.draft.weekdays |= read_day_list(cursor)
    elif cursor.accept("weekday"):
        cursor.draft.weekdays |= set(WORKWEEK)
    elif cursor.accept("weekend"):
        cursor.draft.weekdays |= {5, 6}
        if cursor.kind(0, "unit") and cursor.peek().value == "day":
            cursor.take()  # "weekend days"
    elif cursor.kw(0, "business") and (cursor.kind(1, "unit") and cursor.peek(1).value == "day" or cursor.kw(1, "weekday")):
        cursor.index += 2
        cursor.draft.weekdays |= set(WORKWEEK)
    else:
        return False
    return True


def read_day_list(cursor: Cursor) -> set[int]:
    """Read 'mon, wed and fri' or 'tue-thu' into weekday numbers (0 = Monday)."""
    days: set[int] = set()
    previous = cursor.take().value
    days.add(previous)
    while True:
        if cursor.kw(0, "-", "to") and cursor.kind(1, "day"):
            cursor.take()
            last = cursor.take().value
            days |= {(previous + k) % 7 for k in range((last - previous) % 7 + 1)}
            previous = last
        elif cursor.separator("day"):
            previous = cursor.take().value
            days.add(previous)
        else:
            return days


def _read_ordinals(cursor: Cursor) -> list[int]:
    ords = [_one_ordinal(cursor)]
    while _more_ordinals(cursor):
        ords.append(_one_ordinal(cursor))
    return ords


def _more_ordinals(cursor: Cursor) -> bool:
    for width in (2, 1):  # ", and" before "," or "and"
        if all(cursor.kw(k, ",", "and") for k in range(width)) and (cursor.kind(width, "ord") or cursor.kw(width, "last")):
            cursor.index += width
            return True
    return False


def _one_ordinal(cursor: Cursor) -> int:
    token = cursor.take()
    return -1 if token.kind == "kw" else token.value


def nth_clause(cursor: Cursor) -> bool:
    """Read '2nd and 4th thursday', 'last friday', 'the 1st and 15th', 'last business day'."""
    if not (cursor.kind(0, "ord") or cursor.kw(0, "last")):
        return False
    after_every = cursor.kw(-1, "every")
    ords = _read_ordinals(cursor)
    draft = cursor.draft
    if cursor.kind(0, "day"):
        _read_nth_weekdays(cursor, ords)
        scoped = _scope(cursor)
        if after_every and not scoped and len(ords) == 1 and ords[0] > 1:
            weeks = "every other week" if ords[0] == 2 else f"every {ords[0]} weeks"
            day = DAY_NAMES[cursor.draft.nth[-1][1]].lower()
            raise CadenceError(
                f"Do you mean {weeks} or the {ordinal(ords[0])} {day} of each month? "
                f"Try '{weeks} on {day}' or 'the {ordinal(ords[0])} {day} of the month'."
            )
        return True
    if cursor.kw(0, "business") and cursor.kind(1, "unit") or cursor.kw(0, "weekday"):
        cursor.index += 1 if cursor.kw(0, "weekday") else 2
        draft.business += _checked(ords, 23, "business day")
    else:
        if cursor.kind(0, "unit") and cursor.peek().value == "day":
            cursor.take()
        draft.monthdays += _checked(ords, 31, "day")
    _scope(cursor)
    return True


def _read_nth_weekdays(cursor: Cursor, ords: list[int]) -> None:
    while True:
        days = read_day_list(cursor)
        cursor.draft.nth += [(n, day) for n in _checked(ords, 5, "weekday") for day in sorted(days)]
        if not _more_ordinals(cursor):
            return
        ords = _read_ordinals(cursor)
        if not cursor.kind(0, "day"):
            raise CadenceError(f"Which day? Try '{ordinal(ords[0])} monday'.")


def _checked(ords: list[int], most: int, what: str) -> list[int]:
    for n in ords:
        if n == 0 or n > most:
            raise CadenceError(f"There is no {ordinal(n)} {what} in a month. Try 'the last {what} of the month'.")
    return ords


def _scope(cursor: Cursor) -> bool:
    """Read 'of the month', 'of each quarter', 'in november'; tell whether one was there."""
    start = cursor.index
    if not cursor.accept("of", "in"):
        return False
    while cursor.accept("the", "every"):
        pass
    if cursor.kind(0, "unit") and cursor.peek().value in ("month", "quarter"):
        cursor.draft.quarter |= cursor.take().value == "quarter"
        return True
    if cursor.kind(0, "month"):
        cursor.draft.months |= read_month_list(cursor)
        return True
    cursor.index = start
    return False


def read_month_list(cursor: Cursor) -> set[int]:
    """Read 'january, april and july' or 'march to may' into month numbers."""
    months = {cursor.take().value}
    while True:
        if cursor.kw(0, "-", "to") and cursor.kind(1, "month"):
            cursor.take()
            first, last = max(months), cursor.take().value
            months |= {(first - 1 + k) % 12 + 1 for k in range((last - first) % 12 + 1)}
        elif cursor.separator("month") and not cursor.kind(1, "num", "ord"):
            months.add(cursor.take().value)
        else:
            return months


def date_clause(cursor: Cursor) -> bool:
    """Read 'march 3', '3 march', '3rd of march', 'march 3 and 17', or a bare month list."""
    if cursor.kind(0, "month"):
        if not _day_number(cursor, 1):
            cursor.draft.months |= read_month_list(cursor)
            return True
        month = cursor.take().value
        _add_date(cursor, month, cursor.take())
        while cursor.separator("num", "ord") and _day_number(cursor, 0):
            _add_date(cursor, month, cursor.take())
        return True
    if _day_number(cursor, 0) and (cursor.kind(1, "month") or cursor.kw(1, "of") and cursor.kind(2, "month")):
        day = cursor.take()
        cursor.accept("of")
        months = sorted(read_month_list(cursor))
        if len(months) == 1:
            _add_date(cursor, months[0], day)
        elif not any(day.value <= longest_day(month) for month in months):
            _add_date(cursor, months[0], day)  # explains the impossible date
        else:
            cursor.draft.monthdays.append(day.value)  # "the 31st of march and june": months without one are skipped
            cursor.draft.months |= set(months)
        return True
    return False


def _day_number(cursor: Cursor, ahead: int) -> bool:
    token = cursor.peek(ahead)
    if token is None or token.kind not in ("num", "ord"):
        return False
    return not cursor.kind(ahead + 1, "unit")


def _add_date(cursor: Cursor, month: int, token) -> None:
    day = token.value
    if token.kind == "num" and day >= 1000:
        raise CadenceError(f"Leave out the year: '{MONTH_NAMES[month]} ...' repeats every year. "
                           f"To begin later, add 'starting {day}-01-01'.")
    if not 1 <= day <= longest_day(month):
        raise CadenceError(
            f"{MONTH_NAMES[month]} has no {ordinal(day)}. Try 'the last day of {MONTH_NAMES[month].lower()}'."
        )
    cursor.draft.dates.append((month, day))


def longest_day(month: int) -> int:
    """Return the most days a month can have (29 for February)."""
    return 29 if month == 2 else calendar.monthrange(2001, month)[1]


def edge_clause(cursor: Cursor) -> bool:
    """Read 'end of the month', 'month end', 'start of each quarter'."""
    draft = cursor.draft
    if cursor.kind(0, "unit") and cursor.peek().value in ("month", "quarter") and cursor.kw(1, "end"):
        draft.quarter |= cursor.take().value == "quarter"
        cursor.take()
        draft.monthdays.append(-1)
        return True
    if cursor.kw(0, "end", "start", "starting") and cursor.kw(1, "of"):
        edge = cursor.take().value
        if not _scope(cursor):
            raise CadenceError("The end of what? Try 'the end of the month' or 'the end of each quarter'.")
        draft.monthdays.append(-1 if edge == "end" else 1)
        return True
    return False
