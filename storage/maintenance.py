"""Repository functions for periodic maintenance tasks. They never commit."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import update
from sqlalchemy.orm import Session

from storage.db import dialect_insert
from storage.models import MaintenanceTask


def claim_due(session: Session, name: str, *, now: dt.datetime, interval: dt.timedelta) -> bool:
    """Return True to exactly one caller per interval, however many clocks ask at once.

    The row is created due; claiming moves `next_due_at` forward in one conditional UPDATE, so a
    second clock asking in the same interval finds nothing to move.
    """
    insert = dialect_insert(session)
    session.execute(insert(MaintenanceTask).values(name=name, next_due_at=now)
                    .on_conflict_do_nothing(index_elements=["name"]))
    statement = (
        update(MaintenanceTask)
        .where(MaintenanceTask.name == name, MaintenanceTask.next_due_at <= now)
        .values(next_due_at=now + interval, last_started_at=now)
        .execution_options(synchronize_session=False)
    )
    return session.execute(statement).rowcount == 1


def record_result(session: Session, name: str, result: dict[str, Any], *, now: dt.datetime) -> None:
    """Keep what the task did last (for on-call: `select * from maintenance_tasks`)."""
    insert = dialect_insert(session)
    session.execute(insert(MaintenanceTask).values(name=name, next_due_at=now, last_result=result)
                    .on_conflict_do_update(index_elements=["name"], set_={"last_result": result}))
