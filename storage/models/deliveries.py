"""Deliveries (one per run and destination) and the artifact files a run produced."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import TYPE_CHECKING

from sqlalchemy import BigInteger, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from storage.clock import row_now
from storage.models.base import Base

if TYPE_CHECKING:  # relationships name each other
    from storage.models.runs import Run


class DeliveryStatus(StrEnum):
    PENDING = "pending"
    # An attempt was recorded before calling Slack or SMTP. Found in this state by a later worker,
    # the earlier one may have sent it before dying: look for evidence before sending again.
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"


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
