"""Multi-workspace install: OAuth with slack-sdk's SQLAlchemy installation and state stores on the
app's own database (their tables come from the Alembic migrations, see storage/models/slack_install.py)."""

from __future__ import annotations

import threading
from collections.abc import Callable

from slack_bolt.oauth.oauth_settings import OAuthSettings
from slack_sdk import WebClient
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore

from bot.settings import OAuthConfig
from jobs.context import slack_client
from storage.db import Database
from storage.errors import SettingsError
from storage.installations import find_bot_token, installation_store

STATE_EXPIRATION_SECONDS = 600


def oauth_settings(config: OAuthConfig, database: Database) -> OAuthSettings:
    return OAuthSettings(
        client_id=config.client_id,
        client_secret=config.client_secret,
        scopes=list(config.scopes),
        installation_store=installation_store(database, config.client_id),
        installation_store_bot_only=True,
        state_store=SQLAlchemyOAuthStateStore(expiration_seconds=STATE_EXPIRATION_SECONDS, engine=database.engine),
        install_path=config.install_path,
        redirect_uri_path=config.redirect_uri_path,
    )


def client_for_team(config: OAuthConfig, database: Database, api_url: str) -> Callable[[str], WebClient]:
    """team id -> a WebClient with that workspace's bot token, for work done outside a request."""
    clients: dict[str, WebClient] = {}
    lock = threading.Lock()

    def for_team(team_id: str) -> WebClient:
        token = find_bot_token(database, config.client_id, team_id)
        if not token:
            raise SettingsError(f"reportbot is not installed in workspace {team_id}; install it from "
                                f"{config.install_path}.")
        with lock:
            client = clients.get(token)
            if client is None:
                client = clients[token] = slack_client(token, api_url)
            return client

    return for_team
