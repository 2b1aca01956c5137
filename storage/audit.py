"""Repository functions for the audit log. They never commit."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from storage.models import AuditEvent


def record(
    session: Session,
    *,
    team_id: str,
    actor: str,
    action: str,
    surface: str,
    schedule_id: int | None = None,
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    """Add one audit event to the caller's transaction."""
    event = AuditEvent(team_id=team_id, schedule_id=schedule_id, actor=actor, action=action, surface=surface,
                       details=dict(details or {}))
    session.add(event)
    return event
