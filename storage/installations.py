"""Bot tokens of the workspaces that installed the app through OAuth (multi-workspace install).

Read from slack-sdk's own installation tables (see storage/models/slack_install.py), so work done
outside a Slack request — the worker, the clock, the CLI — finds each workspace's token the same
way the Bolt app does.
"""

from __future__ import annotations

from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore

from storage.db import Database


def installation_store(database: Database, client_id: str) -> SQLAlchemyInstallationStore:
    return SQLAlchemyInstallationStore(client_id=client_id, engine=database.engine)


def find_bot_token(database: Database, client_id: str, team_id: str) -> str | None:
    """The bot token the workspace's latest install gave, or None when it is not installed."""
    bot = installation_store(database, client_id).find_bot(enterprise_id=None, team_id=team_id)
    return bot.bot_token if bot is not None else None
