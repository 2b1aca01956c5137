"""Repository functions for alerts: their state, their checks, their snoozes. They never commit."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.orm import Session

from storage.clock import session_now
from storage.db import dialect_insert
from storage.models import (
    AlertEvaluation,
    AlertState,
    AlertStates,
    Run,
    RunStatus,
    Schedule,
)


def lock_state(session: Session, schedule_id: int) -> AlertState:
    """The alert's state row, created on first use and locked for this transaction (PostgreSQL).

    Every writer (a check, a snooze) takes this lock first, so a check decides from the state the
    previous writer left, and a snooze is either before a check or after it, never in between.
    """
    return lock_states(session, [schedule_id])[schedule_id]


def lock_states(session: Session, schedule_ids: Sequence[int]) -> dict[int, AlertState]:
    """Several alerts' state rows, created when missing and locked in id order (no deadlocks
    between two writers locking overlapping sets)."""
    wanted = sorted(set(schedule_ids))
    states = _locked(session, wanted)
    missing = [i for i in wanted if i not in states]
    if missing:
        now = session_now(session)
        session.execute(
            dialect_insert(session)(AlertState)
            .values([dict(schedule_id=i, state=AlertStates.OK, announced=AlertStates.OK, pending_checks=0,
                          failed_checks=0, snoozed_until_resolved=False, updated_at=now) for i in missing])
            .on_conflict_do_nothing(index_elements=["schedule_id"])
        )
        states.update(_locked(session, missing))
    return states


def _locked(session: Session, schedule_ids: list[int]) -> dict[int, AlertState]:
    query = (select(AlertState).where(AlertState.schedule_id.in_(schedule_ids)).order_by(AlertState.schedule_id)
             .execution_options(populate_existing=True))
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update()
    return {state.schedule_id: state for state in session.scalars(query)}


def get_state(session: Session, schedule_id: int) -> AlertState | None:
    return session.get(AlertState, schedule_id)


def evaluation_for_run(session: Session, run_id: int) -> AlertEvaluation | None:
    """The check a run already recorded (its worker died before handing the run on), if any."""
    return session.scalar(select(AlertEvaluation).where(AlertEvaluation.run_id == run_id))


def add_evaluation(session: Session, **fields) -> AlertEvaluation:
    """Record one check (written with the transaction: many checks go as one INSERT); `run_id` is
    unique, so a run records at most one."""
    evaluation = AlertEvaluation(evaluated_at=session_now(session), **fields)
    session.add(evaluation)
    return evaluation


# --- a batch of checks under one lease token (jobs.alerts.batch) ------------------------------

def take_checks(session: Session, run_ids: Sequence[int], *, token: str, now: dt.datetime,
                until: dt.datetime) -> list[int]:
    """Take every run of `run_ids` nobody holds, in one statement; return those taken."""
    statement = (
        update(Run)
        .where(Run.id.in_(list(run_ids)), Run.status.in_((RunStatus.PENDING, RunStatus.RUNNING)),
               or_(Run.lease_token.is_(None), Run.lease_until < now))
        .values(status=RunStatus.RUNNING, lease_token=token, lease_until=until, attempt=Run.attempt + 1,
                started_at=now)
        .returning(Run.id)
        .execution_options(synchronize_session=False)
    )
    return list(session.scalars(statement))


def renew_checks(session: Session, token: str, until: dt.datetime) -> int:
    """Extend the lease of every run the batch still holds; 0 means it holds none any more."""
    return session.execute(update(Run).where(Run.lease_token == token).values(lease_until=until)
                           .execution_options(synchronize_session=False)).rowcount


def held_checks(session: Session, run_ids: Sequence[int], token: str) -> dict[int, Run]:
    """The batch's runs it still holds, locked for this transaction (PostgreSQL), by id."""
    query = select(Run).where(Run.id.in_(list(run_ids)), Run.lease_token == token).order_by(Run.id)
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update()
    return {run.id: run for run in session.scalars(query)}


def hand_back_checks(session: Session, token: str, *, until: dt.datetime) -> int:
    """Give back the batch's runs not yet handed on (its worker is stopping): pending, attempt not counted."""
    return session.execute(
        update(Run).where(Run.lease_token == token, Run.status == RunStatus.RUNNING)
        .values(status=RunStatus.PENDING, lease_token=None, lease_until=until, started_at=None,
                attempt=Run.attempt - 1)
        .execution_options(synchronize_session=False)).rowcount


def schedules_of(session: Session, schedule_ids: Sequence[int]) -> list[Schedule]:
    """Load these schedules into the session at once (their counters are updated as checks settle)."""
    return list(session.scalars(select(Schedule).where(Schedule.id.in_(list(set(schedule_ids))))))


@dataclass(frozen=True)
class CheckRow:
    """What checking one run needs, read for a whole batch in one query."""

    run_id: int
    slot: dt.datetime
    trigger: str
    schedule: Schedule
    last_slot: dt.datetime | None  # the previous check's slot (the window "since the previous run")


def check_rows(session: Session, run_ids: Sequence[int]) -> list[CheckRow]:
    rows = session.execute(
        select(Run.id, Run.scheduled_for, Run.trigger, Schedule, AlertState.last_slot)
        .join(Schedule, Schedule.id == Run.schedule_id)
        .outerjoin(AlertState, AlertState.schedule_id == Run.schedule_id)
        .where(Run.id.in_(list(run_ids)))
        .order_by(Run.scheduled_for, Run.id)
    ).all()
    return [CheckRow(run_id, slot, trigger, schedule, last_slot) for run_id, slot, trigger, schedule, last_slot in rows]


@dataclass(frozen=True)
class Point:
    slot: dt.datetime
    value: float | None
    state: str


def recent_points(session: Session, schedule_id: int, *, limit: int = 60) -> list[Point]:
    """The alert's latest checks with a value or a state, oldest first (charts, trends, history)."""
    rows = session.execute(
        select(AlertEvaluation.slot, AlertEvaluation.value, AlertEvaluation.state)
        .where(AlertEvaluation.schedule_id == schedule_id, AlertEvaluation.outcome != "superseded")
        .order_by(AlertEvaluation.id.desc()).limit(limit)
    ).all()
    return [Point(slot, value, state) for slot, value, state in reversed(rows)]


@dataclass(frozen=True)
class Overview:
    """One alert at a glance: App Home and history show its state, last value and a small trend."""

    schedule_id: int
    state: str
    since: dt.datetime | None
    last_value: float | None
    last_evaluated_at: dt.datetime | None
    trend: tuple[float | None, ...]
    snoozed_until: dt.datetime | None
    snoozed_until_resolved: bool
    snoozed_by: str | None
    snoozed_at: dt.datetime | None


def overviews(session: Session, schedule_ids: Sequence[int], *, trend_points: int = 12) -> dict[int, Overview]:
    """State, last value and the last `trend_points` values of each alert (alerts never checked are absent)."""
    if not schedule_ids:
        return {}
    states = {s.schedule_id: s for s in session.scalars(
        select(AlertState).where(AlertState.schedule_id.in_(list(schedule_ids))))}
    ranked = (
        select(AlertEvaluation.schedule_id, AlertEvaluation.value, AlertEvaluation.id,
               func.row_number().over(partition_by=AlertEvaluation.schedule_id,
                                      order_by=AlertEvaluation.id.desc()).label("age"))
        .where(AlertEvaluation.schedule_id.in_(list(states)), AlertEvaluation.outcome != "superseded")
        .subquery()
    )
    trends: dict[int, list[tuple[int, float | None]]] = {}
    for schedule_id, value, evaluation_id in session.execute(
            select(ranked.c.schedule_id, ranked.c.value, ranked.c.id).where(ranked.c.age <= trend_points)):
        trends.setdefault(schedule_id, []).append((evaluation_id, value))
    return {
        schedule_id: Overview(
            schedule_id=schedule_id, state=state.state, since=state.state_since, last_value=state.last_value,
            last_evaluated_at=state.last_evaluated_at,
            trend=tuple(value for _, value in sorted(trends.get(schedule_id, []))),
            snoozed_until=state.snoozed_until, snoozed_until_resolved=state.snoozed_until_resolved,
            snoozed_by=state.snoozed_by, snoozed_at=state.snoozed_at,
        )
        for schedule_id, state in states.items()
    }


def set_snooze(session: Session, schedule_id: int, *, until: dt.datetime | None, until_resolved: bool,
               by: str | None, at: dt.datetime | None) -> AlertState:
    """Hold the alert's notices back until `until`, or until it resolves; remember who asked."""
    state = lock_state(session, schedule_id)
    state.snoozed_until, state.snoozed_until_resolved = until, until_resolved
    state.snoozed_by, state.snoozed_at = by, at
    return state


def clear_snooze(session: Session, schedule_id: int) -> AlertState:
    return set_snooze(session, schedule_id, until=None, until_resolved=False, by=None, at=None)


def restart_state(session: Session, schedule_id: int) -> None:
    """Forget what the checks counted (the condition was edited); keep what people were told and the snooze.

    An alert that was firing is announced as resolved by its next check if the new condition is not met.
    """
    state = lock_state(session, schedule_id)
    state.state = AlertStates.FIRING if state.announced == AlertStates.FIRING else AlertStates.OK
    state.pending_since = None
    state.pending_checks = 0
    state.last_value = None
    state.last_fingerprint = None
    state.failed_checks = 0


def delete_quiet_checks(session: Session, *, finished_before: dt.datetime, limit: int) -> list[int]:
    """Delete up to `limit` alert runs that were skipped without a notice and finished before the
    cut-off (their evaluations go with them); return their ids."""
    ids = list(session.scalars(
        select(Run.id).join(AlertEvaluation, AlertEvaluation.run_id == Run.id)
        .where(AlertEvaluation.notice.is_(None), Run.status == RunStatus.SKIPPED, Run.finished_at < finished_before)
        .order_by(Run.id).limit(limit)))
    if ids:
        session.execute(delete(Run).where(Run.id.in_(ids)))  # the evaluations go with them (cascade)
    return ids
