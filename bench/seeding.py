"""Seed many identical daily schedules due at one slot, and clear them (shared by the benchmarks)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete, insert

from jobs.cadence import parse
from storage.db import Database
from storage.models import Destination, Run, Schedule


def clear_schedules(db: Database) -> None:
    """Remove every schedule and run: a benchmark measures its own workload, not another's leftovers."""
    with db.session() as s:
        s.execute(delete(Run))
        s.execute(delete(Destination))
        s.execute(delete(Schedule))


def seed_due_schedules(db: Database, count: int, slot: dt.datetime, channel: str | None, prefix: str) -> None:
    """Replace every schedule with `count` daily demo_sales schedules due at `slot` (to `channel`)."""
    clear_schedules(db)
    cadence = parse("every day at 9am", "UTC").to_json()
    rows = [dict(team_id="T0TEST01", name=f"{prefix} {i}", name_key=f"{prefix} {i}", owner_user_id="U0BENCH01",
                 report_type="demo_sales", params={}, formats=["csv"], cadence_text="every day at 9am",
                 cadence=cadence, timezone="UTC", status="active", skip_if_empty=False, next_run_at=slot,
                 consecutive_failures=0, run_count=0, success_count=0, failure_count=0, created_at=slot,
                 updated_at=slot) for i in range(count)]
    with db.session() as s:
        ids = s.scalars(insert(Schedule).returning(Schedule.id), rows).all()
        if channel:
            s.execute(insert(Destination), [dict(schedule_id=i, kind="slack_channel", target=channel, label="#bench")
                                            for i in ids])
