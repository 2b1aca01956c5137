"""Core interface: cron and daily/weekday/weekly phrases, errors, storage."""

import datetime as dt

import pytest

from jobs.cadence import Cadence, CadenceError, cadence_from_json, parse

UTC = dt.timezone.utc
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
