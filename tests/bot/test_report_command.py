"""`/report` and `/report new` as a person uses them: signed requests through the real app, answers
read from the emulator's response_url sink, and what was stored."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import func, select

from jobs.slack_ids import ModalBlocks, ViewCallbacks
from slack_emulator import post
from storage.models import AuditEvent, Run, Schedule
from tests.bot.conftest import ALICE, BOB
from tests.support.people import SALES


def schedules(db):
    with db.session() as s:
        rows = list(s.scalars(select(Schedule).order_by(Schedule.id)))
        return rows


def test_report_alone_opens_the_create_modal(slack):
    slack.command("", expect_reply=False)
    view = slack.latest_view()
    assert view["callback_id"] == ViewCallbacks.SCHEDULE_MODAL and view["title"]["text"] == "New scheduled report"
    blocks = {b.get("block_id"): b for b in view["blocks"]}
    zone = blocks[ModalBlocks.TIMEZONE]["element"]["initial_option"]["value"]
    assert zone == "Europe/Berlin"  # alice's Slack timezone from users.info
    assert blocks[ModalBlocks.CHANNELS]["element"]["initial_conversations"] == [SALES]  # where she typed it


def test_new_with_an_escaped_channel_reads_the_cadence_back(slack_any, job_context):
    reply = slack_any.command('new "Daily sales" every weekday at 9am in <#C0SALES01|sales>')
    assert "Scheduled *Daily sales*" in reply and "→ #sales" in reply
    assert "Next runs (Europe/Berlin, with UTC):\n• Mon 23 Nov 2026 09:00 CET  (Mon 23 Nov 08:00 UTC)" in reply
    assert reply.count("\n• ") == 5
    assert "📅 Covers the previous day (Mondays: Friday to Sunday) — the next report: Fri 20 Nov – Sun 22 Nov 2026" \
        in reply
    [schedule] = schedules(job_context.database)
    assert schedule.owner_user_id == ALICE and schedule.timezone == "Europe/Berlin"
    assert [(d.kind, d.target, d.label) for d in schedule.destinations] == [("slack_channel", SALES, "#sales")]
    with job_context.database.session() as s:
        assert s.scalar(select(AuditEvent.action).where(AuditEvent.schedule_id == schedule.id)) == "create"


def test_new_with_a_plain_channel_name_formats_and_a_user_target(slack, ctx):
    reply = slack.command("new Ops digest every monday at 8:30 to #sales and @bob as xlsx,csv", user_id=BOB)
    assert "Scheduled *Ops digest*" in reply, reply
    assert "America/New_York" in reply  # bob's zone from his Slack profile
    [schedule] = schedules(ctx.database)
    assert sorted((d.kind, d.target) for d in schedule.destinations) == [
        ("slack_channel", SALES), ("slack_user", BOB)]
    assert schedule.formats == ["xlsx", "csv"]


def test_escaped_user_reference_is_accepted(slack):
    reply = slack.command('new "For bob" every day at 7am to <@U0BOB0001>')
    assert "Scheduled" in reply and "@bob" in reply


def test_bad_cadence_says_why_opens_the_form_and_stores_nothing(slack, ctx):
    reply = slack.command('new "Daily sales" every day at 25:00 in #sales')
    assert reply.startswith("⚠️") and "25:00" in reply and "opened the form" in reply
    assert schedules(ctx.database) == []
    view = slack.latest_view()
    cadence = next(b for b in view["blocks"] if b.get("block_id") == ModalBlocks.CADENCE)
    assert cadence["element"]["initial_value"] == "every day at 25:00"
    preview = next(b for b in view["blocks"] if b.get("block_id") == ModalBlocks.CADENCE_PREVIEW)
    assert "25:00" in preview["elements"][0]["text"]  # the read-back already shows the problem


def test_missing_parts_are_named_and_the_form_opens_prefilled(slack, ctx):
    reply = slack.command('new "Daily sales" every day at 9am')
    assert "where it goes" in reply and "opened the form" in reply
    assert schedules(ctx.database) == []
    view = slack.latest_view()
    name = next(b for b in view["blocks"] if b.get("block_id") == ModalBlocks.NAME)
    assert name["element"]["initial_value"] == "Daily sales"


def test_channel_the_user_is_not_in_is_refused_with_the_reason(slack, ctx):
    reply = slack.command('new "Ops" every day at 9am in #ops')  # alice is not in #ops
    assert "member" in reply and "#ops" in reply
    assert schedules(ctx.database) == []


def test_unknown_channel_is_explained(slack):
    reply = slack.command('new "X" every day at 9am in #nope')
    assert "couldn't find a channel called #nope" in reply


def test_duplicate_name_is_refused(slack_any, job_context):
    slack_any.command('new "Daily sales" every day at 9am in #sales')
    reply = slack_any.command('new "daily SALES" every day at 10am in #sales')
    assert "already exists" in reply
    assert len(schedules(job_context.database)) == 1


def test_unknown_subcommand_gets_help_and_a_suggestion(slack):
    reply = slack.command("frobnicate everything")
    assert "I don't know `/report frobnicate`" in reply and "/report help" in reply
    assert "Did you mean `/report list`?" in slack.command("lsit")


@pytest.mark.parametrize("text", ["help", "?", "HELP"])
def test_help(slack, text):
    reply = slack.command(text)
    for subcommand in ("new", "list", "show", "edit", "run", "pause", "resume", "delete", "history", "preview"):
        assert f"/report {subcommand}" in reply


def test_list_shows_own_schedules_with_next_run(slack):
    slack.command('new "Daily sales" every day at 9am in #sales')
    reply = slack.command("list")
    assert "Daily sales" in reply and "next " in reply and "#sales" in reply
    assert "no scheduled reports" in slack.command("list", user_id=BOB)


def test_run_by_name_or_id_queues_one_manual_run_and_says_generating(slack, ctx, recording_enqueue):
    slack.command('new "Daily sales" every day at 9am in #sales')
    assert slack.command("run DAILY sales").startswith("⏳ Generating *Daily sales*")
    assert "already running" in slack.command("run 1")  # one run at a time
    assert "already running" in slack.command("run #1")
    with ctx.database.session() as s:
        assert s.scalar(select(func.count()).select_from(Run)) == 1
    assert [phase for _, phase, _ in recording_enqueue.calls] == ["generate_now"]


def test_run_near_miss_suggests_the_name(slack):
    slack.command('new "Daily sales" every day at 9am in #sales')
    assert "Did you mean “Daily sales”?" in slack.command("run daily sale")
    assert "Did you mean “Daily sales”?" in slack.command("run daily")


def test_only_the_owner_may_run_a_schedule(slack):
    slack.command('new "Daily sales" every day at 9am in #sales')
    reply = slack.command("run daily sales", user_id=BOB)
    assert "Only <@U0ALICE01>" in reply and "admin" in reply


@pytest.mark.parametrize("text", ["run payload", "show payload", "payload", "new payload=1&x=2 every day at 9am"])
def test_text_containing_payload_is_still_a_command(slack, text):
    """Bolt reads any form body containing "payload" as interactivity; the app must not."""
    reply = slack.command(text)
    assert reply and "went wrong" not in reply


def test_bad_signature_and_stale_timestamp_are_rejected(slack):
    body, headers = slack.signer.slash_command("list", user_id=ALICE, channel_id=SALES,
                                               response_url=slack.emulator.new_response_url())
    tampered = body.replace("list", "help")
    assert post(slack.url, tampered, headers)[0] == 401
    stale_body, stale_headers = slack.signer.slash_command(
        "list", user_id=ALICE, channel_id=SALES, response_url=slack.emulator.new_response_url(),
        timestamp=int(time.time()) - 600)
    assert post(slack.url, stale_body, stale_headers)[0] == 401
    unsigned = {k: v for k, v in headers.items() if not k.lower().startswith("x-slack")}
    assert post(slack.url, body, unsigned)[0] == 401


def test_too_long_text_is_refused_politely(slack):
    assert "too long" in slack.command("new " + "x" * 3500)
