"""Slack's own OAuth tables (multi-workspace install), declared on the app's metadata.

slack-sdk's `SQLAlchemyInstallationStore` and `SQLAlchemyOAuthStateStore` define these tables;
building them here from the same functions keeps one schema, created by Alembic like every other
table (the stores' `create_tables()` is never called), and lets the models-vs-migrations test see them.
"""

from __future__ import annotations

from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore

from storage.models.base import Base

BOTS_TABLE = SQLAlchemyInstallationStore.default_bots_table_name
INSTALLATIONS_TABLE = SQLAlchemyInstallationStore.default_installations_table_name
OAUTH_STATES_TABLE = SQLAlchemyOAuthStateStore.default_table_name

slack_bots = SQLAlchemyInstallationStore.build_bots_table(Base.metadata, BOTS_TABLE)
slack_installations = SQLAlchemyInstallationStore.build_installations_table(Base.metadata, INSTALLATIONS_TABLE)
slack_oauth_states = SQLAlchemyOAuthStateStore.build_oauth_states_table(Base.metadata, OAUTH_STATES_TABLE)
