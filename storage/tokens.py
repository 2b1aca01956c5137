"""Repository functions for API tokens and the idempotency keys of their POSTs. They never commit."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Iterable
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from storage.clock import session_now
from storage.errors import BadInput
from storage.models.tokens import SCOPES, ApiIdempotencyKey, TriggerToken

PREFIX = "rbt_"


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def parse_scopes(text: str | Iterable[str]) -> tuple[str, ...]:
    """"read,write" -> ("read", "write"), in SCOPES' order; BadInput naming an unknown one."""
    words = text.replace(",", " ").split() if isinstance(text, str) else list(text)
    unknown = [w for w in words if w.lower() not in SCOPES]
    if unknown or not words:
        raise BadInput(f"Scopes are {', '.join(SCOPES)} (comma-separated), not “{' '.join(unknown)[:60]}”.")
    return tuple(s for s in SCOPES if s in {w.lower() for w in words})


def create_token(session: Session, team_id: str, label: str = "", *, scopes: Iterable[str] = ("run",),
                 acting_user_id: str | None = None, created_by: str | None = None) -> str:
    """Create a token for `team_id` and return it; it is shown once and only its hash is stored."""
    token = PREFIX + secrets.token_urlsafe(32)
    session.add(TriggerToken(team_id=team_id, label=label[:200], token_sha256=_digest(token),
                             scopes=" ".join(parse_scopes(scopes)), acting_user_id=acting_user_id,
                             created_by=created_by))
    session.flush()
    return token


def token_row(session: Session, token: str, now: dt.datetime) -> TriggerToken | None:
    """The live token row for `token` (its use noted), or None."""
    if not token.startswith(PREFIX) or len(token) > 200:
        return None
    row = session.scalar(select(TriggerToken).where(TriggerToken.token_sha256 == _digest(token),
                                                    TriggerToken.revoked_at.is_(None)))
    if row is not None:
        row.last_used_at = now
    return row


def team_for_token(session: Session, token: str, now: dt.datetime) -> str | None:
    """The workspace a live token belongs to (and note its use), or None."""
    row = token_row(session, token, now)
    return row.team_id if row is not None else None


def list_tokens(session: Session, team_id: str) -> list[TriggerToken]:
    """A workspace's live tokens, oldest first."""
    return list(session.scalars(select(TriggerToken).where(TriggerToken.team_id == team_id,
                                                           TriggerToken.revoked_at.is_(None))
                                .order_by(TriggerToken.id)))


def revoke_tokens(session: Session, team_id: str, token_id: int | None = None) -> int:
    """Revoke one of the workspace's tokens (or, without an id, all of them); how many were revoked."""
    query = select(TriggerToken).where(TriggerToken.team_id == team_id, TriggerToken.revoked_at.is_(None))
    if token_id is not None:
        query = query.where(TriggerToken.id == token_id)
    rows = list(session.scalars(query))
    for row in rows:
        row.revoked_at = session_now(session)
    return len(rows)


def claim_idempotency_key(session: Session, token_id: int, key: str, request_sha256: str) -> ApiIdempotencyKey | None:
    """Take `key` for this request (None), or return the row of the request that took it first.

    Runs in its own short transaction (the caller's session), so a second request with the same key
    sees the first one's row while the first is still being answered (status 0)."""
    existing = session.scalar(select(ApiIdempotencyKey).where(ApiIdempotencyKey.token_id == token_id,
                                                              ApiIdempotencyKey.key == key))
    if existing is not None:
        return existing
    try:
        with session.begin_nested():
            session.add(ApiIdempotencyKey(token_id=token_id, key=key, request_sha256=request_sha256, status=0))
    except IntegrityError:  # taken a moment ago by a request racing this one
        return session.scalar(select(ApiIdempotencyKey).where(ApiIdempotencyKey.token_id == token_id,
                                                              ApiIdempotencyKey.key == key))
    return None


def store_idempotent_response(session: Session, token_id: int, key: str, status: int,
                              response: dict[str, Any] | None) -> None:
    """Keep the answer for replays; an answer not worth keeping (status 0) frees the key instead."""
    row = session.scalar(select(ApiIdempotencyKey).where(ApiIdempotencyKey.token_id == token_id,
                                                         ApiIdempotencyKey.key == key))
    if row is None:
        return
    if status == 0:
        session.delete(row)
    else:
        row.status, row.response = status, response


def delete_idempotency_keys(session: Session, *, created_before: dt.datetime) -> int:
    """Forget keys older than `created_before` (they may be used again)."""
    return session.execute(delete(ApiIdempotencyKey).where(ApiIdempotencyKey.created_at < created_before)).rowcount
