"""Rejected schedules: each error says what is wrong and suggests a fix, briefly."""

import datetime as dt
import re

import pytest

from jobs.cadence import CadenceError, parse

NOW = dt.datetime(2026, 3, 4, 12, 0, tzinfo=dt.UTC)


def error_for(text, tz="UTC"):
    with pytest.raises(CadenceError) as caught:
        parse(text, tz, now=NOW)
    return str(caught.value)


def cases(*rows):
    return pytest.mark.parametrize(("text", "fragment"), rows, ids=[row[0] for row in rows])


@cases(
    ("banana", "I don't understand 'banana'"),
    ("asdf qwerty", "I don't understand 'asdf'"),
    ("on the", "When should"),
    ("", "Tell me when"),
    ("   ", "Tell me when"),
    ("tomorrow at 9", "one-off"),
)
def test_nonsense(text, fragment):
    assert fragment in error_for(text)


@cases(
    ("sometimes", "too vague"),
    ("whenever", "too vague"),
    ("every now and then", "too vague"),
    ("occasionally", "too vague"),
    ("every evening", "Give a time"),
    ("twice a day", "At which times?"),
    ("biweekly", "can mean every two weeks or twice a week"),
    ("every second tuesday", "Do you mean every other week or the 2nd tuesday of each month?"),
    ("every third friday", "Try 'every 3 weeks on friday' or 'the 3rd friday of the month'."),
    ("monthly on monday", "Which one in the month?"),
)
def test_vague_or_ambiguous(text, fragment):
    assert fragment in error_for(text)


@cases(
    ("every day at", "I couldn't find a time in 'every day at'. Try 'every day at 9am'."),
    ("every monday at", "I couldn't find a time in 'every monday at'. Try 'every monday at 9am'."),
    ("every", "Every what?"),
    ("every 5", "Every 5 what? Try 'every 5 minutes'"),
    ("at", "I couldn't find a time"),
    ("every day from 9am", "until when?"),
    ("every day starting", "Starting when?"),
)
def test_incomplete(text, fragment):
    assert fragment in error_for(text)


@cases(
    ("february 30th", "February has no 30th"),
    ("every year on april 31", "April has no 31st"),
    ("on the 31st of april", "April has no 31st"),
    ("the 32nd", "There is no 32nd day"),
    ("6th monday of the month", "There is no 6th weekday"),
    ("every day starting 2026-02-30", "isn't a real date"),
)
def test_impossible_dates(text, fragment):
    assert fragment in error_for(text)


@cases(
    ("every 0 minutes", "never moves on"),
    ("every 0 hours", "never moves on"),
    ("every -5 minutes", "must be positive"),
    ("every 0 weeks on monday", "never moves on"),
)
def test_zero_or_negative_intervals(text, fragment):
    assert fragment in error_for(text)


@cases(
    ("every day at 25:00", "'25:00' isn't a clock time"),
    ("every day at 13pm", "'13pm' isn't a clock time"),
    ("every day at 0pm", "'0pm' isn't a clock time"),
    ("every day at 9:75", "'9:75' isn't a clock time"),
    ("every day at 24", "'24' isn't a clock time"),
    ("every day at 12345", "isn't a clock time"),
)
def test_bad_clock_times(text, fragment):
    assert fragment in error_for(text)


@cases(
    ("every blursday", "I don't understand 'blursday'"),
    ("every monday at 9 in Mars/Olympus", "I don't know the time zone 'mars/olympus'"),
    ("every day at 9 in Europe/Berln", "Did you mean 'Europe/Berlin'?"),
    ("every day at 9 in nowhere", "I don't know the time zone 'nowhere'"),
    ("every day at 9 IST", "'IST' could mean India (Asia/Kolkata), Israel (Asia/Jerusalem) or Ireland"),
    ("every day at 9 BST", "'BST' could mean"),
    ("every day at 9am ET and 5pm PT", "names two time zones"),
)
def test_unknown_or_ambiguous_names(text, fragment):
    assert fragment in error_for(text)


def test_unknown_user_zone():
    assert "I don't know the time zone 'Mars/Base'" in error_for("every day", tz="Mars/Base")


@cases(
    ("61 * * * *", "Cron minute 61 is out of range; it must be between 0 and 59."),
    ("0 24 * * *", "Cron hour 24 is out of range"),
    ("0 9 0 * *", "Cron day-of-month 0 is out of range"),
    ("0 9 * 13 *", "Cron month 13 is out of range"),
    ("0 9 * * 8", "Cron day-of-week 8 is out of range"),
    ("0 9 * * mon-xyz", "I can't read 'xyz'"),
    ("0 9 5-1 * *", "runs backwards"),
    ("*/0 * * * *", "step in '*/0' must be at least 1"),
    ("0 9 * *", "has 4 cron fields"),
    ("0 0 9 * * *", "has 6 cron fields"),
    ("@fortnightly", "I don't know the cron shortcut"),
)
def test_cron_fields(text, fragment):
    assert fragment in error_for(text)


@cases(
    ("0 0 30 2 *", "never falls on a real date"),
    ("0 0 31 4,6,9,11 *", "never falls on a real date"),
)
def test_cron_that_never_fires(text, fragment):
    assert fragment in error_for(text)


@cases(
    ("every 2 days", "'every 48 hours after the last run'"),
    ("every 7 minutes", "doesn't divide the day evenly"),
    ("every 36 hours", "longer than a day"),
    ("every 3 years", "every few years"),
    ("hourly and monthly", "two different repeats"),
    ("every day at 9 and every 30 minutes", "either a repeat or fixed times"),
    ("every 30 minutes at 9am", "either a repeat or fixed times"),
    ("every monday on the 1st", "one kind of day rule"),
    ("every day from 10pm to 2am", "windows stay within one day"),
    ("every hour until 6pm", "reads like a time"),
    ("every day until 2020-01-01", "already have ended"),
    ("every day starting 2026-05-01 until 2026-04-01", "ends (2026-04-01) before it starts (2026-05-01)"),
    ("every weekday except holidays", "Which holiday calendar?"),
    ("every day skipping Narnia holidays", "I don't know a holiday calendar for 'narnia'"),
    ("every weekday skipping holidays in Germany (XX)", "I don't know the region 'xx'"),
    ("every 24 hours after the last run on mondays", "can't also have fixed days or times"),
    ("every 10 seconds", "to the minute"),
    ("every day 9am UTC+5:30", "whole-hour offsets"),
)
def test_contradictions_and_unsupported(text, fragment):
    assert fragment in error_for(text)


@pytest.mark.parametrize("text", ["banana", "every day at", "sometimes", "0 9 * * 8", "february 30th", "biweekly",
                                  "every day at 9 IST", "every 7 minutes", "every monday on the 1st"])
def test_messages_are_short_and_suggest_a_fix(text):
    message = error_for(text)
    assert len(re.findall(r"[.?!](?:\s|$)", message.replace("e.g.", "eg"))) <= 2
    assert len(message) <= 200
    assert re.search(r"Try|e\.g\.|Did you mean|Which|Use|Check|Pick|must be", message)
    assert "Traceback" not in message
