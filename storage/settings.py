"""Storage settings, read once from the environment."""

from __future__ import annotations

import os
from dataclasses import dataclass

DEFAULT_DATABASE_URL = "sqlite:///reportbot.db"


@dataclass(frozen=True)
class StorageSettings:
    database_url: str  # where files go: storage.filestore.settings

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> StorageSettings:
        env = dict(os.environ if env is None else env)
        return cls(
            database_url=normalize_database_url(env.get("DATABASE_URL") or DEFAULT_DATABASE_URL),
        )


def normalize_database_url(url: str) -> str:
    """Map the URL forms hosting platforms hand out onto the psycopg 3 driver."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url
