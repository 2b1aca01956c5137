"""Progress messages ("Generating Daily sales…") to update when their run settles."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.clock import row_now
from storage.models.base import Base


class ProgressMessage(Base):
    """A "Generating Daily sales…" message to update once its run settles; `sent_at` marks it done.

    The message is either a real one (channel + ts, updated with chat.update) or an ephemeral one
    reachable only through its response_url (a short-lived capability, cleared once used).
    """

    __tablename__ = "progress_messages"
    __table_args__ = (
        UniqueConstraint("run_id", "user_id"),
        Index("ix_progress_messages_unsent", "sent_at", "run_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"))
    user_id: Mapped[str] = mapped_column(String(32))
    channel_id: Mapped[str | None] = mapped_column(String(32))
    message_ts: Mapped[str | None] = mapped_column(String(32))
    response_url: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(default=row_now)
    sent_at: Mapped[dt.datetime | None]
