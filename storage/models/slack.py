"""State of the Slack surface: processed event ids, workspace settings, Home tab preferences and
the progress messages to update when a run settles."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base
from storage.clock import row_now


class ProcessedEvent(Base):
    """An Events API delivery already handled: Slack retries must not act twice."""

    __tablename__ = "slack_processed_events"

    event_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    received_at: Mapped[dt.datetime] = mapped_column(default=row_now, index=True)


class WorkspaceSettings(Base):
    """What a workspace admin set; a NULL column means "the deployment's default"."""

    __tablename__ = "workspace_settings"

    team_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    max_schedules_per_user: Mapped[int | None]
    max_schedules_per_team: Mapped[int | None]
    run_now_cooldown_seconds: Mapped[int | None]
    email_domains: Mapped[list[str] | None]
    # report type (or data source) name -> the user ids allowed to use it; absent means everyone.
    access: Mapped[dict[str, Any]] = mapped_column(default=dict)
    updated_by: Mapped[str | None] = mapped_column(String(32))
    updated_at: Mapped[dt.datetime] = mapped_column(default=row_now, onupdate=row_now)


class HomeScope(StrEnum):
    MINE = "mine"
    ALL = "all"


class HomePreference(Base):
    """What a person last chose to see on their Home tab, so a worker's refresh keeps it."""

    __tablename__ = "home_preferences"

    team_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    scope: Mapped[str] = mapped_column(String(8), default=HomeScope.MINE)
    page: Mapped[int] = mapped_column(default=0)
    # Checked by the bot when it last published; the worker cannot ask Slack cheaply.
    is_admin: Mapped[bool] = mapped_column(default=False)
    updated_at: Mapped[dt.datetime] = mapped_column(default=row_now, onupdate=row_now)


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
