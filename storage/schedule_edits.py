"""Repository functions that change or count schedules for the Slack surface. They never commit."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from storage.errors import NameTaken
from storage.models import Destination, Schedule, ScheduleStatus
from storage.schedules import NewDestination, name_key


def update_schedule(
    session: Session,
    schedule: Schedule,
    *,
    name: str,
    report_type: str,
    params: dict[str, Any],
    formats: Sequence[str],
    cadence_text: str,
    cadence: dict[str, Any],
    timezone: str,
    skip_if_empty: bool,
    next_run_at: dt.datetime | None,
    destinations: Sequence[NewDestination],
) -> Schedule:
    """Change every editable field of a live schedule; raise `NameTaken` if the new name is in use."""
    schedule.report_type = report_type
    schedule.params = dict(params)
    schedule.formats = list(formats)
    schedule.cadence_text = cadence_text
    schedule.cadence = cadence
    schedule.timezone = timezone
    schedule.skip_if_empty = skip_if_empty
    schedule.next_run_at = next_run_at
    replace_destinations(schedule, destinations)
    if name_key(name) != schedule.name_key or name.strip() != schedule.name:
        try:
            # A savepoint keeps the caller's transaction usable when the name clashes.
            with session.begin_nested():
                schedule.name = name.strip()
                schedule.name_key = name_key(name)
                session.flush()
        except IntegrityError as exc:
            if "name" in str(exc.orig).lower():
                raise NameTaken(name) from exc
            raise
    session.flush()
    return schedule


def replace_destinations(schedule: Schedule, destinations: Sequence[NewDestination]) -> None:
    """Make the schedule's destinations exactly these, keeping the rows that stay.

    Deleting and re-adding the same target in one flush would trip the unique constraint (the unit
    of work inserts before it deletes), so unchanged destinations keep their rows.
    """
    wanted = {(d.kind, d.target): d for d in destinations}
    kept = []
    for existing in schedule.destinations:
        new = wanted.pop((existing.kind, existing.target), None)
        if new is not None:
            existing.label = new.label or existing.label
            kept.append(existing)
    schedule.destinations = kept + [Destination(kind=d.kind, target=d.target, label=d.label) for d in wanted.values()]


def mark_deleted(schedule: Schedule) -> None:
    """Delete a schedule the way people expect: gone from every list, its history kept for audit."""
    schedule.status = ScheduleStatus.DELETED
    schedule.next_run_at = None


def count_live_schedules(session: Session, team_id: str, *, owner_user_id: str | None = None) -> int:
    """How many schedules that still exist a workspace (or one owner in it) has."""
    query = select(func.count()).select_from(Schedule).where(
        Schedule.team_id == team_id, Schedule.status != ScheduleStatus.DELETED)
    if owner_user_id is not None:
        query = query.where(Schedule.owner_user_id == owner_user_id)
    return session.scalar(query) or 0


def live_schedule_names(session: Session, team_id: str, *, owner_user_id: str | None = None) -> list[tuple[int, str]]:
    """(id, name) of the workspace's live schedules (optionally one owner's), for suggestions."""
    query = select(Schedule.id, Schedule.name).where(Schedule.team_id == team_id,
                                                     Schedule.status != ScheduleStatus.DELETED)
    if owner_user_id is not None:
        query = query.where(Schedule.owner_user_id == owner_user_id)
    return [(row.id, row.name) for row in session.execute(query.order_by(Schedule.id))]
