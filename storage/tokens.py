"""Repository functions for trigger tokens. They never commit."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.clock import session_now
from storage.models.tokens import TriggerToken

PREFIX = "rbt_"


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(session: Session, team_id: str, label: str = "") -> str:
    """Create a token for `team_id` and return it; it is shown once and only its hash is stored."""
    token = PREFIX + secrets.token_urlsafe(32)
    session.add(TriggerToken(team_id=team_id, label=label, token_sha256=_digest(token)))
    session.flush()
    return token


def team_for_token(session: Session, token: str, now: dt.datetime) -> str | None:
    """The workspace a live token belongs to (and note its use), or None."""
    if not token.startswith(PREFIX):
        return None
    row = session.scalar(select(TriggerToken).where(TriggerToken.token_sha256 == _digest(token),
                                                    TriggerToken.revoked_at.is_(None)))
    if row is None:
        return None
    row.last_used_at = now
    return row.team_id


def revoke_tokens(session: Session, team_id: str) -> int:
    rows = list(session.scalars(select(TriggerToken).where(TriggerToken.team_id == team_id,
                                                           TriggerToken.revoked_at.is_(None))))
    for row in rows:
        row.revoked_at = session_now(session)
    return len(rows)
