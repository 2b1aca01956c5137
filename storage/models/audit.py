"""Audit log: who did what to which schedule, from which surface."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from storage.clock import row_now
from storage.models.base import Base


class AuditEvent(Base):
    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_events_schedule", "schedule_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    schedule_id: Mapped[int | None] = mapped_column(ForeignKey("schedules.id", ondelete="SET NULL"))
    actor: Mapped[str] = mapped_column(String(64))  # a Slack user id, or "system"
    action: Mapped[str] = mapped_column(String(64))
    surface: Mapped[str] = mapped_column(String(32))  # slash_command, modal, home, button, chat, clock, cli
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[dt.datetime] = mapped_column(default=row_now)
