"""Multi-workspace install: OAuth with slack-sdk's SQLAlchemy installation and state stores on the
app's own database (their tables come from the Alembic migrations, see storage/models/slack_install.py).

Only the workspaces in REPORTBOT_ALLOWED_TEAMS (`*`: any) may install the app or use an existing
install: an outside workspace that finds the install page is refused with a page saying so, and a
workspace taken off the list is treated as not installed.
"""

from __future__ import annotations

import html
import threading
from collections.abc import Callable

from slack_bolt.error import BoltError
from slack_bolt.oauth.callback_options import CallbackOptions, FailureArgs
from slack_bolt.oauth.oauth_settings import OAuthSettings
from slack_bolt.response import BoltResponse
from slack_sdk import WebClient
from slack_sdk.oauth.installation_store import Bot, Installation, InstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore

from bot.settings import OAuthConfig
from jobs.context import slack_client, team_allowed
from storage.db import Database
from storage.errors import SettingsError
from storage.installations import find_bot_token, installation_store

STATE_EXPIRATION_SECONDS = 600


class TeamNotAllowed(BoltError):
    """A workspace outside REPORTBOT_ALLOWED_TEAMS tried to install the app."""


class AllowListedInstallations(InstallationStore):
    """The installation store, limited to the allowed workspaces."""

    def __init__(self, inner: InstallationStore, allowed: frozenset[str]) -> None:
        self.inner = inner
        self.allowed = allowed

    @property
    def logger(self):
        return self.inner.logger

    def _check(self, team_id: str | None) -> None:
        if not team_allowed(self.allowed, team_id):
            raise TeamNotAllowed(f"workspace {team_id} is not in REPORTBOT_ALLOWED_TEAMS")

    def save(self, installation: Installation) -> None:
        self._check(installation.team_id)
        self.inner.save(installation)

    def save_bot(self, bot: Bot) -> None:
        self._check(bot.team_id)
        self.inner.save_bot(bot)

    def find_bot(self, *, enterprise_id, team_id, is_enterprise_install=False):
        if not team_allowed(self.allowed, team_id):
            return None
        return self.inner.find_bot(enterprise_id=enterprise_id, team_id=team_id,
                                   is_enterprise_install=is_enterprise_install)

    def find_installation(self, *, enterprise_id, team_id, user_id=None, is_enterprise_install=False):
        if not team_allowed(self.allowed, team_id):
            return None
        return self.inner.find_installation(enterprise_id=enterprise_id, team_id=team_id, user_id=user_id,
                                            is_enterprise_install=is_enterprise_install)

    def delete_bot(self, *, enterprise_id, team_id) -> None:
        self.inner.delete_bot(enterprise_id=enterprise_id, team_id=team_id)

    def delete_installation(self, *, enterprise_id, team_id, user_id=None) -> None:
        self.inner.delete_installation(enterprise_id=enterprise_id, team_id=team_id, user_id=user_id)

    def delete_all(self, *, enterprise_id, team_id) -> None:
        self.inner.delete_all(enterprise_id=enterprise_id, team_id=team_id)


def _install_failed(args: FailureArgs) -> BoltResponse:
    """The page a person sees when the install did not go through (a refused workspace says why)."""
    if isinstance(args.error, TeamNotAllowed):
        status, text = 403, ("This Slack workspace is not allowed to install this reportbot. Ask the people who run "
                             "it to add your workspace's team id to its REPORTBOT_ALLOWED_TEAMS.")
    else:
        status, text = (args.suggested_status_code,
                        f"The installation did not complete ({args.reason}). Please try again.")
    page = (f"<!doctype html><html><head><meta charset='utf-8'><title>reportbot</title></head>"
            f"<body style='font-family: sans-serif; max-width: 40em; margin: 3em auto;'><h1>reportbot</h1>"
            f"<p>{html.escape(text)}</p></body></html>")
    return BoltResponse(status=status, body=page, headers={"Content-Type": "text/html; charset=utf-8"})


def oauth_settings(config: OAuthConfig, database: Database, allowed: frozenset[str]) -> OAuthSettings:
    return OAuthSettings(
        client_id=config.client_id,
        client_secret=config.client_secret,
        scopes=list(config.scopes),
        installation_store=AllowListedInstallations(installation_store(database, config.client_id), allowed),
        installation_store_bot_only=True,
        state_store=SQLAlchemyOAuthStateStore(expiration_seconds=STATE_EXPIRATION_SECONDS, engine=database.engine),
        install_path=config.install_path,
        redirect_uri_path=config.redirect_uri_path,
        callback_options=CallbackOptions(success=lambda args: args.default.success(args), failure=_install_failed),
    )


def client_for_team(config: OAuthConfig, database: Database, api_url: str,
                    allowed: frozenset[str]) -> Callable[[str], WebClient]:
    """team id -> a WebClient with that workspace's bot token, for work done outside a request."""
    clients: dict[str, WebClient] = {}
    lock = threading.Lock()

    def for_team(team_id: str) -> WebClient:
        token = find_bot_token(database, config.client_id, team_id) if team_allowed(allowed, team_id) else None
        if not token:
            raise SettingsError(f"reportbot is not installed in workspace {team_id} (or that workspace is not in "
                                f"REPORTBOT_ALLOWED_TEAMS); install it from {config.install_path}.")
        with lock:
            client = clients.get(token)
            if client is None:
                client = clients[token] = slack_client(token, api_url)
            return client

    return for_team
