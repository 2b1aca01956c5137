"""Repository functions for recipients' mutes. They never commit."""

from __future__ import annotations

from sqlalchemy import or_, select

from storage.db import Session, dialect_insert
from storage.models import RecipientMute, Schedule


def mute(session: Session, team_id: str, user_id: str, schedule_id: int | None) -> bool:
    """Record that the person stops getting this schedule (None: every schedule others own); True if new."""
    if is_muted(session, team_id, user_id, schedule_id, exact=True):
        return False
    index = ["team_id", "user_id", "schedule_id"] if schedule_id is not None else ["team_id", "user_id"]
    where = RecipientMute.schedule_id.is_not(None) if schedule_id is not None else RecipientMute.schedule_id.is_(None)
    statement = (dialect_insert(session)(RecipientMute)
                 .values(team_id=team_id, user_id=user_id, schedule_id=schedule_id)
                 .on_conflict_do_nothing(index_elements=index, index_where=where))
    return session.execute(statement).rowcount == 1


def unmute(session: Session, team_id: str, user_id: str, schedule_id: int | None) -> bool:
    """Take a mute back; True when there was one."""
    found = session.scalar(select(RecipientMute).where(
        RecipientMute.team_id == team_id, RecipientMute.user_id == user_id,
        RecipientMute.schedule_id.is_(None) if schedule_id is None else RecipientMute.schedule_id == schedule_id))
    if found is None:
        return False
    session.delete(found)
    return True


def is_muted(session: Session, team_id: str, user_id: str, schedule_id: int | None, *, exact: bool = False) -> bool:
    """Whether the person muted this schedule (or, unless `exact`, everything others own)."""
    if schedule_id is None:
        condition = RecipientMute.schedule_id.is_(None)
    elif exact:
        condition = RecipientMute.schedule_id == schedule_id
    else:
        condition = or_(RecipientMute.schedule_id == schedule_id, RecipientMute.schedule_id.is_(None))
    return session.scalar(select(RecipientMute.id).where(
        RecipientMute.team_id == team_id, RecipientMute.user_id == user_id, condition).limit(1)) is not None


def muted_schedules(session: Session, team_id: str, user_id: str) -> list[Schedule | None]:
    """What the person muted: schedules, and None for "everything others own"."""
    rows = session.scalars(select(RecipientMute).where(RecipientMute.team_id == team_id,
                                                       RecipientMute.user_id == user_id).order_by(RecipientMute.id))
    return [session.get(Schedule, row.schedule_id) if row.schedule_id is not None else None for row in rows]
