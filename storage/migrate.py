"""Apply the Alembic migrations programmatically (the app, the CLI and the tests all use this)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

from storage.db import Database

MIGRATIONS_DIR = Path(__file__).with_name("migrations")


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(database: Database, revision: str = "head") -> None:
    """Bring the database schema up to `revision`."""
    with database.engine.begin() as connection:
        config = alembic_config(database.url)
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
