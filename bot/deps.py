"""What the Slack surface's listeners need, handed to each surface's `register(app, deps)`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from bot.settings import BotSettings
from jobs.context import JobContext

Enqueue = Callable[[int, str, int], None]


@dataclass
class BotDeps:
    jobs: JobContext
    enqueue: Enqueue
    settings: BotSettings

    def is_configured_admin(self, user_id: str) -> bool:
        """Admins named in REPORTBOT_ADMINS (Slack's own workspace admins count too; see permissions)."""
        return user_id in self.settings.admin_user_ids
