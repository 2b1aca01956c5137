"""The day-field extensions croniter and Quartz accept: 'L' (last day), '5L'/'L5' (last Friday), '5#3'."""

from __future__ import annotations

import re

from jobs.cadence.errors import CadenceError
from jobs.cadence.model import BusinessDays, MonthDays, NthWeekdays

_LAST_DAY = re.compile(r"l(?:-(\d{1,2}))?")
_NTH = re.compile(r"(\w+)#(\d+)")
_LAST_WEEKDAY = re.compile(r"l(\w+)|(\w+)l")
_MIXED = ("I can't combine 'L' or '#' with the other day field or with plain days. Use two schedules, "
          "e.g. '0 9 L * *' and '0 9 * * 5#3'.")


def extended_days(monthday_field: str, weekday_field: str,
                  weekday_number) -> BusinessDays | MonthDays | NthWeekdays | None:
    """Read 'L', 'L-3', 'LW', '5L', 'fri#2'; None when neither day field uses them.

    `weekday_number` reads a cron weekday ('5', 'fri') as 0–7 with Sunday 0.
    """
    if monthday_field in ("lw", "wl") and weekday_field in ("*", "?"):
        return BusinessDays((-1,))  # the last weekday of the month
    if "w" in monthday_field:
        raise CadenceError("I don't run on 'the weekday nearest a date' (cron 'W'). Try 'the last business day of "
                           "the month' or 'the first business day of the month'.")
    last_day = _LAST_DAY.fullmatch(monthday_field)
    nth = "#" in weekday_field or "l" in weekday_field
    if not (last_day or nth):
        return None
    if last_day and (nth or weekday_field not in ("*", "?")) or nth and monthday_field not in ("*", "?"):
        raise CadenceError(_MIXED)
    if last_day:
        before = int(last_day[1] or 0)
        if before > 27:
            raise CadenceError(f"'L-{before}' is before the start of some months; use at most L-27.")
        return MonthDays((-(before + 1),))
    items = set()
    for item in weekday_field.split(","):
        if found := _NTH.fullmatch(item):
            n = int(found[2])
            if not 1 <= n <= 5:
                raise CadenceError(f"'{item}' asks for week {n} of a month; use 1 to 5, e.g. '0 9 * * fri#3'.")
            items.add((n, _monday_first(weekday_number(found[1]))))
        elif found := _LAST_WEEKDAY.fullmatch(item):
            items.add((-1, _monday_first(weekday_number(found[1] or found[2]))))
        else:
            raise CadenceError(_MIXED)
    return NthWeekdays(tuple(sorted(items, key=lambda pair: (pair[0] < 0, pair))))


def _monday_first(cron_day: int) -> int:
    return (cron_day - 1) % 7
