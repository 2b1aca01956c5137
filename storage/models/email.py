"""Email preferences: a schedule's email options and owners' addresses (for the email fallback)."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from storage.clock import row_now
from storage.models.base import Base


class AttachMode(StrEnum):
    AUTO = "auto"  # attach when the files fit under the size limit, else send download links
    ATTACH = "attach"  # attach (links anyway above the limit: mail servers refuse such messages)
    LINK = "link"  # always download links


class EmailOptions(Base):
    """How a schedule's emails look: subject, copies, attachments. One row per schedule, optional."""

    __tablename__ = "email_options"

    schedule_id: Mapped[int] = mapped_column(ForeignKey("schedules.id", ondelete="CASCADE"), primary_key=True)
    # Placeholders: {name} {window} {date} {rows}. Empty means "{name} · {window}".
    subject_template: Mapped[str | None] = mapped_column(String(300))
    attach_mode: Mapped[str] = mapped_column(String(8), default=AttachMode.AUTO)
    cc: Mapped[list[str]] = mapped_column(default=list)
    bcc: Mapped[list[str]] = mapped_column(default=list)
    updated_at: Mapped[dt.datetime] = mapped_column(default=row_now, onupdate=row_now)


class OwnerContact(Base):
    """A Slack user's email address as last read from users.info.

    Kept so the fallback still reaches the owner when Slack itself refuses the app (invalid_auth,
    account_inactive) and users.info can no longer be asked.
    """

    __tablename__ = "owner_contacts"

    team_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    email: Mapped[str | None] = mapped_column(String(320))
    checked_at: Mapped[dt.datetime] = mapped_column(default=row_now)
