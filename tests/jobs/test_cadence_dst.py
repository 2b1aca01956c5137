"""DST: a missing wall time fires when the gap ends; a repeated one fires once, at its first occurrence."""

import datetime as dt
import itertools
from zoneinfo import ZoneInfo

import pytest

from jobs.cadence import parse

UTC = dt.UTC


def utc(*args):
    return dt.datetime(*args, tzinfo=UTC)


def at(zone, *args, fold=0):
    return dt.datetime(*args, tzinfo=ZoneInfo(zone), fold=fold).astimezone(UTC)


@pytest.mark.parametrize(
    ("text", "zone", "after", "expected"),
    [
        # New York springs forward at 02:00 on 2026-03-08: 02:30 does not exist, so 03:00 EDT.
        ("every day at 2:30", "America/New_York", utc(2026, 3, 7, 12),
         [utc(2026, 3, 8, 7, 0), utc(2026, 3, 9, 6, 30)]),
        ("30 2 * * *", "America/New_York", utc(2026, 3, 7, 12), [utc(2026, 3, 8, 7, 0), utc(2026, 3, 9, 6, 30)]),
        ("every day at 2:00", "America/New_York", utc(2026, 3, 7, 12), [utc(2026, 3, 8, 7, 0)]),
        # Berlin springs forward at 02:00 on 2026-03-29.
        ("every sunday at 2:15", "Europe/Berlin", utc(2026, 3, 28), [utc(2026, 3, 29, 1, 0), utc(2026, 4, 5, 0, 15)]),
        # Sydney springs forward at 02:00 on 2026-10-04 (southern spring).
        ("every day at 2:30", "Australia/Sydney", utc(2026, 10, 2, 12),
         [at("Australia/Sydney", 2026, 10, 3, 2, 30), utc(2026, 10, 3, 16, 0),
          at("Australia/Sydney", 2026, 10, 5, 2, 30)]),
    ],
)
def test_spring_forward_fires_when_the_gap_ends(text, zone, after, expected):
    assert parse(text, zone).next_runs(after, len(expected)) == expected


@pytest.mark.parametrize(
    ("text", "zone", "after", "expected"),
    [
        # New York falls back at 02:00 on 2026-11-01: 01:30 happens twice; fire at the first (EDT) only.
        ("every day at 1:30", "America/New_York", utc(2026, 10, 31, 12),
         [utc(2026, 11, 1, 5, 30), utc(2026, 11, 2, 6, 30)]),
        # croniter fires this one twice (01:30 EDT and 01:30 EST); we fire once.
        ("30 1 * * *", "America/New_York", utc(2026, 10, 31, 12), [utc(2026, 11, 1, 5, 30), utc(2026, 11, 2, 6, 30)]),
        # Sydney falls back at 03:00 on 2026-04-05 (southern autumn): 02:30 AEDT, not 02:30 AEST.
        ("every day at 2:30", "Australia/Sydney", utc(2026, 4, 3, 12),
         [utc(2026, 4, 3, 15, 30), utc(2026, 4, 4, 15, 30), utc(2026, 4, 5, 16, 30)]),
        # Berlin falls back at 03:00 on 2026-10-25.
        ("every day at 2:30", "Europe/Berlin", utc(2026, 10, 24, 12),
         [utc(2026, 10, 25, 0, 30), utc(2026, 10, 26, 1, 30)]),
    ],
)
def test_fall_back_fires_once_at_the_first_occurrence(text, zone, after, expected):
    assert parse(text, zone).next_runs(after, len(expected)) == expected


def test_hourly_across_fall_back_skips_the_repeated_hour():
    runs = parse("every hour", "America/New_York").next_runs(utc(2026, 11, 1, 3, 30), 4)
    local = [run.astimezone(ZoneInfo("America/New_York")).strftime("%H:%M%z") for run in runs]
    assert local == ["00:00-0400", "01:00-0400", "02:00-0500", "03:00-0500"]


def test_every_15_minutes_across_spring_forward_does_not_repeat_the_gap_end():
    runs = parse("every 15 minutes", "America/New_York").next_runs(utc(2026, 3, 8, 6, 40), 3)
    assert runs == [utc(2026, 3, 8, 6, 45), utc(2026, 3, 8, 7, 0), utc(2026, 3, 8, 7, 15)]


def test_after_inside_the_repeated_hour_second_occurrence():
    # 01:10 EST (the second 01:10) is already past the 01:30 EDT slot.
    after = at("America/New_York", 2026, 11, 1, 1, 10, fold=1)
    runs = parse("every 30 minutes", "America/New_York").next_runs(after, 2)
    assert runs == [utc(2026, 11, 1, 7, 0), utc(2026, 11, 1, 7, 30)]  # 02:00 EST, 02:30 EST


def test_half_hour_offset_zone_aligns_to_local_clock():
    runs = parse("every hour", "Asia/Kolkata").next_runs(utc(2026, 3, 4, 12, 0), 2)
    assert runs == [utc(2026, 3, 4, 12, 30), utc(2026, 3, 4, 13, 30)]


def test_lord_howe_half_hour_dst_gap():
    # Lord Howe springs forward by 30 minutes at 02:00 on 2026-10-04.
    run = parse("every day at 2:15", "Australia/Lord_Howe").next_runs(utc(2026, 10, 3, 12), 1)[0]
    assert run.astimezone(ZoneInfo("Australia/Lord_Howe")).strftime("%H:%M%z") == "02:30+1100"


ZONES = ["America/New_York", "Europe/Berlin", "Australia/Sydney", "Asia/Kolkata", "America/Santiago",
         "Australia/Lord_Howe", "Pacific/Auckland", "Europe/London"]


@pytest.mark.parametrize("zone", ZONES)
@pytest.mark.parametrize("clock", ["00:00", "00:30", "01:30", "02:00", "02:30", "03:00", "23:30"])
def test_daily_rule_fires_once_per_local_day_across_every_dst_change_2026_to_2030(zone, clock):
    tz = ZoneInfo(zone)
    start = dt.datetime(2026, 1, 1, tzinfo=tz).astimezone(UTC) - dt.timedelta(microseconds=1)
    days = (dt.date(2031, 1, 1) - dt.date(2026, 1, 1)).days
    runs = parse(f"every day at {clock}", zone).next_runs(start, days)
    local_days = [run.astimezone(tz).date() for run in runs]
    assert local_days == [dt.date(2026, 1, 1) + dt.timedelta(days=k) for k in range(days)]
    assert all(b > a for a, b in itertools.pairwise(runs))
    hour, minute = map(int, clock.split(":"))
    for run in runs:
        wall = run.astimezone(tz)
        # Either the asked time, or the end of a gap that swallowed it (later that same day).
        assert (wall.hour, wall.minute) == (hour, minute) or _in_gap(wall.date(), hour, minute, tz)


def _in_gap(day, hour, minute, tz):
    wall = dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=tz)
    return wall.astimezone(UTC).astimezone(tz).replace(tzinfo=None) != wall.replace(tzinfo=None)
