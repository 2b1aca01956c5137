"""Grammar: read clauses (times, windows, zones, repeats) in any order into a draft."""

from __future__ import annotations

import datetime as dt
import re

from jobs.cadence.bounds import bounds_clause
from jobs.cadence.calendars import holidays_clause
from jobs.cadence.clock import (
    says_meridiem,
    take_time,
    time_like,
    time_value,
    time_width,
)
from jobs.cadence.cursor import Cursor
from jobs.cadence.draft import Draft
from jobs.cadence.errors import CadenceError
from jobs.cadence.grammar_days import date_clause, days_clause, edge_clause, nth_clause
from jobs.cadence.lexer import normalise, tokenize
from jobs.cadence.words import ONE_OFF

_BUSINESS_HOURS = re.compile(r"\b(?:business|working|office|work) hours\b")
_FILLER = ("the", "on", "of", "and", ",", ";", "(", ")", "filler", "time")


def read_draft(text: str, today: dt.date) -> Draft:
    """Parse a schedule sentence into a draft, clause by clause."""
    cursor = Cursor(tokenize(text), text, normalise(text), today)
    if cursor.done():
        raise CadenceError("Tell me when, e.g. 'every monday at 9am'.")
    while not cursor.done():
        if not any(clause(cursor) for clause in _CLAUSES):
            raise _not_understood(cursor)
    if not cursor.draft.says_when():
        raise CadenceError(f"When should '{text}' run? Add a day or time, e.g. 'every monday at 9am'.")
    return cursor.draft


def _times_clause(cursor: Cursor) -> bool:
    if cursor.kw(0, "at"):
        if not (time_like(cursor, 1) or cursor.kind(1, "minute")):
            if cursor.kw(1, "the", "end", "start", "starting"):
                cursor.take()  # "at the end of the month" is read by another clause
                return True
            raise _no_time(cursor)
        cursor.take()
    elif not cursor.kind(0, "time", "minute"):
        return False
    _read_time(cursor)
    while cursor.separator("time", "num", "minute"):
        _read_time(cursor)
    return True


def _read_time(cursor: Cursor) -> None:
    token = take_time(cursor)
    if token.kind == "minute":
        if cursor.draft.minute_offset is not None:
            raise CadenceError("Give one minute past the hour, e.g. 'every hour at :15'.")
        cursor.draft.minute_offset = token.value
    else:
        cursor.draft.times.append(time_value(token))


def _no_time(cursor: Cursor) -> CadenceError:
    at = cursor.peek()
    fixed = f"{cursor.source[:at.end]} 9am{cursor.source[at.end:]}"
    return CadenceError(f"I couldn't find a time in '{cursor.text}'. Try '{fixed}'.")


def _window_clause(cursor: Cursor) -> bool:
    if cursor.kw(0, "between", "from") and time_like(cursor, 1):
        opener = cursor.take().value
        joins = ("and", "to", "-") if opener == "between" else ("to", "-")
    elif time_like(cursor, 0) and cursor.kw(time_width(cursor, 0), "to", "-") and \
            time_like(cursor, time_width(cursor, 0) + 1):
        joins = ("to", "-")
    else:
        return False
    first = take_time(cursor)
    if not (cursor.kw(0, *joins) and time_like(cursor, 1)):
        raise CadenceError(f"From {first.text} until when? Try 'from {first.text} to 5pm'.")
    cursor.take()
    last = take_time(cursor)
    start, end = time_value(first), time_value(last)
    if end < start and not says_meridiem(last) and end < 12 * 60:
        end += 12 * 60  # "between 9 and 5" means until 5pm
    if end <= start:
        raise CadenceError(
            f"The window {first.text}–{last.text} ends before it starts; windows stay within one day. "
            "Try 'from 8am to 6pm'."
        )
    cursor.draft.set_window(start, end)
    return True


def _zone_clause(cursor: Cursor) -> bool:
    ahead = 1 if cursor.kw(0, "in") else 0
    if not cursor.kind(ahead, "zone"):
        if ahead and cursor.kind(1, "unknown"):
            raise CadenceError(f"I don't know the time zone '{cursor.peek(1).text}'. Use an IANA name such as 'Europe/Berlin'.")
        return False
    cursor.index += ahead
    cursor.draft.set_zone(cursor.take().value)
    cursor.accept("time")
    return True


def _interval_clause(cursor: Cursor) -> bool:
    token = cursor.peek()
    draft = cursor.draft
    if token.kind == "freq":
        cursor.take()
        draft.set_step(*((2, "week") if token.value == "fortnight" else (1, token.value)))
        return True
    if cursor.kw(0, "twice"):
        raise CadenceError("At which times? Try 'every day at 9am and 5pm' or 'every monday and thursday'.")
    if cursor.kw(0, "once") and cursor.kw(1, "the", "every") and cursor.kind(2, "unit"):
        cursor.index += 2
        return _interval_clause(cursor)
    if cursor.kw(0, "-") and cursor.kind(1, "num") and cursor.kind(2, "unit"):
        raise CadenceError(f"Intervals must be positive. Try 'every {cursor.peek(1).value} {cursor.peek(2).text}'.")
    if cursor.kw(0, "other") and cursor.kind(1, "unit", "day"):
        cursor.take()
        if cursor.kind(0, "day"):
            draft.set_step(2, "week")  # "every other monday"; the day list is read next
            return True
        return _step(cursor, 2)
    if token.kind == "num" and cursor.kind(1, "unit"):
        cursor.take()
        return _step(cursor, token.value)
    if token.kind == "ord" and cursor.kind(1, "unit") and not cursor.kw(2, "of", "end"):
        cursor.take()
        return _step(cursor, token.value)
    if token.kind == "unit" and not cursor.kw(1, "end"):
        return _step(cursor, 1)
    if token.kind == "num" and cursor.kw(-1, "every"):
        raise CadenceError(f"Every {token.text} what? Try 'every {token.text} minutes' or 'every {token.text} hours'.")
    return False


def _step(cursor: Cursor, n: int) -> bool:
    unit = cursor.take()
    if unit.value == "second":
        raise CadenceError("I schedule to the minute, not the second. Try 'every minute'.")
    if n <= 0:
        raise CadenceError(f"An interval of {n} {unit.text} never moves on. Use at least 1, e.g. 'every 5 minutes'.")
    cursor.draft.set_step(n, unit.value)
    return True


def _elapsed_clause(cursor: Cursor) -> bool:
    if not cursor.kw(0, "after", "from"):
        return False
    ahead = 2 if cursor.kw(1, "the", "every") else 1
    if not (cursor.kw(ahead, "last", "previous") or cursor.kw(ahead - 1, "every") and cursor.kw(ahead, "run")):
        return False
    cursor.index += ahead + 1
    if cursor.kw(0, "run") or cursor.peek() and cursor.peek().text == "one":
        cursor.take()
    cursor.draft.elapsed = True
    return True


def _filler_clause(cursor: Cursor) -> bool:
    if cursor.kw(0, "every"):
        if cursor.done() or cursor.peek(1) is None:
            raise CadenceError("Every what? Try 'every day at 9am' or 'every monday'.")
        cursor.take()
        return True
    if cursor.kw(0, *_FILLER) or cursor.kw(0, "in") and (cursor.kw(1, "the") or cursor.kind(1, "month")):
        cursor.take()
        return True
    return False


def _morning_clause(cursor: Cursor) -> bool:
    if cursor.accept("morning"):
        cursor.draft.morning = True
        return True
    return False


def _not_understood(cursor: Cursor) -> CadenceError:
    token = cursor.peek()
    if token.kind == "num":
        return CadenceError(
            f"I'm not sure what '{token.text}' means in '{cursor.text}'. Write a time as 'at {token.text}' "
            f"or '{token.text}am', a day of the month as 'the {token.text}th'."
        )
    if _BUSINESS_HOURS.search(cursor.source):
        return CadenceError("Which hours do you mean? Try 'every 10 minutes from 9am to 5pm on weekdays'.")
    if token.text in ONE_OFF:
        return CadenceError(f"That sounds like a one-off. A schedule repeats, e.g. 'every day at 9am starting {token.text}'.")
    return CadenceError(f"I don't understand '{token.text}' in '{cursor.text}'. Try something like 'every weekday at 9am'.")


_CLAUSES = (
    _elapsed_clause,
    _zone_clause,
    holidays_clause,
    edge_clause,
    _window_clause,
    bounds_clause,
    _times_clause,
    _morning_clause,
    _interval_clause,
    date_clause,
    nth_clause,
    days_clause,
    _filler_clause,
)
