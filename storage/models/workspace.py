"""Per-workspace state: the policy its admins set and each person's App Home preferences."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from storage.clock import row_now
from storage.models.base import Base


class WorkspaceSettings(Base):
    """What a workspace admin set; a NULL column means "the deployment's default"."""

    __tablename__ = "workspace_settings"

    team_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    max_schedules_per_user: Mapped[int | None]
    max_schedules_per_team: Mapped[int | None]
    run_now_cooldown_seconds: Mapped[int | None]
    email_domains: Mapped[list[str] | None]
    # The first day of a week for weekly periods (0 = Monday … 6 = Sunday); NULL: Monday.
    week_start: Mapped[int | None]
    # Hosts webhooks may be sent to ("hooks.example.com", "*.corp.example"); NULL: REPORTBOT_WEBHOOK_HOSTS.
    webhook_hosts: Mapped[list[str] | None]
    # Whether webhooks may reach private, loopback and link-local addresses (SSRF guard); NULL: no.
    webhook_private: Mapped[bool | None]
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
