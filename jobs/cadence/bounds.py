"""Bounds: 'starting next monday', 'until march 1', 'for 3 weeks' — dates read here, dateparser as a fallback."""

from __future__ import annotations

import calendar
import datetime as dt
import re

from jobs.cadence.clock import take_time, time_like, time_value
from jobs.cadence.cursor import Cursor
from jobs.cadence.dates import bound_date, calendar_date
from jobs.cadence.errors import CadenceError

_STOP_WORDS = ("at", "every", "starting", "to", "from", "except", "holiday", "between", "and", "in", "on", "after",
               "morning", ",", ";", "(", "for", "times")
_STOP_KINDS = ("zone", "time", "minute", "freq", "part")
_ISO = re.compile(r"\d{4}-\d{2}-\d{2}")
_END_OF = re.compile(r"(?:the )?end of (?:the |this )?(\w+)")
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
                           "'every hour from 8am to 6pm'; for an end date, 'every day until the end of june'.")
    draft = cursor.draft
    if word.value == "to":
        draft.until = _read_date(cursor, word.text, max(cursor.today, draft.start or cursor.today))
        if draft.until < cursor.today:
            raise CadenceError(f"That schedule would already have ended ({draft.until}). Pick a later end date.")
    elif cursor.kind(0, "stamp"):
        draft.start, draft.start_minute = cursor.take().value  # "starting 2026-03-04T15:00", as `describe` says it
    else:
        draft.start = _read_date(cursor, word.text, cursor.today)
    if draft.start and draft.until and draft.until < draft.start:
        raise CadenceError(f"That schedule ends ({draft.until}) before it starts ({draft.start}). Check the dates.")
    return True


def _read_date(cursor: Cursor, word: str, base: dt.date) -> dt.date:
    if cursor.kind(0, "numdate") and (cursor.done() or _stops(cursor, 1)):
        return bound_date(cursor, cursor.take(), base)
    first = cursor.index
    while not cursor.done() and not (cursor.index > first and _stops(cursor)):
        cursor.take()
    if cursor.index == first:
        raise CadenceError(f"{word.capitalize()} when?", fixes=[f"{cursor.source} next monday"],
                           fallback="Try 'every day starting next monday'.")
    start, end = cursor.tokens[first].start, cursor.tokens[cursor.index - 1].end
    phrase = cursor.source[start:end]
    found = parse_date(phrase, base)
    if found is None:
        instead = "the end of december" if word in ("until", "till", "til", "through", "thru", "to") else "next monday"
        raise CadenceError(f"I couldn't read the date '{phrase}'.",
                           fixes=[f"{cursor.source[:start]}{instead}{cursor.source[end:]}"],
                           fallback="Try 'every day starting next monday'.")
    return found


def _stops(cursor: Cursor, ahead: int = 0) -> bool:
    if cursor.peek(ahead) is None:
        return True
    if cursor.kw(ahead, ",") and cursor.kind(ahead + 1, "num") and len(cursor.peek(ahead + 1).text) == 4:
        return False  # "december 31, 2026"
    return cursor.kw(ahead, *_STOP_WORDS) or cursor.kind(ahead, *_STOP_KINDS)


def parse_date(phrase: str, today: dt.date) -> dt.date | None:
    """Read a calendar date, preferring the first one on or after `today`; None if it is no date."""
    if _ISO.fullmatch(phrase):
        try:
            return dt.date.fromisoformat(phrase)
        except ValueError:
            raise CadenceError(f"'{phrase}' isn't a real date. Check the day and month.") from None
    named = _named_date(phrase, today) or calendar_date(phrase, today)
    if named or re.search(r"\b(?:every|each)\b", phrase):
        return named  # dateparser would read "the 40th of every month" as some year
    import dateparser  # imported lazily: it is slow to load and only unusual dates need it

    found = dateparser.parse(
        phrase,
        languages=["en"],
        settings={
            "PREFER_DATES_FROM": "future",
            "PREFER_DAY_OF_MONTH": "first",
            "RELATIVE_BASE": dt.datetime.combine(today, dt.time(12)),
        },
    )
    return found.date() if found else None


def _named_date(phrase: str, today: dt.date) -> dt.date | None:
    """Read 'next week/month/year' as its first day and 'end of june/the month/the year/2027' as its last."""
    if phrase in ("now", "now on", "today"):
        return today
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
    if found[1].isdigit() and len(found[1]) == 4:
        return dt.date(int(found[1]), 12, 31)
    if found[1] == "week":
        return today + dt.timedelta(days=6 - today.weekday())
    month = today.month if found[1] == "month" else _MONTHS.get(found[1][:3])
    if month is None:
        return None
    year = today.year + (month < today.month)
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def end_after(duration: tuple[int, str], start: dt.date) -> dt.date:
    """Return the last day of 'for N weeks' begun on `start` (N = 0: the rest of the current week/month/…)."""
    n, unit = duration
    if unit in ("day", "week"):
        days = n * (7 if unit == "week" else 1)
        return start + dt.timedelta(days=days - 1) if n else start + dt.timedelta(days=6 - start.weekday())
    months = {"month": 1, "quarter": 3, "year": 12}[unit] * n
    if not n:  # the rest of this month, quarter or year
        last_month = {"month": start.month, "quarter": (start.month - 1) // 3 * 3 + 3, "year": 12}[unit]
        return dt.date(start.year, last_month, calendar.monthrange(start.year, last_month)[1])
    year, month = divmod(start.month - 1 + months, 12)
    year += start.year
    length = calendar.monthrange(year, month + 1)[1]
    if start.day > length:
        return dt.date(year, month + 1, length)  # a month from January 31 runs to the end of February
    return dt.date(year, month + 1, start.day) - dt.timedelta(days=1)
