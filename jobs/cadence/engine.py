"""Next-run engine: compiled once per (rule, zone), then cheap to ask."""

from __future__ import annotations

import datetime as dt
import heapq
from bisect import bisect_left
from functools import lru_cache
from zoneinfo import ZoneInfo

from jobs.cadence.days import shared_month_days, week_index
from jobs.cadence.model import Calendar, Elapsed, Several, Spec, Weekdays

UTC = dt.UTC
QUIET_MONTHS = 12 * 40  # a rule silent this long never fires (Feb 29 on a Monday recurs within 28 years)
MONTH_CACHE = 36


class ElapsedEngine:
    """Runs at fixed elapsed steps after the previous run."""

    def __init__(self, spec: Elapsed):
        self._step = dt.timedelta(minutes=spec.minutes)

    def next_runs(self, after: dt.datetime, count: int) -> list[dt.datetime]:
        start = after.astimezone(UTC)
        return [start + self._step * k for k in range(1, count + 1)]


class CalendarEngine:
    """Walks selected local dates and times, resolving each to one UTC instant."""

    def __init__(self, spec: Calendar, zone: str):
        self._tz = ZoneInfo(zone)
        self._spec = spec
        self._months = frozenset(spec.months)
        self._times = spec.times
        self._every = spec.days.every if isinstance(spec.days, Weekdays) else 1
        self._pinned: int | None = None  # week phase fixed by a start date
        self._cache: dict[tuple[int, int, int | None], tuple[int, ...]] = {}
        self._skip_every_month = frozenset(day for month, day in spec.skip if month == 0)
        self._skip_dates = frozenset(spec.skip)

    def next_runs(self, after: dt.datetime, count: int) -> list[dt.datetime]:
        """Return the first `count` runs strictly after `after`."""
        phase = None
        if self._every > 1:
            phase = self._pinned if self._pinned is not None else self._phase(after)
            if self._spec.start:
                self._pinned = phase
        return self._walk(after, count, phase)

    def _phase(self, after: dt.datetime) -> int:
        # Spec rule 7: one weekday anchors on its first run, several on the week of
        # `after`; a start date pins the anchor so the rhythm survives every tick.
        start = self._spec.start
        if start:
            after = dt.datetime.combine(start, dt.time(), self._tz) - dt.timedelta(microseconds=1)
        if len(self._spec.days.days) == 1:
            first = self._walk(after, 1, None)
            anchor = first[0].astimezone(self._tz).date() if first else self._start_date(after)
        else:
            anchor = self._start_date(after)
        return week_index(anchor) % self._every

    def _start_date(self, after: dt.datetime) -> dt.date:
        local = after.astimezone(self._tz).date()
        start = self._spec.start
        return start if start and start > local else local

    def _walk(self, after: dt.datetime, count: int, phase: int | None) -> list[dt.datetime]:
        local = after.astimezone(self._tz)
        first, from_minute = local.date(), local.hour * 60 + local.minute
        start, until = self._spec.start, self._spec.until
        if start and start > first:
            first, from_minute = start, 0
        year, month, from_day = first.year, first.month, first.day
        times, months = self._times, self._months
        runs: list[dt.datetime] = []
        last = after
        quiet = 0
        while quiet < QUIET_MONTHS and year < dt.MAXYEAR:
            days = self._days(year, month, phase) if month in months else ()
            for day in days[bisect_left(days, from_day):]:
                if until and dt.date(year, month, day) > until:
                    return runs
                for minute in times[bisect_left(times, from_minute):] if day == from_day else times:
                    instant = self._instant(year, month, day, minute)
                    if instant > last:  # a DST gap can fold several times onto one instant
                        runs.append(instant)
                        if len(runs) == count:
                            return runs
                        last = instant
                        quiet = 0
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
            from_day, from_minute = 1, 0
            quiet += 1
        return runs

    def _days(self, year: int, month: int, phase: int | None) -> tuple[int, ...]:
        key = (year, month, phase)
        days = self._cache.get(key)
        if days is None:
            if len(self._cache) >= MONTH_CACHE:
                self._cache.clear()
            days = shared_month_days(self._spec.days, self._spec.holidays, year, month, phase)
            if self._skip_dates:
                days = tuple(d for d in days if d not in self._skip_every_month and (month, d) not in self._skip_dates)
            self._cache[key] = days
        return days

    def _instant(self, year: int, month: int, day: int, minute: int) -> dt.datetime:
        hour, minute = divmod(minute, 60)
        wall = dt.datetime(year, month, day, hour, minute, tzinfo=self._tz)  # fold=0: first of a repeated hour
        instant = wall.astimezone(UTC)
        back = instant.astimezone(self._tz)
        if back.hour != hour or back.minute != minute:
            return _gap_end(instant, self._tz)
        return instant


class SeveralEngine:
    """Merges the runs of several calendar rules, each instant once."""

    def __init__(self, spec: Several, zone: str):
        self._parts = [compile_spec(part, zone) for part in spec.parts]

    def next_runs(self, after: dt.datetime, count: int) -> list[dt.datetime]:
        runs: list[dt.datetime] = []
        for run in heapq.merge(*(part.next_runs(after, count) for part in self._parts)):
            if not runs or run != runs[-1]:
                runs.append(run)
                if len(runs) == count:
                    break
        return runs


class BoundedEngine:
    """Starts a rule at its first instant and, with a count, ends it after that many runs."""

    def __init__(self, inner: CalendarEngine | SeveralEngine, first: dt.datetime, count: int | None):
        self._inner = inner
        self._floor = first - dt.timedelta(microseconds=1)
        self._count = count
        self._last: dt.datetime | None = None
        self._ended = False  # the counted runs are known and there are none

    def next_runs(self, after: dt.datetime, count: int) -> list[dt.datetime]:
        runs = self._inner.next_runs(max(after, self._floor), count)
        if self._count is None:
            return runs
        last = self._final_run()
        return [run for run in runs if last is not None and run <= last]

    def _final_run(self) -> dt.datetime | None:
        # Worked out once per compiled rule: counts are capped (repeats.MOST_RUNS), so this stays cheap.
        if self._last is None and not self._ended:
            counted = self._inner.next_runs(self._floor, self._count)
            self._last = counted[-1] if counted else None
            self._ended = not counted
        return self._last


def _gap_end(instant: dt.datetime, tz: ZoneInfo) -> dt.datetime:
    """Find the first instant after the DST gap that swallowed a wall time."""
    # zoneinfo reads a missing wall time with the pre-gap offset, which lands past the
    # gap; bisect back to the transition, the first valid instant.
    after_offset = instant.astimezone(tz).utcoffset()
    low, high = instant - dt.timedelta(days=2), instant
    while high - low > dt.timedelta(seconds=1):
        middle = low + (high - low) / 2
        if middle.astimezone(tz).utcoffset() == after_offset:
            high = middle
        else:
            low = middle
    return high.replace(microsecond=0)


@lru_cache(maxsize=65536)
def compile_spec(spec: Spec, zone: str) -> CalendarEngine | ElapsedEngine | SeveralEngine | BoundedEngine:
    """Build (or reuse) the engine for a rule in a zone."""
    if isinstance(spec, Elapsed):
        return ElapsedEngine(spec)
    engine = SeveralEngine(spec, zone) if isinstance(spec, Several) else CalendarEngine(spec, zone)
    return BoundedEngine(engine, spec.first, spec.count) if spec.first else engine
