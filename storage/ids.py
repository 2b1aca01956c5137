"""Row ids read from text people or payloads supply (commands, button values, the trigger API)."""

from __future__ import annotations

MAX_ROW_ID = 2**31 - 1  # the tables' integer keys (INTEGER on PostgreSQL)


def row_id(text: str | None) -> int | None:
    """The id `text` spells ("12", "#12"), or None when it cannot be one: a number too large for
    the key columns would reach the database as an overflow error instead of "not found"."""
    digits = (text or "").strip().lstrip("#")
    if not digits.isascii() or not digits.isdigit() or len(digits) > len(str(MAX_ROW_ID)):
        return None
    value = int(digits)
    return value if 0 < value <= MAX_ROW_ID else None
