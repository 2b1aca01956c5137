"""Repository queries the REST API pages through, by id (stable under inserts). They never commit."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Text, cast, select
from sqlalchemy.orm import Session, selectinload

from storage.models import Run, Schedule, ScheduleStatus


def schedules_page(session: Session, team_id: str, *, after_id: int, limit: int, owner_user_id: str | None = None,
                   statuses: Sequence[str] | None = None, tag: str | None = None) -> list[Schedule]:
    """Up to `limit` live schedules of a workspace with ids above `after_id`, by id, filtered."""
    query = (select(Schedule).where(Schedule.team_id == team_id, Schedule.status != ScheduleStatus.DELETED,
                                    Schedule.id > after_id)
             .options(selectinload(Schedule.destinations)).order_by(Schedule.id))
    if owner_user_id is not None:
        query = query.where(Schedule.owner_user_id == owner_user_id)
    if statuses:
        query = query.where(Schedule.status.in_(list(statuses)))
    if tag is None:
        return list(session.scalars(query.limit(limit)))
    # Tags are a short JSON list: narrowed on the quoted word in SQL, then matched exactly here, in
    # batches until the page is full (the SQL match may keep a few that are not).
    query = query.where(cast(Schedule.tags, Text).contains(f'"{tag}"', autoescape=True))
    found: list[Schedule] = []
    while len(found) < limit:
        batch = list(session.scalars(query.where(Schedule.id > after_id).limit(limit)))
        found.extend(s for s in batch if tag in (s.tags or []))
        if len(batch) < limit:
            break
        after_id = batch[-1].id
    return found[:limit]


def runs_page(session: Session, schedule_id: int, *, before_id: int | None, limit: int) -> list[Run]:
    """Up to `limit` runs of a schedule, newest first, with ids below `before_id` (None: the newest)."""
    query = select(Run).where(Run.schedule_id == schedule_id).order_by(Run.id.desc()).limit(limit)
    if before_id is not None:
        query = query.where(Run.id < before_id)
    return list(session.scalars(query))
