"""A database or Redis that cannot be reached, said in one line for the operator (no traceback)."""

from __future__ import annotations

import os
from urllib.parse import urlsplit, urlunsplit

import redis.exceptions
import sqlalchemy.exc
from sqlalchemy.engine import make_url

UNREACHABLE = (sqlalchemy.exc.OperationalError, sqlalchemy.exc.InterfaceError,
               redis.exceptions.ConnectionError, redis.exceptions.TimeoutError)


def explain(exc: BaseException) -> str:
    """What could not be reached, where (password hidden), why, and what to check."""
    if isinstance(exc, sqlalchemy.exc.DBAPIError):
        from storage.db import get_database

        where = _without_password_sql(get_database().url)
        return (f"cannot use the database at {where}: {_first_line(exc.orig or exc)}. "
                "Check DATABASE_URL, and that the database server is running.")
    where = _without_password(os.environ.get("REDIS_URL", "")) or "REDIS_URL"
    return f"cannot reach Redis at {where}: {_first_line(exc)}. Check REDIS_URL and that Redis is running."


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return (text[0] if text else type(exc).__name__)[:300].rstrip(".")


def _without_password_sql(url: str) -> str:
    try:
        return make_url(url).render_as_string(hide_password=True)
    except sqlalchemy.exc.ArgumentError:
        return "DATABASE_URL"


def _without_password(url: str) -> str:
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    netloc = f"{parts.username or ''}:***@{host}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=netloc))
