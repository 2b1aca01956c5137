"""Bounds: 'starting next monday', 'until march 1' — read with dateparser."""

from __future__ import annotations

import calendar
import datetime as dt
import re

from jobs.cadence.clock import take_time, time_like, time_value
from jobs.cadence.cursor import Cursor
from jobs.cadence.errors import CadenceError

_STOP_WORDS = ("at", "every", "starting", "to", "from", "except", "holiday", "between", "and", "in", "on", "after",
               "morning", ",", ";", "(")
_STOP_KINDS = ("zone", "time", "minute", "freq")
_ISO = re.compile(r"\d{4}-\d{2}-\d{2}")
_END_OF = re.compile(r"(?:the )?end of (?:the )?(\w+)")
DAY_MINUTES = 24 * 60
_MONTHS = {name.lower(): number for number, name in enumerate(calendar.month_abbr) if name}


def bounds_clause(cursor: Cursor) -> bool:
    """Read 'starting <date>', 'from <date>' or 'until <date>'."""
    if not cursor.kw(0, "starting", "from", "to"):
        return False
    word = cursor.take()
    if word.value == "starting":
        cursor.accept("from", "on")
        if (cursor.kw(0, "at") or cursor.kind(0, "time")) and time_like(cursor, 1 if cursor.kw(0, "at") else 0):
            cursor.accept("at")
            cursor.draft.set_window(time_value(take_time(cursor)), DAY_MINUTES - 1)  # "every 6 hours starting at 2am"
            return True
    if cursor.kind(0, "time"):
        raise CadenceError(f"'{word.text} {cursor.peek().text}' reads like a time. For a daily window write "
                           "'from 8am to 6pm'; for an end date, 'until 2026-03-01'.")
    draft = cursor.draft
    if word.value == "to":
        draft.until = _read_date(cursor, word.text, max(cursor.today, draft.start or cursor.today))
        if draft.until < cursor.today:
            raise CadenceError(f"That schedule would already have ended ({draft.until}). Pick a later end date.")
    else:
        draft.start = _read_date(cursor, word.text, cursor.today)
    if draft.start and draft.until and draft.until < draft.start:
        raise CadenceError(f"That schedule ends ({draft.until}) before it starts ({draft.start}). Check the dates.")
    return True


def _read_date(cursor: Cursor, word: str, base: dt.date) -> dt.date:
    first = cursor.index
    while not cursor.done() and not (cursor.index > first and _stops(cursor)):
        cursor.take()
    if cursor.index == first:
        raise CadenceError(f"{word.capitalize()} when? Try '{word} 2026-03-01' or '{word} next monday'.")
    phrase = cursor.source[cursor.tokens[first].start:cursor.tokens[cursor.index - 1].end]
    return parse_date(phrase, base)


def _stops(cursor: Cursor) -> bool:
    return cursor.kw(0, *_STOP_WORDS) or cursor.kind(0, *_STOP_KINDS)


def parse_date(phrase: str, today: dt.date) -> dt.date:
    """Read a calendar date, preferring the future relative to `today`."""
    if _ISO.fullmatch(phrase):
        try:
            return dt.date.fromisoformat(phrase)
        except ValueError:
            raise CadenceError(f"'{phrase}' isn't a real date. Try a date like '2026-03-01'.") from None
    named = _named_date(phrase, today)
    if named:
        return named
    import dateparser  # imported lazily: it is slow to load and only bounds need it

    found = dateparser.parse(
        phrase,
        languages=["en"],
        settings={
            "PREFER_DATES_FROM": "future",
            "PREFER_DAY_OF_MONTH": "first",
            "RELATIVE_BASE": dt.datetime.combine(today, dt.time(12)),
        },
    )
    if found is None:
        raise CadenceError(f"I couldn't read the date '{phrase}'. Try 'until 2026-03-01' or 'starting next monday'.")
    return found.date()


def _named_date(phrase: str, today: dt.date) -> dt.date | None:
    """Read 'next week/month/year' as its first day and 'end of june/the month/the year' as its last."""
    if phrase == "next week":
        return today + dt.timedelta(days=7 - today.weekday())
    if phrase == "next month":
        return (today.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    if phrase == "next year":
        return dt.date(today.year + 1, 1, 1)
    found = _END_OF.fullmatch(phrase)
    if not found:
        return None
    if found[1] == "year":
        return dt.date(today.year, 12, 31)
    month = today.month if found[1] == "month" else _MONTHS.get(found[1][:3])
    if month is None:
        return None
    year = today.year + (month < today.month)
    return dt.date(year, month, calendar.monthrange(year, month)[1])
