"""The `reportbot cadence` preview command."""

import argparse
import json

import pytest

from bot.cli import cadence as cli_cadence


def run(capsys, *argv):
    parser = argparse.ArgumentParser(prog="reportbot")
    cli_cadence.register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["cadence", *argv])
    code = args.func(args)
    out, err = capsys.readouterr()
    return code, out, err


def test_prints_sentence_rule_and_runs_in_local_time_and_utc(capsys):
    code, out, err = run(capsys, "every weekday at 9am", "--tz", "Europe/Berlin", "--count", "2",
                         "--after", "2026-03-04T12:00+00:00")
    assert code == 0 and err == ""
    assert out.splitlines() == [
        "Every weekday at 09:00 in Europe/Berlin",
        "Rule: CRON_TZ=Europe/Berlin 0 9 * * 1-5",
        "Next runs:",
        "  Thu 2026-03-05 09:00 CET    2026-03-05 08:00 UTC",
        "  Fri 2026-03-06 09:00 CET    2026-03-06 08:00 UTC",
    ]


def test_json_output_for_scripts(capsys):
    code, out, _ = run(capsys, "every monday at 9 ET", "--tz", "Europe/Berlin", "--count", "1",
                       "--after", "2026-03-04T12:00+00:00", "--json")
    data = json.loads(out)
    assert code == 0
    assert data["timezone"] == "America/New_York"
    assert data["description"] == "Every Monday at 09:00 in America/New_York"
    assert data["next_runs"] == [{"local": "2026-03-09T09:00:00-04:00", "utc": "2026-03-09T13:00:00+00:00"}]
    assert data["cadence"]["text"] == "every monday at 9 ET"


def test_default_count_is_five(capsys):
    code, out, _ = run(capsys, "hourly", "--after", "2026-03-04T12:00+00:00")
    assert code == 0 and len(out.splitlines()) == 3 + 5


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["every monday at", "--tz", "UTC"],
         "I couldn't find a time in 'every monday at'. Try 'every monday at 9am'.\n"),
        (["every day", "--tz", "Mars/Base"], "I don't know the time zone 'Mars/Base'."),
        (["every day", "--count", "0"], "--count must be at least 1.\n"),
        (["every day", "--after", "yesterday"], "--after wants an ISO date-time"),
    ],
)
def test_errors_go_to_stderr_with_exit_code_2(capsys, argv, message):
    code, out, err = run(capsys, *argv)
    assert code == 2 and out == ""
    assert err.startswith(message)
    assert "Traceback" not in err


def test_ended_schedule_says_so(capsys):
    code, out, _ = run(capsys, "every day at 9 until 2026-03-04", "--after", "2026-03-04T12:00+00:00")
    assert code == 0 and out.splitlines()[-1] == "No further runs."


def test_numeric_dates_follow_the_date_order_given(capsys):
    after = ["--after", "2026-03-04T12:00+00:00", "--count", "1"]
    code, out, _ = run(capsys, "every 5/6 at 7", "--date-order", "DMY", *after)
    assert code == 0 and out.splitlines()[0] == "Every year on June 5 at 07:00 in UTC"
    code, out, err = run(capsys, "every 5/6 at 7", *after)
    assert code == 2 and out == ""
    assert err == "Does 5/6 mean May 6 or June 5? Try 'every may 6 at 7' or 'every june 5 at 7'.\n"


def test_a_count_is_listed_and_then_the_schedule_ends(capsys):
    code, out, _ = run(capsys, "every monday at 9 and every friday at 5pm, 3 times",
                       "--after", "2026-03-04T12:00+00:00")
    assert code == 0
    assert out.splitlines() == [
        "Every Monday at 09:00 and every Friday at 17:00 starting 2026-03-06, 3 times in UTC",
        ("Rule: TZID=UTC DTSTART=20260306T170000 X-COUNT=3 RRULE:FREQ=WEEKLY;BYDAY=MO;BYHOUR=9;BYMINUTE=0 "
         "RRULE:FREQ=WEEKLY;BYDAY=FR;BYHOUR=17;BYMINUTE=0"),
        "Next runs:",
        "  Fri 2026-03-06 17:00 UTC    2026-03-06 17:00 UTC",
        "  Mon 2026-03-09 09:00 UTC    2026-03-09 09:00 UTC",
        "  Fri 2026-03-13 17:00 UTC    2026-03-13 17:00 UTC",
    ]
