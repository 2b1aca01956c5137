""""Generating Daily sales…" and what replaces it once the run settles."""

from __future__ import annotations

from jobs.slack_ids import ReplyBlocks, ScheduleActions
from jobs.views.blocks import button, clip, escape
from jobs.views.run_message import (
    RunOutcome,
    destination_lines,
    file_links_text,
    retry_value,
)
from jobs.views.slack_errors import plain_error


def progress_started_text(name: str, *, preview: bool = False, alert: bool = False, covers: str = "",
                          other_period: str = "") -> str:
    """"Generating …": for the period it covers (`covers`, in words) and how to ask for another
    (`other_period`, e.g. "/report run weekly sales for last month"); an alert is checked instead."""
    if alert:
        what = f"a preview of *{escape(name)}*" if preview else f"*{escape(name)}*"
        return f"⏳ Checking {what} now… I'll tell you the value and the state here."
    period = f" for {escape(covers)}" if covers else ""
    if preview:
        text = (f"⏳ Generating a preview of *{escape(name)}*{period}… I'll send it to you here in a DM and update "
                "this message.")
    else:
        text = f"⏳ Generating *{escape(name)}*{period}… I'll update this message when it's delivered."
    if other_period:
        text += f"\nAnother period? `{escape(other_period)}` (or last week, last 7 days, month to date…)"
    return text


def progress_started_blocks(name: str, *, preview: bool = False, alert: bool = False, covers: str = "",
                            other_period: str = "") -> list[dict]:
    text = progress_started_text(name, preview=preview, alert=alert, covers=covers, other_period=other_period)
    return [{"type": "section", "block_id": ReplyBlocks.PROGRESS, "text": {"type": "mrkdwn", "text": clip(text)}}]


def progress_finished(outcome: RunOutcome) -> tuple[str, list[dict]]:
    """The text and blocks that replace "Generating…" once the run settled."""
    what = f"the preview of *{escape(outcome.name)}*" if outcome.is_preview else f"*{escape(outcome.name)}*"
    rows = f" · {outcome.row_count:,} rows" if outcome.row_count is not None else ""
    sent = [d for d in outcome.destinations if d.status == "sent"]
    if outcome.status == "delivered":
        where = escape(", ".join(d.label for d in sent)) or "its destinations"
        text = f"✅ {what[0].upper() + what[1:]} was delivered to {where} (run {outcome.run_id}{rows})."
    elif outcome.status == "partial":
        text = (f"⚠️ {what[0].upper() + what[1:]} reached {len(sent)} of {len(outcome.destinations)} "
                f"destinations (run {outcome.run_id}{rows}).")
    elif outcome.status == "skipped":
        text = f"⏭️ Nothing was sent for {what} (run {outcome.run_id}): {outcome.error or 'there was no data'}"
    elif outcome.status == "canceled":
        text = f"🚫 The run of {what} was canceled (run {outcome.run_id})."
    else:
        text = f"❌ Generating {what} failed (run {outcome.run_id}): {plain_error(outcome.error)}."
    if outcome.window_label and outcome.status in ("delivered", "partial"):
        covered = f"Covers {escape(outcome.period)}, " if outcome.period else ""
        text += f"\n📅 {covered}{escape(outcome.window_label)}"
    if outcome.files and sent:
        text += f"\n📎 {file_links_text(outcome.files)}"
    blocks: list[dict] = [{"type": "section", "block_id": ReplyBlocks.PROGRESS,
                           "text": {"type": "mrkdwn", "text": clip(text)}}]
    lines = destination_lines(outcome) if outcome.status in ("partial", "failed") and outcome.destinations else []
    if lines:
        blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": clip("\n".join(lines), 3000)}]})
    if outcome.status in ("partial", "failed") and not outcome.is_preview:
        blocks.append({"type": "actions", "block_id": ReplyBlocks.ACTIONS, "elements": [
            # Retry's value names the run (as the owner's failure DM does): the same run again.
            button(ScheduleActions.RETRY, "Retry", retry_value(outcome.schedule_id, outcome.run_id), "primary"),
            button(ScheduleActions.EDIT, "Edit", str(outcome.schedule_id)),
        ]})
    return clip(text), blocks
