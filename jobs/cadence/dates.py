"""Calendar dates in the text: 'march 3', '3rd of march', '12/24', and which year a bound falls in."""

from __future__ import annotations

import calendar
import datetime as dt
import re

from jobs.cadence.cursor import Cursor
from jobs.cadence.errors import CadenceError
from jobs.cadence.lexer import Token
from jobs.cadence.words import VOCABULARY

MONTH_NAMES = list(calendar.month_name)
DATE_ORDERS = ("MDY", "DMY", "YMD")
_ORDINAL = r"(\d{1,2})(?:st|nd|rd|th)?"
_DAY_MONTH = re.compile(rf"(?:the )?{_ORDINAL}(?: of)? ([a-z]+)\.?,?(?: (\d{{4}}))?")
_MONTH_DAY = re.compile(rf"([a-z]+)\.? (?:the )?{_ORDINAL},?(?: (\d{{4}}))?")


# Regions that write the month first (US) or the year first (East Asia, Hungary, Lithuania); Canada
# writes both orders, so a Canadian locale still gets the question.
_MONTH_FIRST = {"US", "PH", "FM", "MH", "PW", "GU", "PR", "AS", "VI", "UM", "BZ"}
_YEAR_FIRST = {"CN", "JP", "KR", "KP", "TW", "HU", "LT", "MN", "IR"}
_BOTH = {"CA"}


def date_order_for_locale(locale: str | None) -> str | None:
    """Return the date order ('MDY', 'DMY', 'YMD') a locale such as 'en-US' or 'de_DE' writes, else None."""
    parts = (locale or "").replace("_", "-").split("-")
    region = parts[-1].upper() if len(parts) > 1 else ""
    if len(region) != 2 or region in _BOTH:
        return None
    if region in _MONTH_FIRST:
        return "MDY"
    return "YMD" if region in _YEAR_FIRST else "DMY"


def longest_day(month: int) -> int:
    """Return the most days a month can have (29 for February)."""
    return 29 if month == 2 else calendar.monthrange(2001, month)[1]


def numeric_date(cursor: Cursor, token: Token) -> tuple[int, int]:
    """Read '12/24' or '5/6' as (month, day) in the person's date order; ask when it could be either."""
    first, second, _ = token.value
    readings = list(dict.fromkeys((m, d) for m, d in ((first, second), (second, first))
                                  if 1 <= m <= 12 and 1 <= d <= longest_day(m)))
    if not readings:
        raise CadenceError(f"'{token.text}' isn't a date I can read. Write the month name, e.g. 'every december 24'.")
    if len(readings) == 1:
        return readings[0]
    if cursor.date_order:
        return readings[0] if cursor.date_order in ("MDY", "YMD") else readings[1]
    names = [f"{MONTH_NAMES[m].lower()} {d}" for m, d in readings]
    fixes = [f"{cursor.source[:token.start]}{name}{cursor.source[token.end:]}" for name in names]
    raise CadenceError(f"Does {token.text} mean {names[0].title()} or {names[1].title()}?", fixes=fixes,
                       fallback="Write the month name, e.g. 'every year on december 24'.")


def date_clause(cursor: Cursor) -> bool:
    """Read 'march 3', '3 march', '3rd of march', 'march 3 and 17', '12/24', or a bare month list."""
    if cursor.kind(0, "numdate"):
        _add_numeric(cursor, cursor.take())
        while cursor.separator("numdate"):
            _add_numeric(cursor, cursor.take())
        return True
    if cursor.kind(0, "month"):
        if not _day_number(cursor, 1):
            cursor.draft.months |= read_month_list(cursor)
            return True
        month = cursor.take().value
        add_date(cursor, month, cursor.take())
        while cursor.separator("num", "ord") and _day_number(cursor, 0):
            add_date(cursor, month, cursor.take())
        if cursor.kind(0, "num") and cursor.peek().value >= 1000:
            _refuse_year(cursor, cursor.peek(), cursor.peek().value)  # "march 3 2027"
        return True
    if _day_number(cursor, 0) and (cursor.kind(1, "month") or cursor.kw(1, "of") and cursor.kind(2, "month")):
        day = cursor.take()
        cursor.accept("of")
        months = sorted(read_month_list(cursor))
        if len(months) == 1:
            add_date(cursor, months[0], day)
        elif not any(day.value <= longest_day(month) for month in months):
            add_date(cursor, months[0], day)  # explains the impossible date
        else:
            cursor.draft.monthdays.append(day.value)  # "the 31st of march and june": months without one are skipped
            cursor.draft.months |= set(months)
        return True
    return False


def _add_numeric(cursor: Cursor, token: Token) -> None:
    month, day = numeric_date(cursor, token)
    if token.value[2]:
        _refuse_year(cursor, token, token.value[2])
    cursor.draft.dates.append((month, day))


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


def _day_number(cursor: Cursor, ahead: int) -> bool:
    token = cursor.peek(ahead)
    if token is None or token.kind not in ("num", "ord"):
        return False
    return not cursor.kind(ahead + 1, "unit") and not cursor.kw(ahead + 1, "times")


def add_date(cursor: Cursor, month: int, token: Token) -> None:
    """Add (month, day), refusing a year in its place and days the month never has."""
    cursor.draft.dates.append((month, checked_day(cursor, month, token)))


def checked_day(cursor: Cursor, month: int, token: Token) -> int:
    """Return the day `token` names in `month`, refusing a year in its place and days the month never has."""
    day = token.value
    if token.kind == "num" and day >= 1000:
        _refuse_year(cursor, token, day)
    if not 1 <= day <= longest_day(month):
        raise CadenceError(
            f"{MONTH_NAMES[month]} has no {ordinal(day)}. Try 'the last day of {MONTH_NAMES[month].lower()}'."
        )
    return day


def _refuse_year(cursor: Cursor, token: Token, year: int) -> None:
    if token.kind == "numdate":
        kept = f"{token.value[0]}/{token.value[1]}"
    else:
        kept = ""
    before = cursor.source[:token.start].rstrip(" ,")
    without = " ".join(f"{before} {kept} {cursor.source[token.end:]}".split())
    raise CadenceError(f"Leave out the year: a date repeats every year "
                       f"(to begin in {year}, add starting {year}-01-01).", fixes=[without])


def ordinal(n: int) -> str:
    """Spell 1 as '1st', 22 as '22nd', -1 as 'last', -2 as '2nd to last'."""
    if n == -1:
        return "last"
    if n < 0:
        return f"{ordinal(-n)} to last"
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def bound_date(cursor: Cursor, token: Token, base: dt.date) -> dt.date:
    """Read a numeric bound ('until 12/31/2026', 'starting 4/1') in the person's date order."""
    month, day = numeric_date(cursor, token)
    year = token.value[2]
    return _real_date(year, month, day, token.text) if year else _on_or_after(base, month, day)


def calendar_date(phrase: str, base: dt.date) -> dt.date | None:
    """Read 'march 3' or '3rd of march, 2027'; without a year, the first one on or after `base`."""
    found = _MONTH_DAY.fullmatch(phrase)
    if found and _month(found[1]):
        month, day, year = _month(found[1]), int(found[2]), found[3]
    elif (found := _DAY_MONTH.fullmatch(phrase)) and _month(found[2]):
        month, day, year = _month(found[2]), int(found[1]), found[3]
    else:
        return None
    if not 1 <= day <= longest_day(month):
        raise CadenceError(f"{MONTH_NAMES[month]} has no {ordinal(day)}. Check the date.")
    if year:
        return _real_date(int(year), month, day, phrase)
    return _on_or_after(base, month, day)


def _on_or_after(base: dt.date, month: int, day: int) -> dt.date:
    for candidate in range(base.year, base.year + 9):  # February 29 comes back within eight years
        if day <= calendar.monthrange(candidate, month)[1] and dt.date(candidate, month, day) >= base:
            return dt.date(candidate, month, day)
    raise CadenceError(f"{MONTH_NAMES[month]} {day} doesn't come round. Check the date.")


def _month(word: str) -> int | None:
    kind, value = VOCABULARY.get(word, (None, None))
    return value if kind == "month" else None


def _real_date(year: int, month: int, day: int, phrase: str) -> dt.date:
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise CadenceError(f"'{phrase}' isn't a real date. Check the day and month.") from None
