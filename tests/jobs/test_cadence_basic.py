"""Core interface: cron and daily/weekday/weekly phrases, errors, storage."""

import datetime as dt

import pytest

from jobs.cadence import Cadence, CadenceError, cadence_from_json, parse

UTC = dt.UTC
AFTER = dt.datetime(2026, 3, 4, 12, 0, tzinfo=UTC)  # a Wednesday


def iso(runs):
    return [run.isoformat() for run in runs]


@pytest.mark.parametrize(
    ("text", "tz", "expected"),
    [
        ("0 9 * * 1-5", "Europe/Berlin", ["2026-03-05T08:00:00+00:00", "2026-03-06T08:00:00+00:00"]),
        ("*/15 * * * *", "UTC", ["2026-03-04T12:15:00+00:00", "2026-03-04T12:30:00+00:00"]),
        ("0 0 1 jan,jul *", "UTC", ["2026-07-01T00:00:00+00:00", "2027-01-01T00:00:00+00:00"]),
        ("30 8 * * 0", "Asia/Kolkata", ["2026-03-08T03:00:00+00:00", "2026-03-15T03:00:00+00:00"]),
        ("30 8 * * 7", "Asia/Kolkata", ["2026-03-08T03:00:00+00:00", "2026-03-15T03:00:00+00:00"]),
        ("every day", "Europe/Berlin", ["2026-03-05T08:00:00+00:00", "2026-03-06T08:00:00+00:00"]),
        ("every day at 9", "America/New_York", ["2026-03-04T14:00:00+00:00", "2026-03-05T14:00:00+00:00"]),
        ("every weekday at 9am", "Australia/Sydney", ["2026-03-04T22:00:00+00:00", "2026-03-05T22:00:00+00:00"]),
        ("every monday at 17:30", "Asia/Kolkata", ["2026-03-09T12:00:00+00:00", "2026-03-16T12:00:00+00:00"]),
        ("Every Friday at 5 p.m.", "Europe/London", ["2026-03-06T17:00:00+00:00", "2026-03-13T17:00:00+00:00"]),
    ],
)
def test_next_runs(text, tz, expected):
    assert iso(parse(text, tz).next_runs(AFTER, 2)) == expected


def test_next_run_is_first_of_next_runs_and_strictly_after():
    cadence = parse("every day at 12:00", "UTC")
    assert cadence.next_run(AFTER) == dt.datetime(2026, 3, 5, 12, tzinfo=UTC)


def test_cron_and_english_agree():
    assert parse("0 9 * * 1-5", "Europe/Berlin") == parse("every weekday at 9am", "Europe/Berlin")


def test_interface_fields():
    cadence = parse("every monday at 9", "Europe/Berlin")
    assert isinstance(cadence, Cadence)
    assert cadence.text == "every monday at 9"
    assert cadence.timezone == "Europe/Berlin"
    assert cadence.rule == "CRON_TZ=Europe/Berlin 0 9 * * 1"
    assert cadence.describe() == "Every Monday at 09:00 in Europe/Berlin"
    assert parse(cadence.describe(), "UTC") == cadence


def test_json_round_trip():
    cadence = parse("every weekday at 9am", "Asia/Kolkata")
    data = cadence.to_json()
    assert cadence_from_json(data) == cadence
    assert cadence_from_json(data).text == cadence.text


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("every monday at", "Try 'every monday at 9am'"),
        ("every day at", "couldn't find a time"),
        ("sometimes", "too vague"),
        ("61 * * * *", "out of range"),
        ("0 0 30 2 *", "never"),
    ],
)
def test_errors(text, fragment):
    with pytest.raises(CadenceError, match=fragment):
        parse(text, "UTC")


def test_error_is_value_error():
    assert issubclass(CadenceError, ValueError)


@pytest.mark.parametrize(
    ("texts", "tz"),
    [
        (["every weekday at 9am", "mon-fri at 9", "0 9 * * 1-5", "business days at 09:00", "weekday mornings"],
         "Europe/Berlin"),
        (["every other monday", "every 2 weeks on monday", "fortnightly on mondays", "every second week on monday"],
         "UTC"),
        (["every day at noon ET", "daily at 12pm in America/New_York", "0 12 * * * in America/New_York"], "UTC"),
        (["on the 1st of every month", "monthly", "every month on the first", "the 1st of each month at 9"], "UTC"),
    ],
)
def test_many_phrasings_one_cadence(texts, tz):
    cadences = [parse(text, tz) for text in texts]
    assert all(cadence == cadences[0] for cadence in cadences)
    assert len({hash(cadence) for cadence in cadences}) == 1


@pytest.mark.parametrize(
    ("text", "sentence", "rule"),
    [
        ("every other monday", "Every other Monday at 09:00 in UTC",
         "TZID=UTC RRULE:FREQ=WEEKLY;INTERVAL=2;WKST=MO;BYDAY=MO;BYHOUR=9;BYMINUTE=0"),
        ("last friday of the month at 5pm", "On the last Friday of every month at 17:00 in UTC",
         "TZID=UTC RRULE:FREQ=MONTHLY;BYDAY=-1FR;BYHOUR=17;BYMINUTE=0"),
        ("every 24 hours after the last run", "Every 24 hours after the last run in UTC",
         "RRULE:FREQ=HOURLY;INTERVAL=24;X-FROM=LAST-RUN"),
        ("every 15 minutes on weekdays", "Every 15 minutes on weekdays in UTC", "CRON_TZ=UTC */15 * * * 1-5"),
        ("every monday at 9 until 2026-06-30", "Every Monday at 09:00 until 2026-06-30 in UTC",
         "TZID=UTC RRULE:FREQ=WEEKLY;BYDAY=MO;UNTIL=20260630T235959;BYHOUR=9;BYMINUTE=0"),
    ],
)
def test_sentence_and_normalised_rule(text, sentence, rule):
    cadence = parse(text, "UTC", now=AFTER)
    assert cadence.describe() == sentence
    assert cadence.rule == rule


def test_next_runs_needs_an_aware_datetime():
    with pytest.raises(ValueError):
        parse("hourly", "UTC").next_runs(dt.datetime(2026, 3, 4), 1)


def test_next_run_is_none_after_the_end():
    assert parse("every day until 2026-03-05", "UTC", now=AFTER).next_run(dt.datetime(2026, 3, 6, tzinfo=UTC)) is None


def test_every_other_week_without_start_re_anchors_on_each_call():
    # Spec rule 7: one weekday starts at its first run after `after`.
    cadence = parse("every other monday", "UTC")
    first = cadence.next_run(AFTER)
    assert cadence.next_run(first) == first + dt.timedelta(weeks=1)


def test_anchored_keeps_every_other_week_when_chained_through_previous_runs():
    cadence = parse("every other monday", "UTC").anchored(AFTER)
    runs = [cadence.next_run(AFTER)]
    for _ in range(3):
        runs.append(cadence.next_run(runs[-1]))
    assert [run.date().isoformat() for run in runs] == ["2026-03-09", "2026-03-23", "2026-04-06", "2026-04-20"]
    assert cadence.describe() == "Every other Monday at 09:00 starting 2026-03-09 in UTC"
    assert cadence_from_json(cadence.to_json()) == cadence
    assert parse("every monday", "UTC").anchored(AFTER) == parse("every monday", "UTC")


def test_json_is_plain_data_with_words_and_rule():
    import json

    data = parse("every weekday at 9am ET", "Europe/Berlin").to_json()
    assert json.loads(json.dumps(data)) == data
    assert data["text"] == "every weekday at 9am ET"
    assert data["timezone"] == "America/New_York"
    assert data["rule"] == "CRON_TZ=America/New_York 0 9 * * 1-5"


def test_cadences_stored_before_counts_and_exclusions_read_back_unchanged():
    stored = {"version": 1, "text": "every weekday at 9am", "timezone": "Europe/Berlin",
              "rule": "CRON_TZ=Europe/Berlin 0 9 * * 1-5",
              "spec": {"type": "calendar", "days": {"type": "Weekdays", "days": [0, 1, 2, 3, 4], "every": 1},
                       "months": list(range(1, 13)), "times": [540], "start": None, "until": None, "holidays": None}}
    assert cadence_from_json(stored) == parse("every weekday at 9am", "Europe/Berlin")


def test_counted_and_several_rules_survive_storage():
    for text in ("every monday at 9 and every friday at 5pm, 3 times",
                 "every day at 9 except the last week of december", "every hour, 4 times", "second to last friday"):
        cadence = parse(text, "UTC", now=AFTER)
        again = cadence_from_json(cadence.to_json())
        assert again == cadence and again.next_runs(AFTER, 5) == cadence.next_runs(AFTER, 5)
