"""The one error type the cadence parser raises."""

from __future__ import annotations

from collections.abc import Sequence

from storage.errors import BadInput

FALLBACK = "Try something like 'every weekday at 9am'."


class CadenceError(BadInput, ValueError):
    """Report a schedule text that cannot be understood, with a fix the user can try.

    `fixes` are whole rewritten texts that might be meant; `parse` offers the ones it accepts
    ("Try '…'") and otherwise `fallback`, so a suggestion is always a phrase the parser reads.
    """

    def __init__(self, message: str, fixes: Sequence[str] = (), fallback: str = FALLBACK):
        super().__init__(message)
        self.fixes = tuple(fixes)
        self.fallback = fallback if fixes else ""
