"""One guarded session on a data source: connect, go read-only, refuse a privileged login, run, roll back.

Each backend module (`postgres`, `mysql`, `sqlite`) provides `engine(source, watchdog)` and a session
class with `begin(timezone)`, `stream(sql, args, meter)`, `explain(sql, args)`, `cancel()`,
`inspect()` (problems and warnings for `reportbot status`) and `translate(error)`. This module picks
the backend, turns driver errors into messages for people (never the URL) and always rolls back.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from reports.sources.config import DataSource
from reports.sources.errors import (
    DataSourceError,
    QueryTimeout,
    SourceUnavailable,
    UnsafeQuery,
)
from reports.sources.limits import Watchdog, timeout_error

log = logging.getLogger(__name__)

_BACKENDS = {"postgresql": "reports.sources.postgres", "mysql": "reports.sources.mysql",
             "sqlite": "reports.sources.sqlite"}


def backend_module(source: DataSource):
    """The module that knows this source's database family."""
    return importlib.import_module(_BACKENDS[source.family])


def compile_statement(conn: Connection, sql: str, bindings: dict[str, object]) -> tuple[str, Any]:
    """The driver's own SQL text and arguments for a `text()`-style statement with :named parameters."""
    compiled = text(sql).compile(dialect=conn.dialect)
    params = compiled.construct_params(bindings)
    if conn.dialect.positional:
        return compiled.string, tuple(params[name] for name in compiled.positiontup)
    return compiled.string, params


@contextmanager
def open_session(source: DataSource, watchdog: Watchdog, timezone: str = "UTC") -> Iterator[Any]:
    """A read-only session on the source, rolled back (or dropped, after an error) at the end."""
    backend = backend_module(source)
    engine = backend.engine(source, watchdog)
    driver_error = engine.dialect.loaded_dbapi.Error
    session = None
    try:
        try:
            conn = engine.connect()
        except PoolTimeout:
            raise QueryTimeout(f"Every connection to “{source.name}” stayed busy for its "
                               f"{source.timeout_seconds:g}-second limit.") from None
        except (DBAPIError, driver_error) as exc:
            log.warning("data source %s (%s) unreachable: %s", source.name, source.safe_url,
                        getattr(exc, "orig", None) or exc)
            raise SourceUnavailable(f"The data source “{source.name}” cannot be reached right now. "
                                    "If this keeps happening, ask an admin to check it.") from None
        try:
            session = backend.Session(source, conn, watchdog)
            session.begin(timezone)
            yield session
            conn.rollback()  # nothing was written, and nothing may be
        except BaseException:
            conn.invalidate()  # drop the connection: a rollback could wait on a statement still running
            raise
        finally:
            conn.close()
    except DBAPIError as exc:
        raise translate(exc.orig or exc, source, session, watchdog) from None
    except driver_error as exc:
        raise translate(exc, source, session, watchdog) from None
    finally:
        if not getattr(backend, "POOLED", False):
            engine.dispose()


def translate(error: BaseException, source: DataSource, session, watchdog: Watchdog) -> DataSourceError:
    """Turn a driver error into a message for the schedule's owner (never the URL or the login)."""
    specific = session.translate(error) if session is not None else None
    if specific is not None:
        return specific
    message = scrub((str(error).strip().splitlines() or [type(error).__name__])[0][:300], source)
    lowered = message.lower()
    if watchdog.fired or "interrupted" in lowered or getattr(error, "sqlstate", None) == "57014":
        return timeout_error(source)
    if "read-only" in lowered or "read only" in lowered or "readonly database" in lowered:
        return UnsafeQuery(f"The data source “{source.name}” is read-only and refused the query ({message}). "
                           "Reports can only read data.")
    log.info("query on data source %s failed: %s", source.name, message)
    return DataSourceError(f"The query failed on “{source.name}”: {message}")


def scrub(message: str, source: DataSource) -> str:
    """Take the source's password, login, host and database name out of a driver message."""
    url = source.url
    for secret, shown in ((url.password, "…"), (url.username, "(the source's login)"), (url.host, "(host)"),
                          (url.database if source.family != "sqlite" else None, "(database)")):
        if secret and len(str(secret)) >= 3:
            message = message.replace(str(secret), shown)
    return message
