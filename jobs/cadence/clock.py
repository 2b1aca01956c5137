"""Clock readings inside the grammar: which tokens are times, and what they are worth."""

from __future__ import annotations

from jobs.cadence.cursor import Cursor
from jobs.cadence.errors import CadenceError
from jobs.cadence.lexer import Token, clock_minutes


def time_like(cursor: Cursor, ahead: int) -> bool:
    """Tell whether the token `ahead` can be read as a clock time."""
    return time_width(cursor, ahead) > 0


def time_width(cursor: Cursor, ahead: int) -> int:
    """Count the tokens of a clock time at `ahead` ('16h' is two), or 0 when there is none."""
    token = cursor.peek(ahead)
    if token is None or token.kind not in ("time", "num"):
        return 0
    if token.kind == "num" and _hour_mark(cursor, ahead + 1):
        return 2
    # "5 times", "2 weeks" and "5 may" are a count, an interval and a date, not clock times.
    if token.kind == "num" and (cursor.kind(ahead + 1, "unit", "month") or cursor.kw(ahead + 1, "times")):
        return 0
    return 1


def take_time(cursor: Cursor) -> Token:
    """Consume a time token, and the 'h' of '16h' after it."""
    width = time_width(cursor, 0)
    token = cursor.take()
    if width == 2:
        cursor.take()
    return token


def _hour_mark(cursor: Cursor, ahead: int) -> bool:
    token = cursor.peek(ahead)
    return token is not None and token.kind == "unit" and token.text == "h"


def time_value(token: Token) -> int:
    """Read a time or bare number token as minutes after midnight (bare hours are 24-hour)."""
    if token.kind == "time":
        return token.value
    digits = token.text
    if not digits.isdigit() or len(digits) <= 2:
        return clock_minutes(token.value, 0, None, digits)
    if len(digits) <= 4:
        return clock_minutes(int(digits[:-2]), int(digits[-2:]), None, digits)
    raise CadenceError(f"'{digits}' isn't a clock time. Try '9am' or '17:30'.")


def says_meridiem(token: Token) -> bool:
    """Tell whether a time was given with am/pm, or as noon or midnight."""
    return token.kind == "time" and (token.text.isalpha() or token.text.endswith(("am", "pm", "a", "p")))
