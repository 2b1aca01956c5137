"""Windows in words: the phrase people read ("the previous week", "the 3 days since the previous
report") and the period words they type ("for last month", "last 7 days") read back into a kind."""

from __future__ import annotations

import datetime as dt
import re

from reports.window import MAX_N, SCHEDULE_WINDOW, Window

_FIXED_PHRASES = {
    "previous_day": "the previous day",
    "previous_week": "the previous week",
    "previous_month": "the previous month",
    "previous_quarter": "the previous quarter",
    "previous_year": "the previous year",
    "week_to_date": "the week so far",
    "month_to_date": "the month so far",
    "quarter_to_date": "the quarter so far",
    "year_to_date": "the year so far",
    "since_previous_run": "the time since the previous run",
}


def window_phrase(window: Window) -> str:
    """What the window covers, in words that fit "covers …" ("the previous week")."""
    if window.kind == SCHEDULE_WINDOW:
        return _period_phrase(window)
    if window.kind == "last_n_days":
        return _count("the last", _local_days(window), "day")
    if window.kind == "last_n_hours":
        return _count("the last", round((window.end - window.start) / dt.timedelta(hours=1)), "hour")
    return _FIXED_PHRASES.get(window.kind, window.kind.replace("_", " "))


def setting_phrase(kind: str, n: int = 7) -> str:
    """What a window setting covers, before any run ("the last 7 days"; the schedule's own period
    depends on the cadence, so it is said by jobs.views.period_words)."""
    if kind == "last_n_days":
        return _count("the last", n, "day")
    if kind == "last_n_hours":
        return _count("the last", n, "hour")
    if kind == SCHEDULE_WINDOW:
        return "the whole period since the previous report"
    return _FIXED_PHRASES.get(kind, kind.replace("_", " "))


def _period_phrase(window: Window) -> str:
    unit = window.unit
    if unit == "day":
        days = _local_days(window)
        return "the previous day" if days == 1 else f"the {days} days since the previous report"
    if unit == "week":
        return _count("the previous", _local_days(window) // 7, "week")
    if unit in ("month", "quarter", "year"):
        first, end = window.local_start.date(), window.local_end.date()
        months = (end.year - first.year) * 12 + end.month - first.month
        if unit == "year" and months % 12 == 0:
            return _count("the previous", months // 12, "year")
        if unit == "quarter" and months % 3 == 0:
            return _count("the previous", months // 3, "quarter")
        return _count("the previous", months, "month")
    if unit == "elapsed":
        return "the time since the previous run"
    length = window.end - window.start
    hours, minutes = divmod(int(length.total_seconds()) // 60, 60)
    if length % dt.timedelta(minutes=1) == dt.timedelta(0):
        if minutes == 0 and 0 < hours <= 48:
            return _count("the last", hours, "hour")
        if hours * 60 + minutes < 120:
            return _count("the last", hours * 60 + minutes, "minute")
    return "the time since the previous report"


def _count(prefix: str, amount: int, noun: str) -> str:
    return f"{prefix} {noun}" if amount == 1 else f"{prefix} {amount:,} {noun}s"


def _local_days(window: Window) -> int:
    return (window.local_end.date() - window.local_start.date()).days


# Period words as people type them after "for" ("/report run weekly sales for last month").
_WORDS = {
    "yesterday": "previous_day", "previous day": "previous_day", "last day": "previous_day",
    "last week": "previous_week", "previous week": "previous_week",
    "last month": "previous_month", "previous month": "previous_month",
    "last quarter": "previous_quarter", "previous quarter": "previous_quarter",
    "last year": "previous_year", "previous year": "previous_year",
    "this week": "week_to_date", "week to date": "week_to_date", "week so far": "week_to_date", "wtd": "week_to_date",
    "this month": "month_to_date", "month to date": "month_to_date", "month so far": "month_to_date",
    "mtd": "month_to_date",
    "this quarter": "quarter_to_date", "quarter to date": "quarter_to_date", "qtd": "quarter_to_date",
    "this year": "year_to_date", "year to date": "year_to_date", "year so far": "year_to_date", "ytd": "year_to_date",
    "since the last run": "since_previous_run", "since the previous run": "since_previous_run",
    "since last run": "since_previous_run",
    "as scheduled": SCHEDULE_WINDOW, "as the schedule": SCHEDULE_WINDOW, "the usual period": SCHEDULE_WINDOW,
    "its period": SCHEDULE_WINDOW,
}
_LAST_N = re.compile(r"^(?:last|past|previous)\s+(\d{1,5})\s+(day|hour)s?$")
_LEAD = re.compile(r"^(?:for|covering|over)\s+")


def period_phrases_pattern() -> str:
    """A regular expression (no groups) for every period phrase `parse_period_words` reads, without its
    leading "for"/"covering": one-liners find "covering …" with it, so both know the same words."""
    fixed = sorted(_WORDS, key=len, reverse=True)
    return (r"(?:the\s+)?(?:" + "|".join(r"\s+".join(map(re.escape, p.split())) for p in fixed)
            + r"|(?:last|past|previous)\s+\d{1,5}\s+(?:day|hour)s?)(?![\w'’])")


def parse_period_words(text: str) -> tuple[str, int] | None:
    """Read "last week", "for the last 7 days", "month to date" as (window kind, n); None if it is
    not a period (the caller then treats the words as something else, such as a schedule's name)."""
    words = " ".join((text or "").lower().replace("-", " ").split())[:80]
    words = _LEAD.sub("", words)
    words = re.sub(r"^the\s+", "", words)
    if words in _WORDS:
        return _WORDS[words], 7
    match = _LAST_N.match(words)
    if match and 1 <= int(match.group(1)) <= MAX_N:
        return f"last_n_{match.group(2)}s", int(match.group(1))
    return None
