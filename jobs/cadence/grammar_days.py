"""Grammar clauses for days: weekdays, nth weekdays, month days and their ranges, month edges."""

from __future__ import annotations

import calendar

from jobs.cadence.cursor import Cursor
from jobs.cadence.dates import ordinal, read_month_list
from jobs.cadence.errors import CadenceError
from jobs.cadence.model import WORKWEEK

DAY_NAMES = list(calendar.day_name)
_SUB_MINUTE = "I schedule to the minute, not the second. Try 'every minute'."
# After "every second", these say a second what: week, tuesday, to last, and 4th...
_SECOND_OF = ("unit", "day", "ord")
_NOT_RANGES = ("until", "till", "til", "ending", "ends")  # end dates, not day ranges


def days_clause(cursor: Cursor) -> bool:
    """Read weekday names, lists, ranges and groups (weekdays, weekends, business days)."""
    draft = cursor.draft
    if cursor.kind(0, "day"):
        draft.each_weekday |= cursor.kw(-1, "every")
        draft.weekdays |= read_day_list(cursor)
        _weekday_dates(cursor)
    elif cursor.accept("weekday"):
        draft.weekdays |= set(WORKWEEK)
    elif cursor.accept("weekend"):
        draft.weekdays |= {5, 6}
        if cursor.kind(0, "unit") and cursor.peek().value == "day":
            cursor.take()  # "weekend days"
    elif cursor.kw(0, "business") and (cursor.kind(1, "unit") and cursor.peek(1).value == "day"
                                       or cursor.kw(1, "weekday")):
        cursor.index += 2
        draft.weekdays |= set(WORKWEEK)
    else:
        return False
    draft.day_words = True
    return True


def _weekday_dates(cursor: Cursor) -> None:
    """Read the '13th' of 'every friday the 13th': days that are both that weekday and that date."""
    ahead = 1 if cursor.kw(0, "the") else 0
    if not (cursor.kind(ahead, "ord") and 1 <= cursor.peek(ahead).value <= 31):
        return
    if cursor.kind(ahead + 1, "day", "unit") or cursor.kw(ahead + 1, "business", "weekday", "of") \
            or cursor.kw(ahead + 1, "to") and cursor.kw(ahead + 2, "last"):
        return  # "monday the 2nd week", "friday the 2nd to last ..." are something else
    if cursor.peek(ahead).value <= 5:  # "monday the 2nd" may mean the 2nd monday: ask
        n, day = cursor.peek(ahead).value, DAY_NAMES[max(cursor.draft.weekdays)].lower()
        raise CadenceError(f"Do you mean the {ordinal(n)} {day} of the month, or {day}s that fall on the {ordinal(n)}?",
                           fixes=[f"the {ordinal(n)} {day} of the month"])
    cursor.index += ahead
    cursor.draft.and_monthdays += _read_ordinals(cursor)


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
        if all(cursor.kw(k, ",", "and") for k in range(width)) and (cursor.kind(width, "ord")
                                                                    or cursor.kw(width, "last")):
            cursor.index += width
            return True
    return False


def _one_ordinal(cursor: Cursor) -> int:
    """Read '3rd', 'last', or '2nd to last' (counted from the end: -2)."""
    token = cursor.take()
    if token.kind == "kw":
        return -1
    if cursor.kw(0, "to", "from") and cursor.kw(1, "last"):
        cursor.index += 2
        return -token.value
    return token.value


def nth_clause(cursor: Cursor) -> bool:
    """Read '2nd and 4th thursday', 'last friday', 'the 1st and 15th', '3rd to last day', 'the 1st to the 7th'."""
    if (cursor.kw(0, "last") or cursor.kind(0, "ord") and cursor.peek().value == 1) and cursor.kind(1, "num") \
            and cursor.kind(2, "unit") and cursor.peek(2).value == "day":
        return _first_or_last_days(cursor)
    if not (cursor.kind(0, "ord") or cursor.kw(0, "last")):
        return False
    after_every = cursor.kw(-1, "every")
    if after_every and cursor.peek().text == "second" and not (cursor.kind(1, *_SECOND_OF)
                                                               or cursor.kw(1, "to", "and")):
        raise CadenceError(_SUB_MINUTE)  # "every second" on its own is not the 2nd of the month
    ords = _read_ordinals(cursor)
    draft = cursor.draft
    draft.day_words = True
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
        if len(ords) == 1 and ords[0] > 0 and _range_follows(cursor):
            ords = _day_range(cursor, ords[0])
        if cursor.kind(0, "unit") and cursor.peek().value == "day":
            cursor.take()
        draft.monthdays += _checked(ords, 31, "day")
    _scope(cursor)
    return True


def _range_follows(cursor: Cursor, joins: tuple[str, ...] = ("to", "-")) -> bool:
    """Tell whether '... to the 15th' follows (not 'until 2027', 'to last friday' or 'to 3 weeks')."""
    ahead = 2 if cursor.kw(1, "the") else 1
    last = cursor.peek(ahead)
    return cursor.kw(0, *joins) and cursor.peek().text not in _NOT_RANGES and last is not None \
        and (last.kind == "ord" or last.kind == "num" and last.value <= 31) and not cursor.kw(ahead + 1, "last") \
        and not (cursor.kind(ahead + 1, "unit") and cursor.peek(ahead + 1).value != "day")


def span_clause(cursor: Cursor) -> bool:
    """Read 'from the 1st to the 7th', 'between the 10th and the 15th'."""
    if not (cursor.kw(0, "between", "from")
            and (cursor.kind(1, "ord") or cursor.kw(1, "the") and cursor.kind(2, "ord"))):
        return False
    joins = ("and", "to", "-") if cursor.take().value == "between" else ("to", "-")
    cursor.accept("the")
    first = cursor.take().value
    if not _range_follows(cursor, joins):
        raise CadenceError(f"From the {ordinal(first)} to which day? "
                           f"Try 'the {ordinal(first)} to the 28th of every month'.")
    cursor.draft.monthdays += _day_range(cursor, first)
    cursor.draft.day_words = True
    if cursor.kind(0, "unit") and cursor.peek().value == "day":
        cursor.take()
    _scope(cursor)
    return True


def _first_or_last_days(cursor: Cursor) -> bool:
    """Read 'the last 3 days of the month', 'the first 5 days'."""
    last = cursor.take().kind == "kw"
    n = cursor.take().value
    cursor.take()
    if not 1 <= n <= 28:
        raise CadenceError("Give between 1 and 28 days, e.g. 'the last 3 days of the month'.")
    cursor.draft.monthdays += list(range(-n, 0)) if last else list(range(1, n + 1))
    cursor.draft.day_words = True
    _scope(cursor)
    return True


def _day_range(cursor: Cursor, first: int) -> list[int]:
    """Read the '... to the 15th' of 'the 10th to the 15th', 'days 1-7'."""
    cursor.take()
    cursor.accept("the")
    last = cursor.take().value
    if not 1 <= first < last <= 31:
        raise CadenceError(f"The days {first} to {last} run backwards or past the month; write them low to high, "
                           "e.g. 'the 1st to the 7th of every month'.")
    return list(range(first, last + 1))


def day_number_clause(cursor: Cursor) -> bool:
    """Read 'day 15', 'days 1 and 15', 'on day 1 of each month' (not 'every day 9')."""
    if not (cursor.kind(0, "unit") and cursor.peek().value == "day" and cursor.kind(1, "num", "ord")):
        return False
    if cursor.kw(-1, "every") or cursor.kind(-1, "num"):
        return False
    cursor.take()
    first = cursor.take().value
    days = _day_range(cursor, first) if _range_follows(cursor) else [first]
    while cursor.separator("num", "ord"):
        days.append(cursor.take().value)
    cursor.draft.monthdays += _checked(days, 31, "day")
    cursor.draft.day_words = True
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
        if n == 0 or abs(n) > most:
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


def edge_clause(cursor: Cursor) -> bool:
    """Read 'end of the month', 'month end', 'start of each quarter'."""
    draft = cursor.draft
    if cursor.kind(0, "unit") and cursor.peek().value in ("month", "quarter") and cursor.kw(1, "end"):
        draft.quarter |= cursor.take().value == "quarter"
        cursor.take()
        draft.monthdays.append(-1)
        draft.day_words = True
        return True
    if (cursor.kw(0, "end", "start", "starting") and not cursor.kw(1, "of")
            and draft.step in ((1, "month"), (1, "quarter"))):
        draft.monthdays.append(-1 if cursor.take().value == "end" else 1)  # "every month at the end"
        return True
    if cursor.kw(0, "end", "start", "starting") and cursor.kw(1, "of"):
        edge = cursor.take().value
        if not _scope(cursor):
            raise CadenceError("The end of what? Try 'the end of the month' or 'the end of each quarter'.")
        draft.monthdays.append(-1 if edge == "end" else 1)
        draft.day_words = True
        return True
    return False
