"""Block Kit for the messages the worker posts. Pure functions: plain data in, dicts out."""

from __future__ import annotations

from dataclasses import dataclass, field

from jobs.slack_ids import ReplyBlocks, ScheduleActions
from storage.ids import row_id

SECTION_LIMIT = 3000
STATUS_ICONS = {
    "delivered": "✅", "partial": "⚠️", "failed": "❌", "skipped": "⏭️", "canceled": "🚫",
    "pending": "⏳", "running": "⚙️", "delivering": "📤", "sent": "✅", "sending": "📤",
}
# Slack error codes (and our own delivery errors) in words a person can act on.
PLAIN_ERRORS = {
    "channel_not_found": "the channel no longer exists, or it is private and I'm not in it — invite me with "
                         "`/invite @reportbot`",
    "not_in_channel": "I'm not a member of that channel — invite me with `/invite @reportbot`",
    "is_archived": "the channel is archived",
    "invalid_channel": "the channel can't receive files (archived or not a channel)",
    "posting_to_channel_denied": "only some members may post in that channel, and I'm not one of them",
    "restricted_action": "the workspace's settings don't let me post there",
    "user_not_found": "that person is no longer in the workspace",
    "user_disabled": "that person's account is deactivated",
    "account_inactive": "reportbot's access to Slack was revoked — ask an admin to reinstall the app",
    "invalid_auth": "reportbot's access to Slack was revoked — ask an admin to reinstall the app",
    "token_revoked": "reportbot's access to Slack was revoked — ask an admin to reinstall the app",
    "not_authed": "reportbot's access to Slack was revoked — ask an admin to reinstall the app",
    "missing_scope": "reportbot is missing a Slack permission — ask an admin to reinstall the app",
    "file_uploads_disabled": "file uploads are turned off in this workspace",
    "file_upload_size_restricted": "the files are bigger than this workspace allows",
    "ratelimited": "Slack asked me to slow down; I'll try again",
    "internal_error": "Slack had a hiccup; I'll try again",
    "fatal_error": "Slack had a hiccup; I'll try again",
    "service_unavailable": "Slack was unavailable; I'll try again",
    "request_timeout": "Slack took too long to answer; I'll try again",
}


def _clip(text: str, limit: int = SECTION_LIMIT) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def retry_value(schedule_id: int, run_id: int) -> str:
    """The Retry button's value: which run of which schedule."""
    return f"{schedule_id}:{run_id}"


def parse_retry_value(value: str) -> tuple[int, int] | None:
    """Read a Retry button's value back; None when it is not one."""
    schedule_text, _, run_text = (value or "").partition(":")
    schedule_id, run_id = row_id(schedule_text), row_id(run_text)
    if schedule_id is None or run_id is None:
        return None
    return schedule_id, run_id


def escape(text: str) -> str:
    """Slack mrkdwn escaping of text people typed (names, errors)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def button(action_id: str, text: str, value: str, style: str | None = None) -> dict:
    button = {"type": "button", "action_id": action_id, "text": {"type": "plain_text", "text": text[:75]},
              "value": value}
    if style:
        button["style"] = style
    return button


def plain_error(error: str | None) -> str:
    """Say an error in plain words: Slack codes are translated, sentences are kept."""
    if not error:
        return "no reason was given"
    parts = []
    for piece in error.split("; "):
        where, _, code = piece.rpartition(": ")
        words = PLAIN_ERRORS.get(code.strip())
        parts.append(words if words and not where else f"{where}: {words}" if words else piece)
    return _clip("; ".join(parts), 1500)


def schedule_buttons(schedule_id: int) -> dict:
    """The Run now / Pause / History buttons every delivered report carries."""
    value = str(schedule_id)
    return {
        "type": "actions",
        "block_id": f"report-actions-{schedule_id}",
        "elements": [
            button(ScheduleActions.RUN_NOW, "Run now", value),
            button(ScheduleActions.PAUSE, "Pause", value),
            button(ScheduleActions.HISTORY, "History", value),
        ],
    }


def report_message_blocks(schedule_id: int, summary_text: str, files_note: str = "") -> list[dict]:
    """The message a delivered report arrives with: the summary, a note on files, the buttons."""
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": _clip(summary_text)}}]
    if files_note:
        blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": _clip(files_note, 2000)}]})
    blocks.append(schedule_buttons(schedule_id))
    return blocks


@dataclass(frozen=True)
class FileLink:
    name: str
    url: str | None


@dataclass(frozen=True)
class DestinationResult:
    label: str
    status: str
    error: str | None = None
    files: tuple[FileLink, ...] = ()


@dataclass(frozen=True)
class RunOutcome:
    """What a person needs to know about one run, copied out of the database."""

    run_id: int
    schedule_id: int
    name: str
    status: str
    row_count: int | None = None
    error: str | None = None
    window_label: str | None = None
    destinations: tuple[DestinationResult, ...] = ()
    is_preview: bool = False
    schedule_paused: bool = False
    extra: dict = field(default_factory=dict)


def file_links_text(files: tuple[FileLink, ...]) -> str:
    return ", ".join(f"<{f.url}|{f.name}>" if f.url else f.name for f in files)


def destination_lines(outcome: RunOutcome, limit: int = 10) -> list[str]:
    """One line per destination: where, whether it arrived, its files or why it did not."""
    lines = []
    for result in outcome.destinations[:limit]:
        icon = STATUS_ICONS.get(result.status, "•")
        line = f"{icon} {result.label} — {result.status}"
        if result.files:
            line += f" · {file_links_text(result.files)}"
        if result.error and result.status != "sent":
            line += f": {plain_error(result.error)}"
        lines.append(line)
    if len(outcome.destinations) > limit:
        lines.append(f"… and {len(outcome.destinations) - limit} more")
    return lines


def progress_started_text(name: str, *, preview: bool = False) -> str:
    if preview:
        return f"⏳ Generating a preview of *{name}*… I'll send it to you here in a DM and update this message."
    return f"⏳ Generating *{name}*… I'll update this message when it's delivered."


def progress_started_blocks(name: str, *, preview: bool = False) -> list[dict]:
    return [{"type": "section", "block_id": ReplyBlocks.PROGRESS,
             "text": {"type": "mrkdwn", "text": _clip(progress_started_text(name, preview=preview))}}]


def progress_finished(outcome: RunOutcome) -> tuple[str, list[dict]]:
    """The text and blocks that replace "Generating…" once the run settled."""
    what = f"the preview of *{outcome.name}*" if outcome.is_preview else f"*{outcome.name}*"
    rows = f" · {outcome.row_count:,} rows" if outcome.row_count is not None else ""
    sent = [d for d in outcome.destinations if d.status == "sent"]
    if outcome.status == "delivered":
        where = ", ".join(d.label for d in sent) or "its destinations"
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
    files = next((d.files for d in sent if d.files), ())
    if files:
        text += f"\nFiles: {file_links_text(files)}"
    blocks: list[dict] = [{"type": "section", "block_id": ReplyBlocks.PROGRESS,
                           "text": {"type": "mrkdwn", "text": _clip(text)}}]
    lines = destination_lines(outcome) if outcome.status in ("partial", "failed") and outcome.destinations else []
    if lines:
        blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": _clip("\n".join(lines), 3000)}]})
    if outcome.status in ("partial", "failed") and not outcome.is_preview:
        blocks.append({"type": "actions", "block_id": ReplyBlocks.ACTIONS, "elements": [
            # Retry's value names the run (as the owner's failure DM does): the same run again.
            button(ScheduleActions.RETRY, "Retry", retry_value(outcome.schedule_id, outcome.run_id), "primary"),
            button(ScheduleActions.EDIT, "Edit", str(outcome.schedule_id)),
        ]})
    return _clip(text), blocks
