"""When each periodic maintenance task last ran and what it did."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base


class MaintenanceTask(Base):
    """When a periodic task (the hourly cleanup) is next due; claimed by one clock at a time."""

    __tablename__ = "maintenance_tasks"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    next_due_at: Mapped[dt.datetime]
    last_started_at: Mapped[dt.datetime | None]
    last_result: Mapped[dict[str, Any] | None]
