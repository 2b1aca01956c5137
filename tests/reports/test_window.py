"""Report windows: table-driven cases across DST changes, month ends and the printed label."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from reports.errors import ParameterError
from reports.window import (
    WINDOW_CHOICES,
    WINDOW_KINDS,
    WINDOW_LABELS,
    compute_window,
    schedule_window,
    start_of_day,
)
from reports.window_words import parse_period_words

UTC = dt.UTC
BERLIN = "Europe/Berlin"


def utc(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=UTC)


def local(zone: str, *args: int, fold: int = 0) -> dt.datetime:
    return dt.datetime(*args, tzinfo=ZoneInfo(zone), fold=fold)


@pytest.mark.parametrize(
    ("kind", "slot", "zone", "start", "end", "hours"),
    [
        # Spring forward (Berlin, Sun 29 Mar 2026): the day has 23 hours.
        ("previous_day", local(BERLIN, 2026, 3, 30, 9), BERLIN, utc(2026, 3, 28, 23), utc(2026, 3, 29, 22), 23),
        # Fall back (Sun 25 Oct 2026): 25 hours; the week holding it 169.
        ("previous_day", local(BERLIN, 2026, 10, 26, 9), BERLIN, utc(2026, 10, 24, 22), utc(2026, 10, 25, 23), 25),
        ("previous_week", local(BERLIN, 2026, 10, 26, 9), BERLIN, utc(2026, 10, 18, 22), utc(2026, 10, 25, 23), 169),
        ("previous_week", local(BERLIN, 2026, 4, 1, 9), BERLIN, utc(2026, 3, 22, 23), utc(2026, 3, 29, 22), 167),
        # A month holding a DST change; February of a leap year; a month end slot.
        ("previous_month", local(BERLIN, 2026, 4, 1, 0, 30), BERLIN, utc(2026, 2, 28, 23), utc(2026, 3, 31, 22), 743),
        ("previous_month", local(BERLIN, 2028, 3, 1, 9), BERLIN, utc(2028, 1, 31, 23), utc(2028, 2, 29, 23), 696),
        ("previous_month", local(BERLIN, 2026, 3, 31, 23, 59), BERLIN, utc(2026, 1, 31, 23), utc(2026, 2, 28, 23), 672),
        ("previous_month", local(BERLIN, 2027, 1, 1, 9), BERLIN, utc(2026, 11, 30, 23), utc(2026, 12, 31, 23), 744),
        ("previous_quarter", local(BERLIN, 2027, 1, 15, 9), BERLIN, utc(2026, 9, 30, 22), utc(2026, 12, 31, 23), 2209),
        ("previous_year", local(BERLIN, 2027, 1, 1, 9), BERLIN, utc(2025, 12, 31, 23), utc(2026, 12, 31, 23), 8760),
        ("last_n_days", local(BERLIN, 2026, 3, 31, 9), BERLIN, utc(2026, 3, 27, 23), utc(2026, 3, 30, 22), 71),
        # New York: the US changes on other dates than Europe.
        ("previous_day", local("America/New_York", 2026, 3, 9, 9), "America/New_York",
         utc(2026, 3, 8, 5), utc(2026, 3, 9, 4), 23),
        # Santiago springs forward at midnight: the day starts at 01:00, the first instant after the gap.
        ("previous_day", utc(2026, 9, 7, 12), "America/Santiago", utc(2026, 9, 6, 4), utc(2026, 9, 7, 3), 23),
        # Havana falls back from 01:00 to 00:00: midnight happens twice; the day starts at the first.
        ("previous_day", utc(2026, 11, 2, 12), "America/Havana", utc(2026, 11, 1, 4), utc(2026, 11, 2, 5), 25),
        # Samoa skipped Fri 30 Dec 2011: the day before Sun 1 Jan 2012 is Sat 31 Dec.
        ("previous_day", utc(2011, 12, 31, 12), "Pacific/Apia", utc(2011, 12, 30, 10), utc(2011, 12, 31, 10), 24),
    ],
)
def test_calendar_windows_follow_local_midnight(kind, slot, zone, start, end, hours):
    window = compute_window(kind, slot, zone, n=3)
    assert (window.start, window.end) == (start, end)
    assert window.end - window.start == dt.timedelta(hours=hours)
    assert window.start.tzinfo == UTC and window.end.tzinfo == UTC


def test_to_date_windows_end_at_the_slot():
    slot = local(BERLIN, 2026, 11, 25, 14, 30)
    for kind, first in [("week_to_date", local(BERLIN, 2026, 11, 23)), ("month_to_date", local(BERLIN, 2026, 11, 1)),
                        ("quarter_to_date", local(BERLIN, 2026, 10, 1)), ("year_to_date", local(BERLIN, 2026, 1, 1))]:
        window = compute_window(kind, slot, BERLIN)
        assert window.start == first and window.end == slot, kind


def test_month_to_date_on_the_first_at_midnight_is_empty_not_last_month():
    slot = local(BERLIN, 2026, 12, 1)
    window = compute_window("month_to_date", slot, BERLIN)
    assert window.start == window.end == slot


def test_last_n_hours_are_real_hours_cut_at_the_local_hour():
    # Across fall back, 3 hours are 3 elapsed hours although the wall clock moved 2.
    window = compute_window("last_n_hours", utc(2026, 10, 25, 3, 10), BERLIN, n=3)
    assert (window.start, window.end) == (utc(2026, 10, 25, 0), utc(2026, 10, 25, 3))
    assert window.label == "Sun 25 Oct 2026 02:00 CEST–04:00 CET, Europe/Berlin"
    # Half-hour offsets: a 09:20 run in India covers up to 09:00 local, not 08:30.
    india = compute_window("last_n_hours", local("Asia/Kolkata", 2026, 11, 24, 9, 20), "Asia/Kolkata", n=24)
    assert india.end == local("Asia/Kolkata", 2026, 11, 24, 9)
    assert india.end - india.start == dt.timedelta(hours=24)


def test_since_previous_run_uses_the_previous_slot_or_the_last_day():
    slot = utc(2026, 11, 24, 8)
    assert compute_window("since_previous_run", slot, BERLIN, previous_slot=utc(2026, 11, 24, 2)).start == \
        utc(2026, 11, 24, 2)
    assert compute_window("since_previous_run", slot, BERLIN).start == utc(2026, 11, 23, 8)
    # A previous slot at or after this one (clock confusion) falls back rather than going negative.
    assert compute_window("since_previous_run", slot, BERLIN, previous_slot=slot).start == utc(2026, 11, 23, 8)


def test_the_window_depends_on_the_slot_only():
    # A late or retried run passes the same slot, so it reports exactly the same period.
    slot = utc(2026, 11, 24, 8)
    for kind in WINDOW_KINDS:
        assert compute_window(kind, slot, BERLIN, n=5) == compute_window(kind, slot, BERLIN, n=5)
    assert compute_window("previous_day", slot.replace(tzinfo=None), BERLIN) == compute_window("previous_day", slot,
                                                                                                 BERLIN)


@pytest.mark.parametrize(
    ("kind", "slot", "label"),
    [
        ("previous_day", utc(2026, 11, 24, 8), "Mon 23 Nov 2026, Europe/Berlin"),
        ("previous_day", utc(2026, 11, 4, 8), "Tue 3 Nov 2026, Europe/Berlin"),
        ("previous_week", utc(2026, 11, 24, 8), "Mon 16 Nov – Sun 22 Nov 2026 (week 47), Europe/Berlin"),
        ("previous_week", utc(2027, 1, 4, 8), "Mon 28 Dec 2026 – Sun 3 Jan 2027 (week 53), Europe/Berlin"),
        ("previous_month", utc(2026, 11, 24, 8), "October 2026, Europe/Berlin"),
        ("previous_quarter", utc(2026, 11, 24, 8), "Q3 2026, Europe/Berlin"),
        ("previous_year", utc(2026, 11, 24, 8), "2025, Europe/Berlin"),
        ("last_n_days", utc(2026, 11, 24, 8), "Sat 21 Nov – Mon 23 Nov 2026, Europe/Berlin"),
        ("month_to_date", utc(2026, 11, 24, 8), "Sun 1 Nov 00:00 – Tue 24 Nov 2026 09:00, Europe/Berlin"),
        ("last_n_hours", utc(2026, 11, 24, 8), "Tue 24 Nov 2026 06:00–09:00, Europe/Berlin"),
    ],
)
def test_label_says_the_period_like_a_person(kind, slot, label):
    assert compute_window(kind, slot, BERLIN, n=3).label == label


def test_heading_is_title_and_window():
    window = compute_window("previous_day", utc(2026, 11, 24, 8), BERLIN)
    assert window.heading("Sales") == "Sales · Mon 23 Nov 2026, Europe/Berlin"
    assert window.heading("") == "Mon 23 Nov 2026, Europe/Berlin"


def test_bad_kind_and_length_say_what_is_allowed():
    with pytest.raises(ParameterError, match="previous_day"):
        compute_window("fortnight", utc(2026, 1, 1), BERLIN)
    for n in (0, 3661):
        with pytest.raises(ParameterError, match="between 1 and 3660"):
            compute_window("last_n_days", utc(2026, 1, 1), BERLIN, n=n)


def test_every_choice_has_a_label_for_people():
    assert set(WINDOW_LABELS) == set(WINDOW_CHOICES) == {"schedule", *WINDOW_KINDS}


def test_start_of_day_in_a_midnight_gap_is_the_transition():
    zone = ZoneInfo("America/Santiago")
    start = start_of_day(dt.date(2026, 9, 6), zone)
    assert start.astimezone(zone).time() == dt.time(1)
    assert (start - dt.timedelta(microseconds=1)).astimezone(zone).date() == dt.date(2026, 9, 5)


def test_a_schedules_period_is_cut_in_whole_units_from_the_previous_slot():
    # A Monday slot whose previous slot was the Friday before: Friday to Sunday, in Berlin's dates.
    window = schedule_window(local(BERLIN, 2026, 11, 30, 9), local(BERLIN, 2026, 11, 27, 9), BERLIN, "day")
    assert (window.start, window.end) == (local(BERLIN, 2026, 11, 27), local(BERLIN, 2026, 11, 30))
    assert window.label == "Fri 27 Nov – Sun 29 Nov 2026, Europe/Berlin"
    # Whole months are named, several of them as a range, three calendar months as their quarter.
    two = schedule_window(local(BERLIN, 2027, 2, 1, 9), local(BERLIN, 2026, 12, 1, 9), BERLIN, "month")
    assert two.label == "December 2026 – January 2027, Europe/Berlin"
    assert schedule_window(local(BERLIN, 2027, 3, 1, 9), local(BERLIN, 2027, 1, 1, 9), BERLIN, "month").label == \
        "January – February 2027, Europe/Berlin"
    assert schedule_window(local(BERLIN, 2027, 4, 1, 9), local(BERLIN, 2027, 1, 1, 9), BERLIN, "quarter").label == \
        "Q1 2027, Europe/Berlin"
    assert schedule_window(local(BERLIN, 2027, 1, 1), local(BERLIN, 2026, 1, 1), BERLIN, "year").label == \
        "2026, Europe/Berlin"


def test_without_a_previous_slot_a_schedules_period_is_one_unit():
    assert schedule_window(local(BERLIN, 2026, 12, 1, 9), None, BERLIN, "month").label == "November 2026, Europe/Berlin"
    week = schedule_window(local(BERLIN, 2026, 12, 2, 9), None, BERLIN, "week", week_start=6)
    assert (week.start, week.end) == (local(BERLIN, 2026, 11, 22), local(BERLIN, 2026, 11, 29))
    hourly = schedule_window(utc(2026, 12, 1, 9), None, BERLIN, "exact", fallback=dt.timedelta(hours=1))
    assert (hourly.start, hourly.end) == (utc(2026, 12, 1, 8), utc(2026, 12, 1, 9))
    with pytest.raises(ParameterError, match="Unknown period unit “fortnight”"):
        schedule_window(utc(2026, 12, 1), None, BERLIN, "fortnight")


@pytest.mark.parametrize(("words", "kind", "n"), [
    ("last week", "previous_week", 7), ("for last month", "previous_month", 7),
    ("the previous quarter", "previous_quarter", 7), ("yesterday", "previous_day", 7),
    ("Last 10 Days", "last_n_days", 10), ("for the past 36 hours", "last_n_hours", 36),
    ("month-to-date", "month_to_date", 7), ("YTD", "year_to_date", 7), ("this week", "week_to_date", 7),
    ("since the last run", "since_previous_run", 7), ("as scheduled", "schedule", 7),
])
def test_period_words_people_type_are_read_as_a_window(words, kind, n):
    assert parse_period_words(words) == (kind, n)


@pytest.mark.parametrize("words", ["", "europe", "last fortnight", "last 0 days", "last 99999 days", "next week"])
def test_anything_else_is_not_a_period(words):
    assert parse_period_words(words) is None
