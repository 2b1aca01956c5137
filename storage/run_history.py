"""Repository queries about past runs for people: Home, history, cool-downs. They never commit."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from storage.models import FINAL_RUN_STATUSES, Run, RunTrigger, Schedule, ScheduleStatus


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
