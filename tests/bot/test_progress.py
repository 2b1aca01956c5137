"""Run now, retry and previews answer at once ("Generating Daily sales…") and that very message is
updated when the worker settles the run: delivered with links to the files, or failed in plain
words with Retry and Edit. The worker side is the real generate and deliver."""

from __future__ import annotations

import json

from sqlalchemy import select

from jobs.delivery.deliver import deliver
from jobs.generate import generate
from jobs.slack_ids import ChatActions, ModalActions, ModalBlocks, ScheduleActions
from storage.models import ProgressMessage, Run, RunStatus
from tests.bot.conftest import ALICE
from tests.bot.test_modal import open_modal, values
from tests.support.people import SALES


def status_of(ctx, run_id: int) -> str:
    with ctx.database.session() as s:
        return s.get(Run, run_id).status


def settle(ctx, run_id: int) -> str:
    """What the worker does with a queued run: generate it, then deliver it."""
    generate(ctx, run_id, lambda *args: None)
    if status_of(ctx, run_id) == RunStatus.DELIVERING:
        deliver(ctx, run_id)
    return status_of(ctx, run_id)


def queued(slack, recording_enqueue, count=1) -> int:
    calls = slack.emulator.wait_for(lambda: len(recording_enqueue.calls) >= count and recording_enqueue.calls)
    return calls[count - 1][0]


def test_run_now_reply_is_updated_with_the_files_once_delivered(slack_any, job_context, recording_enqueue):
    slack_any.command('new "Daily sales" every day at 9am in #sales')
    assert slack_any.command("run daily sales").startswith("⏳ Generating *Daily sales*")
    response_id = slack_any.last_response_id
    run_id = queued(slack_any, recording_enqueue)
    assert settle(job_context, run_id) == RunStatus.DELIVERED
    final = slack_any.wait_reply_count(2, response_id)[-1]
    assert final["replace_original"] is True
    assert final["text"].startswith(f"✅ *Daily sales* was delivered to #sales (run {run_id} · ")
    [upload] = slack_any.emulator.uploads(SALES)
    assert f"📎 <https://acme.slack.com/files/UB0TEST01/{upload.id}/{upload.filename}|CSV>" in final["text"]
    # Run now before 09:00 on Monday repeats what Sunday 09:00 covered: Saturday, with today's data.
    assert "📅 Covers the previous day, Sat 21 Nov 2026, Europe/Berlin" in final["text"]
    with job_context.database.session() as s:
        message = s.scalar(select(ProgressMessage))
        assert message.sent_at is not None and message.response_url is None  # used once, then forgotten


def test_a_failed_run_says_why_in_plain_words_with_retry_and_edit(slack, ctx, recording_enqueue):
    slack.command('new "Daily sales" every day at 9am in #sales')
    slack.command("run daily sales")
    response_id = slack.last_response_id
    run_id = queued(slack, recording_enqueue)
    slack.emulator.fail("files.completeUploadExternal", error="not_in_channel", times=None)
    assert settle(ctx, run_id) == RunStatus.FAILED
    slack.emulator.clear_faults()
    final = slack.wait_reply_count(2, response_id)[-1]
    assert final["text"].startswith(f"❌ Generating *Daily sales* failed (run {run_id})")
    assert "#sales" in final["text"] and "/invite @reportbot" in final["text"]  # why, and what to do
    buttons = final["blocks"][-1]["elements"]
    assert [(b["action_id"], b["value"]) for b in buttons] == [
        (ScheduleActions.RETRY, f"1:{run_id}"), (ScheduleActions.EDIT, "1")]
    # Retry from that message: the same run again, and the message follows it.
    retry_response = slack.click(ScheduleActions.RETRY, f"1:{run_id}", channel_id=SALES, ephemeral=True)
    retried = slack.emulator.wait_for(lambda: slack.emulator.responses(retry_response))
    assert retried[0]["text"].startswith("🔁 Retrying")
    assert queued(slack, recording_enqueue, 2) == run_id
    if status_of(ctx, run_id) == RunStatus.DELIVERING:  # files kept: only the destination is tried again
        deliver(ctx, run_id)
    else:
        settle(ctx, run_id)
    done = slack.emulator.wait_for(lambda: len(slack.emulator.responses(retry_response)) >= 2
                                   and slack.emulator.responses(retry_response))[-1]
    assert done["text"].startswith("✅ *Daily sales* was delivered to #sales")


def test_run_now_on_a_report_message_answers_in_the_channel_and_updates_a_dm(slack, ctx, recording_enqueue):
    slack.command('new "Daily sales" every day at 9am in #sales')
    slack.command("run daily sales")
    settle(ctx, queued(slack, recording_enqueue))
    report = slack.bot_messages(SALES)[-1]  # the delivered report with its buttons
    response_id = slack.click(ScheduleActions.RUN_NOW, "1", channel_id=SALES, message=report)
    note = slack.emulator.wait_for(lambda: slack.emulator.responses(response_id))[0]
    assert "keep you posted in our DM" in note["text"] and note["replace_original"] is False
    dm = slack.dm_channel(ALICE)
    assert slack.emulator.wait_for(lambda: slack.bot_messages(dm))[-1]["text"].startswith("⏳ Generating")
    settle(ctx, queued(slack, recording_enqueue, 2))
    updated = slack.emulator.wait_for(lambda: slack.bot_messages(dm)[-1].get("edited") and slack.bot_messages(dm))[-1]
    assert updated["text"].startswith("✅ *Daily sales* was delivered to #sales")
    assert len(slack.bot_messages(dm)) == 1  # updated in place, not a second message


def test_a_preview_arrives_in_a_dm_and_its_message_is_updated(slack, ctx, recording_enqueue):
    view = open_modal(slack)
    slack.view_action(view, ModalActions.PREVIEW_NOW, ModalBlocks.PREVIEW, {"type": "button", "value": "p"},
                      values(name="Daily sales", formats=("csv", "png")))
    run_id = queued(slack, recording_enqueue)
    assert settle(ctx, run_id) == RunStatus.DELIVERED
    dm = slack.dm_channel(ALICE)
    files = sorted(u.filename.rsplit(".", 1)[1] for u in slack.emulator.uploads(dm))
    assert files == ["csv", "png"]
    progress = next(m for m in slack.bot_messages(dm) if "preview" in m["text"])
    assert progress["text"].startswith("✅ The preview of *Daily sales* was delivered to your DM")
    assert "Retry" not in json.dumps(progress.get("blocks"))  # nothing to retry on a preview
    assert slack.emulator.uploads(SALES) == []  # the schedule's destinations got nothing


def test_run_now_confirmed_in_a_dm_becomes_the_progress_message(slack, ctx, recording_enqueue):
    slack.command('new "Daily sales" every day at 9am in #sales')
    slack.dm("run daily sales now")
    dm = slack.dm_channel(ALICE)
    question = slack.emulator.wait_for(lambda: slack.bot_messages(dm))[-1]
    confirm = next(e for e in question["blocks"][-1]["elements"] if e["action_id"] == ChatActions.CONFIRM)
    slack.click(ChatActions.CONFIRM, confirm["value"], channel_id=dm, message=question)
    run_id = queued(slack, recording_enqueue)
    assert slack.bot_messages(dm)[-1]["text"].startswith("⏳ Generating")
    settle(ctx, run_id)
    final = slack.emulator.wait_for(lambda: slack.bot_messages(dm)[-1]["text"].startswith("✅")
                                    and slack.bot_messages(dm))[-1]
    assert final["ts"] == question["ts"]  # the question became the answer
