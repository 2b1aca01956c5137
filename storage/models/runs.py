"""The run aggregate: one execution of a schedule, its files and its deliveries."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from storage.models.base import Base
from storage.clock import row_now


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
    MANUAL = "manual"
    RETRY = "retry"


class DeliveryStatus(StrEnum):
    PENDING = "pending"
    # An attempt was recorded before calling Slack or SMTP. Found in this state by a later worker,
    # the earlier one may have sent it before dying: look for evidence before sending again.
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"


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
    created_at: Mapped[dt.datetime] = mapped_column(default=row_now)
    # When the owner was told this run failed; the hourly cleanup retells those it missed.
    notified_at: Mapped[dt.datetime | None]

    artifacts: Mapped[list["Artifact"]] = relationship(
        back_populates="run", cascade="all, delete-orphan", order_by="Artifact.id"
    )
    deliveries: Mapped[list["Delivery"]] = relationship(
        back_populates="run", cascade="all, delete-orphan", order_by="Delivery.id"
    )

    def __repr__(self) -> str:
        return f"<Run {self.id} schedule={self.schedule_id} {self.status}>"


class Artifact(Base):
    __tablename__ = "artifacts"
    __table_args__ = (UniqueConstraint("run_id", "format"), Index("ix_artifacts_created_at", "created_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"), index=True)
    format: Mapped[str] = mapped_column(String(16))
    filename: Mapped[str] = mapped_column(String(255))
    storage_key: Mapped[str] = mapped_column(String(500))
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    content_type: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[dt.datetime] = mapped_column(default=row_now)
    expires_at: Mapped[dt.datetime | None]

    run: Mapped[Run] = relationship(back_populates="artifacts")


class Delivery(Base):
    __tablename__ = "deliveries"
    # A retry never re-sends what was sent: one row per destination and run.
    # created_at: `reportbot status` and /metrics count the last 24 h at every scrape.
    __table_args__ = (UniqueConstraint("run_id", "destination"), Index("ix_deliveries_created_at", "created_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"))
    destination: Mapped[str] = mapped_column(String(400))
    status: Mapped[str] = mapped_column(String(16), default=DeliveryStatus.PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    channel_id: Mapped[str | None] = mapped_column(String(32))
    slack_file_ids: Mapped[list[str] | None]
    message_ts: Mapped[str | None] = mapped_column(String(32))
    smtp_message_id: Mapped[str | None] = mapped_column(String(300))
    sent_at: Mapped[dt.datetime | None]
    created_at: Mapped[dt.datetime] = mapped_column(default=row_now)
    sending_at: Mapped[dt.datetime | None]  # when the latest attempt started
    next_attempt_at: Mapped[dt.datetime | None]  # backoff: not retried before this
    # Set on an email sent to the owner because this Slack destination failed for good.
    fallback_for: Mapped[str | None] = mapped_column(String(400))
    # How `sent` was established: the API's answer, or evidence found after a crash.
    confirmed_by: Mapped[str | None] = mapped_column(String(16))

    run: Mapped[Run] = relationship(back_populates="deliveries")
