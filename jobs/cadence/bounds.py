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
_YEAR = re.compile(r"\b\d{4}\b|/\d{2,4}$")
_END_OF = re.compile(r"(?:the )?end of (?:the |this )?(\w+)")
DAY_MINUTES = 24 * 60
_MONTHS = {name.lower(): number for number, name in enumerate(calendar.month_abbr) if name}


def bounds_clause(cursor: Cursor) -> bool:
    """Read 'starting <date>', 'from <date>', 'until <date>' or 'between <date> and <date>'."""
    if cursor.kw(0, "between") and cursor.kind(1, "month", "numdate", "num", "ord") and not time_like(cursor, 1):
        cursor.take()  # "between march 1 and march 31": a start and an end
        first = cursor.index
        cursor.draft.start = _read_date(cursor, "from", cursor.today)
        cursor.draft.start_yearless = not _YEAR.search(" ".join(t.text for t in cursor.tokens[first:cursor.index]))
        if not cursor.accept("and"):
            raise CadenceError("Between that date and which other?", fixes=[f"{cursor.source} and the end of june"])
        return _until(cursor, "until")
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
        return _until(cursor, word.text)
    if cursor.kind(0, "stamp"):
        draft.start, draft.start_minute = cursor.take().value  # "starting 2026-03-04T15:00", as `describe` says it
    else:
        first = cursor.index
        draft.start = _read_date(cursor, word.text, cursor.today)
        draft.start_yearless = not _YEAR.search(" ".join(t.text for t in cursor.tokens[first:cursor.index]))
    _check_order(draft)
    return True


def _until(cursor: Cursor, word: str) -> bool:
    draft = cursor.draft
    first = cursor.index
    draft.until = _read_date(cursor, word, max(cursor.today, draft.start or cursor.today))
    earlier = _earlier_start(cursor, first)
    if earlier:  # "from march 1 to march 31" typed on March 3: this March, already begun
        draft.start, draft.until = earlier
    if draft.until < cursor.today:
        raise CadenceError(f"That schedule would already have ended ({draft.until}). Pick a later end date.")
    _check_order(draft)
    return True


def _earlier_start(cursor: Cursor, first: int) -> tuple[dt.date, dt.date] | None:
    """Move a yearless start back a year when its range, read this year, is still running today."""
    draft, today = cursor.draft, cursor.today
    if not draft.start or draft.start <= today or draft.start_minute is not None:
        return None
    try:
        start = draft.start.replace(year=draft.start.year - 1)
    except ValueError:  # February 29
        return None
    if start > today or not draft.start_yearless:
        return None
    end = cursor.index
    cursor.index = first
    until = _read_date(cursor, "until", start)
    cursor.index = end
    return (start, until) if until >= today and until >= start else None


def _check_order(draft) -> None:
    if draft.start and draft.until and draft.until < draft.start:
        raise CadenceError(f"That schedule ends ({draft.until}) before it starts ({draft.start}). Check the dates.")


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
