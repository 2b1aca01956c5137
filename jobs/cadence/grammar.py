"""Grammar: read clauses (times, windows, zones, repeats, days, bounds) in any order into a draft."""

from __future__ import annotations

import datetime as dt
import re

from jobs.cadence.bounds import bounds_clause, end_after
from jobs.cadence.calendars import holidays_clause
from jobs.cadence.clock import (
    says_meridiem,
    take_time,
    time_like,
    time_value,
    time_width,
)
from jobs.cadence.cursor import SEPARATORS, Cursor
from jobs.cadence.dates import MONTH_NAMES, date_clause, ordinal
from jobs.cadence.draft import Draft
from jobs.cadence.errors import CadenceError
from jobs.cadence.exclusions import exclusions_clause
from jobs.cadence.grammar_days import (
    day_number_clause,
    days_clause,
    edge_clause,
    nth_clause,
    span_clause,
)
from jobs.cadence.lexer import Token
from jobs.cadence.repeats import (
    count_clause,
    duration_clause,
    elapsed_clause,
    interval_clause,
    one_off_clause,
    per_clause,
)
from jobs.cadence.words import ONE_OFF

_BUSINESS_HOURS = re.compile(r"\b(?:business|working|office|work) hours\b")
_FILLER = ("the", "on", "of", "and", ",", ";", "(", ")", "filler", "time", "only")
_DANGLING = re.compile(r"(?:[\s,]+(?:and|or|the|in|at|on|of|a|an|for|with))+$|,$")  # left over once a word is cut


def read_draft(tokens: list[Token], text: str, source: str, today: dt.date, date_order: str | None = None) -> Draft:
    """Parse the tokens of one schedule rule into a draft, clause by clause."""
    cursor = Cursor(tokens, text, source, today, date_order)
    if cursor.done():
        raise CadenceError("Tell me when, e.g. 'every monday at 9am'.")
    while not cursor.done():
        if not any(clause(cursor) for clause in _BY_KIND.get(cursor.peek().kind, _CLAUSES)):
            raise _not_understood(cursor)
    draft = cursor.draft
    if not draft.says_when():
        raise CadenceError(f"When should '{text}' run? Add a day or time, e.g. 'every monday at 9am'.")
    if draft.duration:
        if draft.until:
            raise CadenceError(f"'{text}' gives two ends. Pick one, e.g. 'every day at 9am for 3 weeks'.")
        draft.until = end_after(draft.duration, draft.start or today)
        if draft.until < today:
            raise CadenceError(f"That schedule would already have ended ({draft.until}). Pick a later start.")
    _refuse_one_off(cursor)
    return draft


def _refuse_one_off(cursor: Cursor) -> None:
    """A single date or 'friday the 13th' with no 'every' happens once: ask instead of repeating it."""
    draft = cursor.draft
    if draft.repeats or not (len(set(draft.dates)) == 1 or draft.and_monthdays):
        return
    body = cursor.source.removeprefix("on ")
    if draft.dates:
        month, day = draft.dates[0]
        question = f"every year on {MONTH_NAMES[month]} {day}"
        fix = f"every year on {body}"
    else:
        question, fix = f"every {body.split()[0].capitalize()} the {ordinal(draft.and_monthdays[0])}", f"every {body}"
    raise CadenceError(f"That reads like a one-off; do you mean {question}?", fixes=[fix])


def _times_clause(cursor: Cursor) -> bool:
    if cursor.kw(0, "at"):
        if not (time_like(cursor, 1) or cursor.kind(1, "minute")):
            if cursor.kind(1, "unknown"):
                cursor.take()
                raise _not_understood(cursor)  # "at threeish": name the word, not the missing time
            if cursor.kw(1, "the", "end", "start", "starting"):
                cursor.take()  # "at the end of the month" is read by another clause
                return True
            raise _no_time(cursor)
        cursor.take()
    elif not (cursor.kind(0, "time", "minute") or _listing_times(cursor)):
        return False
    _read_time(cursor)
    while _more_times(cursor):
        _read_time(cursor)
    return True


def _listing_times(cursor: Cursor) -> bool:
    """Tell whether bare numbers list the times of 'twice a day: 9 and 17'."""
    draft = cursor.draft
    return bool(draft.per and draft.per[1] == "day" and not draft.times and cursor.kind(0, "num")
                and time_like(cursor, 0))


def _more_times(cursor: Cursor) -> bool:
    """Take the separator before another time ('9, 12 and 5pm'), not before '5 times' or '3 fridays'."""
    for width in (2, 1):  # ", and" before "," or "and"
        if all(cursor.kw(k, *SEPARATORS) for k in range(width)) and \
                (time_like(cursor, width) and not cursor.kind(width + 1, "day") or cursor.kind(width, "minute")):
            cursor.index += width
            return True
    return False


def _read_time(cursor: Cursor) -> None:
    token = take_time(cursor)
    draft = cursor.draft
    if token.kind == "minute":
        if draft.minute_offset is not None:
            raise CadenceError("Give one minute past the hour, e.g. 'every hour at :15'.")
        draft.minute_offset = token.value
        return
    minutes = time_value(token)
    draft.times.append(minutes)
    if not says_meridiem(token) and token.kind in ("num", "time") and not token.text.isalpha():
        draft.bare_times.add(minutes)


def _no_time(cursor: Cursor) -> CadenceError:
    at = cursor.peek()
    fixed = f"{cursor.source[:at.end]} 9am{cursor.source[at.end:]}"
    return CadenceError(f"I couldn't find a time in '{cursor.text}'.", fixes=[fixed])


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
        inserted = f"{cursor.source[:first.end]} to 5pm{cursor.source[first.end:]}"
        raise CadenceError(f"From {first.text} until when?", fixes=[inserted, f"every hour from {first.text} to 5pm"])
    cursor.take()
    last = take_time(cursor)
    start, end = time_value(first), time_value(last)
    if end < start and not says_meridiem(last) and end < 12 * 60:
        end += 12 * 60  # "between 9 and 5" means until 5pm
    if end <= start:
        raise CadenceError(
            f"The window {first.text}–{last.text} ends before it starts; windows stay within one day. "
            "Try 'every hour from 8am to 6pm'."
        )
    cursor.draft.set_window(start, end)
    return True


def _zone_clause(cursor: Cursor) -> bool:
    ahead = 1 if cursor.kw(0, "in") else 0
    if not cursor.kind(ahead, "zone"):
        if ahead and cursor.kind(1, "unknown"):
            raise CadenceError(f"I don't know the time zone '{cursor.peek(1).text}'. "
                               "Use an IANA name such as 'Europe/Berlin'.")
        return False
    cursor.index += ahead
    cursor.draft.set_zone(cursor.take().value)
    cursor.accept("time")
    return True


def _filler_clause(cursor: Cursor) -> bool:
    if cursor.kw(0, "every"):
        if cursor.done() or cursor.peek(1) is None:
            raise CadenceError("Every what? Try 'every day at 9am' or 'every monday'.")
        cursor.take()
        cursor.draft.repeats = True
        return True
    if cursor.kw(0, *_FILLER) or cursor.kw(0, "in") and (cursor.kw(1, "the") or cursor.kind(1, "month")) \
            or cursor.kw(0, "-") and _spaced(cursor):  # "three times a day - 8, 12 and 16"
        cursor.take()
        return True
    return False


def _spaced(cursor: Cursor) -> bool:
    token = cursor.peek()
    return cursor.source[token.start - 1:token.start] == " " and cursor.source[token.end:token.end + 1] == " "


def _part_of_day_clause(cursor: Cursor) -> bool:
    draft = cursor.draft
    if cursor.accept("morning"):
        draft.morning = True
        return True
    if not cursor.kind(0, "part"):
        return False
    token = cursor.take()
    if draft.part_of_day not in (None, token.value):
        raise CadenceError(f"'{cursor.text}' names two parts of the day. Give one time, e.g. 'every day at 6pm'.")
    draft.part_of_day = token.value
    if token.text == "nightly":
        draft.repeats = draft.day_words = True
    return True


def _not_understood(cursor: Cursor) -> CadenceError:
    token = cursor.peek()
    culprit = next((t for t in cursor.tokens[cursor.index:] if t.kind == "unknown"), None)
    if culprit is None and token.kind == "num":
        n = token.value
        fixes = [_replace(cursor, token, f"at {n}"), _replace(cursor, token, f"the {ordinal(n)}")]
        if cursor.kw(-1, "on"):
            fixes.reverse()  # "on 7" is more likely the 7th than 07:00
        hint = f"Write a time as 'at {n}' or a day of the month as 'the {ordinal(n)}'." if 1 <= n <= 23 else None
        return CadenceError(f"I'm not sure what '{token.text}' means in '{cursor.text}'.", fixes=fixes,
                            **({"fallback": hint} if hint else {}))
    if _BUSINESS_HOURS.search(cursor.source):
        return CadenceError("Which hours do you mean? Try 'every 10 minutes from 9am to 5pm on weekdays'.")
    if token.text in ONE_OFF:
        return CadenceError("That sounds like a one-off. "
                            "A schedule repeats, e.g. 'every day at 9am starting tomorrow'.")
    word = culprit or token
    without = _DANGLING.sub("", _replace(cursor, word, ""))
    bare_hour = re.sub(r"(?<![:\d])\b(\d{1,2})\b(?!\s*(?:[ap]m|:|st|nd|rd|th))", r"at \1", without, count=1)
    before = _DANGLING.sub("", cursor.source[:word.start].rstrip(" -"))
    return CadenceError(f"I don't understand '{word.text}' in '{cursor.text}'.", fixes=[without, bare_hour, before])


def _replace(cursor: Cursor, token: Token, text: str) -> str:
    before, after = cursor.source[:token.start].rstrip(" -"), cursor.source[token.end:].lstrip(" -")
    return " ".join(f"{before} {text} {after}".split())


_CLAUSES = (
    one_off_clause,
    elapsed_clause,
    _zone_clause,
    exclusions_clause,
    holidays_clause,
    edge_clause,
    count_clause,
    per_clause,
    duration_clause,
    span_clause,
    _window_clause,
    bounds_clause,
    _times_clause,
    _part_of_day_clause,
    interval_clause,
    day_number_clause,
    date_clause,
    nth_clause,
    days_clause,
    _filler_clause,
)
# The clauses that can start at a token of each kind, in the order above: most tokens need only a few
# tried (keywords and punctuation try them all).
_STARTS = {
    "day": (days_clause,), "month": (date_clause,), "numdate": (date_clause,), "part": (_part_of_day_clause,),
    "minute": (_times_clause,), "freq": (interval_clause,), "zone": (_zone_clause, holidays_clause),
    "time": (_window_clause, _times_clause), "unknown": (holidays_clause, count_clause),
    "ord": (interval_clause, date_clause, nth_clause), "unit": (edge_clause, interval_clause, day_number_clause),
    "num": (one_off_clause, count_clause, per_clause, _window_clause, _times_clause, interval_clause, date_clause),
}
_BY_KIND = {kind: tuple(clause for clause in _CLAUSES if clause in starts) for kind, starts in _STARTS.items()}
