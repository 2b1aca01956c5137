"""Opaque cursors: the last id a page showed, base64-wrapped so clients do not build them."""

from __future__ import annotations

import base64
import binascii
import json

from bot.web.api.problems import FieldError, invalid


def encode_cursor(last_id: int) -> str:
    return base64.urlsafe_b64encode(json.dumps({"id": last_id}).encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> int | None:
    """The id a cursor carries (None without one); 422 on `cursor` for one we did not make."""
    if not cursor:
        return None
    try:
        value = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))["id"]
        if isinstance(value, int) and 0 <= value < 2**63:
            return value
    except (ValueError, KeyError, TypeError, binascii.Error):
        pass
    raise invalid([FieldError("cursor", "Pass back the `next_cursor` of a previous page unchanged.")])
