"""`/report` as a person uses it: signed requests through the real app, answers read from the
emulator's response_url sink, and what was stored."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import func, select

from bot.emulator import post
from storage.models import Run, Schedule


def _schedules(db):
    with db.session() as s:
        rows = list(s.scalars(select(Schedule)))
        for row in rows:
            row.destinations
        return rows


def test_new_with_an_escaped_channel_reads_the_cadence_back(slack, job_context):
    reply = slack.command('new "Daily sales" every weekday at 9am in <#C0SALES01|sales>')
    assert "Scheduled *Daily sales*" in reply and "→ #sales" in reply
    assert "Next runs (Europe/Berlin)" in reply
    [schedule] = _schedules(job_context.database)
    assert schedule.owner_user_id == "U0ALICE01" and schedule.timezone == "Europe/Berlin"
    assert [(d.kind, d.target, d.label) for d in schedule.destinations] == [("slack_channel", "C0SALES01", "#sales")]


def test_new_with_a_plain_channel_name_and_a_user_target(slack, job_context):
    reply = slack.command("new Ops digest every monday at 8:30 to #sales and @bob", user_id="U0BOB0001")
    assert "Scheduled *Ops digest*" in reply, reply
    assert "America/New_York" in reply  # bob's zone from his Slack profile
    [schedule] = _schedules(job_context.database)
    assert sorted((d.kind, d.target) for d in schedule.destinations) == [
        ("slack_channel", "C0SALES01"), ("slack_user", "U0BOB0001")]


def test_escaped_user_reference_is_accepted(slack, job_context):
    reply = slack.command('new "For bob" every day at 7am to <@U0BOB0001>')
    assert "Scheduled" in reply and "@bob" in reply


def test_bad_cadence_gets_a_helpful_reply_and_stores_nothing(slack, job_context):
    reply = slack.command('new "Daily sales" every day at 25:00 in #sales')
    assert reply.startswith("⚠️") and "25:00" in reply
    assert _schedules(job_context.database) == []


def test_missing_parts_are_named(slack, job_context):
    reply = slack.command('new "Daily sales" every day at 9am')
    assert "where it goes" in reply
    assert _schedules(job_context.database) == []


def test_channel_the_user_is_not_in_is_refused_with_the_reason(slack, job_context):
    reply = slack.command('new "Ops" every day at 9am in #ops')  # alice is not in #ops
    assert "member" in reply and "#ops" in reply
    assert _schedules(job_context.database) == []


def test_unknown_channel_is_explained(slack):
    reply = slack.command('new "X" every day at 9am in #nope')
    assert "couldn't find a channel called #nope" in reply


def test_duplicate_name_is_refused(slack, job_context):
    slack.command('new "Daily sales" every day at 9am in #sales')
    reply = slack.command('new "daily SALES" every day at 10am in #sales')
    assert "already exists" in reply
    assert len(_schedules(job_context.database)) == 1


def test_unknown_subcommand_gets_help(slack):
    reply = slack.command("frobnicate everything")
    assert "I don't know `/report frobnicate`" in reply and "/report help" in reply


@pytest.mark.parametrize("text", ["", "help"])
def test_help(slack, text):
    assert "/report new" in slack.command(text)


def test_list_shows_own_schedules_with_next_run(slack):
    slack.command('new "Daily sales" every day at 9am in #sales')
    reply = slack.command("list")
    assert "Daily sales" in reply and "next " in reply and "#sales" in reply
    assert "no scheduled reports" in slack.command("list", user_id="U0BOB0001")


def test_run_by_name_or_id_queues_a_manual_run(slack, job_context, recording_enqueue):
    slack.command('new "Daily sales" every day at 9am in #sales')
    reply = slack.command("run daily sales")
    assert "Generating “Daily sales” now" in reply
    assert "already running" in slack.command("run 1")  # one run at a time
    with job_context.database.session() as s:
        assert s.scalar(select(func.count()).select_from(Run)) == 1
    assert [phase for _, phase, _ in recording_enqueue.calls] == ["generate_now"]


def test_run_near_miss_suggests_the_name(slack):
    slack.command('new "Daily sales" every day at 9am in #sales')
    reply = slack.command("run daily sale")
    assert "Did you mean “Daily sales”?" in reply


def test_only_the_owner_may_run_a_schedule(slack):
    slack.command('new "Daily sales" every day at 9am in #sales')
    reply = slack.command("run daily sales", user_id="U0BOB0001")
    assert "Only <@U0ALICE01>" in reply


def test_text_containing_payload_is_still_a_command(slack):
    """Bolt reads any form body containing "payload" as interactivity; the app must not."""
    reply = slack.command("run payload")
    assert "couldn't find a schedule called “payload”" in reply


def test_bad_signature_and_stale_timestamp_are_rejected(slack):
    body, headers = slack.signer.slash_command("list", user_id="U0ALICE01", channel_id="C0SALES01",
                                               response_url=slack.emulator.new_response_url())
    tampered = body.replace("list", "help")
    assert post(slack.url, tampered, headers)[0] == 401
    stale_body, stale_headers = slack.signer.slash_command(
        "list", user_id="U0ALICE01", channel_id="C0SALES01", response_url=slack.emulator.new_response_url(),
        timestamp=int(time.time()) - 600)
    assert post(slack.url, stale_body, stale_headers)[0] == 401
    unsigned = {k: v for k, v in headers.items() if not k.lower().startswith("x-slack")}
    assert post(slack.url, body, unsigned)[0] == 401


def test_app_home_lists_schedules(slack):
    slack.command('new "Daily sales" every day at 9am in #sales')
    status, _ = slack.event({"type": "app_home_opened", "user": "U0ALICE01", "channel": "D0ALICE01", "tab": "home"})
    assert status == 200
    view = slack.emulator.wait_for(lambda: slack.emulator.home_view("U0ALICE01"))
    text = str(view["blocks"])
    assert "Daily sales" in text and "Next run" in text
