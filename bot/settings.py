"""Settings of the Slack surface, read once from the environment and checked with clear messages."""

from __future__ import annotations

import os
from dataclasses import dataclass

from jobs.settings import SettingsError, SlackSettings


@dataclass(frozen=True)
class BotSettings:
    slack: SlackSettings
    signing_secret: str | None
    app_token: str | None
    port: int
    admin_user_ids: frozenset[str]

    @property
    def socket_mode(self) -> bool:
        return self.app_token is not None

    @property
    def has_credentials(self) -> bool:
        return bool(self.slack.bot_token)

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> "BotSettings":
        env = dict(os.environ if env is None else env)
        port_text = env.get("PORT") or "3000"
        if not port_text.isdigit() or not 0 < int(port_text) < 65536:
            raise SettingsError(f"PORT must be a TCP port number, not {port_text!r}.")
        app_token = env.get("SLACK_APP_TOKEN") or None
        if app_token is not None and not app_token.startswith("xapp-"):
            raise SettingsError("SLACK_APP_TOKEN must be an app-level token starting with xapp- (Socket Mode).")
        admins = frozenset(u.strip() for u in (env.get("REPORTBOT_ADMINS") or "").split(",") if u.strip())
        return cls(
            slack=SlackSettings.from_env(env),
            signing_secret=env.get("SLACK_SIGNING_SECRET") or None,
            app_token=app_token,
            port=int(port_text),
            admin_user_ids=admins,
        )

    def require_credentials(self) -> None:
        """Raise SettingsError naming exactly what to set for the real app to start."""
        if not self.slack.bot_token:
            raise SettingsError(
                "SLACK_BOT_TOKEN is not set. Set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET (HTTP mode) "
                "or SLACK_BOT_TOKEN and SLACK_APP_TOKEN (Socket Mode); run `reportbot demo` to try it offline."
            )
        if not self.socket_mode and not self.signing_secret:
            raise SettingsError(
                "SLACK_SIGNING_SECRET is not set. HTTP mode needs it to verify requests from Slack; "
                "or set SLACK_APP_TOKEN to use Socket Mode."
            )
