"""What an alert notification says, as data stored with its run (`summary["alert"]`) and as text.

The payload is built once, when the check decides to notify; the Slack blocks, the email and the
history all read it. Pure: no I/O.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from jobs.alerts.states import Notice, Step
from jobs.views.blocks import escape
from reports.conditions import (
    Condition,
    Kind,
    Measurement,
    change_text,
    duration,
    measure_name,
    number,
    rule_text,
    threshold_text,
    value_text,
)

ICONS = {Notice.FIRING: "🔥", Notice.REMINDER: "🔁", Notice.RESOLVED: "✅", Notice.RECOVERED: "✅",
         Notice.NO_DATA: "❔", Notice.ERROR: "⚠️", Notice.CHANGED: "🔄"}
DETAIL_LIMIT = 1500


def notice_payload(*, notice: str, condition: Condition, step: Step, slot: dt.datetime, timezone: str,
                   result: Measurement | None, previous_value: float | None, detail: str | None) -> dict:
    """Everything the notification shows, JSON-safe."""
    has_value = result is not None and result.value is not None
    change = change_pct = None
    if has_value and condition.kind in (Kind.THRESHOLD, Kind.SHARE) and previous_value not in (None, 0):
        change_pct = round((result.value - previous_value) / abs(previous_value) * 100, 2)
        change = f"{change_text(change_pct, percent=True)} since the previous check"
    elif has_value and condition.kind == Kind.CHANGE and result.change is not None:
        change = f"{change_text(result.change, percent=condition.percent)} since the previous check"
    return {
        "notice": notice,
        "state": step.state,
        "since": step.state_since.isoformat() if step.state_since else None,
        "slot": slot.isoformat(),
        "timezone": timezone,
        "kind": condition.kind.value,
        "rule": rule_text(condition),
        "measure": measure_name(condition.measure) if condition.kind != Kind.CHANGED else "rows",
        "threshold": threshold_text(condition) if condition.kind != Kind.CHANGED else None,
        "line": condition.threshold if condition.kind in (Kind.THRESHOLD, Kind.SHARE) else None,
        "op": condition.op,
        "value": result.value if has_value else None,
        "value_text": value_text(condition, result) if has_value else None,
        "change": change,
        "change_pct": change_pct,
        "rows": result.rows if result is not None else None,
        "first": bool(result is not None and result.note and condition.kind == Kind.CHANGED),
        "detail": (detail or "")[:DETAIL_LIMIT] or None,
    }


def is_alert_summary(summary: dict | None) -> bool:
    return isinstance(summary, dict) and isinstance(summary.get("alert"), dict)


def headline(alert: dict) -> str:
    """Plain words for a subject line: "Firing: total revenue 9,120"."""
    value = alert.get("value_text")
    words = {
        Notice.FIRING: f"Firing: {value}", Notice.REMINDER: f"Still firing: {value}",
        Notice.RESOLVED: f"Resolved: {value}", Notice.RECOVERED: f"Values again: {value}",
        Notice.NO_DATA: "No data", Notice.ERROR: "The check failed", Notice.CHANGED: "Changed",
    }
    return words.get(alert.get("notice"), "Alert")


def notice_text(name: str, alert: dict) -> str:
    """The notification in Slack mrkdwn (the message's fallback text and first block); names escaped."""
    kind = alert.get("notice")
    title = f"*{escape(name)}*"
    icon = ICONS.get(kind, "🔔")
    value = escape(alert.get("value_text") or "")
    detail = escape(alert.get("detail") or "")
    rule = f"\nIt fires when {escape(alert.get('rule') or 'its condition is met')}." if alert.get("rule") else ""
    if kind == Notice.FIRING:
        return f"{icon} {title} is firing: {value}{rule}"
    if kind == Notice.REMINDER:
        since = local_time(alert.get("since"), alert.get("timezone"))
        return f"{icon} {title} is still firing{f' (since {since})' if since else ''}: {value}{rule}"
    if kind == Notice.RESOLVED:
        return f"{icon} {title} is resolved: {value}{rule}"
    if kind == Notice.RECOVERED:
        state = "the condition is met again" if alert.get("state") == "pending" else "not firing"
        return f"{icon} {title} has values again: {value} — {state}.{rule}"
    if kind == Notice.NO_DATA:
        return f"{icon} {title} has no data: {detail or 'the check found nothing to measure'}. I'll keep checking " \
               f"and tell you when values are back."
    if kind == Notice.ERROR:
        return f"{icon} {title} could not be checked: {detail or 'the check failed'}. I'll keep trying and tell " \
               f"you when it works again."
    if kind == Notice.CHANGED:
        if alert.get("first"):
            return f"{icon} {title}: the first check. From now on it is sent only when the data changes."
        return f"{icon} {title} changed since the previous check."
    return f"{icon} {title}: {value}"


def local_time(iso: str | None, timezone: str | None) -> str:
    """"Mon 14:05 CET" from a stored instant."""
    if not iso:
        return ""
    when = dt.datetime.fromisoformat(iso)
    try:
        when = when.astimezone(ZoneInfo(timezone or "UTC"))
    except (KeyError, ValueError):
        pass
    return when.strftime("%a %H:%M %Z")


def figures(alert: dict) -> list[tuple[str, str]]:
    """The message's fields: the value, the line, the change, the state's start."""
    shown: list[tuple[str, str]] = []
    if alert.get("kind") == "changed":
        return shown  # the report's own figures and rows say it
    if alert.get("value") is not None:
        shown.append(("Value", number(alert["value"]) if alert.get("kind") in ("threshold", "change")
                      else alert.get("value_text") or ""))
    if alert.get("rule") and alert.get("kind") != "changed":
        shown.append(("Fires when", alert["rule"]))
    if alert.get("change") and alert.get("kind") != "change":  # a change alert's value already says it
        shown.append(("Change", alert["change"]))
    since = local_time(alert.get("since"), alert.get("timezone"))
    if since and alert.get("notice") in (Notice.FIRING, Notice.REMINDER, Notice.NO_DATA, Notice.ERROR):
        shown.append(("Since", since))
    return shown


def check_sentence(condition: Condition, result: Measurement | None, step: Step, detail: str | None) -> str:
    """What one check found and did, for the run's record and the history: never just "OK"."""
    if result is None:
        found = f"The check failed: {detail or 'no reason was given'}"
    elif result.value is None:
        found = f"No data: {result.no_data or detail or 'nothing to measure'}"
    else:
        found = f"Checked: {value_text(condition, result)}"
    return f"{found} — {_what_it_did(condition, step)}."


def _what_it_did(condition: Condition, step: Step) -> str:
    options = condition.options
    if step.muted_by is not None:
        return f"{_STATE_WORDS.get(step.state, step.state)}; not told: the alert is snoozed by <@{step.muted_by}>"
    if step.notice is not None:
        return f"{_STATE_WORDS.get(step.state, step.state)}; telling its destinations"
    if step.state == "pending":
        wait = f"{options.for_checks} checks in a row" if options.for_checks else duration(options.for_seconds or 0)
        counted = f" (check {step.pending_checks} of {options.for_checks})" if options.for_checks else ""
        return f"the condition is met{counted}; it fires once that lasts {wait}"
    if step.state == "firing":
        if condition.is_event:
            return "changed"
        return "still firing; already told"
    if condition.kind == Kind.CHANGED:
        return "same data as the previous check; nothing sent"
    rule = f" (it fires when {rule_text(condition)})"
    return f"{_STATE_WORDS.get(step.state, step.state)}{rule if step.state in ('ok', 'resolved') else ''}"


_STATE_WORDS = {"ok": "OK", "pending": "pending", "firing": "firing", "resolved": "resolved",
                "no_data": "no data", "error": "check failing"}
