"""API tokens per workspace (scopes, whom they act as) and the idempotency keys of their POSTs."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.clock import row_now
from storage.models.base import Base

SCOPES = ("read", "write", "run")


class TriggerToken(Base):
    __tablename__ = "trigger_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32), index=True)
    label: Mapped[str] = mapped_column(String(200), default="")
    # Only a SHA-256 of the token is kept: a leaked database does not leak working tokens.
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    # Space-separated, from SCOPES. Tokens made before scopes existed only started runs: "run".
    scopes: Mapped[str] = mapped_column(String(64), default="run")
    # The person whose permissions the token carries (re-checked in Slack on every call); NULL: a
    # workspace token, with a workspace admin's powers.
    acting_user_id: Mapped[str | None] = mapped_column(String(32))
    created_by: Mapped[str | None] = mapped_column(String(32))  # the admin who made it in Slack; NULL: the CLI
    created_at: Mapped[dt.datetime] = mapped_column(default=row_now)
    last_used_at: Mapped[dt.datetime | None]
    revoked_at: Mapped[dt.datetime | None]

    @property
    def scope_set(self) -> frozenset[str]:
        return frozenset((self.scopes or "").split())


class ApiIdempotencyKey(Base):
    """A POST made with an `Idempotency-Key`: what it asked (hashed) and what it was answered."""

    __tablename__ = "api_idempotency_keys"
    __table_args__ = (UniqueConstraint("token_id", "key"), Index("ix_api_idempotency_keys_created_at", "created_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    token_id: Mapped[int] = mapped_column(ForeignKey("trigger_tokens.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(200))
    request_sha256: Mapped[str] = mapped_column(String(64))  # of method, path and body
    status: Mapped[int] = mapped_column(default=0)  # 0 while the first request is still being answered
    response: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True))
    created_at: Mapped[dt.datetime] = mapped_column(default=row_now)
