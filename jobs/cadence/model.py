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
    """Days of the month; -1 is the last day."""

    days: tuple[int, ...]


@dataclass(frozen=True)
class NthWeekdays:
    """The nth weekday of a month as (n, weekday) pairs; n = -1 is the last."""

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
    """Wall-clock rule: selected days of selected months, at fixed local times."""

    days: DaySpec = field(default_factory=Weekdays)
    months: tuple[int, ...] = ALL_MONTHS
    times: tuple[int, ...] = (NINE_AM,)  # minutes after local midnight, sorted
    start: dt.date | None = None
    until: dt.date | None = None
    holidays: tuple[str, str | None] | None = None  # (country, subdivision)


@dataclass(frozen=True)
class Elapsed:
    """Fixed elapsed time measured from the previous run."""

    minutes: int


Spec = Calendar | Elapsed

_DAY_TYPES = {cls.__name__: cls for cls in (Weekdays, MonthDays, NthWeekdays, BusinessDays, YearDays, CronDays)}


def spec_to_dict(spec: Spec) -> dict[str, Any]:
    """Render a spec as plain JSON data."""
    if isinstance(spec, Elapsed):
        return {"type": "elapsed", "minutes": spec.minutes}
    days = {"type": type(spec.days).__name__, **_lists(vars(spec.days))}
    return {
        "type": "calendar",
        "days": days,
        "months": list(spec.months),
        "times": list(spec.times),
        "start": spec.start.isoformat() if spec.start else None,
        "until": spec.until.isoformat() if spec.until else None,
        "holidays": list(spec.holidays) if spec.holidays else None,
    }


def spec_from_dict(data: dict[str, Any]) -> Spec:
    """Rebuild a spec from `spec_to_dict` output."""
    if data["type"] == "elapsed":
        return Elapsed(int(data["minutes"]))
    days = dict(data["days"])
    day_type = _DAY_TYPES[days.pop("type")]
    return Calendar(
        days=day_type(**{key: _tuples(value) for key, value in days.items()}),
        months=tuple(data["months"]),
        times=tuple(data["times"]),
        start=_date(data.get("start")),
        until=_date(data.get("until")),
        holidays=tuple(data["holidays"]) if data.get("holidays") else None,
    )


def _lists(values: dict[str, Any]) -> dict[str, Any]:
    return {key: [list(v) if isinstance(v, tuple) else v for v in value] if isinstance(value, tuple) else value
            for key, value in values.items()}


def _tuples(value: Any) -> Any:
    if isinstance(value, list):
        return tuple(_tuples(v) for v in value)
    return value


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None
