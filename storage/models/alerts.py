"""The alert aggregate: each alert schedule's state over time and the record of every check.

An alert is a schedule with a `condition`; its runs are its checks. `AlertState` is the one row a
check updates (under a row lock, in the transaction that records the check), so a state change is
decided exactly once. `AlertEvaluation` keeps each check's value and state, one per run.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Float, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from storage.clock import row_now
from storage.models.base import Base


class AlertStates:
    """The states an alert can be in (plain strings in the database)."""

    OK = "ok"
    PENDING = "pending"  # the condition is met, waiting for its "for N checks / minutes"
    FIRING = "firing"
    RESOLVED = "resolved"  # the check after firing found the condition no longer met
    NO_DATA = "no_data"
    ERROR = "error"

    ALL = (OK, PENDING, FIRING, RESOLVED, NO_DATA, ERROR)


class AlertState(Base):
    __tablename__ = "alert_states"

    schedule_id: Mapped[int] = mapped_column(ForeignKey("schedules.id", ondelete="CASCADE"), primary_key=True)
    state: Mapped[str] = mapped_column(String(16), default=AlertStates.OK)
    # What the destinations were last told (ok, firing, no_data, error): a notification goes out when
    # the state's outward meaning differs from it and nothing mutes the alert.
    announced: Mapped[str] = mapped_column(String(16), default=AlertStates.OK)
    state_since: Mapped[dt.datetime | None]
    pending_since: Mapped[dt.datetime | None]
    pending_checks: Mapped[int] = mapped_column(default=0)
    last_value: Mapped[float | None] = mapped_column(Float)
    last_fingerprint: Mapped[str | None] = mapped_column(String(64))
    # The slot of the newest check applied: an older check arriving late changes nothing.
    last_slot: Mapped[dt.datetime | None]
    last_evaluated_at: Mapped[dt.datetime | None]
    last_notified_at: Mapped[dt.datetime | None]
    failed_checks: Mapped[int] = mapped_column(default=0)  # in a row
    snoozed_until: Mapped[dt.datetime | None]
    snoozed_until_resolved: Mapped[bool] = mapped_column(default=False)
    snoozed_by: Mapped[str | None] = mapped_column(String(32))
    snoozed_at: Mapped[dt.datetime | None]
    updated_at: Mapped[dt.datetime] = mapped_column(default=row_now, onupdate=row_now)


class AlertEvaluation(Base):
    __tablename__ = "alert_evaluations"
    __table_args__ = (
        # History, App Home trends: a schedule's latest checks, newest first.
        Index("ix_alert_evaluations_schedule", "schedule_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # One check per run, and a run is one slot: a retried run finds its check already decided.
    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"), unique=True)
    schedule_id: Mapped[int] = mapped_column(ForeignKey("schedules.id", ondelete="CASCADE"))
    slot: Mapped[dt.datetime]
    evaluated_at: Mapped[dt.datetime] = mapped_column(default=row_now)
    outcome: Mapped[str] = mapped_column(String(16))  # value | no_data | error | superseded
    value: Mapped[float | None] = mapped_column(Float)
    state: Mapped[str] = mapped_column(String(16))
    previous_state: Mapped[str] = mapped_column(String(16))
    # The notification this check sent (firing, resolved, reminder, no_data, error, recovered, changed).
    notice: Mapped[str | None] = mapped_column(String(16))
    muted_by: Mapped[str | None] = mapped_column(String(32))  # a snooze held back the notice that was due
    detail: Mapped[str | None] = mapped_column(Text)
