"""Repository functions for progress messages ("Generating Daily sales…"). They never commit."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import exists, select, update
from sqlalchemy.orm import Session

from storage.models import FINAL_RUN_STATUSES, ProgressMessage, Run, Schedule


def add_progress_message(session: Session, *, run_id: int, user_id: str, channel_id: str | None = None,
                         message_ts: str | None = None, response_url: str | None = None) -> ProgressMessage:
    """Remember the message to update when `run_id` settles."""
    message = ProgressMessage(run_id=run_id, user_id=user_id, channel_id=channel_id, message_ts=message_ts,
                              response_url=response_url)
    session.add(message)
    session.flush()
    return message


def track_run(session: Session, *, run_id: int, user_id: str, channel_id: str | None = None,
              message_ts: str | None = None, response_url: str | None = None) -> None:
    """Point the person's progress message for `run_id` at a new message (a retried run), unsent."""
    existing = session.scalar(select(ProgressMessage).where(ProgressMessage.run_id == run_id,
                                                            ProgressMessage.user_id == user_id))
    if existing is None:
        add_progress_message(session, run_id=run_id, user_id=user_id, channel_id=channel_id, message_ts=message_ts,
                             response_url=response_url)
        return
    existing.channel_id, existing.message_ts, existing.response_url = channel_id, message_ts, response_url
    existing.sent_at = None


def claim_settled(session: Session, team_id: str, now: dt.datetime, limit: int = 50) -> list[ProgressMessage]:
    """Take the unsent progress messages of the workspace's settled runs.

    Each is claimed with a conditional UPDATE, so of two workers settling runs at once only one
    updates a given message.
    """
    candidates = session.scalars(
        select(ProgressMessage)
        .join(Run, Run.id == ProgressMessage.run_id)
        .join(Schedule, Schedule.id == Run.schedule_id)
        .where(ProgressMessage.sent_at.is_(None), Schedule.team_id == team_id,
               Run.status.in_(list(FINAL_RUN_STATUSES)))
        .order_by(ProgressMessage.id)
        .limit(limit)
    ).all()
    claimed = []
    for message in candidates:
        taken = session.execute(
            update(ProgressMessage).where(ProgressMessage.id == message.id, ProgressMessage.sent_at.is_(None))
            .values(sent_at=now).execution_options(synchronize_session=False)
        ).rowcount
        if taken == 1:
            claimed.append(message)
    return claimed


def forget_response_url(session: Session, message_id: int) -> None:
    """Drop a used response_url: it is a capability nobody should keep."""
    session.execute(update(ProgressMessage).where(ProgressMessage.id == message_id).values(response_url=None))


def watches_run(session: Session, run_id: int, user_id: str) -> bool:
    """Whether this person has a progress message for the run (it reports the outcome to them)."""
    return bool(session.scalar(select(exists().where(ProgressMessage.run_id == run_id,
                                                     ProgressMessage.user_id == user_id))))
