"""Errors a renderer raises when a table cannot be shown in its format."""

from __future__ import annotations


class RenderError(ValueError):
    """Raise when a table cannot be rendered; the message is shown to the user as is."""
