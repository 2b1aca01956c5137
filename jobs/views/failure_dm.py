"""The DM a schedule's owner gets when a run failed or reached only some destinations (for an alert's
check that failed before any notice was sent: "Check again" instead of "Retry")."""

from __future__ import annotations

from jobs.slack_ids import ScheduleActions
from jobs.views.blocks import button, escape
from jobs.views.run_message import retry_value
from storage.models import RunStatus

ERROR_LIMIT = 2500


def failure_message(*, schedule_id: int, run_id: int, name: str, status: str, when: str, error: str | None,
                    paused: bool, failures: int, alert: bool = False) -> tuple[str, list[dict]]:
    """Build the DM (fallback text and blocks) about a failed or partly delivered run. Pure."""
    title = escape(name)
    if status == RunStatus.PARTIAL:
        head = f"⚠️ *{title}* ({when}) reached only some of its destinations."
    elif alert:
        head = f"❌ The check of *{title}* ({when}) failed."
    else:
        head = f"❌ *{title}* ({when}) failed."
    again = "Check again" if alert else "Retry"
    if alert and error:  # the headline already says the check failed
        error = error.removeprefix("The check failed: ")
    reason = escape(error or "No reason was recorded.")
    if len(reason) > ERROR_LIMIT:
        reason = reason[: ERROR_LIMIT - 1] + "…"
    blocks: list[dict] = [
        {"type": "section", "text": {"type": "mrkdwn", "text": f"{head}\n{reason}"}},
    ]
    schedule = str(schedule_id)
    if paused:
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": (
            f"That is {failures} failed runs in a row, so I paused *{title}*: it will not run again until you "
            f"fix the problem and press *Resume*.")}})
        buttons = [button(ScheduleActions.RESUME, "Resume", schedule, "primary"),
                   button(ScheduleActions.RETRY, "Check again" if alert else "Retry this run",
                          retry_value(schedule_id, run_id)),
                   button(ScheduleActions.EDIT, "Edit", schedule)]
    else:
        buttons = [button(ScheduleActions.RETRY, again, retry_value(schedule_id, run_id), "primary"),
                   button(ScheduleActions.PAUSE, "Pause", schedule),
                   button(ScheduleActions.EDIT, "Edit", schedule)]
    blocks.append({"type": "actions", "block_id": f"run-failed-{run_id}", "elements": buttons})
    text = f"{head} {escape(error or '')}".strip()
    if paused:
        text += f" {title} is paused after {failures} failed runs in a row."
    return text[:3000], blocks
