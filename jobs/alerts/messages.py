"""Block Kit for alert notifications, and the one-line state of an alert for App Home and history.
Pure functions: plain data in, dicts out (Slack's limits are checked by the tests with slack_sdk)."""

from __future__ import annotations

import datetime as dt

from jobs.alerts.notice import figures, is_alert_summary, local_time, notice_text
from jobs.alerts.snooze import MENU_CHOICES, menu_value, snooze_words
from jobs.alerts.states import Notice
from jobs.slack_ids import AlertActions, AlertBlocks, ScheduleActions
from jobs.views.blocks import button, clip, escape
from reports.conditions import (
    ConditionError,
    condition_from_json,
    describe_condition,
    number,
)
from storage.alerts import Overview

SECTION_LIMIT = 3000
FIELD_LIMIT = 2000
SPARKS = "▁▂▃▄▅▆▇█"
STATE_WORDS = {"ok": "🟢 OK", "pending": "🟠 pending", "firing": "🔥 firing", "resolved": "✅ resolved",
               "no_data": "❔ no data", "error": "⚠️ check failing"}
# Notices after which there is something to snooze.
_SNOOZABLE = (Notice.FIRING, Notice.REMINDER, Notice.NO_DATA, Notice.ERROR)


def alert_message_blocks(schedule_id: int, name: str, summary: dict) -> list[dict]:
    """The notification: what happened, the value / line / change, the report's figures, and Snooze /
    Pause / Edit."""
    alert = summary["alert"]
    blocks: list[dict] = [{"type": "section", "text": {"type": "mrkdwn", "text": clip(notice_text(name, alert),
                                                                                    SECTION_LIMIT)}}]
    fields = [{"type": "mrkdwn", "text": clip(f"*{label}*\n{escape(value)}", FIELD_LIMIT)}
              for label, value in figures(alert)]
    if fields:
        blocks.append({"type": "section", "block_id": AlertBlocks.FIGURES, "fields": fields[:10]})
    report = summary.get("report_text")
    if report:
        blocks.append({"type": "section", "block_id": AlertBlocks.REPORT,
                       "text": {"type": "mrkdwn", "text": clip(report, SECTION_LIMIT)}})
    checked = local_time(alert.get("slot"), alert.get("timezone"))
    if checked:
        blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": f"Checked {checked}"}]})
    blocks.append(alert_actions(schedule_id, snoozable=alert.get("notice") in _SNOOZABLE))
    return blocks


def alert_actions(schedule_id: int, *, snoozable: bool, snoozed: bool = False) -> dict:
    """Snooze (1 hour, 1 day, until resolved) while there is something to snooze, Unsnooze once someone
    snoozed it; Pause and Edit always."""
    elements: list[dict] = []
    if snoozed:
        elements.append(button(AlertActions.UNSNOOZE, "Unsnooze", str(schedule_id)))
    elif snoozable:
        elements.append({
            "type": "static_select", "action_id": AlertActions.SNOOZE,
            "placeholder": {"type": "plain_text", "text": "Snooze…"},
            "options": [{"text": {"type": "plain_text", "text": words}, "value": menu_value(schedule_id, choice)}
                        for choice, (words, _) in MENU_CHOICES.items()],
        })
    elements += [button(ScheduleActions.PAUSE, "Pause", str(schedule_id)),
                 button(ScheduleActions.EDIT, "Edit", str(schedule_id))]
    return {"type": "actions", "block_id": f"{AlertBlocks.ACTIONS_PREFIX}{schedule_id}", "elements": elements}


def snoozed_block(until: dt.datetime | None, until_resolved: bool, by: str | None, timezone: str) -> dict:
    """A context line for a notification once someone snoozed it (the bot updates the message)."""
    return {"type": "context", "block_id": AlertBlocks.SNOOZED,
            "elements": [{"type": "mrkdwn", "text": snooze_words(until, until_resolved, by, timezone)}]}


def with_snooze(blocks: list[dict], schedule_id: int, snoozed: dict | None) -> list[dict]:
    """A posted notification's blocks once it is snoozed (`snoozed`: its `snoozed_block`) or unsnoozed
    (None): the snooze line replaced, and the Snooze menu and Unsnooze button swapped."""
    actions_id = f"{AlertBlocks.ACTIONS_PREFIX}{schedule_id}"
    shown: list[dict] = []
    for block in blocks:
        if block.get("block_id") == AlertBlocks.SNOOZED:
            continue
        if block.get("block_id") == actions_id:
            if snoozed is not None:
                shown.append(snoozed)
            block = alert_actions(schedule_id, snoozable=True, snoozed=snoozed is not None)
        shown.append(block)
    if snoozed is not None and all(b.get("block_id") != AlertBlocks.SNOOZED for b in shown):
        shown.append(snoozed)
    return shown


def notification_blocks(schedule_id: int, name: str, summary: dict) -> list[dict] | None:
    """The blocks of an alert run's message, or None for a report's run (deliver's hook)."""
    return alert_message_blocks(schedule_id, name, summary) if is_alert_summary(summary) else None


def sparkline(values: tuple[float | None, ...] | list[float | None]) -> str:
    """A small trend in text: "▁▃▅█▆"; a check without a value is a gap ("·")."""
    known = [v for v in values if v is not None]
    if not known:
        return ""
    low, high = min(known), max(known)
    span = high - low
    return "".join("·" if v is None else SPARKS[int((v - low) / span * (len(SPARKS) - 1)) if span else 3]
                   for v in values)


def status_line(overview: Overview, timezone: str, *, show_snoozer: bool) -> str:
    """"🔥 firing since Mon 14:05 CET · last value 9,120 ▁▃▅█ · 😴 snoozed by @bob until …" (mrkdwn).

    Who snoozed is shown to the owner and admins (`show_snoozer`); others see that it is snoozed.
    """
    parts = [STATE_WORDS.get(overview.state, overview.state)]
    if overview.since is not None and overview.state not in ("ok",):
        parts[0] += f" since {local_time(overview.since.isoformat(), timezone)}"
    if overview.last_value is not None:
        parts.append(f"last value {number(overview.last_value)} {sparkline(overview.trend)}".rstrip())
    if overview.snoozed_until is not None or overview.snoozed_until_resolved:
        parts.append(snooze_words(overview.snoozed_until, overview.snoozed_until_resolved,
                                  overview.snoozed_by if show_snoozer else None, timezone))
    return " · ".join(parts)


def alert_line(condition: dict, overview: Overview | None, timezone: str, *, show_snoozer: bool) -> str:
    """An alert's lines on App Home, `/report show` and its history: its rule, then its state, last value
    and trend ("🔔 Fires when total revenue is below 10,000" / "🔥 firing since Mon 14:05 CET · …")."""
    try:
        rule = f"Fires when {escape(describe_condition(condition_from_json(condition)))}"
    except ConditionError:
        rule = "Its condition can't be read any more: edit it"
    state = status_line(overview, timezone, show_snoozer=show_snoozer) if overview else "not checked yet"
    return f"🔔 {rule}\n{state}"
