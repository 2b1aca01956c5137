"""Day selection: which days of a given month a day rule picks."""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Callable, Container
from functools import lru_cache

from jobs.cadence.model import (
    BusinessDays,
    CronDays,
    DaySpec,
    MonthDays,
    NthWeekdays,
    Weekdays,
    YearDays,
)

NO_HOLIDAYS: frozenset[dt.date] = frozenset()


def week_index(day: dt.date) -> int:
    """Number the Monday-to-Sunday week that contains `day`."""
    return (day.toordinal() - 1) // 7  # ordinal 1 (0001-01-01) is a Monday


@lru_cache(maxsize=64)
def holiday_calendar(country: str, subdivision: str | None) -> Container[dt.date]:
    """Load a `holidays` calendar once per process; it grows its years lazily."""
    import holidays  # imported lazily: most schedules name no calendar

    return holidays.country_holidays(country, subdiv=subdivision)


@lru_cache(maxsize=32_768)
def shared_month_days(spec: DaySpec, holidays: tuple[str, str | None] | None, year: int, month: int,
                      phase: int | None) -> tuple[int, ...]:
    """`month_days`, shared by every rule with the same day selection.

    At 09:00 the tick compiles thousands of distinct rules (each its own times and zone) that pick
    the same few day patterns ("weekdays", "the 1st and 15th"); each month is worked out once.
    """
    skip = holiday_calendar(*holidays) if holidays else NO_HOLIDAYS
    return month_days(spec, year, month, phase, skip)


def month_days(spec: DaySpec, year: int, month: int, phase: int | None, skip: Container[dt.date]) -> tuple[int, ...]:
    """List the selected days of one month, in order, without holidays."""
    length = calendar.monthrange(year, month)[1]
    first_weekday = calendar.weekday(year, month, 1)
    picked = sorted(set(_PICKERS[type(spec)](spec, year, month, length, first_weekday, phase, skip)))
    if skip is NO_HOLIDAYS:
        return tuple(picked)
    return tuple(day for day in picked if dt.date(year, month, day) not in skip)


def _weekdays(spec: Weekdays, year: int, month: int, length: int, first: int, phase: int | None, skip) -> list[int]:
    wanted = set(spec.days)
    days = [d for d in range(1, length + 1) if (first + d - 1) % 7 in wanted]
    if spec.every > 1 and phase is not None:
        days = [d for d in days if week_index(dt.date(year, month, d)) % spec.every == phase]
    return days


def _monthdays(spec: MonthDays, year: int, month: int, length: int, first: int, phase, skip) -> list[int]:
    return [length + 1 + d if d < 0 else d for d in spec.days if -length <= d <= length]


def _nth(spec: NthWeekdays, year: int, month: int, length: int, first: int, phase, skip) -> list[int]:
    days = []
    for n, weekday in spec.items:
        first_hit = 1 + (weekday - first) % 7
        hits = list(range(first_hit, length + 1, 7))
        if -len(hits) <= n <= len(hits):
            days.append(hits[n if n < 0 else n - 1])
    return days


def _business(spec: BusinessDays, year: int, month: int, length: int, first: int, phase, skip) -> list[int]:
    open_days = [d for d in range(1, length + 1)
                 if (first + d - 1) % 7 < 5 and dt.date(year, month, d) not in skip]
    return [open_days[n if n < 0 else n - 1] for n in spec.nth if -len(open_days) <= n <= len(open_days) and n]


def _yeardays(spec: YearDays, year: int, month: int, length: int, first: int, phase, skip) -> list[int]:
    return [d for m, d in spec.dates if m == month and d <= length]


def _cron(spec: CronDays, year: int, month: int, length: int, first: int, phase, skip) -> list[int]:
    by_date = set(spec.monthdays)
    by_weekday = set(spec.weekdays)
    join: Callable[[bool, bool], bool] = (lambda a, b: a or b) if spec.either else (lambda a, b: a and b)
    return [d for d in range(1, length + 1) if join(d in by_date, (first + d - 1) % 7 in by_weekday)]


_PICKERS = {
    Weekdays: _weekdays,
    MonthDays: _monthdays,
    NthWeekdays: _nth,
    BusinessDays: _business,
    YearDays: _yeardays,
    CronDays: _cron,
}
