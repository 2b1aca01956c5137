"""People who asked to stop getting a report by DM (or every report someone else owns)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column

from storage.clock import row_now
from storage.models.base import Base


class RecipientMute(Base):
    """`schedule_id` NULL: every report owned by someone else ("stop sending me reports")."""

    __tablename__ = "recipient_mutes"
    __table_args__ = (
        Index("uq_recipient_mutes_schedule", "team_id", "user_id", "schedule_id", unique=True,
              sqlite_where=text("schedule_id IS NOT NULL"), postgresql_where=text("schedule_id IS NOT NULL")),
        Index("uq_recipient_mutes_all", "team_id", "user_id", unique=True,
              sqlite_where=text("schedule_id IS NULL"), postgresql_where=text("schedule_id IS NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    user_id: Mapped[str] = mapped_column(String(32))
    schedule_id: Mapped[int | None] = mapped_column(ForeignKey("schedules.id", ondelete="CASCADE"))
    created_at: Mapped[dt.datetime] = mapped_column(default=row_now)
