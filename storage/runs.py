"""Repository functions for runs, artifacts and deliveries. They never commit."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import exists, func, or_, select, text, update
from sqlalchemy.orm import Session

from storage.clock import session_now
from storage.db import dialect_insert
from storage.models import FINAL_RUN_STATUSES, Delivery, DeliveryStatus, Run, RunStatus, Schedule


def insert_run(
    session: Session,
    *,
    schedule_id: int,
    scheduled_for: dt.datetime,
    trigger: str,
    triggered_by: str | None = None,
    status: str = RunStatus.PENDING,
    error: str | None = None,
    lease_until: dt.datetime | None = None,
) -> int | None:
    """Create the run for a slot unless it exists; return its id, or None if another tick made it."""
    values: dict[str, Any] = dict(
        schedule_id=schedule_id,
        scheduled_for=scheduled_for,
        trigger=trigger,
        triggered_by=triggered_by,
        status=status,
        attempt=0,
        error=error,
        lease_until=lease_until,
        created_at=session_now(session),
    )
    if status in (RunStatus.SKIPPED, RunStatus.CANCELED, RunStatus.FAILED):
        values["finished_at"] = values["created_at"]
    statement = (
        dialect_insert(session)(Run)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["schedule_id", "scheduled_for"])
        .returning(Run.id)
    )
    return session.scalar(statement)


@dataclass(frozen=True)
class NewRun:
    schedule_id: int
    scheduled_for: dt.datetime
    lease_until: dt.datetime | None


_PG_INSERT_RUNS = text("""
    INSERT INTO runs (schedule_id, scheduled_for, trigger, status, attempt, lease_until, created_at)
    SELECT t.schedule_id, to_timestamp(t.scheduled_for), :trigger, 'pending', 0, to_timestamp(t.lease_until), :now
    FROM unnest(CAST(:schedule_ids AS integer[]), CAST(:slots AS double precision[]),
                CAST(:leases AS double precision[])) AS t(schedule_id, scheduled_for, lease_until)
    ON CONFLICT (schedule_id, scheduled_for) DO NOTHING
    RETURNING id, schedule_id
""")


def insert_runs(session: Session, new_runs: Sequence[NewRun], *, trigger: str = "schedule") -> list[tuple[int, int]]:
    """Create many pending runs at once, skipping slots that already have one.

    Returns (run id, schedule id) for the runs this call created: only their creator enqueues them.
    On PostgreSQL the rows travel as three arrays in one statement (compiled once, whatever the
    count); elsewhere as one executemany.
    """
    if not new_runs:
        return []
    now = session_now(session)
    if session.get_bind().dialect.name == "postgresql":
        rows = session.execute(_PG_INSERT_RUNS, {
            "trigger": trigger, "now": now,
            "schedule_ids": [r.schedule_id for r in new_runs],
            # epoch seconds: psycopg sends a float array far faster than a datetime array
            "slots": [r.scheduled_for.timestamp() for r in new_runs],
            "leases": [r.lease_until.timestamp() if r.lease_until else None for r in new_runs],
        })
        return [(run_id, schedule_id) for run_id, schedule_id in rows]
    statement = (
        dialect_insert(session)(Run)
        .on_conflict_do_nothing(index_elements=["schedule_id", "scheduled_for"])
        .returning(Run.id, Run.schedule_id)
    )
    params = [{"schedule_id": r.schedule_id, "scheduled_for": r.scheduled_for, "trigger": trigger,
               "status": RunStatus.PENDING, "attempt": 0, "lease_until": r.lease_until, "created_at": now}
              for r in new_runs]
    return [(run_id, schedule_id) for run_id, schedule_id in session.execute(statement, params)]


def take_lease(
    session: Session,
    run_id: int,
    *,
    statuses: Sequence[str],
    to_status: str,
    token: str,
    now: dt.datetime,
    lease_for: dt.timedelta,
) -> bool:
    """Atomically take a run that nobody holds (or whose holder's lease ran out).

    The conditional UPDATE is the lock: of two workers handed the same message, one gets rowcount 1
    and does the work; the other sees 0 and stops.
    """
    statement = (
        update(Run)
        .where(
            Run.id == run_id,
            Run.status.in_(list(statuses)),
            or_(Run.lease_token.is_(None), Run.lease_until < now),
        )
        .values(status=to_status, lease_token=token, lease_until=now + lease_for, attempt=Run.attempt + 1)
        .execution_options(synchronize_session=False)
    )
    return session.execute(statement).rowcount == 1


def hand_back(session: Session, run_id: int, *, token: str, status: str, lease_until: dt.datetime) -> bool:
    """Give a run back untouched (its worker is stopping): pending again, no holder, and the attempt
    not counted. False when the lease was no longer this worker's."""
    statement = (
        update(Run)
        .where(Run.id == run_id, Run.lease_token == token, Run.status == status)
        .values(status=RunStatus.PENDING, lease_token=None, lease_until=lease_until, started_at=None,
                attempt=Run.attempt - 1)
        .execution_options(synchronize_session=False)
    )
    return session.execute(statement).rowcount == 1


def renew_lease(session: Session, run_id: int, *, token: str, until: dt.datetime) -> bool:
    """Extend a lease; False means the run was taken over and the caller must stop."""
    statement = (
        update(Run).where(Run.id == run_id, Run.lease_token == token).values(lease_until=until)
        .execution_options(synchronize_session=False)
    )
    return session.execute(statement).rowcount == 1


def holds_lease(session: Session, run_id: int, token: str) -> Run | None:
    """Return the run locked for update if `token` still holds its lease, else None."""
    query = select(Run).where(Run.id == run_id, Run.lease_token == token)
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update()
    return session.scalar(query)


def expired_leases(session: Session, now: dt.datetime, limit: int = 500) -> list[Run]:
    """Runs whose dispatch or work lease ran out: their worker died or their message was lost."""
    query = (
        select(Run)
        .where(
            Run.status.in_((RunStatus.PENDING, RunStatus.RUNNING, RunStatus.DELIVERING)),
            Run.lease_until < now,
        )
        .order_by(Run.lease_until)
        .limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    return list(session.scalars(query))


def previous_finished_run(session: Session, schedule_id: int, before_run_id: int) -> Run | None:
    """The schedule's latest successful run before this one (for "vs previous" figures)."""
    query = (
        select(Run)
        .where(
            Run.schedule_id == schedule_id,
            Run.id < before_run_id,
            Run.status.in_((RunStatus.DELIVERED, RunStatus.PARTIAL)),
        )
        .order_by(Run.id.desc())
        .limit(1)
    )
    return session.scalar(query)


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


def unfinished_runs(session: Session) -> list[Run]:
    """Runs not yet in a final status, oldest first."""
    query = select(Run).where(Run.status.not_in(list(FINAL_RUN_STATUSES)))
    return list(session.scalars(query.order_by(Run.id)))


def lock_schedule(session: Session, schedule_id: int) -> Schedule | None:
    """Lock a schedule's row for this transaction (PostgreSQL; SQLite already serialises writers).

    Taken while deciding whether a run may start generating, so two workers handed runs of the
    same schedule cannot both see "nothing running" and both start.
    """
    query = select(Schedule).where(Schedule.id == schedule_id)
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update()
    return session.scalar(query)


def generating_run(session: Session, schedule_id: int, *, other_than: int, now: dt.datetime) -> Run | None:
    """Another run of the schedule that a live worker is generating right now, if any."""
    query = select(Run).where(
        Run.schedule_id == schedule_id, Run.id != other_than, Run.status == RunStatus.RUNNING,
        Run.lease_token.is_not(None), Run.lease_until >= now,
    ).limit(1)
    return session.scalar(query)


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


def reopen_for_retry(session: Session, run: Run, *, now: dt.datetime, dispatch_until: dt.datetime) -> str:
    """Put a finished run back in line (the owner's Retry button); return the phase to enqueue.

    Generated runs are only re-delivered, and only to destinations not yet sent; runs that never
    produced files are generated again for their own slot, so the report covers the same period.
    """
    phase = "deliver" if run.artifacts else "generate"
    run.status = RunStatus.DELIVERING if phase == "deliver" else RunStatus.PENDING
    run.attempt = 0
    run.lease_token = None
    run.lease_until = dispatch_until
    run.notified_at = None
    run.error = None
    run.finished_at = None
    run.started_at = now  # a new start: the stale-run sweep measures from here
    for delivery in list(run.deliveries):
        if delivery.fallback_for and delivery.status != DeliveryStatus.SENT:
            run.deliveries.remove(delivery)  # made again only if its Slack destination fails again
        elif delivery.status in (DeliveryStatus.FAILED, DeliveryStatus.PENDING):
            delivery.status = DeliveryStatus.PENDING
            delivery.attempts = 0
            delivery.next_attempt_at = None
    return phase


def unnotified_failures(session: Session, *, since: dt.datetime, limit: int = 200) -> list[Run]:
    """Failed or partial runs whose owner was not told yet (the worker died before the DM)."""
    query = (
        select(Run)
        .where(Run.status.in_((RunStatus.FAILED, RunStatus.PARTIAL)), Run.notified_at.is_(None),
               Run.finished_at >= since)
        .order_by(Run.finished_at)
        .limit(limit)
    )
    return list(session.scalars(query))


def stuck_runs(session: Session, *, started_before: dt.datetime, limit: int = 200) -> list[Run]:
    """Unfinished runs older than any healthy run can be: a hung worker keeps renewing their lease."""
    query = (
        select(Run)
        .where(Run.status.not_in(list(FINAL_RUN_STATUSES)),
               func.coalesce(Run.started_at, Run.created_at) < started_before)
        .order_by(Run.id)
        .limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    return list(session.scalars(query))
