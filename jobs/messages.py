"""Block Kit for the messages the worker posts. Pure functions: plain data in, dicts out."""

from __future__ import annotations

from jobs.slack_ids import ScheduleActions

SECTION_LIMIT = 3000


def _clip(text: str, limit: int = SECTION_LIMIT) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def schedule_buttons(schedule_id: int) -> dict:
    """The Run now / Pause / History buttons every delivered report carries."""
    value = str(schedule_id)
    return {
        "type": "actions",
        "block_id": f"report-actions-{schedule_id}",
        "elements": [
            {"type": "button", "action_id": ScheduleActions.RUN_NOW, "text": {"type": "plain_text", "text": "Run now"},
             "value": value},
            {"type": "button", "action_id": ScheduleActions.PAUSE, "text": {"type": "plain_text", "text": "Pause"},
             "value": value},
            {"type": "button", "action_id": ScheduleActions.HISTORY, "text": {"type": "plain_text", "text": "History"},
             "value": value},
        ],
    }


def report_message_blocks(schedule_id: int, summary_text: str, files_note: str = "") -> list[dict]:
    """The message a delivered report arrives with: the summary, a note on files, the buttons."""
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": _clip(summary_text)}}]
    if files_note:
        blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": _clip(files_note, 2000)}]})
    blocks.append(schedule_buttons(schedule_id))
    return blocks
