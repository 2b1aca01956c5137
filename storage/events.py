"""Repository functions for processed Slack event ids (retry dedupe). They never commit."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete
from sqlalchemy.orm import Session

from storage.db import dialect_insert
from storage.models import ProcessedEvent


def first_delivery(session: Session, event_id: str, team_id: str, now: dt.datetime) -> bool:
    """Record `event_id`; True only for the first delivery of it (Slack retries get False).

    The insert is the lock: of two deliveries racing (a retry sent while the first is still being
    handled), exactly one inserts the row.
    """
    insert = dialect_insert(session)
    statement = (
        insert(ProcessedEvent)
        .values(event_id=event_id[:64], team_id=team_id[:32], received_at=now)
        .on_conflict_do_nothing(index_elements=["event_id"])
        .returning(ProcessedEvent.event_id)
    )
    return session.scalar(statement) is not None


def prune_events(session: Session, older_than: dt.datetime) -> int:
    """Forget event ids older than Slack's retry window; return how many."""
    result = session.execute(delete(ProcessedEvent).where(ProcessedEvent.received_at < older_than))
    return result.rowcount or 0
