"""Repository functions for alerts: their state, their checks, their snoozes. They never commit."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storage.clock import session_now
from storage.db import dialect_insert
from storage.models import AlertEvaluation, AlertState, AlertStates


def lock_state(session: Session, schedule_id: int) -> AlertState:
    """The alert's state row, created on first use and locked for this transaction (PostgreSQL).

    Every writer (a check, a snooze) takes this lock first, so a check decides from the state the
    previous writer left, and a snooze is either before a check or after it, never in between.
    """
    state = _locked(session, schedule_id)
    if state is not None:
        return state
    session.execute(
        dialect_insert(session)(AlertState)
        .values(schedule_id=schedule_id, state=AlertStates.OK, announced=AlertStates.OK, pending_checks=0,
                failed_checks=0, snoozed_until_resolved=False, updated_at=session_now(session))
        .on_conflict_do_nothing(index_elements=["schedule_id"])
    )
    return _locked(session, schedule_id)


def _locked(session: Session, schedule_id: int) -> AlertState | None:
    query = select(AlertState).where(AlertState.schedule_id == schedule_id).execution_options(populate_existing=True)
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update()
    return session.scalar(query)


def get_state(session: Session, schedule_id: int) -> AlertState | None:
    return session.get(AlertState, schedule_id)


def evaluation_for_run(session: Session, run_id: int) -> AlertEvaluation | None:
    """The check a run already recorded (its worker died before handing the run on), if any."""
    return session.scalar(select(AlertEvaluation).where(AlertEvaluation.run_id == run_id))


def add_evaluation(session: Session, **fields) -> AlertEvaluation:
    """Record one check; `run_id` is unique, so a run records at most one."""
    evaluation = AlertEvaluation(evaluated_at=session_now(session), **fields)
    session.add(evaluation)
    session.flush()
    return evaluation


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


def set_snooze(session: Session, schedule_id: int, *, until: dt.datetime | None, until_resolved: bool, by: str,
               at: dt.datetime) -> AlertState:
    """Hold the alert's notices back until `until`, or until it resolves; remember who asked."""
    state = lock_state(session, schedule_id)
    state.snoozed_until = until
    state.snoozed_until_resolved = until_resolved
    state.snoozed_by = by
    state.snoozed_at = at
    return state


def clear_snooze(session: Session, schedule_id: int) -> AlertState:
    state = lock_state(session, schedule_id)
    state.snoozed_until = None
    state.snoozed_until_resolved = False
    state.snoozed_by = None
    state.snoozed_at = None
    return state


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
