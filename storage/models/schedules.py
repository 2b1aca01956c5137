"""The schedule aggregate: what to run, when, and where it goes."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from storage.clock import row_now
from storage.models.base import Base


class ScheduleStatus(StrEnum):
    ACTIVE = "active"
    PAUSED = "paused"
    ERROR = "error"
    DELETED = "deleted"


class DestinationKind(StrEnum):
    SLACK_CHANNEL = "slack_channel"
    SLACK_USER = "slack_user"
    EMAIL = "email"
    WEBHOOK = "webhook"  # an https URL; signed with the destination's own secret


class Schedule(Base):
    __tablename__ = "schedules"
    __table_args__ = (
        # The tick's claim query: only active schedules, ordered by due time.
        Index(
            "ix_schedules_due",
            "next_run_at",
            sqlite_where=text("status = 'active'"),
            postgresql_where=text("status = 'active'"),
        ),
        # Names are how people refer to schedules ("/report run daily sales"), so they are unique
        # per workspace, case-insensitively, among schedules that still exist.
        Index(
            "uq_schedules_team_name",
            "team_id",
            "name_key",
            unique=True,
            sqlite_where=text("status <> 'deleted'"),
            postgresql_where=text("status <> 'deleted'"),
        ),
        Index("ix_schedules_owner", "team_id", "owner_user_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(200))
    name_key: Mapped[str] = mapped_column(String(200))
    # What it is for, in the owner's words, and labels to find it by (`/report list tag:finance`).
    description: Mapped[str | None] = mapped_column(Text)
    tags: Mapped[list[str]] = mapped_column(default=list)
    owner_user_id: Mapped[str] = mapped_column(String(32))
    report_type: Mapped[str] = mapped_column(String(64))
    params: Mapped[dict[str, Any]] = mapped_column(default=dict)
    formats: Mapped[list[str]] = mapped_column(default=list)
    cadence_text: Mapped[str] = mapped_column(Text)
    cadence: Mapped[dict[str, Any]]
    timezone: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default=ScheduleStatus.ACTIVE)
    skip_if_empty: Mapped[bool] = mapped_column(default=False)
    # Release daily-or-coarser runs up to this many seconds after their slot (a stable offset per
    # schedule), so thousands of "9:00" reports do not hit a data source in the same second.
    # None: the deployment's default (SPREAD_SECONDS).
    spread_seconds: Mapped[int | None]
    # An alert's condition (reports.conditions, as JSON); None for a plain report.
    condition: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True))  # SQL NULL, not JSON null
    next_run_at: Mapped[dt.datetime | None]
    last_run_at: Mapped[dt.datetime | None]
    consecutive_failures: Mapped[int] = mapped_column(default=0)
    run_count: Mapped[int] = mapped_column(default=0)
    success_count: Mapped[int] = mapped_column(default=0)
    failure_count: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    # Why a schedule paused itself (its last recipient muted it, …), shown beside "paused".
    paused_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(default=row_now)
    updated_at: Mapped[dt.datetime] = mapped_column(default=row_now, onupdate=row_now)

    destinations: Mapped[list[Destination]] = relationship(
        back_populates="schedule", cascade="all, delete-orphan", order_by="Destination.id",
        lazy="selectin",  # always read together with their parent, often after its session closed
    )

    def __repr__(self) -> str:
        return f"<Schedule {self.id} {self.name!r} {self.status}>"


class Destination(Base):
    __tablename__ = "destinations"
    __table_args__ = (UniqueConstraint("schedule_id", "kind", "target"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    schedule_id: Mapped[int] = mapped_column(ForeignKey("schedules.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    target: Mapped[str] = mapped_column(String(320))
    # How people know it ("#sales", "@alice"); the target id is what Slack needs.
    label: Mapped[str] = mapped_column(String(200), default="")
    # A webhook's signing secret, sealed (storage.sealed: encrypted when ARTIFACT_ENCRYPTION_KEYS is
    # set). Shown once to the person who added the webhook; read again only by the worker to sign.
    secret: Mapped[str | None] = mapped_column(Text)

    schedule: Mapped[Schedule] = relationship(back_populates="destinations")

    @property
    def key(self) -> str:
        """Identify this destination inside a run's deliveries."""
        return f"{self.kind}:{self.target}"
