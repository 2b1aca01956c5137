"""Check a condition now, for the person writing it: the one-liner, the modal and the conversation
read it back with its first value ("total revenue now 12,430 — would not fire") before anything
is created. Runs the report as that person (data sources check who may read them) and records
nothing. Slow like a report: call it from a worker thread, never inside Slack's 3-second window.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from jobs.context import JobContext
from jobs.periods import most_recent_slot
from jobs.report_steps import fetch_report
from jobs.slots import compiled_cadence
from reports.conditions import (
    Condition,
    ConditionError,
    Measurement,
    bind_to_table,
    describe_condition,
    measure,
    parse_condition,
    readback,
)


@dataclass(frozen=True)
class _Draft:
    """What fetching a report needs, for a schedule that does not exist yet."""

    team_id: str
    owner_user_id: str
    report_type: str
    params: dict[str, Any]
    timezone: str
    slot: dt.datetime
    previous_slot: dt.datetime | None = None
    cadence: dict[str, Any] | None = None  # the alert's: it is measured over the period its checks will cover


MAX_COLUMNS = 30


def _columns(ctx: JobContext, draft: _Draft) -> list[str]:
    """The report's column names, to help with a condition that could not be read (none if it can't run)."""
    try:
        return fetch_report(ctx, draft)[0].column_names
    except Exception:  # the condition's error is what the person needs; the report's own comes later
        return []


@dataclass(frozen=True)
class ConditionCheck:
    condition: Condition  # bound to the report's columns: store `condition.to_json()`
    description: str  # "total revenue is below 10,000, telling when it resolves"
    readback: str  # "total revenue now 12,430 — would not fire"
    result: Measurement

    @property
    def sentence(self) -> str:
        """Both in one line for a reply: "Fires when total revenue is below 10,000 · total revenue now …"."""
        return f"Fires when {self.description} · {self.readback}"


def check_condition(ctx: JobContext, condition: str | Condition, *, team_id: str, user_id: str, report_type: str,
                    params: dict[str, Any], timezone: str, cadence: dict[str, Any] | None = None) -> ConditionCheck:
    """Parse (if text), bind to the report's columns and measure now.

    Raises `reports.conditions.ConditionError` (the words, or a column the report lacks: the message
    names the columns it has) or `reports.errors.ReportError` (the data could not be read).
    """
    now = ctx.now()
    # With its cadence, the condition is read over the period of the latest slot: what a check made
    # then saw (an hourly alert: the last whole hour), the same figure at any second of the hour.
    latest = most_recent_slot(compiled_cadence(cadence), now) if cadence else None
    draft = _Draft(team_id=team_id, owner_user_id=user_id, report_type=report_type, params=dict(params),
                   timezone=timezone, slot=latest or now, cadence=cadence)
    try:
        parsed = parse_condition(condition) if isinstance(condition, str) else condition
    except ConditionError as refused:
        columns = _columns(ctx, draft)
        if not columns:
            raise
        raise ConditionError(f"{refused} This report's columns: {', '.join(columns[:MAX_COLUMNS])}.") from None
    table, _window = fetch_report(ctx, draft)
    bound = bind_to_table(parsed, table)
    result = measure(bound, table)
    return ConditionCheck(bound, describe_condition(bound), readback(bound, result), result)
