"""Grammar clauses for how often: intervals, 'N times a day', counts, durations, one-offs."""

from __future__ import annotations

from jobs.cadence.cursor import Cursor
from jobs.cadence.errors import CadenceError

MOST_RUNS = 1000  # a count is walked once when the rule is compiled; beyond this, give an end date
_SUB_MINUTE = "I schedule to the minute, not the second. Try 'every minute'."
_COUNT_LEADS = {"for", "a", "an", "the", "total", "of", "up", "to", "at", "most", "max", "maximum", "no", "more",
                "than", "only", "just", "after", "ends", "ending", "end", "stop", "stopping", "stops", "then", "in",
                "all", "exactly", "repeat", "repeating", "repeated", "recur", "recurring", "occur", "occurring"}
_COUNT_TAILS = {"total", "only", "overall", "in", "then", "and", "stop", "all"}
_TIMES_WORDS = {"once": 1, "twice": 2, "thrice": 3}
_DURATION_UNITS = ("day", "week", "month", "quarter", "year")
_AFTER_ONE_OFF = ("from now", "later", "ago", "from today")


def interval_clause(cursor: Cursor) -> bool:
    """Read 'hourly', 'every 30 minutes', 'every other friday', 'every 3 fridays', 'fortnightly'."""
    token = cursor.peek()
    draft = cursor.draft
    after_every = cursor.kw(-1, "every")
    if token.kind == "freq":
        cursor.take()
        draft.set_step(*((2, "week") if token.value == "fortnight" else (1, token.value)))
        return True
    if cursor.kw(0, "-") and cursor.kind(1, "num") and cursor.kind(2, "unit"):
        n, unit = cursor.peek(1).value, cursor.peek(2).text
        raise CadenceError("Intervals must be positive.", fixes=[f"every {n} {unit}"])
    if cursor.kw(0, "other") and cursor.kw(1, "weekday", "business"):
        raise CadenceError("Every other weekday has no weekly rhythm (Monday, Wednesday, Friday, then Tuesday, …). "
                           "Try 'every monday, wednesday and friday' or 'every other week on weekdays'.")
    if cursor.kw(0, "other") and (cursor.kind(1, "unit", "day") or cursor.kw(1, "weekend")):
        cursor.take()
        if cursor.kind(0, "day") or cursor.kw(0, "weekend"):
            draft.set_step(2, "week")  # "every other monday"; the days are read next
            return True
        return _step(cursor, 2)
    if token.kind == "num" and cursor.peek(1) is not None and cursor.peek(1).text == "second":
        raise CadenceError(_SUB_MINUTE)
    weekend = token.kind == "ord" and after_every and cursor.kw(1, "weekend")  # "every second weekend"
    if weekend or token.kind == "num" and after_every and (cursor.kind(1, "day") or cursor.kw(1, "weekend")):
        cursor.take()  # "every 3 fridays" is every 3 weeks on friday
        _check_positive(token.value, "weeks")
        draft.set_step(token.value, "week")
        return True
    if token.kind == "num" and cursor.kind(1, "unit"):
        cursor.take()
        return _step(cursor, token.value)
    if token.kind == "ord" and after_every and cursor.kind(1, "unit") and not cursor.kw(2, "of", "end"):
        cursor.take()
        return _step(cursor, token.value)
    day_number = token.kind == "unit" and token.value == "day" and cursor.kind(1, "num", "ord") and not after_every
    if token.kind == "unit" and not cursor.kw(1, "end") and not day_number:  # "day 15" is a day of the month
        return _step(cursor, 1)
    if token.kind == "num" and after_every:
        n = token.value
        raise CadenceError(f"Every {n} what?", fixes=[f"every {n} minutes", f"every {n} hours"])
    return False


def _step(cursor: Cursor, n: int) -> bool:
    unit = cursor.take()
    if unit.value == "second":
        raise CadenceError(_SUB_MINUTE)
    _check_positive(n, unit.text)
    cursor.draft.set_step(n, unit.value)
    return True


def _check_positive(n: int, unit: str) -> None:
    if n <= 0:
        raise CadenceError(f"An interval of {n} {unit} never moves on. Use at least 1, e.g. 'every 5 minutes'.")


def per_clause(cursor: Cursor) -> bool:
    """Read 'twice a day', '3 times per week', '2x daily', 'once a month', '4 times an hour'."""
    n, width = _times_word(cursor)
    if not n:
        return False
    if cursor.kw(width, "every", "the", "/") and cursor.kind(width + 1, "unit"):
        unit = cursor.peek(width + 1).value
        cursor.index += width + 2
    elif cursor.kind(width, "freq") and cursor.peek(width).value != "fortnight":
        unit = cursor.peek(width).value
        cursor.index += width + 1
    elif n == 1 and cursor.kw(width, "every"):
        cursor.index += width  # "once every 2 weeks": the interval is read next
        return True
    elif width == 1 and n > 1:
        raise CadenceError("At which times? Try 'every day at 9am and 5pm' or 'every monday and thursday'.")
    else:
        return False
    if unit == "second" or unit == "minute" and n > 1:
        raise CadenceError(_SUB_MINUTE)
    cursor.draft.repeats = True
    if n == 1:
        cursor.draft.set_step(1, unit)  # "once a week" is weekly
    elif cursor.draft.per not in (None, (n, unit)):
        raise CadenceError(f"'{cursor.text}' says how often twice. Pick one, e.g. 'twice a day at 9am and 5pm'.")
    else:
        cursor.draft.per = (n, unit)
        cursor.draft.day_words |= unit not in ("minute", "hour")
    return True


def _times_word(cursor: Cursor) -> tuple[int, int]:
    """Return (n, tokens) for 'twice', 'thrice', 'once' or 'N times'/'Nx', else (0, 0)."""
    token = cursor.peek()
    if token.kind == "kw" and token.text in _TIMES_WORDS:
        return _TIMES_WORDS[token.text], 1
    if token.kind == "num" and cursor.kw(1, "times"):
        return token.value, 2
    return 0, 0


def count_clause(cursor: Cursor) -> bool:
    """Read '10 times', 'for 10 occurrences', 'ends after 5 runs', 'at most 3 times'."""
    ahead = 0
    while cursor.peek(ahead) is not None and cursor.peek(ahead).text in _COUNT_LEADS:
        ahead += 1
    number, noun = cursor.peek(ahead), cursor.peek(ahead + 1)
    if number is None or noun is None or number.kind != "num":
        return False
    if not (cursor.kw(ahead + 1, "times") or noun.text == "time" and number.value == 1):
        return False
    follows = ahead + 2
    if cursor.kw(follows, "every", "the", "/") and cursor.kind(follows + 1, "unit") or cursor.kind(follows, "freq"):
        return False  # "3 times a day" is read by per_clause
    if number.value < 1:
        raise CadenceError("A schedule has to run at least once. Try 'every day at 9am, 10 times'.")
    if number.value > MOST_RUNS:
        raise CadenceError(f"I can count up to {MOST_RUNS} runs; for more, give an end date, "
                           "e.g. 'every day at 9am until the end of december'.")
    if cursor.draft.count not in (None, number.value):
        raise CadenceError(f"'{cursor.text}' gives two counts. Pick one, e.g. 'every day at 9am, 10 times'.")
    cursor.draft.count = number.value
    cursor.index += follows
    while cursor.peek() is not None and cursor.peek().text in _COUNT_TAILS and _only_tails_left(cursor):
        cursor.take()
    return True


def _only_tails_left(cursor: Cursor) -> bool:
    """Tell whether the rest is 'in total', 'then stop' and the like (an 'and' may start a new clause)."""
    rest = cursor.tokens[cursor.index:]
    return all(token.text in _COUNT_TAILS or token.kind == "punct" for token in rest[:3]) or \
        cursor.peek().text in ("total", "overall", "only")


def duration_clause(cursor: Cursor) -> bool:
    """Read 'for 3 weeks', 'for the next 2 months', 'for a year', 'for the rest of the month'."""
    if not (cursor.kw(0, "for") or cursor.kw(0, "in") and cursor.kw(1, "the") and cursor.kw(2, "next")):
        return False
    ahead = 1
    while cursor.kw(ahead, "the", "next") or cursor.peek(ahead) is not None and cursor.peek(ahead).text == "another":
        ahead += 1
    if cursor.peek(ahead) is not None and cursor.peek(ahead).text == "rest" and cursor.kw(ahead + 1, "of"):
        return _rest_of(cursor, ahead + 2)
    number = cursor.peek(ahead)
    if number is not None and number.kind == "num" and cursor.kind(ahead + 1, "day"):
        return _count_of_days(cursor, number.value, ahead + 2)  # "for the next 4 mondays" is 4 runs
    n = number.value if number is not None and number.kind == "num" else 1
    unit_at = ahead + 1 if number is not None and number.kind == "num" else ahead
    if cursor.peek(unit_at) is not None and cursor.peek(unit_at).text == "more":
        unit_at += 1  # "for 2 more weeks"
    if not cursor.kind(unit_at, "unit"):
        return False
    unit = cursor.peek(unit_at).value
    if unit not in _DURATION_UNITS:
        raise CadenceError("I can end a schedule on a date, not after some hours. For part of a day give a window.",
                           fixes=["every 15 minutes from 9am to 11am"])
    if not 1 <= n <= 100:
        raise CadenceError(f"For {n} {cursor.peek(unit_at).text}? Give between 1 and 100, or an end date.",
                           fixes=["every day at 9am for 3 weeks"])
    _set_duration(cursor, (n, unit))
    cursor.index += unit_at + 1
    return True


def _count_of_days(cursor: Cursor, n: int, end: int) -> bool:
    if cursor.draft.count not in (None, n):
        raise CadenceError(f"'{cursor.text}' gives two counts. Pick one, e.g. 'every monday at 9am, 4 times'.")
    if not 1 <= n <= MOST_RUNS:
        raise CadenceError("Give a count from 1 to 1000, e.g. 'every monday at 9am for the next 4 mondays'.")
    cursor.draft.count = n
    cursor.index += end
    return True


def _rest_of(cursor: Cursor, ahead: int) -> bool:
    while cursor.peek(ahead) is not None and cursor.peek(ahead).text in ("the", "this"):
        ahead += 1
    if not (cursor.kind(ahead, "unit") and cursor.peek(ahead).value in ("week", "month", "quarter", "year")):
        return False
    _set_duration(cursor, (0, cursor.peek(ahead).value))  # 0: to the end of the current one
    cursor.index += ahead + 1
    return True


def _set_duration(cursor: Cursor, duration: tuple[int, str]) -> None:
    if cursor.draft.duration or cursor.draft.until:
        raise CadenceError(f"'{cursor.text}' gives two ends. Pick one, e.g. 'every day at 9am for 3 weeks'.")
    cursor.draft.duration = duration


def one_off_clause(cursor: Cursor) -> bool:
    """Refuse 'in an hour', 'in 3 days', '2 hours from now': they happen once."""
    ahead = 1 if cursor.kw(0, "in") else 0
    quantity = cursor.peek(ahead)
    if quantity is None or not (quantity.kind == "num" or quantity.text in ("a", "an", "one")):
        return False
    if cursor.peek(ahead + 1) is not None and cursor.peek(ahead + 1).text in ("few", "couple"):
        ahead += 2 if cursor.kw(ahead + 2, "of") else 1
    unit = cursor.peek(ahead + 1)
    if unit is None or not (unit.kind == "unit" or unit.text == "second"):  # "second" alone lexes as 2nd
        return False
    following = cursor.tokens[cursor.index + ahead + 2:cursor.index + ahead + 4]
    rest = " ".join(token.text for token in following)
    if ahead or rest.startswith(_AFTER_ONE_OFF):
        end = unit.end if ahead else following[0 if rest.startswith(("later", "ago")) else 1].end
        phrase = cursor.source[cursor.peek().start:end]
        every = "minute" if unit.text == "second" or unit.value == "second" else unit.value
        raise CadenceError(f"'{phrase}' happens once. A schedule repeats, e.g. 'every {every}'.")
    return False


def elapsed_clause(cursor: Cursor) -> bool:
    """Read 'after the last run', 'after the previous one'."""
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
