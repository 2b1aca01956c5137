"""Repository functions for deliveries and the artifacts they carry. They never commit."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import case, delete, exists, func, select, update
from sqlalchemy.orm import Session

from storage.clock import session_now
from storage.db import dialect_insert
from storage.models import Artifact, Delivery, DeliveryStatus, DestinationKind, Run


def ensure_deliveries(session: Session, run_id: int, destinations: Sequence[str]) -> list[Delivery]:
    """Create one pending delivery per destination (idempotent) and return all of the run's."""
    for destination in destinations:
        session.execute(
            dialect_insert(session)(Delivery)
            .values(run_id=run_id, destination=destination, status=DeliveryStatus.PENDING, attempts=0,
                    created_at=session_now(session))
            .on_conflict_do_nothing(index_elements=["run_id", "destination"])
        )
    return list(session.scalars(select(Delivery).where(Delivery.run_id == run_id).order_by(Delivery.id)))


def mark_sending(session: Session, delivery_id: int, *, run_id: int, token: str, now: dt.datetime,
                 channel_id: str | None = None, message_id: str | None = None) -> bool:
    """Record an attempt before calling Slack or SMTP, if this worker still holds the run.

    The lease check and the status change are one statement: a worker that lost its lease (it
    stalled and another took over) finds 0 rows and must not send.
    """
    values: dict[str, Any] = {"status": DeliveryStatus.SENDING, "attempts": Delivery.attempts + 1,
                              "sending_at": now, "next_attempt_at": None}
    if channel_id is not None:
        values["channel_id"] = channel_id
    if message_id is not None:
        values["smtp_message_id"] = message_id
    holder = exists().where(Run.id == run_id, Run.lease_token == token)
    statement = (
        update(Delivery)
        .where(Delivery.id == delivery_id,
               Delivery.status.in_((DeliveryStatus.PENDING, DeliveryStatus.SENDING)), holder)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return session.execute(statement).rowcount == 1


def add_fallback_delivery(session: Session, run_id: int, destination: str, *, fallback_for: str) -> Delivery | None:
    """Add a pending delivery standing in for a failed one; None if the destination is already there."""
    created = session.scalar(
        dialect_insert(session)(Delivery)
        .values(run_id=run_id, destination=destination, status=DeliveryStatus.PENDING, attempts=0,
                fallback_for=fallback_for, created_at=session_now(session))
        .on_conflict_do_nothing(index_elements=["run_id", "destination"])
        .returning(Delivery.id)
    )
    return session.get(Delivery, created) if created is not None else None


def expired_artifacts(session: Session, *, created_before: dt.datetime, limit: int) -> list[Artifact]:
    """Artifacts older than the retention cut-off, oldest first."""
    return list(session.scalars(select(Artifact).where(Artifact.created_at < created_before)
                                .order_by(Artifact.id).limit(limit)))


def delete_artifacts(session: Session, artifact_ids: Sequence[int]) -> None:
    """Forget these artifacts (their runs and summaries stay)."""
    if artifact_ids:
        session.execute(delete(Artifact).where(Artifact.id.in_(list(artifact_ids))))


def artifact_keys_of_runs(session: Session, run_ids: Sequence[int]) -> list[str]:
    """Storage keys of every file these runs produced."""
    return list(session.scalars(select(Artifact.storage_key).where(Artifact.run_id.in_(list(run_ids)))))


def known_artifact_keys(session: Session, keys: Sequence[str]) -> set[str]:
    """Those of `keys` a row points at (the orphan sweep keeps these)."""
    return set(session.scalars(select(Artifact.storage_key).where(Artifact.storage_key.in_(list(keys)))))


def delivery_counts_since(session: Session, since: dt.datetime) -> dict[str, int]:
    """Deliveries created since `since`, counted by "<destination kind>:<status>"."""
    # A delivery's destination key starts with its kind ("slack_channel:C…"), so no join is
    # needed, and fallback emails (not among the schedule's destinations) are counted too.
    kind = case(*((Delivery.destination.like(f"{k}:%"), k.value) for k in DestinationKind), else_="other")
    rows = session.execute(select(kind, Delivery.status, func.count())
                           .where(Delivery.created_at >= since).group_by(kind, Delivery.status)).all()
    return {f"{k}:{state}": count for k, state, count in rows}
