"""Counted schedules ('10 times') begin at a pinned first run, so `next_runs` stays a pure function.

The count is stored with the instant of the first run it counts from (worked out from `now`, or
from the start date): the tenth run is then the same whichever `after` a caller asks from.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from zoneinfo import ZoneInfo

from jobs.cadence.engine import compile_spec
from jobs.cadence.errors import CadenceError
from jobs.cadence.model import Calendar, Elapsed, Several, Spec


def pin_first(spec: Spec, zone: str, now: dt.datetime, start_minute: int | None) -> Spec:
    """Set `first` (and the start date it falls on) for a count or a start given with a time of day."""
    if isinstance(spec, Elapsed) or not (spec.count or start_minute is not None):
        return spec
    tz = ZoneInfo(zone)
    start = _start(spec)
    after = now  # a count is of runs still to come: a start date in the past counts from now
    if start is not None:
        floor = dt.datetime.combine(start, dt.time(), tz) + dt.timedelta(minutes=start_minute or 0)
        after = max(now, floor.astimezone(dt.UTC) - dt.timedelta(microseconds=1))
    unbounded = compile_spec(replace(spec, first=None, count=None), zone)
    runs = unbounded.next_runs(after, 1)
    if not runs:
        raise CadenceError("That schedule never runs between its start and end dates. Check the dates.")
    first = runs[0]
    day = first.astimezone(tz).date()
    day_start = dt.datetime.combine(day, dt.time(), tz).astimezone(dt.UTC) - dt.timedelta(microseconds=1)
    if not spec.count and unbounded.next_runs(day_start, 1) == [first]:
        return _with_start(spec, day)  # the first run of its day: a start date says it
    return _with_start(replace(spec, first=first), day)


def _start(spec: Calendar | Several) -> dt.date | None:
    return spec.parts[0].start if isinstance(spec, Several) else spec.start


def _with_start(spec: Calendar | Several, day: dt.date) -> Calendar | Several:
    if isinstance(spec, Several):
        return replace(spec, parts=tuple(replace(part, start=day) for part in spec.parts))
    return replace(spec, start=day)
