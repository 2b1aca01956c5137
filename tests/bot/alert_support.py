"""Shared by the Slack-side alert tests: the demo report's figure the read-backs show at the tests'
clock, alerts made with the real `/report new`, and one scheduled check driven as the worker does."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from reports.conditions.describe import number
from reports.types.demo_sales import daily_rows, sales_rows
from storage.models import AlertState, Schedule, ScheduleStatus
from tests.support.people import ALICE

# The clock stands at Mon 23 Nov 2026 01:00 in Berlin. An hourly alert reads the demo report over
# an hour (the demo's day, in proportion): 00:00–01:00 now, 01:00–02:00 at its next check.
HOUR_ROWS = list(daily_rows(dt.date(2026, 11, 23), fraction=1 / 24))
HOUR_WORDS = number(sum(row[4] for row in HOUR_ROWS))
# An alert "every weekday at 9am" read back at 01:00 on a Monday is read over its latest slot's
# period: Friday 9:00 covered the previous business day, Thursday the 19th.
THURSDAY_ROWS = list(sales_rows(dt.date(2026, 11, 19), dt.date(2026, 11, 20)))
THURSDAY_WORDS = number(sum(row[4] for row in THURSDAY_ROWS))


def alerts(db) -> list[Schedule]:
    with db.session() as s:
        found = list(s.scalars(select(Schedule).where(Schedule.status != ScheduleStatus.DELETED)
                               .order_by(Schedule.id)))
        return found


def state_of(db, schedule_id: int) -> AlertState | None:
    with db.session() as s:
        return s.get(AlertState, schedule_id)


def make_alert(slack, db, text: str = '"Big revenue" every hour in #sales when revenue > 500', *,
               user_id: str = ALICE) -> Schedule:
    reply = slack.command(f"new {text}", user_id=user_id)
    assert "Scheduled" in reply, reply
    return alerts(db)[-1]


def check_now(ctx, enqueue, schedule: Schedule) -> int:
    """Run the alert's next scheduled check as the worker would; return its run id."""
    from tests.jobs.alert_support import check

    with ctx.database.session() as s:
        slot = s.get(Schedule, schedule.id).next_run_at
    return check(ctx, enqueue, slot)[1]
