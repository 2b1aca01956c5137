"""Refusals: every suggestion offered is a phrase the parser accepts, and the word blamed is the one at fault."""

import pytest

from jobs.cadence import CadenceError, parse

from .cadence_support import TUESDAY, error_for, parses_or_names_a_zone, suggestions

REFUSED = [
    "banana", "asdf qwerty", "on the", "tomorrow at 9", "sometimes", "every now and then", "every so often",
    "every evening", "twice a day", "biweekly", "bimonthly", "semimonthly", "semiweekly", "every second tuesday",
    "every third friday", "monthly on monday", "every day at", "every monday at", "every", "every 5", "every 7", "at",
    "every day from 9am", "every weekday from 9", "every day starting", "every day until", "every day at 9 from",
    "february 30th", "every year on april 31", "on the 31st of april", "the 32nd", "6th monday of the month",
    "every day starting 2026-02-30", "every 0 minutes", "every -5 minutes", "every -5 hours", "every -3 days",
    "every 0 weeks on monday", "every day at 25:00", "every day at 13pm", "every day at 9:75", "every day at 24",
    "every day at 12345", "every blursday", "every monday at 9 in Mars/Olympus", "every day at 9 in Europe/Berln",
    "every day at 9 in nowhere", "every day at 9 IST", "every day at 9 BST", "every day at 9am ET and 5pm PT",
    "61 * * * *", "0 9 5-1 * *", "*/0 * * * *", "0 9 * *", "0 0 9 * * *", "@fortnightly", "0 0 30 2 *",
    "0-10/ * * * *", "* * ?,* * *", "0 0 * * 1#7", "0 9 15W * *", "0 9 15 * 5#3", "every 2 days", "every 7 minutes",
    "every 36 hours", "every 3 years", "hourly and monthly", "every day at 9 and every 30 minutes",
    "every 30 minutes at 9am", "every monday on the 1st", "every day from 10pm to 2am", "every hour until 6pm",
    "every day until 2020-01-01", "every day starting 2026-05-01 until 2026-04-01", "every weekday except holidays",
    "every day skipping Narnia holidays", "every weekday skipping holidays in Germany (XX)",
    "every 24 hours after the last run on mondays", "every 24 hours after the last run until june", "every 10 seconds",
    "every day 9am UTC+5:30", "mondays 9ish", "every monday at nine-ish", "at threeish", "every 3 blorps",
    "every day three", "every day at 9, 0 times", "every day at 9, 5000 times", "3 times a day at 9 and 17",
    "twice a week", "twice a month", "3 times a week on mon", "every day for 2 hours", "every day until blorpday",
    "every monday until 5/6", "every monday starting 4/1", "every 5/6", "on 12/24", "march 3rd", "on march 3 at 9am",
    "the 1st of march", "in an hour", "2 hours from now", "in a few days", "every second", "every 1 second",
    "every other weekday", "every monday the 2nd", "friday the 13th at 9", "every day except the 40th",
    "every day except february 30", "every 2 and a half hours", "every 2 months on monday",
    "the 1st to the 40th of every month", "the 15th to the 10th of every month", "every day 24/7",
    "every 12/24/2026", "every march 3 2027", "every 4 years", "every monday at 9 and friday at 5pm in mars/base",
    "nightly", "every afternoon", "every day at 9 starting 2026-01-01 for 2 weeks", "every monday only in summer",
    "4 times a minute", "7 times an hour", "every other business day", "every hour for 3 hours", "on 7", "at 5 times",
    "every 13/13", "every monday until 31/31", "every day at 9, 10 times, 20 times", "every day for 3 weeks until june",
    "every weekday at 9 and every weekday at 5pm ET and 6pm PT", "the last 40 days of the month",
    "every day except the first week of smarch", "every day for 200 weeks", "every monday for the next 0 mondays",
    "every day between march 1", "from the 5th", "every day except the 30th to the 31st of february", "biannually",
    "every monday only in winter", "twice a quarter", "3 times a year", "10x every day at 9",
    "every day at 9 until 5/6/27", "0 0 * * 5#3,1", "0 9 L-30 * *", "every hour on the half hour until",
    "every monday at 9 for 3 weeks until june",
]


@pytest.mark.parametrize("text", REFUSED)
def test_refusals_are_short_and_every_suggestion_parses(text):
    message = error_for(text)
    assert "Traceback" not in message and len(message) <= 260, message
    for fix in suggestions(message):
        assert parses_or_names_a_zone(fix), f"{text!r}: the suggestion {fix!r} does not parse ({message})"


@pytest.mark.parametrize("text", REFUSED)
def test_refusals_hold_with_the_clock_moved(text):
    # Suggestions that name dates must stay in the future whenever the text is typed.
    for now in (TUESDAY.replace(year=2028, month=2, day=29), TUESDAY.replace(month=12, day=31)):
        with pytest.raises(CadenceError) as caught:
            parse(text, "UTC", now=now)
        assert all(parses_or_names_a_zone(fix, now) for fix in suggestions(str(caught.value))), str(caught.value)


@pytest.mark.parametrize(("text", "word"), [
    ("mondays 9ish", "ish"), ("every monday at nine-ish", "ish"), ("at threeish", "threeish"),
    ("every blursday at 9", "blursday"), ("every weekday at 9 blah", "blah"),
    ("every 5 minutes on weekdaze plz", "plz"), ("every day at 9 with coffee", "with"), ("every zorp monday", "zorp"),
])
def test_the_word_not_understood_is_the_one_named(text, word):
    assert error_for(text).startswith(f"I don't understand '{word}' in '{text}'.")


@pytest.mark.parametrize(("text", "fix"), [
    ("mondays 9ish", "mondays at 9"), ("every monday at nine-ish", "every monday at nine"),
    ("every weekday at 9 blah", "every weekday at 9"), ("every day at", "every day at 9am"),
    ("on 7", "on the 7th"), ("every 5/6", "every may 6"), ("march 3rd", "every year on march 3rd"),
    ("0 9 5-1 * *", "0 9 1-5 * *"), ("0-10/ * * * *", "0-10 * * * *"), ("every march 3 2027", "every march 3"),
])
def test_the_first_suggestion_is_the_text_with_the_fault_fixed(text, fix):
    assert suggestions(error_for(text))[0] == fix


def test_a_suggestion_may_drop_the_words_after_the_one_not_understood():
    assert suggestions(error_for("every day at 9 with coffee")) == ["every day at 9"]
