"""Shared by the Slack-side alert tests: the demo report's figure the read-backs show at the tests'
clock, alerts made with the real `/report new`, and one scheduled check driven as the worker does."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from reports.conditions.describe import number
from reports.types.demo_sales import sales_rows
from storage.models import AlertState, Schedule, ScheduleStatus

# The clock stands at Mon 23 Nov 2026 01:00 in Berlin: the demo report covers Sunday the 22nd.
REVENUE = sum(row[4] for row in sales_rows(dt.date(2026, 11, 22), dt.date(2026, 11, 23)))
ROWS = len(list(sales_rows(dt.date(2026, 11, 22), dt.date(2026, 11, 23))))
REVENUE_WORDS = number(REVENUE)


def alerts(db) -> list[Schedule]:
    with db.session() as s:
        found = list(s.scalars(select(Schedule).where(Schedule.status != ScheduleStatus.DELETED)
                               .order_by(Schedule.id)))
        for schedule in found:
            schedule.destinations
        return found


def state_of(db, schedule_id: int) -> AlertState | None:
    with db.session() as s:
        return s.get(AlertState, schedule_id)


def make_alert(slack, db, text: str = '"Big revenue" every hour in #sales when revenue > 1000', *,
               user_id: str = "U0ALICE01") -> Schedule:
    reply = slack.command(f"new {text}", user_id=user_id)
    assert "Scheduled" in reply, reply
    return alerts(db)[-1]


def check_now(ctx, enqueue, schedule: Schedule) -> int:
    """Run the alert's next scheduled check as the worker would; return its run id."""
    from tests.jobs.alert_support import check

    with ctx.database.session() as s:
        slot = s.get(Schedule, schedule.id).next_run_at
    return check(ctx, enqueue, slot)[1]
