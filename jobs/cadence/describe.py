"""Describe: render a rule as an English sentence that parses back to the same rule."""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import replace
from zoneinfo import ZoneInfo

from jobs.cadence.dates import MONTH_NAMES, longest_day, ordinal
from jobs.cadence.display import consecutive, cron_text
from jobs.cadence.engine import compile_spec
from jobs.cadence.grammar_days import DAY_NAMES
from jobs.cadence.model import (
    ALL_DAYS,
    ALL_MONTHS,
    WORKWEEK,
    BusinessDays,
    Calendar,
    CronDays,
    Elapsed,
    MonthDays,
    Several,
    Spec,
    Weekdays,
    YearDays,
)
from jobs.cadence.resolve import DAY_MINUTES, QUARTER_ENDS, QUARTER_STARTS

WEEKEND = (5, 6)

_LISTED_TIMES = 4  # up to this many times read better as a list than as "every N minutes"
_LISTED_DATES = 4
_LISTED_MONTHS = 6  # more months than this are said as the ones left out


def describe(spec: Spec, zone: str) -> str:
    """Say when the rule fires, in a sentence `parse` reads back."""
    if isinstance(spec, Elapsed):
        return f"Every {_elapsed_span(spec.minutes)} after the last run in {zone}"
    if isinstance(spec.days if isinstance(spec, Calendar) else None, CronDays) and spec.days.either:
        return f"Cron '{cron_text(spec)}' in {zone}"  # "the 1st or any monday" has no plain-English form here
    if isinstance(spec, Several):
        # Each part names its own days and times, so the sentence splits back into the same rules;
        # parts that contain an "and" themselves are joined by ";", which `parse` cuts at first.
        rules = [_rule(part, complete=True) for part in spec.parts]
        sentence = ("; " if any(" and " in rule for rule in rules) else " and ").join(rules)
        shared = spec.parts[0]
    else:
        sentence, shared = _rule(spec, complete=False), spec
    return sentence[0].upper() + sentence[1:] + _extras(shared, spec, zone)


def _rule(spec: Calendar, complete: bool) -> str:
    grid = _grid(spec.times)
    if grid:
        days = _days(spec, leading=False) or ("every day" if complete else "")
        return " ".join(part for part in (grid, days) if part)
    return f"{_days(spec, leading=True)} at {_list(_clock(t) for t in spec.times)}"


def _extras(spec: Calendar, limits: Calendar | Several, zone: str) -> str:
    parts = []
    if limits.first:
        parts.append(f" starting {_first(limits, zone)}")
    elif spec.start:
        parts.append(f" starting {spec.start.isoformat()}")
    if spec.until:
        parts.append(f" until {spec.until.isoformat()}")
    if limits.count:
        parts.append(f", {limits.count} time{'s' if limits.count > 1 else ''}")
    if spec.holidays:
        parts.append(f", skipping {'-'.join(p for p in spec.holidays if p)} holidays")
    if spec.skip:
        parts.append(f", except on {_skipped(spec.skip)}")
    parts.append(f" in {zone}")
    return "".join(parts)


def _first(spec: Calendar | Several, zone: str) -> str:
    """Say the first instant as its local date when it is that day's first run, else date and time."""
    local = spec.first.astimezone(ZoneInfo(zone))
    midnight = dt.datetime.combine(local.date(), dt.time(), ZoneInfo(zone)) - dt.timedelta(microseconds=1)
    unbounded = compile_spec(replace(spec, first=None, count=None), zone).next_runs(midnight, 1)
    return local.date().isoformat() if unbounded[:1] == [spec.first] else f"{local:%Y-%m-%dT%H:%M}"


def _skipped(skip: tuple[tuple[int, int], ...]) -> str:
    items = [ordinal(day) for month, day in skip if month == 0]
    for month in sorted({month for month, _ in skip if month}):
        days = sorted(day for m, day in skip if m == month)
        for run in consecutive(days):
            name = MONTH_NAMES[month]
            items += [f"{name} {run[0]} to {run[-1]}"] if len(run) > 2 else [f"{name} {d}" for d in run]
    return ("the " if skip[0][0] == 0 else "") + _list(items)


def _days(spec: Calendar, leading: bool) -> str:
    days = spec.days
    yearly = "every year on " if leading else "on "  # "every year" would clash with "every 2 hours"
    if isinstance(days, Weekdays):
        return " ".join(part for part in (_weekdays(days, leading), _month_list(spec.months)) if part)
    if isinstance(days, YearDays):
        return yearly + _list(f"{MONTH_NAMES[m]} {d}" for m, d in days.dates)
    if isinstance(days, MonthDays) and _yearly_dates(spec):
        return yearly + _list(f"{MONTH_NAMES[m]} {d}" for m in spec.months for d in days.days)
    if isinstance(days, CronDays):  # "every friday the 13th": both day fields must match
        weekday_dates = (f"every {_list(DAY_NAMES[d] for d in days.weekdays)} the "
                         f"{_list(ordinal(n) for n in days.monthdays)}")
        return " ".join(part for part in (weekday_dates, _month_list(spec.months)) if part)
    return "on the " + _positions(days) + " of " + _scope(spec, days)


def _weekdays(days: Weekdays, leading: bool) -> str:
    names = _list(DAY_NAMES[d] for d in days.days)
    if days.every == 1:
        if days.days == ALL_DAYS:
            return "every day" if leading else ""
        if days.days == WORKWEEK:
            return "every weekday" if leading else "on weekdays"
        if days.days == WEEKEND:
            return "every weekend" if leading else "on weekends"
        return f"every {names}" if leading else f"on {names}"
    if days.every == 2 and (len(days.days) == 1 or days.days == WEEKEND):
        return "every other weekend" if days.days == WEEKEND else f"every other {names}"
    every = "every other week" if days.every == 2 else f"every {days.every} weeks"
    return f"{every} on {names}"


def _positions(days) -> str:
    if isinstance(days, MonthDays):
        return _list(ordinal(n) for n in days.days) + (" day" if min(days.days) < 0 else "")
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
    if len(spec.months) > _LISTED_MONTHS:
        return "every month " + _month_list(spec.months)
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
    if len(months) > _LISTED_MONTHS:  # "except in May" reads better than eleven month names
        return ("except in " + _list(MONTH_NAMES[m] for m in ALL_MONTHS if m not in months)
                if months != ALL_MONTHS else "")
    return "in " + _list(MONTH_NAMES[m] for m in months)


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
