"""The one error type the cadence parser raises."""

from __future__ import annotations


class CadenceError(ValueError):
    """Report a schedule text that cannot be understood, with a fix the user can try."""
