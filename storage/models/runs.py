"""Runs: one per schedule and slot, with their status, lease and outcome."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from storage.clock import row_now
from storage.models.base import Base

if TYPE_CHECKING:  # relationships name each other
    from storage.models.deliveries import Artifact, Delivery


class RunStatus(StrEnum):
    PENDING = "pending"
    RUNNING = "running"
    DELIVERING = "delivering"
    DELIVERED = "delivered"
    PARTIAL = "partial"
    FAILED = "failed"
    SKIPPED = "skipped"
    CANCELED = "canceled"


FINAL_RUN_STATUSES = frozenset(
    {RunStatus.DELIVERED, RunStatus.PARTIAL, RunStatus.FAILED, RunStatus.SKIPPED, RunStatus.CANCELED}
)


class RunTrigger(StrEnum):
    SCHEDULE = "schedule"
    CATCH_UP = "catch_up"  # the clock made it late, for a slot missed while the service was down
    MANUAL = "manual"  # Run now, /report run, previews, the CLI
    API = "api"  # POST /api/v1/runs
    RETRY = "retry"  # the owner's Retry button (the same run again)


# Runs the clock made: they generate on the `reports` queue and count towards start lateness.
CLOCK_TRIGGERS = frozenset({RunTrigger.SCHEDULE, RunTrigger.CATCH_UP})


class Run(Base):
    __tablename__ = "runs"
    __table_args__ = (
        # Two clocks cannot create the same run: the slot is the run's identity.
        UniqueConstraint("schedule_id", "scheduled_for"),
        Index("ix_runs_status_lease", "status", "lease_until"),
        Index("ix_runs_finished_at", "finished_at"),  # retention and the unnotified-failure sweep
        Index("ix_runs_created_at", "created_at"),  # `reportbot status` and /metrics: the last 24 h
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    schedule_id: Mapped[int] = mapped_column(ForeignKey("schedules.id", ondelete="CASCADE"))
    scheduled_for: Mapped[dt.datetime]
    trigger: Mapped[str] = mapped_column(String(16), default=RunTrigger.SCHEDULE)
    triggered_by: Mapped[str | None] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16), default=RunStatus.PENDING)
    # Workers that took this run since its last clean hand-over (generated → delivering, or a
    # delivery pass that scheduled its retry). Only crashes and lost messages make it grow; the
    # tick gives up at MAX_ATTEMPTS.
    attempt: Mapped[int] = mapped_column(default=0)
    lease_until: Mapped[dt.datetime | None]
    # Who holds the lease: a worker writes only while its token is still the run's token.
    lease_token: Mapped[str | None] = mapped_column(String(36))
    started_at: Mapped[dt.datetime | None]
    finished_at: Mapped[dt.datetime | None]
    duration_ms: Mapped[int | None]
    row_count: Mapped[int | None]
    error: Mapped[str | None] = mapped_column(Text)
    summary: Mapped[dict[str, Any] | None]
    # The period a run outside the clock reports on (jobs.periods.Period as JSON): the slot whose
    # period Run now repeats, or a window the person chose. NULL: the period of its own slot.
    period: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True))
    created_at: Mapped[dt.datetime] = mapped_column(default=row_now)
    # When the owner was told this run failed; the hourly cleanup retells those it missed.
    notified_at: Mapped[dt.datetime | None]

    artifacts: Mapped[list[Artifact]] = relationship(
        back_populates="run", cascade="all, delete-orphan", order_by="Artifact.id",
        lazy="selectin",  # always read together with their parent, often after its session closed
    )
    deliveries: Mapped[list[Delivery]] = relationship(
        back_populates="run", cascade="all, delete-orphan", order_by="Delivery.id",
        lazy="selectin",  # always read together with their parent, often after its session closed
    )

    def __repr__(self) -> str:
        return f"<Run {self.id} schedule={self.schedule_id} {self.status}>"
