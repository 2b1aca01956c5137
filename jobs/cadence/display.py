"""Normalised rule text for display: cron when cron can say it exactly, else RRULE."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from jobs.cadence.model import (
    ALL_DAYS,
    ALL_MONTHS,
    BusinessDays,
    Calendar,
    CronDays,
    Elapsed,
    MonthDays,
    NthWeekdays,
    Several,
    Spec,
    Weekdays,
    YearDays,
)

_ELAPSED_UNITS = ((7 * 24 * 60, "WEEKLY"), (60, "HOURLY"), (1, "MINUTELY"))
_RRULE_DAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]


def rule_text(spec: Spec, zone: str) -> str:
    """Render the rule with its zone, e.g. 'CRON_TZ=Europe/Berlin 0 9 * * 1-5'."""
    if isinstance(spec, Elapsed):
        size, freq = next((size, freq) for size, freq in _ELAPSED_UNITS if spec.minutes % size == 0)
        return f"RRULE:FREQ={freq};INTERVAL={spec.minutes // size};X-FROM=LAST-RUN"
    cron = cron_text(spec) if isinstance(spec, Calendar) else None
    if cron:
        return f"CRON_TZ={zone} {cron}"
    parts = spec.parts if isinstance(spec, Several) else (spec,)
    bodies = [body for part in parts for body in rrule_bodies(part)]
    head = [f"TZID={zone}"] + _dtstart(parts[0], spec.first, zone)
    if spec.count and len(bodies) == 1:
        bodies = [f"{bodies[0]};COUNT={spec.count}"]
    elif spec.count:
        head.append(f"X-COUNT={spec.count}")  # RRULE's COUNT is per rule; this one counts the merged runs
    return " ".join(head + [f"RRULE:{body}" for body in bodies] + _exrules(parts[0].skip))


def _dtstart(part: Calendar, first: dt.datetime | None, zone: str) -> list[str]:
    if first:
        return [f"DTSTART={first.astimezone(ZoneInfo(zone)):%Y%m%dT%H%M%S}"]
    return [f"DTSTART={part.start:%Y%m%d}"] if part.start else []


def _exrules(skip: tuple[tuple[int, int], ...]) -> list[str]:
    # RFC 5545 dropped EXRULE, but it is the one way to write a date skipped every year.
    by_month: dict[int, list[int]] = {}
    for month, day in skip:
        by_month.setdefault(month, []).append(day)
    return [f"EXRULE:FREQ={'MONTHLY' if month == 0 else f'YEARLY;BYMONTH={month}'};"
            f"BYMONTHDAY={','.join(map(str, days))}" for month, days in by_month.items()]


def cron_text(spec: Calendar) -> str | None:
    """Write the rule as 5-field cron, or None when cron cannot say it exactly."""
    if spec.start or spec.until or spec.holidays or spec.skip or spec.first:
        return None
    days = _cron_days(spec.days)
    hours = sorted({t // 60 for t in spec.times})
    minutes = sorted({t % 60 for t in spec.times})
    if not days or len(hours) * len(minutes) != len(spec.times):
        return None
    return " ".join([_cron_list(minutes, 0, 59), _cron_list(hours, 0, 23), days[0],
                     _cron_list(list(spec.months), 1, 12), days[1]])


def _cron_days(days) -> tuple[str, str] | None:
    if isinstance(days, Weekdays) and days.every == 1:
        return "*", _cron_list(sorted((d + 1) % 7 for d in days.days), 0, 6)
    if isinstance(days, MonthDays) and min(days.days) > 0:
        return _cron_list(list(days.days), 1, 31), "*"
    if isinstance(days, CronDays):
        # Vixie cron ANDs the day fields when one starts with '*', so OR needs plain lists.
        fields = (_cron_list(list(days.monthdays), 1, 31, steps=not days.either),
                  _cron_list(sorted((d + 1) % 7 for d in days.weekdays), 0, 6, steps=not days.either))
        if days.either or any(field.startswith("*") for field in fields):
            return fields
    return None


def _cron_list(values: list[int], low: int, high: int, steps: bool = True) -> str:
    if steps and values == list(range(low, high + 1)):
        return "*"
    if steps and len(values) > 3:
        step = values[1] - values[0]
        if values == list(range(values[0], high + 1, step)) and values[0] - step < low:
            return f"*/{step}" if values[0] == low else f"{values[0]}-{high}/{step}"
    return ",".join(_runs(values))


def _runs(values: list[int]) -> list[str]:
    return [f"{run[0]}-{run[-1]}" if len(run) > 2 else ",".join(map(str, run)) for run in consecutive(values)]


def consecutive(values: list[int]) -> list[list[int]]:
    """Group sorted numbers into runs of consecutive ones: [1, 2, 3, 7] → [[1, 2, 3], [7]]."""
    runs: list[list[int]] = []
    for value in values:
        if runs and value == runs[-1][-1] + 1:
            runs[-1].append(value)
        else:
            runs.append([value])
    return runs


def rrule_bodies(spec: Calendar) -> list[str]:
    """Write the rule as one or more RFC 5545 RRULE bodies."""
    extras = []
    if spec.months != ALL_MONTHS and not isinstance(spec.days, YearDays):
        extras.append("BYMONTH=" + ",".join(map(str, spec.months)))
    if spec.until:
        extras.append(f"UNTIL={spec.until:%Y%m%d}T235959")
    if spec.holidays:
        extras.append("X-SKIP-HOLIDAYS=" + "-".join(part for part in spec.holidays if part))
    return [";".join([day_part, *extras, time_part])
            for day_part in _rrule_days(spec.days) for time_part in _rrule_times(spec.times)]


def _rrule_days(days) -> list[str]:
    if isinstance(days, Weekdays):
        if days.days == ALL_DAYS and days.every == 1:
            return ["FREQ=DAILY"]
        interval = f"INTERVAL={days.every};WKST=MO;" if days.every > 1 else ""
        return [f"FREQ=WEEKLY;{interval}BYDAY={_byday(days.days)}"]
    if isinstance(days, MonthDays):
        return ["FREQ=MONTHLY;BYMONTHDAY=" + ",".join(map(str, days.days))]
    if isinstance(days, NthWeekdays):
        return ["FREQ=MONTHLY;BYDAY=" + ",".join(f"{n}{_RRULE_DAYS[d]}" for n, d in days.items)]
    if isinstance(days, BusinessDays):
        return ["FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=" + ",".join(map(str, days.nth))]
    if isinstance(days, YearDays):
        return [f"FREQ=YEARLY;BYMONTH={m};BYMONTHDAY={d}" for m, d in days.dates]
    monthdays = "BYMONTHDAY=" + ",".join(map(str, days.monthdays))
    weekdays = "BYDAY=" + _byday(days.weekdays)
    if days.either:
        return [f"FREQ=MONTHLY;{monthdays}", f"FREQ=WEEKLY;{weekdays}"]
    return [f"FREQ=MONTHLY;{monthdays};{weekdays}"]


def _byday(days: tuple[int, ...]) -> str:
    return ",".join(_RRULE_DAYS[d] for d in days)


def _rrule_times(times: tuple[int, ...]) -> list[str]:
    # RRULE crosses BYHOUR with BYMINUTE, so group hours that share the same minutes.
    by_hour: dict[int, list[int]] = {}
    for t in times:
        by_hour.setdefault(t // 60, []).append(t % 60)
    groups: dict[tuple[int, ...], list[int]] = {}
    for hour, minutes in by_hour.items():
        groups.setdefault(tuple(minutes), []).append(hour)
    return [f"BYHOUR={','.join(map(str, hours))};BYMINUTE={','.join(map(str, minutes))}"
            for minutes, hours in groups.items()]
