"""Webhook signatures: each webhook destination's own secret (made once, shown once, sealed at rest)
and the `Reportbot-Signature` header computed with it.

    Reportbot-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>

The time is inside what is signed, so a receiver can refuse old requests (replays) as well as
altered ones; the README shows how to check it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from collections.abc import Sequence
from dataclasses import replace

from storage.filestore.crypto import Keyring
from storage.models import DestinationKind
from storage.schedules import NewDestination
from storage.sealed import seal

PREFIX = "whsec_"
HEADER = "Reportbot-Signature"


def new_secret() -> str:
    """A fresh signing secret: `whsec_` and 32 random bytes in URL-safe base64."""
    return PREFIX + base64.urlsafe_b64encode(os.urandom(32)).rstrip(b"=").decode()


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """The header's value for `body` sent at `timestamp` (unix seconds)."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"


def issue_secrets(destinations: Sequence[NewDestination], existing: set[tuple[str, str]],
                  keyring: Keyring | None) -> tuple[list[NewDestination], list[tuple[str, str]]]:
    """Give each webhook that is not already a destination (`existing`: (kind, target) pairs) a new
    sealed secret; return the destinations to store and (label, secret) pairs to show once."""
    stored, shown = [], []
    for destination in destinations:
        if destination.kind == DestinationKind.WEBHOOK and (destination.kind, destination.target) not in existing:
            secret = new_secret()
            destination = replace(destination, secret=seal(keyring, secret))
            shown.append((destination.label or destination.target, secret))
        stored.append(destination)
    return stored, shown
