"""What the person who ran an alert's check by hand (Run now, a preview) is told: its value and state.

Only to them; the alert's destinations hear of it only when its state changed (then the check's
notification was delivered as usual). Pure: the run's outcome and its check in, the text and blocks
that replace "Checking…" out."""

from __future__ import annotations

import re

from jobs.slack_ids import ReplyBlocks, ScheduleActions
from jobs.views.blocks import actions, button, clip, escape, section
from jobs.views.run_message import RunOutcome
from storage.models import AlertEvaluation

ICONS = {"ok": "🟢", "pending": "🟠", "firing": "🔥", "resolved": "✅", "no_data": "❔", "error": "⚠️"}
_MENTION = re.compile(r"&lt;@([UW][A-Z0-9]+)&gt;")


def _said(detail: str | None) -> str:
    """The check's own sentence, escaped (it names columns and values from the data); the mention of
    who snoozed the alert, which the app wrote itself, stays a mention."""
    return _MENTION.sub(r"<@\1>", escape(detail or "the check said nothing"))


def check_finished(outcome: RunOutcome, evaluation: AlertEvaluation | None) -> tuple[str, list[dict]] | None:
    """The reply to a check run by hand, or None when the run is not a finished check (the report's
    own progress message applies)."""
    if evaluation is None or outcome.status not in ("skipped", "delivered", "partial", "failed"):
        return None
    name = escape(outcome.name)
    said = _said(evaluation.detail)
    icon = ICONS.get(evaluation.state, "🔔")
    sent = ", ".join(d.label for d in outcome.destinations if d.status == "sent")
    if outcome.is_preview:
        if evaluation.notice is not None:
            text = f"{icon} Preview of *{name}*: it would tell its destinations now, so its notification came to " \
                   f"you here. {said}"
        else:
            text = f"{icon} Preview of *{name}*: nothing would be sent now. {said} When it fires, its destinations " \
                   "get a notification with the value, the line and a chart."
        return clip(text), [section(clip(text), ReplyBlocks.PROGRESS)]
    if evaluation.outcome == "error" and evaluation.notice is None:
        text = f"⚠️ *{name}* could not be checked just now (only you see this). {said}"
    elif evaluation.notice is None:
        text = f"{icon} *{name}*, checked just now (only you see this): {said} Its destinations hear of it only " \
               "when its state changes."
    elif outcome.status == "delivered":
        text = f"{icon} *{name}*, checked just now: {said} It reached {escape(sent) or 'its destinations'}."
    else:
        return None  # the notification did not reach everyone: the report's message says where and offers Retry
    blocks = [section(clip(text), ReplyBlocks.PROGRESS)]
    if evaluation.outcome == "error":
        blocks.append(actions([button(ScheduleActions.RUN_NOW, "Check again", str(outcome.schedule_id), "primary"),
                               button(ScheduleActions.EDIT, "Edit", str(outcome.schedule_id))], ReplyBlocks.ACTIONS))
    return clip(text), blocks
