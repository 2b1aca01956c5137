"""Phrases the parser used to read wrongly, silently: each one is pinned here with what it must mean."""

import datetime as dt

import pytest

from jobs.cadence import CadenceError, parse

from .cadence_support import (
    TUESDAY,
    error_for,
    local_runs,
    parses_or_names_a_zone,
    suggestions,
)


@pytest.mark.parametrize("text", ["every day at 9am starting march 3", "every day at 9am starting 3 march",
                                  "every day at 9am from march 3rd", "starting mar 3, every day at 9"])
def test_a_start_date_of_today_starts_today_not_next_year(text):
    # Typed on Tuesday 3 March 2026 at 08:00: the first run is at 09:00 that same day.
    assert local_runs(text, "UTC", 2) == ["Tue 2026-03-03 09:00", "Wed 2026-03-04 09:00"]


def test_a_date_range_starting_today_is_this_years():
    runs = local_runs("every day at 9am from march 3 to march 10", "UTC", 20)
    assert runs[0] == "Tue 2026-03-03 09:00" and runs[-1] == "Tue 2026-03-10 09:00" and len(runs) == 8


def test_a_start_date_already_past_this_year_is_next_years():
    assert local_runs("every day at 9am starting march 2", "UTC", 1) == ["Tue 2027-03-02 09:00"]


@pytest.mark.parametrize("text", ["every monday at 9 and every friday at 5pm", "mondays at 9 and fridays at 17",
                                  "9am on mondays and 5pm on fridays", "every monday 9am, every friday 5pm",
                                  "every monday at 9; every friday at 17:00"])
def test_rules_joined_by_and_each_keep_their_own_days_and_times(text):
    assert local_runs(text, "Europe/Berlin", 4) == [
        "Fri 2026-03-06 17:00", "Mon 2026-03-09 09:00", "Fri 2026-03-13 17:00", "Mon 2026-03-16 09:00"]


@pytest.mark.parametrize(("text", "time"), [("daily at 12a", "00:00"), ("daily at 12p", "12:00"),
                                            ("daily at 3p", "15:00"), ("daily at 9:30p", "21:30"),
                                            ("every day at 12 midnight", "00:00"), ("every day at 12 noon", "12:00")])
def test_one_letter_am_and_pm(text, time):
    after = dt.datetime(2026, 3, 3, 23, 59, tzinfo=dt.UTC)
    assert local_runs(text, "UTC", 1, after=after) == [f"Wed 2026-03-04 {time}"]


@pytest.mark.parametrize("text", ["daily at 9am, 5 times", "daily at 9am 5 times", "every day at 9, five times"])
def test_a_count_is_not_a_clock_time(text):
    runs = local_runs(text, "UTC", 10)
    days = ["Tue", "Wed", "Thu", "Fri", "Sat"]
    assert runs == [f"{day} 2026-03-0{n} 09:00" for n, day in zip(range(3, 8), days, strict=True)]


@pytest.mark.parametrize("text", ["every second", "each second", "every 1 second", "every second at 9"])
def test_every_second_is_refused_like_other_sub_minute_intervals(text):
    assert error_for(text) == "I schedule to the minute, not the second. Try 'every minute'."


@pytest.mark.parametrize("text", ["0-10/ * * * *", "*/ * * * *", "0 9 */ * *"])
def test_cron_with_an_empty_step_is_refused(text):
    assert "has no number after '/'" in error_for(text)


def test_the_error_names_the_word_not_understood():
    message = error_for("mondays 9ish")
    assert message.startswith("I don't understand 'ish' in 'mondays 9ish'.")
    assert suggestions(message) == ["mondays at 9"]


@pytest.mark.parametrize("text", ["every day three", "every monday nine", "mondays 9 banana"])
def test_suggestions_are_english_phrases_that_parse(text):
    message = error_for(text)
    assert "threeam" not in message and "threeth" not in message and "nineam" not in message
    assert suggestions(message) and all(parses_or_names_a_zone(fix) for fix in suggestions(message)), message


@pytest.mark.parametrize(("text", "expected"), [
    ("on the 1st day", ["Wed 2026-04-01 09:00"]),  # was "every day"
    ("every month on the 1st day", ["Wed 2026-04-01 09:00"]),
    ("second to last friday", ["Fri 2026-03-20 09:00"]),  # was an end date that had already passed
])
def test_day_positions_that_used_to_read_as_something_else(text, expected):
    assert local_runs(text, "UTC", 1) == expected


@pytest.mark.parametrize("text", ["march 3rd", "on 12/24", "december 25 at 9am", "the 1st of march"])
def test_a_single_date_is_not_silently_made_yearly(text):
    message = error_for(text)
    assert "one-off" in message and "every year on" in message


@pytest.mark.parametrize("text", ["in an hour", "in 2 hours", "in a few days", "2 hours from now", "in 30 minutes"])
def test_a_delay_is_a_one_off(text):
    assert "happens once" in error_for(text)


def test_a_zone_name_like_none_is_not_read_as_noon():
    with pytest.raises(CadenceError):
        parse("none", "UTC", now=TUESDAY)


def test_a_range_of_days_past_the_month_is_not_an_end_date():
    assert "run backwards or past the month" in error_for("the 1st to the 40th of every month")


@pytest.mark.parametrize(("text", "expected"), [
    # One "except" covers the whole list after it: August is skipped, not made the only month.
    ("daily at 10, except weekends and in august", ["Tue 2026-03-03 10:00", "Wed 2026-03-04 10:00"]),
    # A rule naming only days takes the times of the rule after it; the exclusion stays with its rule.
    ("every day except fridays and every monday at 5", ["Wed 2026-03-04 05:00", "Thu 2026-03-05 05:00"]),
    ("every monday at 9 and daily at 5", ["Wed 2026-03-04 05:00", "Thu 2026-03-05 05:00"]),
    # "every other month" after a weekday says which months, it is not a second rule.
    ("every tuesday, every other month at 9am", ["Tue 2026-03-03 09:00", "Tue 2026-03-10 09:00"]),
    # A range typed inside it is this year's, already running.
    ("every day at 9 from march 1 to march 31", ["Tue 2026-03-03 09:00", "Wed 2026-03-04 09:00"]),
    ("every day at 9 between march 1 and march 31", ["Tue 2026-03-03 09:00", "Wed 2026-03-04 09:00"]),
])
def test_lists_and_ranges_that_used_to_be_read_wrongly(text, expected):
    assert local_runs(text, "UTC", 2) == expected


def test_a_range_already_over_this_year_is_next_years():
    assert local_runs("every day at 9 from march 1 to march 2", "UTC", 1) == ["Mon 2027-03-01 09:00"]


@pytest.mark.parametrize(("text", "minute"), [("every hour on the half hour", ":30"),
                                              ("every hour at half past", ":30"),
                                              ("every hour at quarter past", ":15"), ("every hour at 5 past", ":05"),
                                              ("every hour at 20 minutes past the hour", ":20")])
def test_minutes_past_the_hour_in_words(text, minute):
    assert parse(text, "UTC", now=TUESDAY).describe() == f"Every hour at {minute} in UTC"


def test_times_a_quarter_repeat_each_quarter_not_each_month():
    assert local_runs("twice a quarter on the 1st and 15th", "UTC", 3) == [
        "Wed 2026-04-01 09:00", "Wed 2026-04-15 09:00", "Wed 2026-07-01 09:00"]


@pytest.mark.parametrize("text", ["every weekday except dec 24th through dec 26th",
                                  "every weekday except the 24th to the 26th of december",
                                  "every weekday except december 24 to 26"])
def test_an_excluded_range_is_not_read_as_an_end_date(text):
    cadence = parse(text, "UTC", now=TUESDAY)
    assert cadence.spec.until is None and cadence.spec.skip == ((12, 24), (12, 25), (12, 26))


def test_an_excluded_range_may_cross_the_new_year():
    runs = local_runs("every day at 9 except december 24 to january 2", "UTC", 2,
                      after=dt.datetime(2026, 12, 23, 12, tzinfo=dt.UTC))
    assert runs == ["Sun 2027-01-03 09:00", "Mon 2027-01-04 09:00"]
