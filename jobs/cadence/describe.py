"""Describe: render a rule as an English sentence that parses back to the same rule."""

from __future__ import annotations

import itertools

from jobs.cadence.display import cron_text
from jobs.cadence.grammar_days import DAY_NAMES, MONTH_NAMES, longest_day, ordinal
from jobs.cadence.model import (
    ALL_DAYS,
    ALL_MONTHS,
    WORKWEEK,
    BusinessDays,
    Calendar,
    CronDays,
    Elapsed,
    MonthDays,
    Spec,
    Weekdays,
    YearDays,
)
from jobs.cadence.resolve import DAY_MINUTES, QUARTER_ENDS, QUARTER_STARTS

_LISTED_TIMES = 4  # up to this many times read better as a list than as "every N minutes"
_LISTED_DATES = 4


def describe(spec: Spec, zone: str) -> str:
    """Say when the rule fires, in a sentence `parse` reads back."""
    if isinstance(spec, Elapsed):
        return f"Every {_elapsed_span(spec.minutes)} after the last run in {zone}"
    if isinstance(spec.days, CronDays):
        return f"Cron '{cron_text(spec)}' in {zone}"  # "the 1st or any monday" has no plain-English form here
    grid = _grid(spec.times)
    if grid:
        sentence = " ".join(part for part in (grid, _days(spec, leading=False)) if part)
    else:
        sentence = f"{_days(spec, leading=True)} at {_list(_clock(t) for t in spec.times)}"
    return sentence[0].upper() + sentence[1:] + _extras(spec, zone)


def _extras(spec: Calendar, zone: str) -> str:
    parts = []
    if spec.start:
        parts.append(f" starting {spec.start.isoformat()}")
    if spec.until:
        parts.append(f" until {spec.until.isoformat()}")
    if spec.holidays:
        parts.append(f", skipping {'-'.join(p for p in spec.holidays if p)} holidays")
    parts.append(f" in {zone}")
    return "".join(parts)


def _days(spec: Calendar, leading: bool) -> str:
    days = spec.days
    yearly = "every year on " if leading else "on "  # "every year" would clash with "every 2 hours"
    if isinstance(days, Weekdays):
        return " ".join(part for part in (_weekdays(days, leading), _month_list(spec.months)) if part)
    if isinstance(days, YearDays):
        return yearly + _list(f"{MONTH_NAMES[m]} {d}" for m, d in days.dates)
    if isinstance(days, MonthDays) and _yearly_dates(spec):
        return yearly + _list(f"{MONTH_NAMES[m]} {d}" for m in spec.months for d in days.days)
    return "on the " + _positions(days) + " of " + _scope(spec, days)


def _weekdays(days: Weekdays, leading: bool) -> str:
    names = _list(DAY_NAMES[d] for d in days.days)
    if days.every == 1:
        if days.days == ALL_DAYS:
            return "every day" if leading else ""
        if days.days == WORKWEEK:
            return "every weekday" if leading else "on weekdays"
        return f"every {names}" if leading else f"on {names}"
    if days.every == 2 and len(days.days) == 1:
        return f"every other {names}"
    every = "every other week" if days.every == 2 else f"every {days.every} weeks"
    return f"{every} on {names}"


def _positions(days) -> str:
    if isinstance(days, MonthDays):
        return _list(ordinal(n) for n in days.days) + (" day" if -1 in days.days else "")
    if isinstance(days, BusinessDays):
        return _list(ordinal(n) for n in days.nth) + " business day"
    groups: dict[tuple[int, ...], list[int]] = {}
    for weekday in sorted({d for _, d in days.items}):
        groups.setdefault(tuple(n for n, d in days.items if d == weekday), []).append(weekday)
    return " and the ".join(f"{_list(ordinal(n) for n in ords)} {_list(DAY_NAMES[d] for d in weekdays)}"
                            for ords, weekdays in groups.items())


def _scope(spec: Calendar, days) -> str:
    if spec.months == ALL_MONTHS:
        return "every month"
    numbers = _numbers(days)
    if (spec.months == QUARTER_ENDS and all(n < 0 for n in numbers)
            or spec.months == QUARTER_STARTS and all(n > 0 for n in numbers)):
        return "each quarter"
    return _list(MONTH_NAMES[m] for m in spec.months)


def _numbers(days) -> list[int]:
    if isinstance(days, MonthDays):
        return list(days.days)
    if isinstance(days, BusinessDays):
        return list(days.nth)
    return [n for n, _ in days.items]


def _yearly_dates(spec: Calendar) -> bool:
    days = spec.days.days
    quarterly = spec.months in (QUARTER_STARTS, QUARTER_ENDS)
    return (spec.months != ALL_MONTHS and not quarterly and min(days) > 0
            and len(days) * len(spec.months) <= _LISTED_DATES
            and all(d <= longest_day(m) for m in spec.months for d in days))


def _month_list(months: tuple[int, ...]) -> str:
    return "" if months == ALL_MONTHS else "in " + _list(MONTH_NAMES[m] for m in months)


def _grid(times: tuple[int, ...]) -> str | None:
    """Say 'every 15 minutes (from A to B)' when the times form an even grid."""
    if len(times) < 2:
        return None
    step = times[1] - times[0]
    if any(b - a != step for a, b in itertools.pairwise(times)):
        return None
    whole_day = times[0] < step and times[-1] + step >= DAY_MINUTES
    if whole_day and len(times) > 2 and times[0] == 0:
        return f"every {_span(step)}"
    if whole_day and len(times) > 2 and step % 60 == 0 and times[0] < 60:
        return f"every {_span(step)} at :{times[0]:02d}"
    if len(times) <= _LISTED_TIMES:
        return None
    return f"every {_span(step)} from {_clock(times[0])} to {_clock(times[-1])}"


def _span(minutes: int) -> str:
    if minutes == 1:
        return "minute"
    if minutes == 60:
        return "hour"
    return f"{minutes // 60} hours" if minutes % 60 == 0 else f"{minutes} minutes"


def _elapsed_span(minutes: int) -> str:
    weeks = minutes // (7 * DAY_MINUTES)
    if minutes % (7 * DAY_MINUTES) == 0:
        return "week" if weeks == 1 else f"{weeks} weeks"
    return _span(minutes)  # "24 hours", not "day": elapsed time ignores the wall clock


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _list(items) -> str:
    items = list(items)
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]
