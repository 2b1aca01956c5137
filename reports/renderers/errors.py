"""Errors a renderer raises when a table cannot be shown in its format."""

from __future__ import annotations

from reports.errors import ReportError


class RenderError(ReportError):
    """Raise when a table cannot be rendered; the message is shown to the schedule's owner as is."""
