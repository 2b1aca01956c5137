"""Repository functions for runs: creating them per slot, their leases, and their history. They never commit."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, case, delete, func, or_, select, text, update
from sqlalchemy.orm import Session, selectinload

from storage.clock import session_now
from storage.db import dialect_insert
from storage.models import (
    FINAL_RUN_STATUSES,
    DeliveryStatus,
    Run,
    RunStatus,
    RunTrigger,
    Schedule,
    ScheduleStatus,
)


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
    period: dict[str, Any] | None = None,
) -> int | None:
    """Create the run for a slot unless it exists; return its id, or None if another tick made it."""
    values: dict[str, Any] = dict(
        schedule_id=schedule_id,
        scheduled_for=scheduled_for,
        trigger=trigger,
        triggered_by=triggered_by,
        period=period,
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
    trigger: str = RunTrigger.SCHEDULE


_PG_INSERT_RUNS = text("""
    INSERT INTO runs (schedule_id, scheduled_for, trigger, status, attempt, lease_until, created_at)
    SELECT t.schedule_id, to_timestamp(t.scheduled_for), :trigger, 'pending', 0, to_timestamp(t.lease_until), :now
    FROM unnest(CAST(:schedule_ids AS integer[]), CAST(:slots AS double precision[]),
                CAST(:leases AS double precision[])) AS t(schedule_id, scheduled_for, lease_until)
    ON CONFLICT (schedule_id, scheduled_for) DO NOTHING
    RETURNING id, schedule_id
""")


def insert_runs(session: Session, new_runs: Sequence[NewRun]) -> list[tuple[int, int]]:
    """Create many pending runs at once, skipping slots that already have one.

    Returns (run id, schedule id) for the runs this call created: only their creator enqueues them.
    On PostgreSQL the rows travel as three arrays in one statement per trigger (compiled once,
    whatever the count; catch-ups are rare); elsewhere as one executemany.
    """
    triggers = {r.trigger for r in new_runs}
    if len(triggers) > 1:
        return [created for trigger in sorted(triggers)
                for created in insert_runs(session, [r for r in new_runs if r.trigger == trigger])]
    if not new_runs:
        return []
    trigger = new_runs[0].trigger
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
    resume: str | None = None,
) -> bool:
    """Atomically take a run that nobody holds (or whose holder's lease ran out).

    The conditional UPDATE is the lock: of two workers handed the same message, one gets rowcount 1
    and does the work; the other sees 0 and stops. `resume` also takes it from that token's holder
    at once: the caller's predecessor, an attempt the database dropped mid-way, which has ended. A
    takeover is that attempt carried on, so it is not counted again.
    """
    holders = [Run.lease_token.is_(None), Run.lease_until < now]
    attempt: Any = Run.attempt + 1
    if resume is not None:
        holders.append(Run.lease_token == resume)
        attempt = case((Run.lease_token == resume, Run.attempt), else_=Run.attempt + 1)
    statement = (
        update(Run)
        .where(Run.id == run_id, Run.status.in_(list(statuses)), or_(*holders))
        .values(status=to_status, lease_token=token, lease_until=now + lease_for, attempt=attempt)
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


def set_dispatch_deadlines(session: Session, due: Sequence[tuple[int, dt.datetime]]) -> None:
    """Make each unheld, unfinished run's dispatch deadline its due time, so the tick's lease
    recovery sends it then (its message could not be sent)."""
    if not due:
        return
    statement = (
        update(Run.__table__)
        .where(Run.__table__.c.id == bindparam("run_id"), Run.__table__.c.lease_token.is_(None),
               Run.__table__.c.status.in_((RunStatus.PENDING, RunStatus.RUNNING, RunStatus.DELIVERING)))
        .values(lease_until=bindparam("due"))
    )
    session.execute(statement, [{"run_id": run_id, "due": when} for run_id, when in due])


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


def unfinished_runs(session: Session) -> list[Run]:
    """Runs not yet in a final status, oldest first."""
    query = select(Run).where(Run.status.not_in(list(FINAL_RUN_STATUSES)))
    return list(session.scalars(query.order_by(Run.id)))


def generating_run(session: Session, schedule_id: int, *, other_than: int, now: dt.datetime) -> Run | None:
    """Another run of the schedule that a live worker is generating right now, if any."""
    query = select(Run).where(
        Run.schedule_id == schedule_id, Run.id != other_than, Run.status == RunStatus.RUNNING,
        Run.lease_token.is_not(None), Run.lease_until >= now,
    ).limit(1)
    return session.scalar(query)


def reopen_for_retry(session: Session, run: Run, *, now: dt.datetime, dispatch_until: dt.datetime,
                     by: str | None = None) -> str:
    """Put a finished run back in line (the owner's Retry button); return the phase to enqueue.

    Generated runs are only re-delivered, and only to destinations not yet sent; runs that never
    produced files are generated again for their own slot (and its stored period), so the report
    covers the same period. The run is a retry from now on, by `by`.
    """
    phase = "deliver" if run.artifacts else "generate"
    run.trigger = RunTrigger.RETRY
    run.triggered_by = by
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


def run_in_flight(session: Session, schedule_id: int, *, other_than: int | None = None) -> Run | None:
    """The schedule's newest run not yet in a final status (at most one is meant to exist)."""
    query = select(Run).where(Run.schedule_id == schedule_id, Run.status.not_in(list(FINAL_RUN_STATUSES)))
    if other_than is not None:
        query = query.where(Run.id != other_than)
    return session.scalar(query.order_by(Run.id.desc()).limit(1))


def latest_runs(session: Session, schedule_ids: Sequence[int]) -> dict[int, Run]:
    """The newest run of each of these schedules (schedules without runs are absent)."""
    if not schedule_ids:
        return {}
    newest = (select(Run.schedule_id, func.max(Run.id).label("run_id"))
              .where(Run.schedule_id.in_(list(schedule_ids))).group_by(Run.schedule_id).subquery())
    runs = session.scalars(select(Run).join(newest, Run.id == newest.c.run_id)
                           .options(selectinload(Run.deliveries)))
    return {run.schedule_id: run for run in runs}


def recent_runs_of_live_schedules(session: Session, team_id: str, *, owner_user_id: str | None = None,
                                  schedule_id: int | None = None, limit: int = 10) -> list[Run]:
    """Latest runs (newest first) with their deliveries and files, of schedules that still exist."""
    query = (
        select(Run)
        .join(Schedule, Schedule.id == Run.schedule_id)
        .where(Schedule.team_id == team_id, Schedule.status != ScheduleStatus.DELETED)
        .options(selectinload(Run.deliveries), selectinload(Run.artifacts))
        .order_by(Run.id.desc())
        .limit(limit)
    )
    if owner_user_id is not None:
        query = query.where(Schedule.owner_user_id == owner_user_id)
    if schedule_id is not None:
        query = query.where(Run.schedule_id == schedule_id)
    return list(session.scalars(query))


def last_manual_run_at(session: Session, schedule_id: int) -> dt.datetime | None:
    """When someone last asked for a run of this schedule by hand (for the run-now cool-down).

    A manual run's slot is the moment it was asked for, on the job clock.
    """
    return session.scalar(select(func.max(Run.scheduled_for)).where(
        Run.schedule_id == schedule_id, Run.trigger.in_((RunTrigger.MANUAL, RunTrigger.RETRY))))


def old_finished_run_ids(session: Session, *, finished_before: dt.datetime, limit: int) -> list[int]:
    """Finished runs past their retention, oldest first."""
    return list(session.scalars(select(Run.id).where(Run.finished_at < finished_before,
                                                     Run.status.in_(list(FINAL_RUN_STATUSES)))
                                .order_by(Run.id).limit(limit)))


def delete_runs(session: Session, run_ids: Sequence[int]) -> None:
    """Remove these runs; the foreign keys cascade to their artifacts and deliveries."""
    if run_ids:
        session.execute(delete(Run).where(Run.id.in_(list(run_ids))))


def unfinished_among(session: Session, run_ids: set[int]) -> set[int]:
    """Those of `run_ids` whose runs are not yet in a final status."""
    return set(session.scalars(select(Run.id).where(Run.id.in_(list(run_ids)),
                                                    Run.status.not_in(list(FINAL_RUN_STATUSES)))))


def claim_failure_notice(session: Session, run_id: int, now: dt.datetime) -> bool:
    """Mark the run's failure as told, unless it already was; True for the one caller that wins."""
    return session.execute(
        update(Run).where(Run.id == run_id, Run.notified_at.is_(None)).values(notified_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount == 1


def release_failure_notice(session: Session, run_id: int) -> None:
    """The DM did not go out: leave the failure untold, for the hourly sweep to try again."""
    session.execute(update(Run).where(Run.id == run_id).values(notified_at=None)
                    .execution_options(synchronize_session=False))


def run_counts_by_status(session: Session, *, statuses: Sequence[str] | None = None,
                         created_since: dt.datetime | None = None) -> dict[str, int]:
    """How many runs are in each status (optionally only these statuses, or runs created since)."""
    query = select(Run.status, func.count())
    if statuses is not None:
        query = query.where(Run.status.in_(list(statuses)))
    if created_since is not None:
        query = query.where(Run.created_at >= created_since)
    return dict(session.execute(query.group_by(Run.status)).all())


def recent_failures(session: Session, *, since: dt.datetime,
                    limit: int = 10) -> list[tuple[int, str, str | None, dt.datetime | None]]:
    """(run id, schedule name, error, finished at) of the newest failed runs created since `since`."""
    rows = session.execute(
        select(Run.id, Schedule.name, Run.error, Run.finished_at).join(Schedule, Schedule.id == Run.schedule_id)
        .where(Run.status == RunStatus.FAILED, Run.created_at >= since).order_by(Run.id.desc()).limit(limit)).all()
    return [tuple(r) for r in rows]


def previews_of(session: Session, team_id: str, user_id: str, *, name_prefix: str, since: dt.datetime) -> list[Run]:
    """A person's preview runs created since `since` or still unfinished, newest first (previews run
    on hidden schedules: status deleted, named with `name_prefix`)."""
    query = (select(Run).join(Schedule, Schedule.id == Run.schedule_id)
             .where(Schedule.team_id == team_id, Schedule.owner_user_id == user_id,
                    Schedule.status == ScheduleStatus.DELETED, Schedule.name.startswith(name_prefix),
                    or_(Run.created_at >= since, Run.status.not_in(list(FINAL_RUN_STATUSES))))
             .order_by(Run.id.desc()))
    return list(session.scalars(query))


def run_ids_of_schedules(session: Session, schedule_ids: Sequence[int]) -> list[int]:
    """Every run of these schedules."""
    if not schedule_ids:
        return []
    return list(session.scalars(select(Run.id).where(Run.schedule_id.in_(list(schedule_ids)))))
