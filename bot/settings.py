"""Settings of the Slack surface, read once from the environment and checked with clear messages."""

from __future__ import annotations

import ipaddress
import os
from dataclasses import dataclass

from jobs.settings import SlackSettings
from storage.errors import SettingsError

# The bot scopes the app asks for when installed through OAuth (kept equal to manifest.yml).
DEFAULT_SCOPES = (
    "commands", "chat:write", "chat:write.public", "files:write", "im:write", "im:history", "users:read",
    "users:read.email", "channels:read", "groups:read", "channels:join", "channels:history", "groups:history",
    "app_mentions:read",
)


def _networks(env: dict[str, str], name: str) -> tuple[str, ...]:
    networks = []
    for item in (env.get(name) or "").split(","):
        if item.strip():
            try:
                networks.append(str(ipaddress.ip_network(item.strip(), strict=False)))
            except ValueError:
                raise SettingsError(f"{name}: {item.strip()!r} is not an IP address or network.") from None
    return tuple(networks)


@dataclass(frozen=True)
class OAuthConfig:
    """Multi-workspace install: Slack's OAuth client and the scopes to ask for."""

    client_id: str
    client_secret: str
    scopes: tuple[str, ...] = DEFAULT_SCOPES
    install_path: str = "/slack/install"
    redirect_uri_path: str = "/slack/oauth_redirect"


@dataclass(frozen=True)
class BotSettings:
    slack: SlackSettings
    signing_secret: str | None
    app_token: str | None
    port: int
    oauth: OAuthConfig | None = None
    # Proxies in front of the web process whose X-Forwarded-For is believed (addresses or networks);
    # from anyone else the header is ignored and the connecting address is recorded.
    trusted_proxies: tuple[str, ...] = ()
    # Requests one REST API token may make per minute (per web process); more get 429.
    api_rate_per_minute: int = 120

    @property
    def socket_mode(self) -> bool:
        return self.app_token is not None

    @property
    def has_credentials(self) -> bool:
        return bool(self.slack.bot_token) or self.oauth is not None

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> BotSettings:
        env = dict(os.environ if env is None else env)
        port_text = env.get("PORT") or "3000"
        if not port_text.isdigit() or not 0 < int(port_text) < 65536:
            raise SettingsError(f"PORT must be a TCP port number, not {port_text!r}.")
        app_token = env.get("SLACK_APP_TOKEN") or None
        if app_token is not None and not app_token.startswith("xapp-"):
            raise SettingsError("SLACK_APP_TOKEN must be an app-level token starting with xapp- (Socket Mode).")
        client_id, client_secret = env.get("SLACK_CLIENT_ID") or None, env.get("SLACK_CLIENT_SECRET") or None
        if bool(client_id) != bool(client_secret):
            raise SettingsError("Set both SLACK_CLIENT_ID and SLACK_CLIENT_SECRET for multi-workspace install, "
                                "or neither for a single workspace.")
        rate_text = (env.get("REPORTBOT_API_RATE_PER_MINUTE") or "120").strip()
        if not rate_text.isdigit() or not 0 < int(rate_text) <= 100_000:
            raise SettingsError(f"REPORTBOT_API_RATE_PER_MINUTE must be a whole number of requests (1-100000), "
                                f"not {rate_text[:20]!r}.")
        oauth = None
        if client_id and client_secret:
            scopes = tuple(s.strip() for s in (env.get("SLACK_SCOPES") or "").split(",") if s.strip())
            oauth = OAuthConfig(client_id, client_secret, scopes or DEFAULT_SCOPES)
        return cls(
            slack=SlackSettings.from_env(env),
            signing_secret=env.get("SLACK_SIGNING_SECRET") or None,
            app_token=app_token,
            port=int(port_text),
            oauth=oauth,
            trusted_proxies=_networks(env, "REPORTBOT_TRUSTED_PROXIES"),
            api_rate_per_minute=int(rate_text),
        )

    def require_credentials(self) -> None:
        """Raise SettingsError naming exactly what to set for the real app to start."""
        if self.oauth is not None:
            if not self.signing_secret:
                raise SettingsError("SLACK_SIGNING_SECRET is not set. Multi-workspace install (SLACK_CLIENT_ID) "
                                    "needs it to verify requests from Slack.")
            return
        if not self.slack.bot_token:
            raise SettingsError(
                "SLACK_BOT_TOKEN is not set. Set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET (HTTP mode) "
                "or SLACK_BOT_TOKEN and SLACK_APP_TOKEN (Socket Mode), or SLACK_CLIENT_ID, SLACK_CLIENT_SECRET and "
                "SLACK_SIGNING_SECRET to install in several workspaces; run `reportbot demo` to try it offline."
            )
        if not self.socket_mode and not self.signing_secret:
            raise SettingsError(
                "SLACK_SIGNING_SECRET is not set. HTTP mode needs it to verify requests from Slack; "
                "or set SLACK_APP_TOKEN to use Socket Mode."
            )
