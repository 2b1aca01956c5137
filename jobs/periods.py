"""The period a run covers, for every cadence family.

By default a report covers the whole period since the schedule's previous slot, in whole calendar
units of its zone: the unit is the rhythm the rule is written in (`period_unit`) — a rule that runs
on several days of the week counts days (a weekday report on Monday covers Friday to Sunday), one
weekday a week counts weeks, one day a month counts months (quarters and years when the months
line up with them), and a rule that runs several times a day counts exactly from one slot to the
next. "Every N hours after the last run" covers the time since the last run. An explicit window
("last 7 days", "month to date") overrides all that.

The slot decides the period, never the wall clock, so retries and catch-ups report the period of
their slot; Run now reports the period of the most recent slot (`run_now_period`) unless the person
chose another. reports/window.py cuts the calendar; this module knows the cadence.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any

from jobs.cadence import Cadence, model
from reports.errors import ReportError
from reports.registry import get_report_type
from reports.window import SCHEDULE_WINDOW, Window, compute_window, schedule_window

# How far back the previous slot is looked for, widening until one is found: a minute for
# minute-by-minute rules up to 29 years for February 29 on a Monday.
_LOOKBACKS = tuple(dt.timedelta(minutes=m) for m in (1, 10, 70, 7 * 60, 49 * 60)) + tuple(
    dt.timedelta(days=d) for d in (9, 33, 100, 370, 4 * 366, 29 * 366))
# Windows whose period is defined by the moment of the run, not by a slot.
_NOW_WINDOWS = ("week_to_date", "month_to_date", "quarter_to_date", "year_to_date", "since_previous_run")


@dataclass(frozen=True)
class Period:
    """What a run reports on: a window kind (the schedule's own period or an explicit one) and the
    instant it is taken at (`as_of`; None: the run's own slot)."""

    kind: str = SCHEDULE_WINDOW
    n: int = 7
    as_of: dt.datetime | None = None

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"kind": self.kind, "n": self.n}
        if self.as_of is not None:
            data["as_of"] = self.as_of.isoformat()
        return data


def setting_of(params: dict[str, Any] | None, default_window: str = SCHEDULE_WINDOW) -> Period:
    """The window a schedule's parameters ask for (its report type's default when they say none)."""
    params = params or {}
    try:
        n = int(params.get("window_n") or 7)
    except (TypeError, ValueError):
        n = 7
    return Period(str(params.get("window") or default_window), n)


def schedule_setting(report_type: str, params: dict[str, Any] | None) -> Period:
    """A schedule's window setting, its report type's default filling in."""
    try:
        default = get_report_type(report_type).default_window
    except ReportError:  # a type that is gone: its schedule still says what it was set to
        default = SCHEDULE_WINDOW
    return setting_of(params, default)


def period_of_run(setting: Period, stored: dict[str, Any] | None) -> Period:
    """A run's period: the schedule's setting, unless the run was started with its own (runs.period)."""
    if not isinstance(stored, dict):
        return setting
    kind = stored.get("kind") if isinstance(stored.get("kind"), str) else setting.kind
    n = stored.get("n") if isinstance(stored.get("n"), int) and not isinstance(stored.get("n"), bool) else setting.n
    as_of = None
    if isinstance(stored.get("as_of"), str):
        try:
            as_of = dt.datetime.fromisoformat(stored["as_of"])
        except ValueError:
            as_of = None
    return Period(kind, n, as_of if as_of is None or as_of.tzinfo else as_of.replace(tzinfo=dt.UTC))


def window_for(period: Period, *, slot: dt.datetime, cadence: Cadence | None, timezone: str, week_start: int = 0,
               last_run: dt.datetime | None = None) -> Window:
    """The window a run at `slot` covers (`last_run`: the slot of the schedule's previous finished run,
    for "since the previous run" and "every N hours after the last run")."""
    at = period.as_of or slot
    if period.kind != SCHEDULE_WINDOW:
        return compute_window(period.kind, at, timezone, n=period.n, previous_slot=last_run, week_start=week_start)
    if cadence is None:  # nothing to follow (a condition checked before its schedule exists): a day
        return compute_window("previous_day", at, timezone, week_start=week_start)
    unit = period_unit(cadence)
    if unit == "elapsed":
        step = dt.timedelta(minutes=cadence.spec.minutes)
        since = last_run if period.as_of is None and last_run is not None and last_run < at else at - step
        return schedule_window(at, since, timezone, "elapsed", fallback=step)
    return schedule_window(at, previous_slot(cadence, at), timezone, unit, week_start=week_start)


def run_now_period(setting: Period, cadence: Cadence | None, now: dt.datetime) -> Period:
    """What Run now covers: the period of the most recent slot, as the schedule last sent it, with
    today's data; windows defined by the moment (month to date) and elapsed rules are taken now."""
    if setting.kind in _NOW_WINDOWS or cadence is None or isinstance(cadence.spec, model.Elapsed):
        return replace(setting, as_of=None)
    return replace(setting, as_of=most_recent_slot(cadence, now))


@lru_cache(maxsize=65_536)
def period_unit(cadence: Cadence) -> str:
    """The calendar unit a cadence's periods are counted in (see the module docstring)."""
    spec = cadence.spec
    if isinstance(spec, model.Elapsed):
        return "elapsed"
    if isinstance(spec, model.Several):
        return "day" if _once_a_day(spec.parts) else "exact"
    if len(spec.times) > 1:
        return "exact"
    days = spec.days
    if isinstance(days, model.Weekdays):
        return "week" if len(days.days) == 1 else "day"
    if isinstance(days, model.YearDays):
        return "year" if len(days.dates) == 1 else "day"
    if isinstance(days, model.CronDays):
        return _cron_unit(days, spec.months)
    once_a_month = (isinstance(days, model.MonthDays) and len(days.days) == 1) or (
        isinstance(days, model.NthWeekdays) and len(days.items) == 1) or (
        isinstance(days, model.BusinessDays) and len(days.nth) == 1)
    return _month_grain(spec.months) if once_a_month else "day"


def _cron_unit(days: model.CronDays, months: tuple[int, ...]) -> str:
    every_monthday, every_weekday = set(days.monthdays) >= set(range(1, 32)), set(days.weekdays) >= set(range(7))
    if every_monthday and not every_weekday:
        return "week" if len(days.weekdays) == 1 else "day"
    if every_weekday and not every_monthday and len(days.monthdays) == 1:
        return _month_grain(months)
    return "day"


def _month_grain(months: tuple[int, ...]) -> str:
    """Months, or quarters and years when the months a rule runs in line up with them."""
    ordered = sorted(set(months))
    if len(ordered) == 1 and ordered[0] in (1, 12):
        return "year"
    if ordered in ([1, 4, 7, 10], [3, 6, 9, 12]):
        return "quarter"
    return "month"


def _once_a_day(parts: tuple[model.Calendar, ...]) -> bool:
    """True when rules run together can never fire twice on one local day."""
    if any(len(part.times) > 1 for part in parts):
        return False
    if len({part.times for part in parts}) == 1:  # one time of day: merged runs fire once a day
        return True
    return all(not _may_share_a_day(a, b) for i, a in enumerate(parts) for b in parts[i + 1:])


def _may_share_a_day(a: model.Calendar, b: model.Calendar) -> bool:
    if not set(a.months) & set(b.months):
        return False
    if isinstance(a.days, model.Weekdays) and isinstance(b.days, model.Weekdays):
        return bool(set(a.days.days) & set(b.days.days))
    if isinstance(a.days, model.MonthDays) and isinstance(b.days, model.MonthDays) \
            and min(a.days.days + b.days.days) > 0:  # counted from the start: the 31st is never the 30th
        return bool(set(a.days.days) & set(b.days.days))
    return True  # other day rules could meet; count exactly between slots to be safe


def previous_slot(cadence: Cadence, slot: dt.datetime) -> dt.datetime | None:
    """The cadence's last slot before `slot`; before its first one (a count, a start date), where the
    rule would have run without those bounds."""
    return _last_before(cadence, slot) or _last_before(_unbounded(cadence), slot)


def most_recent_slot(cadence: Cadence, at: dt.datetime) -> dt.datetime | None:
    """The cadence's latest slot at or before `at` (what the schedule last sent, or would have)."""
    return previous_slot(cadence, at + dt.timedelta(microseconds=1))


def _last_before(cadence: Cadence, instant: dt.datetime) -> dt.datetime | None:
    for back in _LOOKBACKS:
        runs = cadence.next_runs(instant - back, 1)  # one run tells whether this look back reaches a slot
        if not runs or runs[0] >= instant:
            continue
        found, page = runs[0], 8
        while True:  # walk on to the last slot before `instant`: few, the look backs widen slowly
            runs = cadence.next_runs(found, page)
            earlier = [run for run in runs if run < instant]
            if earlier:
                found = earlier[-1]
            if len(earlier) < len(runs) or len(runs) < page:
                return found
            page *= 2
    return None


@lru_cache(maxsize=4096)
def _unbounded(cadence: Cadence) -> Cadence:
    """The same rule without its start, end and count (an every-N-weeks rule keeps its phase)."""
    spec = cadence.spec
    if isinstance(spec, model.Several):
        opened: Any = replace(spec, parts=tuple(_open(part) for part in spec.parts), first=None, count=None)
    elif isinstance(spec, model.Calendar):
        opened = _open(spec)
    else:
        return cadence
    return cadence if opened == spec else Cadence(cadence.text, opened, cadence.timezone)


def _open(part: model.Calendar) -> model.Calendar:
    start = None
    if isinstance(part.days, model.Weekdays) and part.days.every > 1 and part.start:
        # Moved back by whole rhythms, so the weeks it runs in stay the same weeks.
        start = part.start - dt.timedelta(weeks=part.days.every * 60)
    return replace(part, start=start, until=None, first=None, count=None)
