"""Buttons on the messages the bot posts: Run now / Pause / History on every delivered report, and
Retry / Pause / Edit on the owner's failure notice — each checked against who clicked."""

from __future__ import annotations

from sqlalchemy import select

from jobs.slack_ids import ScheduleActions
from storage.models import Run, RunStatus, Schedule, ScheduleStatus
from tests.bot.conftest import ADMIN, ALICE, BOB
from tests.bot.test_progress import queued, settle, status_of
from tests.support.people import SALES


def delivered_report(slack, ctx, recording_enqueue) -> dict:
    slack.command('new "Daily sales" every day at 9am in #sales')
    slack.command("run daily sales")
    assert settle(ctx, queued(slack, recording_enqueue)) == RunStatus.DELIVERED
    return slack.bot_messages(SALES)[-1]


def answer_to(slack, response_id) -> str:
    return slack.emulator.wait_for(lambda: slack.emulator.responses(response_id))[-1]["text"]


def test_every_delivered_report_carries_run_now_pause_and_history(slack, ctx, recording_enqueue):
    report = delivered_report(slack, ctx, recording_enqueue)
    actions = [e["action_id"] for b in report["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert actions == [ScheduleActions.RUN_NOW, ScheduleActions.PAUSE, ScheduleActions.HISTORY]


def test_report_buttons_are_permission_checked(slack, ctx, recording_enqueue):
    report = delivered_report(slack, ctx, recording_enqueue)
    refused = slack.click(ScheduleActions.PAUSE, "1", user_id=BOB, channel_id=SALES, message=report)
    assert "Only <@U0ALICE01> (the owner) or a workspace admin" in answer_to(slack, refused)
    refused = slack.click(ScheduleActions.RUN_NOW, "1", user_id=BOB, channel_id=SALES, message=report)
    assert "Only <@U0ALICE01>" in answer_to(slack, refused)
    with ctx.database.session() as s:
        assert s.get(Schedule, 1).status == ScheduleStatus.ACTIVE
        assert len(s.scalars(select(Run)).all()) == 1
    history = slack.click(ScheduleActions.HISTORY, "1", user_id=BOB, channel_id=SALES, message=report)
    assert "History of Daily sales" in answer_to(slack, history)  # reading is fine for anyone here
    paused = slack.click(ScheduleActions.PAUSE, "1", user_id=ALICE, channel_id=SALES, message=report)
    assert "Paused “Daily sales”" in answer_to(slack, paused)
    assert slack.bot_messages(SALES)[-1]["ts"] == report["ts"]  # the report itself is untouched


def test_a_stale_or_forged_button_value_is_explained(slack, ctx, recording_enqueue):
    report = delivered_report(slack, ctx, recording_enqueue)
    stale = slack.click(ScheduleActions.PAUSE, "not-a-number", channel_id=SALES, message=report)
    assert "older message" in answer_to(slack, stale)
    gone = slack.click(ScheduleActions.PAUSE, "999", channel_id=SALES, message=report)
    assert "no longer exists" in answer_to(slack, gone)


def test_the_failure_notice_buttons_retry_pause_and_edit(slack, ctx, recording_enqueue):
    slack.command('new "Daily sales" every day at 9am in #sales')
    slack.command("run daily sales", user_id=ADMIN)  # not the owner: the owner hears of the failure by DM
    slack.emulator.fail("files.completeUploadExternal", error="is_archived", times=None)
    run_id = queued(slack, recording_enqueue)
    assert settle(ctx, run_id) == RunStatus.FAILED
    slack.emulator.clear_faults()
    dm = slack.dm_channel(ALICE)
    notice = slack.emulator.wait_for(lambda: slack.bot_messages(dm))[-1]
    buttons = {e["action_id"]: e["value"] for b in notice["blocks"] if b["type"] == "actions" for e in b["elements"]}
    assert set(buttons) >= {ScheduleActions.RETRY, ScheduleActions.EDIT}

    refused = slack.click(ScheduleActions.RETRY, buttons[ScheduleActions.RETRY], user_id=BOB, channel_id=dm,
                          message=notice)
    assert "Only <@U0ALICE01>" in answer_to(slack, refused)

    slack.click(ScheduleActions.RETRY, buttons[ScheduleActions.RETRY], channel_id=dm, message=notice)
    assert queued(slack, recording_enqueue, 2) == run_id  # the same run, not a new one
    assert status_of(ctx, run_id) not in (RunStatus.FAILED,)
    retrying = slack.emulator.wait_for(lambda: [m for m in slack.bot_messages(dm) if "Retrying" in m["text"]])
    assert retrying[-1]["text"].startswith("🔁 Retrying *Daily sales*")

    slack.click(ScheduleActions.EDIT, buttons[ScheduleActions.EDIT], channel_id=dm, message=notice)
    assert slack.latest_view()["title"]["text"] == "Edit scheduled report"

    toggle = ScheduleActions.PAUSE if ScheduleActions.PAUSE in buttons else ScheduleActions.RESUME
    slack.click(toggle, buttons[toggle], channel_id=dm, message=notice)
    expected = ScheduleStatus.PAUSED if toggle == ScheduleActions.PAUSE else ScheduleStatus.ACTIVE
    slack.emulator.wait_for(lambda: _status(ctx) == expected)


def _status(ctx):
    with ctx.database.session() as s:
        return s.get(Schedule, 1).status
