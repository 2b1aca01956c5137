"""Report windows, property-based: for any slot in any awkward zone, calendar windows start and end
at the first instant of the right local dates, to-date windows end at the slot, and consecutive
runs tile time without gaps or overlaps."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo, available_timezones

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from reports.window import compute_window, start_of_day

UTC = dt.UTC
# Zones whose rules break naive assumptions: midnight DST gaps (Santiago, Havana, Beirut, Cairo),
# a midnight that repeats (Havana, Antarctica/Vostok), half-hour and 45-minute offsets (Tehran, Kolkata,
# Chatham), a 30-minute DST shift (Lord Howe), a two-hour one (Troll), a skipped day (Apia, 2011).
AWKWARD = ("Europe/Berlin", "America/New_York", "America/Santiago", "America/Havana", "Asia/Beirut", "Africa/Cairo",
           "Asia/Tehran", "Asia/Kolkata", "Pacific/Chatham", "Australia/Lord_Howe", "Antarctica/Troll",
           "Pacific/Apia", "Antarctica/Vostok", "America/Nuuk", "America/St_Johns", "UTC")
zones = st.sampled_from(AWKWARD)
all_zones = st.sampled_from(sorted(available_timezones() - {"Factory", "localtime"}))
slots = st.datetimes(min_value=dt.datetime(1995, 1, 1), max_value=dt.datetime(2037, 12, 31), timezones=st.just(UTC))


def first_instant_of(instant: dt.datetime, day: dt.date, zone: ZoneInfo) -> bool:
    """`instant` is the first instant whose local date is `day` or later."""
    before = (instant - dt.timedelta(microseconds=1)).astimezone(zone).date()
    return before < day <= instant.astimezone(zone).date()


def expected_dates(kind: str, today: dt.date, n: int) -> tuple[dt.date, dt.date]:
    month = today.replace(day=1)
    previous_month = (month - dt.timedelta(days=1)).replace(day=1)
    quarter_month = (today.month - 1) // 3 * 3 + 1
    quarter = today.replace(month=quarter_month, day=1)
    monday = today - dt.timedelta(days=today.weekday())
    return {
        "previous_day": (today - dt.timedelta(days=1), today),
        "previous_week": (monday - dt.timedelta(days=7), monday),
        "previous_month": (previous_month, month),
        "previous_quarter": ((quarter - dt.timedelta(days=80)).replace(day=1), quarter),
        "previous_year": (dt.date(today.year - 1, 1, 1), dt.date(today.year, 1, 1)),
        "last_n_days": (today - dt.timedelta(days=n), today),
    }[kind]


CALENDAR = ("previous_day", "previous_week", "previous_month", "previous_quarter", "previous_year", "last_n_days")


@settings(max_examples=300, deadline=None)
@given(slot=slots, zone_name=zones, kind=st.sampled_from(CALENDAR), n=st.integers(1, 400))
def test_calendar_windows_are_cut_at_local_day_starts(slot, zone_name, kind, n):
    zone = ZoneInfo(zone_name)
    window = compute_window(kind, slot, zone_name, n=n)
    first, end = expected_dates(kind, slot.astimezone(zone).date(), n)
    assert first_instant_of(window.start, first, zone)
    assert first_instant_of(window.end, end, zone)
    assert window.start <= window.end <= slot
    assert window.label.endswith(f", {zone_name}")


@settings(max_examples=200, deadline=None)
@given(slot=slots, zone_name=all_zones, kind=st.sampled_from(CALENDAR))
def test_calendar_windows_hold_in_every_zone(slot, zone_name, kind):
    zone = ZoneInfo(zone_name)
    window = compute_window(kind, slot, zone_name, n=7)
    first, end = expected_dates(kind, slot.astimezone(zone).date(), 7)
    assert first_instant_of(window.start, first, zone) and first_instant_of(window.end, end, zone)


@settings(max_examples=200, deadline=None)
@given(slot=slots, zone_name=zones, kind=st.sampled_from(("previous_day", "previous_week", "previous_month")))
def test_consecutive_runs_tile_time(slot, zone_name, kind):
    # The next period's run starts its window exactly where this run's window ended.
    zone = ZoneInfo(zone_name)
    window = compute_window(kind, slot, zone_name)
    today = slot.astimezone(zone).date()
    if kind == "previous_month":
        following = (today.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
    else:
        following = today + dt.timedelta(days=1 if kind == "previous_day" else 7)
    next_slot = start_of_day(following, zone) + dt.timedelta(hours=1)
    assume(next_slot.astimezone(zone).date() == following)  # not a skipped day (Samoa, 2011)
    assert compute_window(kind, next_slot, zone_name).start == window.end


@settings(max_examples=200, deadline=None)
@given(slot=slots, zone_name=zones,
       kind=st.sampled_from(("week_to_date", "month_to_date", "quarter_to_date", "year_to_date")))
def test_to_date_windows_run_from_the_period_start_to_the_slot(slot, zone_name, kind):
    zone = ZoneInfo(zone_name)
    window = compute_window(kind, slot, zone_name)
    today = slot.astimezone(zone).date()
    first = {"week_to_date": today - dt.timedelta(days=today.weekday()), "month_to_date": today.replace(day=1),
             "quarter_to_date": today.replace(month=(today.month - 1) // 3 * 3 + 1, day=1),
             "year_to_date": today.replace(month=1, day=1)}[kind]
    assert window.end == slot
    assert first_instant_of(window.start, first, zone)
    assert window.start <= window.end


@settings(max_examples=200, deadline=None)
@given(slot=slots, zone_name=zones, n=st.integers(1, 200))
def test_last_n_hours_ends_on_the_last_local_hour(slot, zone_name, n):
    window = compute_window("last_n_hours", slot, zone_name, n=n)
    assert window.end - window.start == dt.timedelta(hours=n)
    assert window.end <= slot < window.end + dt.timedelta(hours=1)
    end_local = window.end.astimezone(ZoneInfo(zone_name))
    # Lord Howe's 30-minute DST shift can leave the cut on a half hour right after the change.
    assert end_local.second == 0 and (end_local.minute == 0 or zone_name == "Australia/Lord_Howe")
