"""Talking to the bot in DMs and mentions: it answers with what it understood and buttons, acts only
when a button is clicked, and handles each Slack event once even when Slack retries it."""

from __future__ import annotations

from sqlalchemy import func, select

from jobs.slack_ids import ChatActions, ModalBlocks
from storage.models import ProcessedEvent, Schedule, ScheduleStatus
from tests.bot.conftest import ALICE, BOB, serve_app
from tests.factories import WINTER
from tests.support.people import SALES

WEEKLY = 'new "Weekly sales" every monday at 9am in #sales'


def last_dm(slack, user_id=ALICE, count=1) -> dict:
    dm = slack.dm_channel(user_id)
    return slack.emulator.wait_for(lambda: len(slack.bot_messages(dm)) >= count and slack.bot_messages(dm))[-1]


def button(message: dict, action_id: str) -> dict:
    return next(e for b in message.get("blocks", []) if b["type"] == "actions" for e in b["elements"]
                if e["action_id"] == action_id)


def click(slack, message, action_id, user_id=ALICE):
    value = button(message, action_id)["value"]
    slack.click(action_id, value, user_id=user_id, channel_id=message.get("channel") or slack.dm_channel(user_id),
                message=message)


def count_schedules(db) -> int:
    with db.session() as s:
        return s.scalar(select(func.count()).select_from(Schedule).where(Schedule.status != ScheduleStatus.DELETED))


def test_a_new_schedule_in_plain_words_is_read_back_and_created_only_on_confirmation(slack, ctx):
    slack.dm("send the demo sales report to #sales every monday at 9")
    question = last_dm(slack)
    text = question["text"]
    assert text.startswith("Here's what I understood — *a new scheduled report*")
    for expected in ("Name: Demo sales report", "Report: Demo sales", "When: Every Monday at 09:00 in Europe/Berlin",
                     "Where: #sales", "Covers the previous week — the next report: Mon 16 Nov – Sun 22 Nov 2026",
                     "Next runs (Europe/Berlin, with UTC):\n• Mon 23 Nov 2026 09:00 CET  (Mon 23 Nov 08:00 UTC)\n"
                     "• Mon 30 Nov 2026 09:00 CET", "Mon 21 Dec 2026 09:00 CET", "Shall I create it?"):
        assert expected in text
    assert count_schedules(ctx.database) == 0  # understood, not done
    click(slack, question, ChatActions.CONFIRM)
    answer = slack.emulator.wait_for(lambda: last_dm(slack)["text"].startswith("✅") and last_dm(slack))
    assert answer["ts"] == question["ts"] and "Scheduled *Demo sales report*" in answer["text"]
    with ctx.database.session() as s:
        schedule = s.scalar(select(Schedule))
        assert (schedule.report_type, schedule.cadence_text, schedule.owner_user_id) == (
            "demo_sales", "every monday at 9", ALICE)


def test_something_missing_offers_the_form_prefilled(slack, ctx):
    slack.dm("schedule daily sales every day at 9am")
    question = last_dm(slack)
    assert "I still need where it goes" in question["text"]
    assert [e["action_id"] for e in question["blocks"][-1]["elements"]] == [ChatActions.OPEN_MODAL, ChatActions.CANCEL]
    click(slack, question, ChatActions.OPEN_MODAL)
    view = slack.latest_view()
    fields = {b["block_id"]: b["element"] for b in view["blocks"] if b.get("type") == "input"}
    assert fields[ModalBlocks.NAME]["initial_value"] == "Daily sales"
    assert fields[ModalBlocks.CADENCE]["initial_value"] == "every day at 9am"
    assert count_schedules(ctx.database) == 0


def test_a_mention_in_a_channel_is_answered_privately_and_means_that_channel(slack, ctx):
    status, _ = slack.mention("send daily sales every weekday at 8am")
    assert status == 200
    answer = slack.emulator.wait_for(lambda: slack.emulator.ephemerals(SALES, ALICE))[-1]
    assert "Where: #sales" in answer["text"] and "Every weekday at 08:00" in answer["text"]
    assert slack.bot_messages(SALES) == []  # nothing said in public


def test_what_reports_do_i_have(slack):
    slack.command(WEEKLY)
    slack.dm("what reports do I have?")
    assert "Weekly sales" in last_dm(slack)["text"] and "#sales" in last_dm(slack)["text"]


def test_pause_is_confirmed_first_and_cancel_changes_nothing(slack_any, job_context):
    slack_any.command(WEEKLY)
    slack_any.dm("please pause the weekly sales report")
    question = last_dm(slack_any)
    assert "Pause *Weekly sales*" in question["text"]
    click(slack_any, question, ChatActions.CANCEL)
    assert slack_any.emulator.wait_for(lambda: "left everything" in last_dm(slack_any)["text"])
    with job_context.database.session() as s:
        assert s.scalar(select(Schedule.status)) == ScheduleStatus.ACTIVE
    slack_any.dm("pause weekly sales")
    question = last_dm(slack_any, count=2)
    click(slack_any, question, ChatActions.CONFIRM)
    assert slack_any.emulator.wait_for(lambda: "Paused “Weekly sales”" in last_dm(slack_any)["text"])
    with job_context.database.session() as s:
        assert s.scalar(select(Schedule.status)) == ScheduleStatus.PAUSED
    slack_any.dm("resume weekly sales")
    click(slack_any, last_dm(slack_any, count=3), ChatActions.CONFIRM)
    assert slack_any.emulator.wait_for(lambda: "Resumed “Weekly sales”" in last_dm(slack_any)["text"])


def test_delete_in_words_is_confirmed_first(slack, ctx):
    slack.command(WEEKLY)
    slack.dm("delete weekly sales")
    question = last_dm(slack)
    assert button(question, ChatActions.CONFIRM)["style"] == "danger"
    assert count_schedules(ctx.database) == 1
    click(slack, question, ChatActions.CONFIRM)
    assert slack.emulator.wait_for(lambda: "Deleted “Weekly sales”" in last_dm(slack)["text"])
    assert count_schedules(ctx.database) == 0


def test_when_does_it_run_next(slack, ctx):
    ctx.now.jump_to(WINTER)  # Berlin is on CET until the end of March
    slack.command(WEEKLY)
    slack.dm("when does weekly sales run next?")
    answer = last_dm(slack)["text"]
    assert answer.startswith("“Weekly sales” runs next on *Mon") and "09:00 CET" in answer


def test_help_greeting_and_what_it_does_not_understand(slack):
    slack.dm("help")
    assert "send the demo sales report to #sales every monday at 9" in last_dm(slack)["text"]
    slack.dm("hello!")
    assert last_dm(slack, count=2)["text"].startswith("Hi! I schedule reports")
    slack.dm("what's the weather like on mars payload")
    answer = last_dm(slack, count=3)
    assert "couldn't find a schedule" in answer["text"] or "not sure what you mean" in answer["text"]


def test_other_peoples_schedules_are_refused_and_near_misses_suggested(slack):
    slack.command(WEEKLY)
    slack.dm("pause weekly sales", user_id=BOB)
    assert "Only <@U0ALICE01>" in last_dm(slack, BOB)["text"]
    slack.dm("pause weekly sale")
    assert "Did you mean “Weekly sales”?" in last_dm(slack)["text"]


def test_bots_edits_and_other_channels_are_not_requests(slack):
    dm = slack.dm_channel(ALICE)
    slack.event({"type": "message", "channel_type": "im", "channel": dm, "bot_id": "B0OTHER", "text": "help"})
    slack.event({"type": "message", "channel_type": "im", "channel": dm, "user": ALICE, "subtype": "message_changed",
                 "text": "help"})
    slack.event({"type": "message", "channel_type": "channel", "channel": SALES, "user": ALICE, "text": "help"})
    slack.settle()
    assert slack.bot_messages(dm) == [] and slack.bot_messages(SALES) == []


def test_slack_retries_are_handled_once_even_after_a_restart(slack_any, job_context, people, recording_enqueue):
    slack_any.command(WEEKLY)
    first = slack_any.dm("pause weekly sales", event_id="Ev0RETRY01")
    retried = slack_any.dm("pause weekly sales", event_id="Ev0RETRY01", retry_num=1)
    assert first[0] == retried[0] == 200
    slack_any.settle()
    assert len(slack_any.bot_messages(slack_any.dm_channel(ALICE))) == 1
    # a second process (or a restart) still knows the event: the ids are in the database
    url, server = serve_app(job_context, people, recording_enqueue)
    try:
        slack_any.url, original = url, slack_any.url
        assert slack_any.dm("pause weekly sales", event_id="Ev0RETRY01", retry_num=2)[0] == 200
        server.listeners.wait_idle()
        assert len(slack_any.bot_messages(slack_any.dm_channel(ALICE))) == 1
    finally:
        slack_any.url = original
        server.stop()
    with job_context.database.session() as s:
        assert s.scalar(select(ProcessedEvent.event_id)) == "Ev0RETRY01"
