"""Other projects' test suites, rephrased: their cases, our phrases, their answers as the oracle.

* RFC 5545's worked RRULE examples typed as English: the runs must equal python-dateutil's rrule (an
  RFC 5545 implementation) for the same rule, started at our first run.
* croniter's and cron-descriptor's expressions: our runs must equal croniter's, except where our rule
  differs on purpose (Vixie day matching, the DST fold) — those cases are pinned below as such.
* kvh/recurrent's and a Slack /remind clone's phrases: what each means here, or why it is refused.
The phrases are written for this file; only the cases (what should happen) come from those suites.
"""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from croniter import croniter
from dateutil import rrule

from jobs.cadence import parse

from .cadence_support import TUESDAY, error_for, local_runs

NEW_YORK = ZoneInfo("America/New_York")


def rfc(text, body, first, count=12, tz="America/New_York"):
    return pytest.param(text, body, first, count, tz, id=text)


@pytest.mark.parametrize(("text", "body", "first", "count", "tz"), [
    rfc("every day at 9am for 10 occurrences", "FREQ=DAILY;COUNT=10", (2026, 3, 3, 9)),
    rfc("every day at 9am until march 20", "FREQ=DAILY;UNTIL=20260320T235959", (2026, 3, 3, 9), 30),
    rfc("every day in january at 9am for 3 years", "FREQ=DAILY;BYMONTH=1;UNTIL=20290302T235959",
        (2027, 1, 1, 9), 100),
    rfc("weekly on tuesday at 9am, 10 times", "FREQ=WEEKLY;COUNT=10", (2026, 3, 3, 9)),
    rfc("every other tuesday at 9am", "FREQ=WEEKLY;INTERVAL=2", (2026, 3, 3, 9)),
    rfc("every tuesday and thursday at 9am for 5 weeks", "FREQ=WEEKLY;UNTIL=20260406T235959;BYDAY=TU,TH",
        (2026, 3, 3, 9), 15),
    rfc("every other week on monday, wednesday and friday at 9am until april 24",
        "FREQ=WEEKLY;INTERVAL=2;WKST=MO;UNTIL=20260424T235959;BYDAY=MO,WE,FR", (2026, 3, 4, 9), 20),
    rfc("every other week on tuesday and thursday at 9am, for 8 occurrences",
        "FREQ=WEEKLY;INTERVAL=2;WKST=MO;COUNT=8;BYDAY=TU,TH", (2026, 3, 3, 9)),
    rfc("the first friday of every month at 9am, 10 times", "FREQ=MONTHLY;COUNT=10;BYDAY=1FR", (2026, 3, 6, 9)),
    rfc("monthly on the first friday at 9am until december 24", "FREQ=MONTHLY;UNTIL=20261224T235959;BYDAY=1FR",
        (2026, 3, 6, 9)),
    rfc("every other month on the first and last sunday at 9am, 10 times",
        "FREQ=MONTHLY;INTERVAL=2;COUNT=10;BYDAY=1SU,-1SU", (2026, 3, 29, 9)),
    rfc("the second to last monday of every month at 9am for 6 months", "FREQ=MONTHLY;UNTIL=20260902T235959;BYDAY=-2MO",
        (2026, 3, 23, 9)),
    rfc("the third to last day of the month at 9am", "FREQ=MONTHLY;BYMONTHDAY=-3", (2026, 3, 29, 9)),
    rfc("monthly on the 2nd and 15th at 9am for 10 occurrences", "FREQ=MONTHLY;COUNT=10;BYMONTHDAY=2,15",
        (2026, 3, 15, 9)),
    rfc("on the first and last day of the month at 9am, 10 times", "FREQ=MONTHLY;COUNT=10;BYMONTHDAY=1,-1",
        (2026, 3, 31, 9)),
    rfc("monthly on the 10th through 15th at 9am", "FREQ=MONTHLY;BYMONTHDAY=10,11,12,13,14,15", (2026, 3, 10, 9)),
    rfc("every tuesday, every other month at 9am", "FREQ=MONTHLY;INTERVAL=2;BYDAY=TU", (2026, 3, 3, 9), 20),
    rfc("every year on june 10 and july 10 at 9am, 10 times", "FREQ=YEARLY;COUNT=10;BYMONTH=6,7", (2026, 6, 10, 9)),
    rfc("every thursday in march at 9am", "FREQ=YEARLY;BYMONTH=3;BYDAY=TH", (2026, 3, 5, 9)),
    rfc("every thursday, but only during june, july and august at 9am", "FREQ=YEARLY;BYDAY=TH;BYMONTH=6,7,8",
        (2026, 6, 4, 9), 20),
    rfc("every friday the 13th at 9am", "FREQ=MONTHLY;BYDAY=FR;BYMONTHDAY=13", (2026, 3, 13, 9), 6),
    rfc("the second to last weekday of the month at 9am", "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-2",
        (2026, 3, 30, 9)),
    rfc("every 3 hours from 9am to 5pm", "FREQ=DAILY;BYHOUR=9,12,15;BYMINUTE=0", (2026, 3, 3, 9)),
    rfc("every 15 minutes, 6 times", "FREQ=MINUTELY;INTERVAL=15;COUNT=6", (2026, 3, 3, 3, 15)),
    rfc("every hour and a half, 4 times", "FREQ=MINUTELY;INTERVAL=90;COUNT=4", (2026, 3, 3, 4, 30)),
    rfc("every 20 minutes from 9am to 4:40pm", "FREQ=DAILY;BYHOUR=9,10,11,12,13,14,15,16;BYMINUTE=0,20,40",
        (2026, 3, 3, 9), 30),
])
def test_rfc_5545_examples_in_english(text, body, first, count, tz):
    # dateutil walks wall times (naive, as RFC 5545 local times are); each is then placed in the zone.
    walls = rrule.rrulestr(body, dtstart=dt.datetime(*first))[:count]
    expected = [wall.replace(tzinfo=ZoneInfo(tz)).astimezone(dt.UTC) for wall in walls]
    assert parse(text, tz, now=TUESDAY).next_runs(TUESDAY, count) == expected


@pytest.mark.parametrize(("text", "fragment"), [
    ("every other day", "drifts across weeks and months"),  # RFC: FREQ=DAILY;INTERVAL=2
    ("every 10 days, 5 times", "drifts across weeks and months"),
    ("every 18 months on the 10th", "doesn't fit evenly into a year"),
    ("every other year in january, february and march", "every few years"),
    ("every 20th monday of the year", "There is no 20th weekday in a month"),
])
def test_rfc_5545_examples_we_refuse_with_a_reason(text, fragment):
    # Rhythms that drift against the calendar (every N days, months or years that don't divide it).
    assert fragment in error_for(text)


CRON_CASES = [
    "* * * * *", "*/5 * * * *", "*/30 * * * *", "0 */3 * * *", "0 0/6 * * *", "0 4/6 * * *", "5/15 * * * *",
    "1-9/2 0 1 * *", "0 0 */3 * *", "0 0 */5 * *", "5 0 */2 * *", "0 0 1,15,31 * *", "00 03 16,30 * *",
    "0 0 1-31 1 *", "0 0 31 * *", "0 0 30 2,4 *", "15 22 29 2 *", "0 6 30 3 *", "* * 26 * *", "* 10 * * *",
    "* 4,1-4,5,4 * * *", "* * * * 2-3,4-5,3,3,3", "* * * * sat", "0 0 * * sat,sun", "30 22 * * sun-thu",
    "59 23 * 1 wed,fri,mon-thu,tue,tue", "0 9 * * 5-1", "0 9 * * 0-7", "0 9 * * 6-7", "0 0 * * 0,7",
    "0 23 ? * MON-FRI", "*/5 15 * * MON-FRI", "*/5 15 * * MoN-fri", "30 11 * * 1-5", "30 14,16 * * *",
    "30 6,14,16 * * *", "46 9 * * 1", "23 12 15 * *", "23 12 * JAN *", "23 12 ? JAN *", "23 12 * JAN-FEB *",
    "0-10 11 * * *", "2,4-5 1 * * *", "0-20/3 9 * * *", "0 0 1 1-12 0", "0 0 1-31 1 0", "0 0 1 1 0-6",
    "30 1-12,0,10-23 15-21 * fri", "0 13 8 1,4,7,10 wed", "0 0 1 * mon", "0 9 1,15 * 1", "0 12 * */3 *",
    "@hourly", "@daily", "@weekly", "@monthly", "@yearly", "@midnight", "@annually",
    "0 9 * * 5#3", "0 0 * * sat#1,sun#2", "*/5 * L 1 *", "0 0 L * *",
]


@pytest.mark.parametrize("expression", CRON_CASES)
@pytest.mark.parametrize("zone", ["UTC", "Asia/Kolkata"])
def test_cron_runs_match_croniter(expression, zone):
    start = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    theirs = croniter(expression, start.astimezone(ZoneInfo(zone)))
    expected = [theirs.get_next(dt.datetime).astimezone(dt.UTC) for _ in range(40)]
    assert parse(expression, zone).next_runs(start, 40) == expected


@pytest.mark.parametrize(("expression", "ours", "croniters"), [
    # Vixie cron: a day field starting with '*' makes both day fields required (croniter ORs them).
    ("0 0 */2 * 1", ["2026-01-05", "2026-01-19", "2026-02-09"], ["2026-01-03", "2026-01-05", "2026-01-07"]),
    ("0 0 1 * */2", ["2026-02-01", "2026-03-01", "2026-08-01"], ["2026-01-03", "2026-01-04", "2026-01-06"]),
])
def test_where_we_follow_vixie_cron_instead_of_croniter(expression, ours, croniters):
    start = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    theirs = croniter(expression, start)
    assert [run.date().isoformat() for run in parse(expression, "UTC").next_runs(start, 3)] == ours
    assert [theirs.get_next(dt.datetime).date().isoformat() for _ in range(3)] == croniters


def test_where_a_repeated_hour_runs_once_not_twice_as_in_croniter():
    # New York falls back on 2026-11-01: 01:30 happens twice; we run at the first one only.
    start = dt.datetime(2026, 10, 31, 12, tzinfo=dt.UTC)
    ours = parse("30 1 * * *", "America/New_York").next_runs(start, 2)
    theirs = croniter("30 1 * * *", start.astimezone(NEW_YORK))
    assert ours == [dt.datetime(2026, 11, 1, 5, 30, tzinfo=dt.UTC), dt.datetime(2026, 11, 2, 6, 30, tzinfo=dt.UTC)]
    assert theirs.get_next(dt.datetime).astimezone(dt.UTC) == ours[0]
    assert theirs.get_next(dt.datetime).astimezone(dt.UTC) == dt.datetime(2026, 11, 1, 6, 30, tzinfo=dt.UTC)


@pytest.mark.parametrize(("expression", "fragment"), [
    ("* * * * *,b", "I can't read 'b'"), ("* * * janu-jun *", "I can't read 'janu'"),
    ("* * 5-100 * *", "out of range"), ("* * ?,* * *", "'?' stands alone"), ("* ? * * *", "'?' only works in the day"),
    ("-90 * * * *", "A number is missing"), ("0 0 0 0 0", "out of range"), ("0-10/ * * * *", "no number after '/'"),
    ("0-10000000 * * * *", "out of range"), ("? * * * *", "'?' only works in the day"), ("0 0 * * 1#0", "use 1 to 5"),
    ("0 0 * * 1#7", "use 1 to 5"), ("0 0 * * L8", "out of range"), ("* * * * * *", "has 6 cron fields"),
    ("0 0 6 1/1 * ?", "has 6 cron fields"), ("0 9 13W * *", "nearest a date"), ("0 9 15 * 5#3", "can't combine"),
])
def test_cron_that_croniter_or_cron_descriptor_reject_or_read_with_seconds_is_refused(expression, fragment):
    assert fragment in error_for(expression)


@pytest.mark.parametrize(("text", "expected"), [
    # kvh/recurrent's recurring expressions, as the same people might type them here.
    ("daily", "Every day at 09:00"), ("each day", "Every day at 09:00"), ("everyday", "Every day at 09:00"),
    ("tuesdays", "Every Tuesday at 09:00"), ("weekends", "Every weekend at 09:00"),
    ("weekdays", "Every weekday at 09:00"), ("tuesdays and thursdays", "Every Tuesday and Thursday at 09:00"),
    ("weekly on wednesdays and fridays", "Every Wednesday and Friday at 09:00"),
    ("every sunday and saturday", "Every weekend at 09:00"), ("every wed.", "Every Wednesday at 09:00"),
    ("every wednsday", "Every Wednesday at 09:00"), ("every week on tues", "Every Tuesday at 09:00"),
    ("once a week on sunday", "Every Sunday at 09:00"), ("every 3 weeks on mon", "Every 3 weeks on Monday at 09:00"),
    ("every 4th of the month", "On the 4th of every month at 09:00"),
    ("every 4th and 10th of the month", "On the 4th and 10th of every month at 09:00"),
    ("every first friday of the month", "On the 1st Friday of every month at 09:00"),
    ("first and third friday of each month", "On the 1st and 3rd Friday of every month at 09:00"),
    ("yearly on the fourth thursday in november", "On the 4th Thursday of November at 09:00"),
    ("once a year on december 25th", "Every year on December 25 at 09:00"),
    ("daily starting march 3rd until april 5th", "Every day at 09:00 starting 2026-03-03 until 2026-04-05"),
    ("every wed until november", "Every Wednesday at 09:00 until 2026-11-01"),
    ("mondays and thursdays from jan 1 to march 25th",  # typed on March 3: this year's range, already running
     "Every Monday and Thursday at 09:00 starting 2026-01-01 until 2026-03-25"),
    ("every 5 minutes", "Every 5 minutes"), ("every other hour", "Every 2 hours"),
    ("daily at 3pm", "Every day at 15:00"), ("daily at 3:00pm", "Every day at 15:00"),
    ("saturday through tuesday", "Every Monday, Tuesday, Saturday and Sunday at 09:00"),
    ("every thursday for the next three weeks", "Every Thursday at 09:00 until 2026-03-23"),
    # A Slack /remind clone's phrases (mattermost-remind): times and days it reads.
    ("every day at noon", "Every day at 12:00"), ("every day at two", "Every day at 02:00"),
    ("every day at 12:30pm", "Every day at 12:30"), ("every day at 7:12 pm", "Every day at 19:12"),
    ("every day at 930am", "Every day at 09:30"), ("every day at 1230 am", "Every day at 00:30"),
    ("every day at 5PM", "Every day at 17:00"), ("every day at 1400", "Every day at 14:00"),
    ("on Friday", "Every Friday at 09:00"), ("on WEDNEs", "Every Wednesday at 09:00"),
    ("on 7th", "On the 7th of every month at 09:00"),
])
def test_recurring_phrases_from_other_suites(text, expected):
    assert parse(text, "UTC", now=TUESDAY).describe() == f"{expected} in UTC"


@pytest.mark.parametrize(("text", "fragment"), [
    # What those suites read as single dates or delays is a one-off here, said so, never made to repeat.
    ("march 3rd", "one-off"), ("tomorrow", "one-off"), ("mar 2 2012", "Leave out the year"), ("this sunday", "one-off"),
    ("in 30 minutes", "happens once"), ("2 hours from now", "happens once"), ("in three hours", "happens once"),
    ("in one year", "happens once"), ("on December 15", "one-off"), ("on July 12th", "one-off"),
    ("every 30 seconds", "not the second"), ("in one second", "happens once"),
    ("every 3 days", "drifts across weeks and months"), ("once in a while", "too vague"),
    ("twice weekly", "Which 2 days?"), ("three times a week", "Which 3 days?"),
])
def test_one_offs_and_refusals_from_other_suites(text, fragment):
    assert fragment in error_for(text)


def test_a_bare_number_asks_whether_it_is_a_time_or_a_day_of_the_month():
    # The /remind clone reads "on 7" as the 7th; a bare number is a time elsewhere, so we ask.
    message = error_for("on 7")
    assert message.startswith("I'm not sure what '7' means") and "'on the 7th'" in message
    assert local_runs("on the 7th", "UTC", 1) == ["Sat 2026-03-07 09:00"]
