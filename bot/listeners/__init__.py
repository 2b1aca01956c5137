"""Bolt listeners, one module per surface. Each module's listeners are module-level `handle_*`
functions that take their dependencies from Bolt's context (`bot.deps.deps_of`), and its
`register(app)` registers them by reference."""

from __future__ import annotations

from slack_bolt import App

from bot.listeners import actions, alerts, commands, conversation, home, modals

SURFACES = (commands, modals, home, actions, alerts, conversation)


def register(app: App) -> None:
    """Register every surface's listeners on the app."""
    for surface in SURFACES:
        surface.register(app)
