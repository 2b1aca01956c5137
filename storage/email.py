"""Repository functions for a schedule's email options, owners' email addresses and unsubscribing.
They never commit."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.db import dialect_insert
from storage.models import (
    AttachMode,
    Destination,
    DestinationKind,
    EmailOptions,
    OwnerContact,
)


def address_hash(address: str) -> str:
    """Name an address in a link without writing it there (links end up in proxy logs)."""
    return hashlib.sha256(address.strip().lower().encode()).hexdigest()[:32]


def email_options(session: Session, schedule_id: int) -> EmailOptions | None:
    return session.get(EmailOptions, schedule_id)


def set_email_options(session: Session, schedule_id: int, *, subject_template: str | None = None,
                      attach_mode: str = AttachMode.AUTO, cc: Sequence[str] = (),
                      bcc: Sequence[str] = ()) -> EmailOptions:
    """Create or replace a schedule's email options (the caller validates the addresses)."""
    if attach_mode not in set(AttachMode):
        raise ValueError(f"attach_mode must be one of {', '.join(AttachMode)}")
    options = session.get(EmailOptions, schedule_id) or EmailOptions(schedule_id=schedule_id)
    options.subject_template = (subject_template or "").strip() or None
    options.attach_mode = attach_mode
    options.cc = list(dict.fromkeys(a.strip() for a in cc if a.strip()))
    options.bcc = list(dict.fromkeys(a.strip() for a in bcc if a.strip()))
    session.add(options)
    return options


def remove_address(session: Session, schedule_id: int, hashed: str) -> list[str]:
    """Take an address out of a schedule: its email destination and its cc/bcc entries.

    The address arrives as a hash (unsubscribe links never carry it). Returns the removed
    addresses; empty when it was already gone, which makes unsubscribing idempotent.
    """
    removed: list[str] = []
    destinations = session.scalars(select(Destination).where(
        Destination.schedule_id == schedule_id, Destination.kind == DestinationKind.EMAIL))
    for destination in destinations:
        if address_hash(destination.target) == hashed:
            removed.append(destination.target)
            session.delete(destination)
    options = session.get(EmailOptions, schedule_id)
    if options is not None:
        for field in ("cc", "bcc"):
            kept = [a for a in getattr(options, field) if address_hash(a) != hashed]
            removed.extend(a for a in getattr(options, field) if address_hash(a) == hashed)
            if len(kept) != len(getattr(options, field)):
                setattr(options, field, kept)
    return list(dict.fromkeys(removed))


def owner_contact(session: Session, team_id: str, user_id: str) -> OwnerContact | None:
    return session.get(OwnerContact, (team_id, user_id))


def save_owner_contact(session: Session, team_id: str, user_id: str, email: str | None, *, now: dt.datetime) -> None:
    """Remember (or refresh) a Slack user's email address as users.info reported it."""
    insert = dialect_insert(session)
    statement = insert(OwnerContact).values(team_id=team_id, user_id=user_id, email=email, checked_at=now)
    session.execute(statement.on_conflict_do_update(
        index_elements=["team_id", "user_id"], set_={"email": email, "checked_at": now}))
