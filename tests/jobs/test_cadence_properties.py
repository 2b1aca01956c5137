"""Property-based: runs are increasing, after `after`, match the rule; describe and JSON round-trip."""

import calendar
import datetime as dt
import itertools
from dataclasses import replace
from zoneinfo import ZoneInfo

import holidays
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from jobs.cadence import Cadence, cadence_from_json, parse
from jobs.cadence.limits import pin_first
from jobs.cadence.model import (
    ALL_MONTHS,
    BusinessDays,
    Calendar,
    CronDays,
    Elapsed,
    MonthDays,
    NthWeekdays,
    Several,
    Weekdays,
    YearDays,
)
from jobs.cadence.several import combine

UTC = dt.UTC
NOW = dt.datetime(2026, 1, 1, tzinfo=UTC)
ZONES = ["UTC", "Europe/Berlin", "America/New_York", "Asia/Kolkata", "Australia/Sydney", "America/Santiago",
         "Australia/Lord_Howe", "Pacific/Auckland"]
PHRASES = [
    "every 30 minutes on weekdays from 8am to 6pm", "every 15 minutes", "hourly", "every 2 hours at :30",
    "every day at 2:30", "every weekday at 9", "weekends at 1:30", "mon, wed and fri at 9 and 17",
    "every other tuesday at 2:15", "every 3 weeks on mon and fri", "on the 1st and 15th at 0:30",
    "every 31st", "second tuesday", "last friday of the month at 23:30", "last business day of the month",
    "first monday of each quarter", "every year on march 3", "4th thursday in november", "noon and midnight",
    "0 2 * * *", "*/20 1-3 * * 0", "0 9 1,15 * 1", "every business day, US holidays",
    "every 24 hours after the last run", "every year on feb 29 at 2:30", "every 90 minutes between 9 and 5",
    "every monday at 9 and every friday at 5pm", "2nd to last friday at 2:30", "3rd to last day of the month",
    "every day except in may and on december 24 to 26", "every friday the 13th", "every other weekend at 1:30",
    "the 1st to the 7th of every month at 0:30", "every hour and a half", "twice a day at 2:30 and 14:30",
    "every 30 minutes on weekdays from 8 to 6 and every 2 hours on weekends",
]
SETTINGS = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])

afters = st.datetimes(min_value=dt.datetime(2026, 1, 1), max_value=dt.datetime(2030, 12, 31),
                      timezones=st.just(UTC))


def _day_order(n):
    return (1, n) if n < 0 else (0, n)


def _subset(values, most=3):
    return st.lists(st.sampled_from(values), min_size=1, max_size=most, unique=True)


weekdays = st.builds(lambda days, every: Weekdays(tuple(sorted(days)), every),
                     _subset(range(7), 7), st.sampled_from([1, 1, 2, 3]))
monthdays = _subset(list(range(1, 32)) + [-1, -2, -3, -7]).map(lambda d: MonthDays(tuple(sorted(d, key=_day_order))))
nths = st.lists(st.tuples(st.sampled_from([1, 2, 3, 4, 5, -1, -2, -3]), st.integers(0, 6)), min_size=1, max_size=3,
                unique=True).map(
    lambda items: NthWeekdays(tuple(sorted(items, key=lambda i: (_day_order(i[0]), i[1])))))
business = _subset([1, 2, 3, -1, -2]).map(lambda n: BusinessDays(tuple(sorted(n, key=_day_order))))
weekday_dates = st.builds(lambda dates, days: CronDays(tuple(sorted(dates)), tuple(sorted(days)), either=False),
                          _subset(range(6, 32)), _subset(range(7), 2))
skips = st.lists(st.tuples(st.integers(0, 12), st.integers(1, 28)), max_size=3, unique=True).map(
    lambda dates: tuple(sorted(dates)))
months = st.one_of(st.just(ALL_MONTHS), _subset(range(1, 13), 6).map(lambda m: tuple(sorted(m))),
                   st.sampled_from([(1, 4, 7, 10), (3, 6, 9, 12)]))
listed_times = st.lists(st.integers(0, 1439), min_size=1, max_size=5, unique=True).map(lambda t: tuple(sorted(t)))
day_grids = st.sampled_from([1, 5, 15, 30, 60, 90, 120, 180, 360]).map(lambda s: tuple(range(0, 1440, s)))
window_grids = st.builds(lambda start, step, count: tuple(range(start, min(1439, start + step * count) + 1, step)),
                         st.integers(0, 1200), st.sampled_from([15, 30, 45, 60, 90]), st.integers(1, 12))
times = st.one_of(listed_times, day_grids, window_grids)
calendars = st.sampled_from([None, ("US", None), ("DE", "BY"), ("GB", None)])


@st.composite
def calendar_specs(draw):
    days = draw(st.one_of(weekdays, monthdays, nths, business, weekday_dates))
    start = draw(st.one_of(st.none(), st.dates(dt.date(2026, 1, 1), dt.date(2028, 12, 31))))
    until = draw(st.one_of(st.none(), st.dates(start or dt.date(2026, 1, 1), dt.date(2031, 12, 31))))
    return Calendar(days=days, months=draw(months), times=draw(times), start=start, until=until,
                    holidays=draw(calendars), skip=draw(skips))


@st.composite
def several_specs(draw):
    """Two or three rules sharing the first one's bounds, calendar and exclusions, as `parse` makes them."""
    first = draw(calendar_specs())
    others = draw(st.lists(calendar_specs(), min_size=1, max_size=2))
    shared = {"start": first.start, "until": first.until, "holidays": first.holidays, "skip": first.skip}
    return combine([first, *(replace(part, **shared) for part in others)])


@st.composite
def cron_specs(draw):
    minutes = draw(_subset(range(60), 2))
    hours = draw(_subset(range(24), 2))
    days = CronDays(tuple(sorted(draw(_subset(range(1, 29))))), tuple(sorted(draw(_subset(range(7), 6)))))
    return Calendar(days=days, months=draw(months), times=tuple(sorted(h * 60 + m for h in hours for m in minutes)))


@st.composite
def year_day_specs(draw):
    dates = draw(st.lists(st.tuples(st.integers(1, 12), st.integers(1, 28)), min_size=2, max_size=3, unique=True))
    assume(len(dates) != len({m for m, _ in dates}) * len({d for _, d in dates}))  # not a months × days grid
    dates = tuple(sorted(dates))
    return Calendar(days=YearDays(dates), months=tuple(sorted({m for m, _ in dates})), times=draw(listed_times))


specs = st.one_of(calendar_specs(), calendar_specs(), several_specs(), cron_specs(), year_day_specs(),
                  st.integers(1, 60 * 24 * 30).map(Elapsed))
counts = st.one_of(st.none(), st.none(), st.integers(1, 30))
starting_minutes = st.one_of(st.none(), st.integers(0, 1439))


def _limited(spec, zone, count, minute, after):
    """Add a count or a start time the way `parse` pins them (None when the rule never runs)."""
    if isinstance(spec, Elapsed) or not (count or minute is not None):
        return spec
    if isinstance(spec, Calendar) and isinstance(spec.days, CronDays) and spec.days.either:
        return spec  # raw cron has no words for bounds
    if (spec.parts[0] if isinstance(spec, Several) else spec).start is None:
        minute = None  # a start time is always typed with its date ("starting 2026-03-04T15:00")
    try:
        return pin_first(replace(spec, count=count), zone, after, minute)
    except ValueError:
        return None


def _fires(cadence):
    """Tell whether the cadence runs at all, and each of several rules on its own (as `parse` requires)."""
    spec = cadence.spec
    parts = [replace(part, first=spec.first, count=spec.count) for part in spec.parts] \
        if isinstance(spec, Several) else [spec]
    return all(Cadence("part", part, cadence.timezone).next_runs(NOW, 1) for part in parts)


@SETTINGS
@given(spec=specs, zone=st.sampled_from(ZONES), count=counts, minute=starting_minutes, after=afters)
def test_json_round_trip(spec, zone, count, minute, after):
    spec = _limited(spec, zone, count, minute, after)
    assume(spec is not None)
    cadence = Cadence("typed words", spec, zone)
    again = cadence_from_json(cadence.to_json())
    assert again == cadence
    assert again.text == "typed words" and again.rule == cadence.rule


@SETTINGS
@given(spec=specs, zone=st.sampled_from(ZONES), count=counts, minute=starting_minutes, after=afters)
def test_describe_parses_back_to_an_equal_cadence(spec, zone, count, minute, after):
    spec = _limited(spec, zone, count, minute, after)
    assume(spec is not None)
    cadence = Cadence("typed words", spec, zone)
    assume(_fires(cadence))
    sentence = cadence.describe()
    assert parse(sentence, "UTC", now=NOW) == cadence, sentence


@settings(max_examples=60, deadline=None)
@given(text=st.sampled_from(PHRASES), zone=st.sampled_from(ZONES))
def test_describe_round_trip_for_typed_phrases(text, zone):
    cadence = parse(text, zone, now=NOW)
    assert parse(cadence.describe(), zone, now=NOW) == cadence


@SETTINGS
@given(text=st.sampled_from(PHRASES), zone=st.sampled_from(ZONES), after=afters)
def test_runs_increase_follow_after_and_match_the_rule(text, zone, after):
    cadence = parse(text, zone, now=NOW)
    runs = cadence.next_runs(after, 6)
    assert len(runs) == 6
    assert runs[0] > after
    assert all(b > a for a, b in itertools.pairwise(runs))
    assert all(run.tzinfo is not None and run.utcoffset() == dt.timedelta(0) for run in runs)
    assert cadence.next_run(after) == runs[0]
    if not isinstance(cadence.spec, Elapsed):
        for run in runs:
            assert _matches(cadence.spec, ZoneInfo(cadence.timezone), run), run


@SETTINGS
@given(spec=st.one_of(calendar_specs(), several_specs(), cron_specs(), year_day_specs()), zone=st.sampled_from(ZONES),
       after=afters, count=counts, minute=starting_minutes, created=afters)
def test_generated_rules_match_and_chain(spec, zone, after, count, minute, created):
    spec = _limited(spec, zone, count, minute, created)
    assume(spec is not None)
    cadence = Cadence("typed words", spec, zone)
    runs = cadence.next_runs(after, 5)
    assert all(run > after for run in runs)
    assert all(b > a for a, b in itertools.pairwise(runs))
    for run in runs:
        assert _matches(spec, ZoneInfo(zone), run), run
    parts = spec.parts if isinstance(spec, Several) else (spec,)
    pinned = not any(isinstance(p.days, Weekdays) and p.days.every > 1 and not p.start for p in parts)
    if pinned:  # the tick asks for the run after the previous run: that must be the same sequence
        assert [cadence.next_run(run) for run in runs[:-1]] == runs[1:]


@SETTINGS
@given(spec=st.one_of(calendar_specs(), several_specs()), zone=st.sampled_from(ZONES), count=st.integers(1, 30),
       created=afters)
def test_a_count_is_the_number_of_runs_from_the_first(spec, zone, count, created):
    spec = _limited(spec, zone, count, None, created)
    assume(spec is not None)
    cadence = Cadence("typed words", spec, zone)
    runs = cadence.next_runs(spec.first - dt.timedelta(seconds=1), count + 5)
    unbounded = Cadence("typed words", replace(spec, first=None, count=None), zone)
    parts = spec.parts if isinstance(spec, Several) else (spec,)
    assert runs[0] == spec.first > created
    assert len(runs) == count or parts[0].until and len(runs) < count
    assert runs == unbounded.next_runs(spec.first - dt.timedelta(seconds=1), len(runs))
    assert cadence.next_run(runs[-1]) is None
    assert [cadence.next_run(run) for run in runs[:-1]] == runs[1:]  # the same runs, asked one after another


def _matches(spec, tz, run):
    """Check one run against the rule, computed independently of the engine."""
    if spec.first and run < spec.first:
        return False
    if isinstance(spec, Several):
        return any(_matches(part, tz, run) for part in spec.parts)
    wall = run.astimezone(tz)
    day = wall.date()
    if day.month not in spec.months or not _day_selected(spec, day):
        return False
    if (day.month, day.day) in spec.skip or (0, day.day) in spec.skip:
        return False
    if spec.start and day < spec.start or spec.until and day > spec.until:
        return False
    minute = wall.hour * 60 + wall.minute
    return minute in spec.times or any(_in_gap(day, t, tz) and _first_after_gap(run, day, t, tz) for t in spec.times)


def _day_selected(spec, day):
    skip = holidays.country_holidays(spec.holidays[0], subdiv=spec.holidays[1]) if spec.holidays else {}
    if day in skip:
        return False
    days = spec.days
    last_day = calendar.monthrange(day.year, day.month)[1]
    weekday = day.weekday()
    if isinstance(days, Weekdays):
        return weekday in days.days
    if isinstance(days, MonthDays):
        return day.day in days.days or day.day - last_day - 1 in days.days
    if isinstance(days, NthWeekdays):
        return any(w == weekday and (n == (day.day - 1) // 7 + 1 or n == -((last_day - day.day) // 7 + 1))
                   for n, w in days.items)
    if isinstance(days, BusinessDays):
        open_days = [d for d in range(1, last_day + 1)
                     if dt.date(day.year, day.month, d).weekday() < 5 and dt.date(day.year, day.month, d) not in skip]
        return any(open_days[n - 1 if n > 0 else n] == day.day for n in days.nth if abs(n) <= len(open_days))
    if isinstance(days, YearDays):
        return (day.month, day.day) in days.dates
    by_date, by_weekday = day.day in days.monthdays, weekday in days.weekdays
    return by_date or by_weekday if days.either else by_date and by_weekday


def _in_gap(day, minute, tz):
    wall = dt.datetime(day.year, day.month, day.day, minute // 60, minute % 60, tzinfo=tz)
    return wall.astimezone(UTC).astimezone(tz).replace(tzinfo=None) != wall.replace(tzinfo=None)


def _first_after_gap(run, day, minute, tz):
    before = (run - dt.timedelta(seconds=1)).astimezone(tz)
    asked = dt.datetime(day.year, day.month, day.day, minute // 60, minute % 60)
    return before.replace(tzinfo=None) < asked and run.astimezone(tz).utcoffset() != before.utcoffset()
