"""Rule model: what a cadence selects, independent of how the user typed it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

ALL_MONTHS: tuple[int, ...] = tuple(range(1, 13))
ALL_DAYS: tuple[int, ...] = tuple(range(7))
WORKWEEK: tuple[int, ...] = (0, 1, 2, 3, 4)
NINE_AM = 9 * 60


@dataclass(frozen=True)
class Weekdays:
    """Days of the week (0 = Monday), optionally every N weeks."""

    days: tuple[int, ...] = ALL_DAYS
    every: int = 1


@dataclass(frozen=True)
class MonthDays:
    """Days of the month; negative days count from the end (-1 is the last day, -3 the third to last)."""

    days: tuple[int, ...]


@dataclass(frozen=True)
class NthWeekdays:
    """The nth weekday of a month as (n, weekday) pairs; negative n counts from the end (-1 is the last)."""

    items: tuple[tuple[int, int], ...]


@dataclass(frozen=True)
class BusinessDays:
    """The nth business day of a month; -1 is the last."""

    nth: tuple[int, ...]


@dataclass(frozen=True)
class YearDays:
    """Fixed (month, day) dates that are not a plain months-by-days grid."""

    dates: tuple[tuple[int, int], ...]


@dataclass(frozen=True)
class CronDays:
    """Cron's day rule: month days and weekdays, OR-ed when `either`, else AND-ed."""

    monthdays: tuple[int, ...]
    weekdays: tuple[int, ...]
    either: bool = True


DaySpec = Weekdays | MonthDays | NthWeekdays | BusinessDays | YearDays | CronDays


@dataclass(frozen=True)
class Calendar:
    """Wall-clock rule: selected days of selected months, at fixed local times.

    `skip` removes (month, day) dates every year (month 0: that day of every month). `first` is the
    instant the runs begin (set whenever `count` is: the count is taken from there, so `next_runs`
    stays a pure function of the rule); `start` is then its local date.
    """

    days: DaySpec = field(default_factory=Weekdays)
    months: tuple[int, ...] = ALL_MONTHS
    times: tuple[int, ...] = (NINE_AM,)  # minutes after local midnight, sorted
    start: dt.date | None = None
    until: dt.date | None = None
    holidays: tuple[str, str | None] | None = None  # (country, subdivision)
    skip: tuple[tuple[int, int], ...] = ()
    first: dt.datetime | None = None  # aware UTC
    count: int | None = None


@dataclass(frozen=True)
class Several:
    """Several calendar rules at once ("every monday at 9 and every friday at 5pm"); runs are merged.

    The parts share their bounds, calendar and exclusions; a count covers the merged runs.
    """

    parts: tuple[Calendar, ...]
    first: dt.datetime | None = None
    count: int | None = None


@dataclass(frozen=True)
class Elapsed:
    """Fixed elapsed time measured from the previous run."""

    minutes: int


Spec = Calendar | Elapsed | Several

_DAY_TYPES = {cls.__name__: cls for cls in (Weekdays, MonthDays, NthWeekdays, BusinessDays, YearDays, CronDays)}


def spec_to_dict(spec: Spec) -> dict[str, Any]:
    """Render a spec as plain JSON data."""
    if isinstance(spec, Elapsed):
        return {"type": "elapsed", "minutes": spec.minutes}
    if isinstance(spec, Several):
        return {"type": "several", "parts": [spec_to_dict(part) for part in spec.parts], **_limit_to_dict(spec)}
    days = {"type": type(spec.days).__name__, **_lists(vars(spec.days))}
    return {
        "type": "calendar",
        "days": days,
        "months": list(spec.months),
        "times": list(spec.times),
        "start": spec.start.isoformat() if spec.start else None,
        "until": spec.until.isoformat() if spec.until else None,
        "holidays": list(spec.holidays) if spec.holidays else None,
        "skip": [list(date) for date in spec.skip],
        **_limit_to_dict(spec),
    }


def spec_from_dict(data: dict[str, Any]) -> Spec:
    """Rebuild a spec from `spec_to_dict` output (rules stored before skip/count existed included)."""
    if data["type"] == "elapsed":
        return Elapsed(int(data["minutes"]))
    if data["type"] == "several":
        return Several(tuple(spec_from_dict(part) for part in data["parts"]), *_limit_from_dict(data))
    days = dict(data["days"])
    day_type = _DAY_TYPES[days.pop("type")]
    return Calendar(
        days=day_type(**{key: _tuples(value) for key, value in days.items()}),
        months=tuple(data["months"]),
        times=tuple(data["times"]),
        start=_date(data.get("start")),
        until=_date(data.get("until")),
        holidays=tuple(data["holidays"]) if data.get("holidays") else None,
        skip=_tuples(data.get("skip") or []),
        first=_limit_from_dict(data)[0],
        count=_limit_from_dict(data)[1],
    )


def _limit_to_dict(spec: Calendar | Several) -> dict[str, Any]:
    return {"first": spec.first.isoformat() if spec.first else None, "count": spec.count}


def _limit_from_dict(data: dict[str, Any]) -> tuple[dt.datetime | None, int | None]:
    first = data.get("first")
    return (dt.datetime.fromisoformat(first) if first else None), data.get("count")


def _lists(values: dict[str, Any]) -> dict[str, Any]:
    return {key: [list(v) if isinstance(v, tuple) else v for v in value] if isinstance(value, tuple) else value
            for key, value in values.items()}


def _tuples(value: Any) -> Any:
    if isinstance(value, list):
        return tuple(_tuples(v) for v in value)
    return value


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None
