"""Table-driven: every category of the cadence grammar, in several zones.

Runs are listed in the cadence's effective zone. AFTER is Wednesday 2026-03-04 12:00 UTC, which is
13:00 in Berlin, 07:00 in New York, 17:30 in Kolkata and 23:00 in Sydney.
"""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from jobs.cadence import parse

AFTER = dt.datetime(2026, 3, 4, 12, 0, tzinfo=dt.UTC)


def local_runs(text, tz, count, after=AFTER):
    cadence = parse(text, tz, now=after)
    zone = ZoneInfo(cadence.timezone)
    return [run.astimezone(zone).strftime("%a %Y-%m-%d %H:%M") for run in cadence.next_runs(after, count)]


def table(*rows):
    return pytest.mark.parametrize(("text", "tz", "expected"), rows, ids=[row[0] for row in rows])


@table(
    ("every 30 minutes on weekdays from 8am to 6pm", "Europe/Berlin",
     ["Wed 2026-03-04 13:30", "Wed 2026-03-04 14:00", "Wed 2026-03-04 14:30"]),
    ("every 15 minutes", "Asia/Kolkata", ["Wed 2026-03-04 17:45", "Wed 2026-03-04 18:00", "Wed 2026-03-04 18:15"]),
    ("hourly", "America/New_York", ["Wed 2026-03-04 08:00", "Wed 2026-03-04 09:00"]),
    ("every 2 hours", "Australia/Sydney", ["Thu 2026-03-05 00:00", "Thu 2026-03-05 02:00", "Thu 2026-03-05 04:00"]),
    ("every 90 minutes between 9 and 5", "Europe/Berlin",
     ["Wed 2026-03-04 13:30", "Wed 2026-03-04 15:00", "Wed 2026-03-04 16:30"]),
    ("every hour at :15 on weekends", "UTC", ["Sat 2026-03-07 00:15", "Sat 2026-03-07 01:15"]),
    ("every 3 hours from 0:00 to 21:00 on mon-fri", "Asia/Kolkata",
     ["Wed 2026-03-04 18:00", "Wed 2026-03-04 21:00", "Thu 2026-03-05 00:00"]),
    ("Every five mintues", "UTC", ["Wed 2026-03-04 12:05", "Wed 2026-03-04 12:10"]),
    ("every hour between 9am and 5pm on weekdays", "Europe/Berlin", ["Wed 2026-03-04 14:00", "Wed 2026-03-04 15:00"]),
    ("every day, every hour from 9h to 17h", "UTC", ["Wed 2026-03-04 13:00", "Wed 2026-03-04 14:00"]),
    ("every 6 hours starting at 2am", "UTC", ["Wed 2026-03-04 14:00", "Wed 2026-03-04 20:00", "Thu 2026-03-05 02:00"]),
    ("every 2h", "UTC", ["Wed 2026-03-04 14:00"]),
)
def test_sub_daily(text, tz, expected):
    assert local_runs(text, tz, len(expected)) == expected


@table(
    ("daily", "Australia/Sydney", ["Thu 2026-03-05 09:00", "Fri 2026-03-06 09:00"]),
    ("every day", "Europe/Berlin", ["Thu 2026-03-05 09:00", "Fri 2026-03-06 09:00"]),
    ("every morning", "Asia/Kolkata", ["Thu 2026-03-05 09:00", "Fri 2026-03-06 09:00"]),
    ("weekday mornings at 7:45", "America/New_York",
     ["Wed 2026-03-04 07:45", "Thu 2026-03-05 07:45", "Fri 2026-03-06 07:45"]),
    ("every workday at 8", "Europe/Berlin", ["Thu 2026-03-05 08:00", "Fri 2026-03-06 08:00", "Mon 2026-03-09 08:00"]),
    ("business days at 5 p.m.", "Australia/Sydney", ["Thu 2026-03-05 17:00", "Fri 2026-03-06 17:00"]),
    ("working days at 10", "UTC", ["Thu 2026-03-05 10:00", "Fri 2026-03-06 10:00", "Mon 2026-03-09 10:00"]),
    ("weekends at 10", "Asia/Kolkata", ["Sat 2026-03-07 10:00", "Sun 2026-03-08 10:00"]),
    ("every day except weekends", "UTC", ["Thu 2026-03-05 09:00", "Fri 2026-03-06 09:00", "Mon 2026-03-09 09:00"]),
    ("EVERY WEEKDAY AT 9AM", "UTC", ["Thu 2026-03-05 09:00"]),
    ("evry weekdya at 9", "UTC", ["Thu 2026-03-05 09:00"]),
)
def test_daily_and_day_groups(text, tz, expected):
    assert local_runs(text, tz, len(expected)) == expected


@table(
    ("mon, wed and fri at 9", "Europe/Berlin",
     ["Fri 2026-03-06 09:00", "Mon 2026-03-09 09:00", "Wed 2026-03-11 09:00"]),
    ("tue-thu at 14:00", "Australia/Sydney", ["Thu 2026-03-05 14:00", "Tue 2026-03-10 14:00", "Wed 2026-03-11 14:00"]),
    ("tuesdays and thursdays at noon", "America/New_York",
     ["Thu 2026-03-05 12:00", "Tue 2026-03-10 12:00", "Thu 2026-03-12 12:00"]),
    ("monday through friday at 8", "UTC", ["Thu 2026-03-05 08:00", "Fri 2026-03-06 08:00", "Mon 2026-03-09 08:00"]),
    ("every sunday", "UTC", ["Sun 2026-03-08 09:00", "Sun 2026-03-15 09:00"]),
    ("every wendesday at 10", "Asia/Kolkata", ["Wed 2026-03-11 10:00"]),
    ("thrusday 3pm", "UTC", ["Thu 2026-03-05 15:00"]),
    ("every weekday except friday", "UTC", ["Thu 2026-03-05 09:00", "Mon 2026-03-09 09:00"]),
)
def test_weekdays(text, tz, expected):
    assert local_runs(text, tz, len(expected)) == expected


@table(
    ("every 2 weeks on monday", "America/New_York",
     ["Mon 2026-03-09 09:00", "Mon 2026-03-23 09:00", "Mon 2026-04-06 09:00"]),
    ("every other week on tuesday and thursday", "Europe/Berlin",
     ["Thu 2026-03-05 09:00", "Tue 2026-03-17 09:00", "Thu 2026-03-19 09:00", "Tue 2026-03-31 09:00"]),
    ("fortnightly on fridays at 16:00", "Australia/Sydney",
     ["Fri 2026-03-06 16:00", "Fri 2026-03-20 16:00", "Fri 2026-04-03 16:00"]),
    ("every second week on wednesday", "Asia/Kolkata",
     ["Wed 2026-03-11 09:00", "Wed 2026-03-25 09:00", "Wed 2026-04-08 09:00"]),
    ("every 3 weeks on mon and fri", "UTC",
     ["Fri 2026-03-06 09:00", "Mon 2026-03-23 09:00", "Fri 2026-03-27 09:00", "Mon 2026-04-13 09:00"]),
    ("every other friday", "UTC", ["Fri 2026-03-06 09:00", "Fri 2026-03-20 09:00"]),
    ("weekly", "UTC", ["Mon 2026-03-09 09:00", "Mon 2026-03-16 09:00"]),
    ("weekly on thursday at 16:30", "Europe/Berlin", ["Thu 2026-03-05 16:30", "Thu 2026-03-12 16:30"]),
)
def test_weekly_intervals(text, tz, expected):
    assert local_runs(text, tz, len(expected)) == expected


@table(
    ("on the 1st and 15th", "Europe/Berlin", ["Sun 2026-03-15 09:00", "Wed 2026-04-01 09:00", "Wed 2026-04-15 09:00"]),
    ("every 27th at 18:00", "Asia/Kolkata", ["Fri 2026-03-27 18:00", "Mon 2026-04-27 18:00"]),
    ("on the 31st", "UTC", ["Tue 2026-03-31 09:00", "Sun 2026-05-31 09:00", "Fri 2026-07-31 09:00"]),
    ("monthly", "UTC", ["Wed 2026-04-01 09:00", "Fri 2026-05-01 09:00"]),
    ("every month on the 15th at 8", "America/New_York", ["Sun 2026-03-15 08:00", "Wed 2026-04-15 08:00"]),
    ("second tuesday", "America/New_York", ["Tue 2026-03-10 09:00", "Tue 2026-04-14 09:00"]),
    ("the 2nd and 4th thursday at 10", "Europe/Berlin",
     ["Thu 2026-03-12 10:00", "Thu 2026-03-26 10:00", "Thu 2026-04-09 10:00"]),
    ("last friday of the month", "Australia/Sydney", ["Fri 2026-03-27 09:00", "Fri 2026-04-24 09:00"]),
    ("the first monday and the last friday of the month", "UTC",
     ["Fri 2026-03-27 09:00", "Mon 2026-04-06 09:00", "Fri 2026-04-24 09:00"]),
    ("last day of the month", "Asia/Kolkata", ["Tue 2026-03-31 09:00", "Thu 2026-04-30 09:00", "Sun 2026-05-31 09:00"]),
    ("end of month at 18:00", "UTC", ["Tue 2026-03-31 18:00"]),
    ("last business day of the month", "Europe/Berlin",
     ["Tue 2026-03-31 09:00", "Thu 2026-04-30 09:00", "Fri 2026-05-29 09:00"]),
    ("first business day of the month", "America/New_York", ["Wed 2026-04-01 09:00", "Fri 2026-05-01 09:00"]),
    ("every other month on the 1st", "UTC", ["Fri 2026-05-01 09:00", "Wed 2026-07-01 09:00"]),
)
def test_monthly(text, tz, expected):
    assert local_runs(text, tz, len(expected)) == expected


@table(
    ("first monday of each quarter", "Europe/Berlin",
     ["Mon 2026-04-06 09:00", "Mon 2026-07-06 09:00", "Mon 2026-10-05 09:00"]),
    ("quarterly", "Asia/Kolkata", ["Wed 2026-04-01 09:00", "Wed 2026-07-01 09:00"]),
    ("last day of the quarter at 17:00", "UTC", ["Tue 2026-03-31 17:00", "Tue 2026-06-30 17:00"]),
    ("last friday of each quarter", "UTC", ["Fri 2026-03-27 09:00", "Fri 2026-06-26 09:00"]),
    ("every year on march 3", "America/New_York", ["Wed 2027-03-03 09:00", "Fri 2028-03-03 09:00"]),
    ("4th thursday in november", "America/New_York", ["Thu 2026-11-26 09:00", "Thu 2027-11-25 09:00"]),
    ("annually on 29 february", "UTC", ["Tue 2028-02-29 09:00", "Sun 2032-02-29 09:00"]),
    ("every year on the 4th of july at noon", "Australia/Sydney", ["Sat 2026-07-04 12:00"]),
    ("on march 3 and september 15", "UTC", ["Tue 2026-09-15 09:00", "Wed 2027-03-03 09:00"]),
    ("yearly", "UTC", ["Fri 2027-01-01 09:00"]),
)
def test_quarterly_and_yearly(text, tz, expected):
    assert local_runs(text, tz, len(expected)) == expected


@table(
    ("at 9 and 17", "Asia/Kolkata", ["Thu 2026-03-05 09:00", "Thu 2026-03-05 17:00", "Fri 2026-03-06 09:00"]),
    ("8:00, 12:00 and 18:00 on weekdays", "Europe/Berlin",
     ["Wed 2026-03-04 18:00", "Thu 2026-03-05 08:00", "Thu 2026-03-05 12:00"]),
    ("noon and midnight", "Australia/Sydney", ["Thu 2026-03-05 00:00", "Thu 2026-03-05 12:00", "Fri 2026-03-06 00:00"]),
    ("every day at 12am", "UTC", ["Thu 2026-03-05 00:00"]),
    ("every day at 12pm", "UTC", ["Thu 2026-03-05 12:00"]),
    ("every day at 0930", "UTC", ["Thu 2026-03-05 09:30"]),
    ("every day at 9", "UTC", ["Thu 2026-03-05 09:00"]),
    ("every day at 17", "UTC", ["Wed 2026-03-04 17:00"]),
    ("every day at 5 p.m.", "UTC", ["Wed 2026-03-04 17:00"]),
    ("every day at 9 o'clock", "UTC", ["Thu 2026-03-05 09:00"]),
    ("every day at nine", "UTC", ["Thu 2026-03-05 09:00"]),
    ("every day at 9:30 pm", "UTC", ["Wed 2026-03-04 21:30"]),
    ("every friday at 16h", "UTC", ["Fri 2026-03-06 16:00"]),
)
def test_times(text, tz, expected):
    assert local_runs(text, tz, len(expected)) == expected


@table(
    ("0 9 * * 1-5", "Europe/Berlin", ["Thu 2026-03-05 09:00", "Fri 2026-03-06 09:00"]),
    ("*/20 9-10 * * *", "Asia/Kolkata", ["Thu 2026-03-05 09:00", "Thu 2026-03-05 09:20", "Thu 2026-03-05 09:40"]),
    ("0 0 1 jan,jul *", "UTC", ["Wed 2026-07-01 00:00", "Fri 2027-01-01 00:00"]),
    ("30 8 * * 0", "Australia/Sydney", ["Sun 2026-03-08 08:30", "Sun 2026-03-15 08:30"]),
    ("30 8 * * 7", "Australia/Sydney", ["Sun 2026-03-08 08:30", "Sun 2026-03-15 08:30"]),
    ("0 12 * * SAT-SUN", "America/New_York", ["Sat 2026-03-07 12:00", "Sun 2026-03-08 12:00"]),
    ("0 9 1,15 * 1", "UTC",  # both day fields set: either matches (Vixie cron)
     ["Mon 2026-03-09 09:00", "Sun 2026-03-15 09:00", "Mon 2026-03-16 09:00"]),
    ("0 9 */2 * 1", "UTC", ["Mon 2026-03-09 09:00", "Mon 2026-03-23 09:00", "Mon 2026-04-13 09:00"]),  # '*' field: both
    ("15 14 1 * *", "Europe/Berlin", ["Wed 2026-04-01 14:15", "Fri 2026-05-01 14:15"]),
    ("@hourly", "UTC", ["Wed 2026-03-04 13:00", "Wed 2026-03-04 14:00"]),
    ("CRON_TZ=Asia/Tokyo 0 9 * * *", "Europe/Berlin", ["Thu 2026-03-05 09:00"]),
)
def test_cron(text, tz, expected):
    assert local_runs(text, tz, len(expected)) == expected


@pytest.mark.parametrize(
    ("text", "tz", "zone"),
    [
        ("every day at 9am ET", "Europe/Berlin", "America/New_York"),
        ("every day at 9am EST", "Asia/Kolkata", "America/New_York"),
        ("every day at 9 EDT", "UTC", "America/New_York"),
        ("every day at 9 PT", "UTC", "America/Los_Angeles"),
        ("every day at 9 PST", "UTC", "America/Los_Angeles"),
        ("every day at 9 CT", "UTC", "America/Chicago"),
        ("every day at 9 MT", "UTC", "America/Denver"),
        ("every weekday at 9 CET", "America/New_York", "Europe/Berlin"),
        ("every weekday at 9 CEST", "America/New_York", "Europe/Berlin"),
        ("every day at 9 UTC", "Asia/Kolkata", "UTC"),
        ("every day at 9 GMT", "Asia/Kolkata", "UTC"),
        ("every monday at 9 in Asia/Kolkata", "America/New_York", "Asia/Kolkata"),
        ("every monday at 9 australia/sydney", "UTC", "Australia/Sydney"),
        ("every day at 9 New York time", "UTC", "America/New_York"),
        ("every day at 9 UTC+2", "UTC", "Etc/GMT-2"),
        ("0 9 * * * in America/Chicago", "UTC", "America/Chicago"),
        ("every day at 9", "Australia/Sydney", "Australia/Sydney"),
    ],
)
def test_zone_named_in_text_overrides_users(text, tz, zone):
    assert parse(text, tz).timezone == zone


def test_named_zone_applies_to_time_and_weekday():
    # 09:00 Monday in Kolkata is still Sunday evening in New York.
    run = parse("every monday at 9 in Asia/Kolkata", "America/New_York").next_run(AFTER)
    assert run == dt.datetime(2026, 3, 9, 3, 30, tzinfo=dt.UTC)


@table(
    ("every monday at 9 starting next monday", "Europe/Berlin", ["Mon 2026-03-09 09:00", "Mon 2026-03-16 09:00"]),
    ("every day at 8 starting 2026-04-01", "UTC", ["Wed 2026-04-01 08:00", "Thu 2026-04-02 08:00"]),
    ("every day at 8 from april 1 until april 3", "UTC",
     ["Wed 2026-04-01 08:00", "Thu 2026-04-02 08:00", "Fri 2026-04-03 08:00"]),
    ("every weekday at 9 until 2026-03-06", "Asia/Kolkata", ["Thu 2026-03-05 09:00", "Fri 2026-03-06 09:00"]),
    ("every other monday starting 2026-03-16", "UTC",
     ["Mon 2026-03-16 09:00", "Mon 2026-03-30 09:00", "Mon 2026-04-13 09:00"]),
    ("starting tomorrow every day at 8", "UTC", ["Thu 2026-03-05 08:00"]),
    ("every monday from next week", "UTC", ["Mon 2026-03-09 09:00"]),
    ("every day starting next month", "UTC", ["Wed 2026-04-01 09:00"]),
    ("every 1st until end of june", "UTC",
     ["Wed 2026-04-01 09:00", "Fri 2026-05-01 09:00", "Mon 2026-06-01 09:00"]),
)
def test_bounds(text, tz, expected):
    count = len(expected) + 2 if "until" in text else len(expected)  # bounded ones stop early
    assert local_runs(text, tz, count) == expected


@table(
    ("every 24 hours after the last run", "Europe/Berlin",
     ["Thu 2026-03-05 13:00", "Fri 2026-03-06 13:00", "Sat 2026-03-07 13:00"]),
    ("every 90 minutes after the previous run", "UTC", ["Wed 2026-03-04 13:30", "Wed 2026-03-04 15:00"]),
    ("36 hours after the last run", "UTC", ["Fri 2026-03-06 00:00"]),
)
def test_interval_from_last_run(text, tz, expected):
    assert local_runs(text, tz, len(expected)) == expected


def test_interval_from_last_run_counts_elapsed_time_across_dst():
    cadence = parse("every 24 hours after the last run", "America/New_York")
    before_change = dt.datetime(2026, 3, 7, 14, 0, tzinfo=dt.UTC)  # 09:00 EST
    assert cadence.next_run(before_change) == dt.datetime(2026, 3, 8, 14, 0, tzinfo=dt.UTC)  # 10:00 EDT


@pytest.mark.parametrize(
    ("text", "tz", "after", "expected"),
    [
        # Memorial Day, Monday 2026-05-25
        ("every business day, US holidays", "America/New_York", dt.datetime(2026, 5, 22, 18, tzinfo=dt.UTC),
         ["Tue 2026-05-26 09:00", "Wed 2026-05-27 09:00"]),
        ("every weekday", "America/New_York", dt.datetime(2026, 5, 22, 18, tzinfo=dt.UTC),
         ["Mon 2026-05-25 09:00", "Tue 2026-05-26 09:00"]),
        # Epiphany (6 January) is a holiday in Bavaria, not in Berlin
        ("every weekday, holidays in Germany (BY)", "Europe/Berlin", dt.datetime(2026, 1, 5, 12, tzinfo=dt.UTC),
         ["Wed 2026-01-07 09:00"]),
        ("every weekday skipping DE-BE holidays", "Europe/Berlin", dt.datetime(2026, 1, 5, 12, tzinfo=dt.UTC),
         ["Tue 2026-01-06 09:00"]),
        # New Year's Day 2027 is a Friday: the first business day is Monday the 4th
        ("first business day of the month skipping UK bank holidays", "Europe/London",
         dt.datetime(2026, 12, 15, tzinfo=dt.UTC), ["Mon 2027-01-04 09:00"]),
        ("last business day of the month, US holidays", "America/New_York",
         dt.datetime(2026, 12, 1, tzinfo=dt.UTC), ["Thu 2026-12-31 09:00"]),
        ("last business day of the month, US holidays", "America/New_York",
         dt.datetime(2027, 12, 1, tzinfo=dt.UTC), ["Thu 2027-12-30 09:00"]),  # Fri 31st observed for New Year
    ],
)
def test_holiday_calendars(text, tz, after, expected):
    assert local_runs(text, tz, len(expected), after=after) == expected


def test_holiday_calendar_is_kept():
    cadence = parse("every business day except US-NY holidays", "America/New_York")
    assert cadence.spec.holidays == ("US", "NY")
    assert "X-SKIP-HOLIDAYS=US-NY" in cadence.rule
