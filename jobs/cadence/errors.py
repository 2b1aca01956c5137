"""The one error type the cadence parser raises."""

from __future__ import annotations

from storage.errors import BadInput


class CadenceError(BadInput, ValueError):
    """Report a schedule text that cannot be understood, with a fix the user can try."""
