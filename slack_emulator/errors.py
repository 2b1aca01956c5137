"""Slack API error type raised by emulated method handlers."""

from __future__ import annotations

import logging
from typing import Any

logger = logging.getLogger(__name__)

# Codes Slack may return from any method, so they need not be listed per method.
GENERIC_ERRORS = frozenset(
    {
        "invalid_auth",
        "not_authed",
        "ratelimited",
        "missing_scope",
        "invalid_arguments",
        "internal_error",
        "fatal_error",
        "method_deprecated",
        "unknown_method",
    }
)


class SlackError(Exception):
    """Carry a Slack error code plus extra response fields out of a handler."""

    def __init__(self, code: str, *messages: str, status: int = 200, **extra: Any) -> None:
        super().__init__(code)
        self.code = code
        self.status = status
        self.extra = dict(extra)
        if messages:
            # Slack puts human-readable detail under response_metadata.messages.
            self.extra["response_metadata"] = {"messages": [f"[ERROR] {m}" for m in messages]}

    def body(self) -> dict[str, Any]:
        """Return the JSON body Slack would send for this error."""
        return {"ok": False, "error": self.code, **self.extra}
