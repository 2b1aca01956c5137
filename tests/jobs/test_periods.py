"""The period a report covers, for every cadence family: whole calendar units since the previous
slot (DST weeks and month ends included), exact slot-to-slot periods for several runs a day, the
time since the last run, explicit windows, the workspace's week start, and Run now."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from jobs.cadence import parse
from jobs.periods import (
    Period,
    most_recent_slot,
    period_of_run,
    period_unit,
    previous_slot,
    run_now_period,
    setting_of,
    window_for,
)
from reports.window_words import window_phrase

UTC = dt.UTC
BERLIN, NEW_YORK = "Europe/Berlin", "America/New_York"
TYPED_AT = dt.datetime(2026, 1, 1, tzinfo=UTC)  # when the schedules below were "typed"


def cadence(text: str, zone: str = BERLIN, now: dt.datetime = TYPED_AT):
    return parse(text, zone, now=now).anchored(now)


def at(zone: str, *args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=ZoneInfo(zone)).astimezone(UTC)


def covered(text: str, slot: dt.datetime, zone: str = BERLIN, **options) -> tuple[dt.datetime, dt.datetime, str]:
    rule = cadence(text, zone)
    assert slot in rule.next_runs(slot - dt.timedelta(seconds=1), 1), "the case must use one of the rule's slots"
    window = window_for(Period(), slot=slot, cadence=rule, timezone=rule.timezone, **options)
    return window.start, window.end, window_phrase(window)


@pytest.mark.parametrize(("text", "zone", "slot", "start", "end", "hours", "phrase"), [
    # Daily: the previous day, 23 hours long the day clocks spring forward.
    ("every day at 9", BERLIN, at(BERLIN, 2026, 3, 30, 9), at(BERLIN, 2026, 3, 29), at(BERLIN, 2026, 3, 30), 23,
     "the previous day"),
    # Every weekday: the previous business day, and on Monday Friday to Sunday (here with the 25-hour Sunday).
    ("every weekday at 9", BERLIN, at(BERLIN, 2026, 10, 27, 9), at(BERLIN, 2026, 10, 26), at(BERLIN, 2026, 10, 27),
     24, "the previous day"),
    ("every weekday at 9", BERLIN, at(BERLIN, 2026, 10, 26, 9), at(BERLIN, 2026, 10, 23), at(BERLIN, 2026, 10, 26),
     73, "the 3 days since the previous report"),
    ("0 9 * * 1-5", BERLIN, at(BERLIN, 2026, 10, 26, 9), at(BERLIN, 2026, 10, 23), at(BERLIN, 2026, 10, 26), 73,
     "the 3 days since the previous report"),
    ("mon, wed and fri at 9", BERLIN, at(BERLIN, 2026, 11, 25, 9), at(BERLIN, 2026, 11, 23), at(BERLIN, 2026, 11, 25),
     48, "the 2 days since the previous report"),
    # Weekly: the previous Monday-to-Sunday week, whichever day it runs; 169 hours across fall back.
    ("every monday at 9", BERLIN, at(BERLIN, 2026, 10, 26, 9), at(BERLIN, 2026, 10, 19), at(BERLIN, 2026, 10, 26), 169,
     "the previous week"),
    ("every friday at 5pm", BERLIN, at(BERLIN, 2026, 10, 30, 17), at(BERLIN, 2026, 10, 19), at(BERLIN, 2026, 10, 26),
     169, "the previous week"),
    ("every monday at 9", NEW_YORK, at(NEW_YORK, 2026, 3, 9, 9), at(NEW_YORK, 2026, 3, 2), at(NEW_YORK, 2026, 3, 9),
     167, "the previous week"),
    ("every other monday at 9 starting 2026-11-30", BERLIN, at(BERLIN, 2026, 12, 14, 9), at(BERLIN, 2026, 11, 30),
     at(BERLIN, 2026, 12, 14), 336, "the previous 2 weeks"),
    # Monthly, on any day: the previous calendar month, month ends and leap years included.
    ("monthly", BERLIN, at(BERLIN, 2026, 11, 1, 9), at(BERLIN, 2026, 10, 1), at(BERLIN, 2026, 11, 1), 745,
     "the previous month"),
    ("last day of the month at 9", BERLIN, at(BERLIN, 2026, 2, 28, 9), at(BERLIN, 2026, 1, 1), at(BERLIN, 2026, 2, 1),
     744, "the previous month"),
    ("last day of the month at 9", BERLIN, at(BERLIN, 2028, 3, 31, 9), at(BERLIN, 2028, 2, 1), at(BERLIN, 2028, 3, 1),
     696, "the previous month"),
    ("last business day of the month at 9", BERLIN, at(BERLIN, 2027, 1, 29, 9), at(BERLIN, 2026, 12, 1),
     at(BERLIN, 2027, 1, 1), 744, "the previous month"),
    ("every other month on the 1st", BERLIN, at(BERLIN, 2027, 3, 1, 9), at(BERLIN, 2027, 1, 1), at(BERLIN, 2027, 3, 1),
     1416, "the previous 2 months"),
    # Quarterly and yearly: calendar quarters and years, whether the rule runs at their start or end.
    ("quarterly", BERLIN, at(BERLIN, 2027, 4, 1, 9), at(BERLIN, 2027, 1, 1), at(BERLIN, 2027, 4, 1), 2159,
     "the previous quarter"),
    ("last day of the quarter at 9", BERLIN, at(BERLIN, 2027, 3, 31, 9), at(BERLIN, 2026, 10, 1),
     at(BERLIN, 2027, 1, 1), 2209, "the previous quarter"),
    ("first monday of each quarter at 9", BERLIN, at(BERLIN, 2027, 1, 4, 9), at(BERLIN, 2026, 10, 1),
     at(BERLIN, 2027, 1, 1), 2209, "the previous quarter"),
    ("yearly", BERLIN, at(BERLIN, 2028, 1, 1, 9), at(BERLIN, 2027, 1, 1), at(BERLIN, 2028, 1, 1), 8760,
     "the previous year"),
    # Holiday calendars move the previous slot: the day after Thanksgiving covers Wednesday and Thursday.
    ("every business day at 9, US holidays", NEW_YORK, at(NEW_YORK, 2026, 11, 27, 9), at(NEW_YORK, 2026, 11, 25),
     at(NEW_YORK, 2026, 11, 27), 48, "the 2 days since the previous report"),
    ("every business day at 9, US holidays", NEW_YORK, at(NEW_YORK, 2026, 5, 26, 9), at(NEW_YORK, 2026, 5, 22),
     at(NEW_YORK, 2026, 5, 26), 96, "the 4 days since the previous report"),
    # Several rules, once a day at most: whole days since the other rule's run.
    ("every monday at 9 and every friday at 5pm", BERLIN, at(BERLIN, 2026, 11, 27, 17), at(BERLIN, 2026, 11, 23),
     at(BERLIN, 2026, 11, 27), 96, "the 4 days since the previous report"),
    # Several runs a day and sub-daily intervals: exactly from the previous slot, overnight included.
    ("at 9 and 17", BERLIN, at(BERLIN, 2026, 11, 24, 9), at(BERLIN, 2026, 11, 23, 17), at(BERLIN, 2026, 11, 24, 9), 16,
     "the last 16 hours"),
    ("every 2 hours", BERLIN, at(BERLIN, 2026, 11, 24, 14), at(BERLIN, 2026, 11, 24, 12), at(BERLIN, 2026, 11, 24, 14),
     2, "the last 2 hours"),
    ("every 15 minutes", BERLIN, at(BERLIN, 2026, 11, 24, 14, 15), at(BERLIN, 2026, 11, 24, 14),
     at(BERLIN, 2026, 11, 24, 14, 15), 0.25, "the last 15 minutes"),
    ("every hour from 9 to 17 on weekdays", BERLIN, at(BERLIN, 2026, 11, 23, 9), at(BERLIN, 2026, 11, 20, 17),
     at(BERLIN, 2026, 11, 23, 9), 64, "the time since the previous report"),
])
def test_the_period_is_everything_since_the_previous_slot_in_the_rules_own_unit(text, zone, slot, start, end, hours,
                                                                                   phrase):
    got_start, got_end, got_phrase = covered(text, slot, zone)
    assert (got_start, got_end) == (start, end)
    assert got_end - got_start == dt.timedelta(hours=hours)
    assert got_phrase == phrase


def test_every_two_hours_across_fall_back_covers_three_real_hours():
    # Berlin, Sun 25 Oct 2026: 02:00 CEST fires once, the next slot is 04:00 CET, three hours later.
    rule = cadence("every 2 hours")
    before, slot = rule.next_runs(at(BERLIN, 2026, 10, 25, 1), 2)
    assert slot - before == dt.timedelta(hours=3)
    window = window_for(Period(), slot=slot, cadence=rule, timezone=BERLIN)
    assert (window.start, window.end) == (before, slot)
    assert window.label == "Sun 25 Oct 2026 02:00 CEST–04:00 CET, Europe/Berlin"
    assert window_phrase(window) == "the last 3 hours"


CONSECUTIVE = ["every day at 9", "every weekday at 9", "mon, wed and fri at 9", "every monday at 9",
               "every other friday at 17", "monthly", "last business day of the month", "quarterly",
               "last day of the quarter", "at 9 and 17", "every 3 hours", "every business day, US holidays",
               "every monday at 9 and every friday at 5pm", "on the 1st at 9 and the 15th at 17"]


@pytest.mark.parametrize("text", CONSECUTIVE)
@pytest.mark.parametrize("zone", [BERLIN, NEW_YORK, "Australia/Lord_Howe"])
def test_consecutive_reports_cover_time_without_gaps_or_overlaps(text, zone):
    rule = cadence(text, zone)
    slots = rule.next_runs(dt.datetime(2026, 2, 20, tzinfo=UTC), 60)
    windows = [window_for(Period(), slot=slot, cadence=rule, timezone=rule.timezone) for slot in slots]
    for earlier, later in zip(windows, windows[1:], strict=False):
        assert earlier.end == later.start, (text, earlier.label, later.label)
    # And nothing a report covers is still to come when it runs.
    assert all(window.start < window.end <= slot for window, slot in zip(windows, slots, strict=True))


def test_the_workspace_week_start_cuts_weekly_periods():
    rule = cadence("every monday at 9")
    slot = at(BERLIN, 2026, 11, 30, 9)
    sunday = window_for(Period(), slot=slot, cadence=rule, timezone=BERLIN, week_start=6)
    assert (sunday.start, sunday.end) == (at(BERLIN, 2026, 11, 22), at(BERLIN, 2026, 11, 29))
    assert sunday.label == "Sun 22 Nov – Sat 28 Nov 2026, Europe/Berlin"  # no ISO week number: it starts on Sunday
    monday = window_for(Period(), slot=slot, cadence=rule, timezone=BERLIN)
    assert monday.label == "Mon 23 Nov – Sun 29 Nov 2026 (week 48), Europe/Berlin"
    # An explicit "previous week" follows the workspace too.
    explicit = window_for(Period("previous_week"), slot=slot, cadence=rule, timezone=BERLIN, week_start=6)
    assert (explicit.start, explicit.end) == (sunday.start, sunday.end)


def test_the_first_run_of_a_counted_or_late_starting_rule_covers_what_the_rule_would_have():
    counted = cadence("every day at 9, 3 times", now=dt.datetime(2026, 11, 23, 12, tzinfo=UTC))
    first = counted.next_runs(dt.datetime(2026, 11, 23, 12, tzinfo=UTC), 1)[0]
    assert previous_slot(counted, first) == first - dt.timedelta(days=1)
    window = window_for(Period(), slot=first, cadence=counted, timezone=BERLIN)
    assert window_phrase(window) == "the previous day" and window.label == "Mon 23 Nov 2026, Europe/Berlin"
    fortnightly = cadence("every other monday at 9 starting 2026-11-30")
    assert previous_slot(fortnightly, at(BERLIN, 2026, 11, 30, 9)) == at(BERLIN, 2026, 11, 16, 9)  # same weeks


def test_since_the_last_run_rules_cover_the_time_since_the_previous_run():
    rule = cadence("every 24 hours after the last run")
    assert period_unit(rule) == "elapsed"
    slot = dt.datetime(2026, 11, 24, 10, 30, tzinfo=UTC)
    last = dt.datetime(2026, 11, 23, 7, tzinfo=UTC)  # the previous run was late, or run by hand
    window = window_for(Period(), slot=slot, cadence=rule, timezone=BERLIN, last_run=last)
    assert (window.start, window.end) == (last, slot) and window_phrase(window) == "the time since the previous run"
    first = window_for(Period(), slot=slot, cadence=rule, timezone=BERLIN)
    assert first.start == slot - dt.timedelta(hours=24)


def test_an_explicit_window_overrides_the_schedule():
    rule = cadence("every monday at 9")
    slot = at(BERLIN, 2026, 11, 30, 9)
    setting = setting_of({"window": "last_n_days", "window_n": "10"})
    window = window_for(setting, slot=slot, cadence=rule, timezone=BERLIN)
    assert (window.start, window.end) == (at(BERLIN, 2026, 11, 20), at(BERLIN, 2026, 11, 30))
    assert window_phrase(window) == "the last 10 days"
    month = window_for(setting_of({"window": "month_to_date"}), slot=slot, cadence=rule, timezone=BERLIN)
    assert (month.start, month.end) == (at(BERLIN, 2026, 11, 1), slot)
    assert setting_of({}) == Period() and setting_of({}, "previous_month") == Period("previous_month")


def test_run_now_covers_the_most_recent_slots_period_unless_another_was_chosen():
    rule = cadence("every monday at 9")
    wednesday = at(BERLIN, 2026, 12, 2, 15)
    assert most_recent_slot(rule, wednesday) == at(BERLIN, 2026, 11, 30, 9)
    assert most_recent_slot(rule, at(BERLIN, 2026, 11, 30, 9)) == at(BERLIN, 2026, 11, 30, 9)  # a slot is its own
    period = run_now_period(Period(), rule, wednesday)
    window = window_for(period, slot=wednesday, cadence=rule, timezone=BERLIN)
    monday = window_for(Period(), slot=at(BERLIN, 2026, 11, 30, 9), cadence=rule, timezone=BERLIN)
    assert window == monday  # what Monday's report covered, with today's data
    # Windows that end at the moment of the run are taken now; a chosen period is kept as chosen.
    assert run_now_period(Period("month_to_date"), rule, wednesday).as_of is None
    stored = Period("previous_month").to_json()
    chosen = period_of_run(Period(), stored)
    assert window_for(chosen, slot=wednesday, cadence=rule, timezone=BERLIN).label == "November 2026, Europe/Berlin"


def test_a_runs_stored_period_survives_the_round_trip_and_bad_data():
    period = Period("schedule", 7, at(BERLIN, 2026, 11, 30, 9))
    assert period_of_run(Period(), period.to_json()) == period
    assert period_of_run(Period("last_n_days", 3), None) == Period("last_n_days", 3)
    assert period_of_run(Period(), {"kind": 5, "n": True, "as_of": "yesterday"}) == Period()


@pytest.mark.parametrize(("text", "unit"), [
    ("every day at 9", "day"), ("every weekday", "day"), ("every monday", "week"), ("every other friday", "week"),
    ("monthly", "month"), ("on the 15th", "month"), ("second tuesday of the month", "month"),
    ("last business day of the month", "month"), ("on the 1st and 15th", "day"), ("quarterly", "quarter"),
    ("last day of the quarter", "quarter"), ("every 6 months on the 1st", "month"), ("yearly", "year"),
    ("every dec 31", "year"), ("every year on march 3", "month"), ("every hour", "exact"), ("at 9 and 17", "exact"),
    ("0 9 1,15 * 1", "day"), ("9am on weekdays and 11am on weekends", "day"),
    ("every monday at 9 and on the 1st at 17", "exact"), ("every 24 hours after the last run", "elapsed"),
])
def test_the_unit_is_the_rhythm_the_rule_is_written_in(text, unit):
    assert period_unit(cadence(text)) == unit
