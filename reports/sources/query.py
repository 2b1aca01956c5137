"""Run one guarded query read-only against a data source, streaming it into a spool.

Read-only is enforced by the database, not by trusting the SQL:

* PostgreSQL: `SET TRANSACTION READ ONLY`, `statement_timeout`, and a server-side cursor (`DECLARE …
  CURSOR` accepts only a plain query); the transaction is always rolled back.
* SQLite: the file is opened with `mode=ro`, an authorizer allows only reads, and a progress handler
  aborts the query when its time is up.

The time limit counts time spent in the database (execute and each fetch), not the time renderers
spend later; PostgreSQL also enforces it per statement on the server, so a runaway query is
cancelled there even if this process stalls. The row cap is counted while streaming and stops
the query as soon as it is passed.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import os
import sqlite3
import threading
import time
import urllib.parse
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import create_engine, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.pool import NullPool

from reports.sources.config import DataSource, DataSourceError
from reports.sources.guard import GuardedQuery, UnsafeQuery
from reports.sources.spool import RowSpool
from reports.table import Column, ColumnType, column_type_of
from reports.window import Window

log = logging.getLogger(__name__)

BATCH_ROWS = 5_000
CONNECT_TIMEOUT = 10
# PostgreSQL sources, per source and worker process: connections kept open, more while busy (a
# worker's threads, each fetching up to two alert checks at once), and the age at which one is replaced.
POOL_IDLE, POOL_OVERFLOW, POOL_RECYCLE = 4, 12, 300
# Authorizer action codes a read needs; everything else (writes, ATTACH, PRAGMA, DDL) is denied.
_SQLITE_READ_ACTIONS = frozenset({sqlite3.SQLITE_SELECT, sqlite3.SQLITE_READ, sqlite3.SQLITE_FUNCTION,
                                  sqlite3.SQLITE_RECURSIVE, sqlite3.SQLITE_TRANSACTION})


class QueryTimeout(DataSourceError):
    """The query used up the source's time limit."""


class RowLimitExceeded(DataSourceError):
    """The query returned more rows than the cap allows."""


class SourceUnavailable(DataSourceError):
    """The database could not be reached or opened."""


@dataclass
class QueryResult:
    columns: list[Column]
    rows: RowSpool  # callable: a fresh iterator over the spooled rows per call
    row_count: int


def window_bindings(window: Window, backend: str, wanted: tuple[str, ...]) -> dict[str, object]:
    """Values for :window_start, :window_end (UTC instants), :window_start_date / :window_end_date
    (local dates, end exclusive) and :timezone."""
    last_local_day = (window.end - dt.timedelta(microseconds=1)).astimezone(window.zone).date()
    values: dict[str, object] = {
        "window_start": window.start, "window_end": window.end,
        "window_start_date": window.local_start.date(),
        "window_end_date": max(last_local_day + dt.timedelta(days=1), window.local_start.date()),
        "timezone": window.timezone,
    }
    if backend == "sqlite":
        # SQLite has no timestamp type; this is the text form its own datetime() produces, so
        # `datetime(created_at) >= :window_start` works whatever format the column holds.
        values = {k: (v.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S") if isinstance(v, dt.datetime)
                      else v.isoformat() if isinstance(v, dt.date) else v) for k, v in values.items()}
    return {name: values[name] for name in wanted}


def run_query(source: DataSource, query: GuardedQuery, bindings: dict[str, object], *, timezone: str,
              max_rows: int | None = None, spool_dir: str | os.PathLike | None = None) -> QueryResult:
    """Stream the query's rows into a spool; raise a DataSourceError subclass with a clear message."""
    cap = min(max_rows or source.max_rows, source.max_rows)
    budget = _Budget(source.timeout_seconds)
    engine = _engine(source, budget)
    driver_error = engine.dialect.loaded_dbapi.Error
    spool = RowSpool(spool_dir)
    try:
        try:
            conn = engine.connect()
        except DBAPIError as exc:
            log.warning("data source %s (%s) unreachable: %s", source.name, source.safe_url, exc.orig)
            raise SourceUnavailable(f"The data source “{source.name}” cannot be reached right now. "
                                    "If this keeps happening, ask an admin to check it.") from None
        except PoolTimeout:
            raise QueryTimeout(f"Every connection to “{source.name}” stayed busy for its "
                               f"{source.timeout_seconds:g}-second limit.") from None
        with conn:
            _begin_read_only(conn, source, timezone)
            columns, count = _stream(conn, query, bindings, spool, budget, cap, source)
            conn.rollback()  # nothing was written, and nothing may be
        spool.finish()
        return QueryResult(columns=columns, rows=spool, row_count=count)
    except DBAPIError as exc:
        spool.close()
        raise _translate(exc.orig or exc, source) from None
    except driver_error as exc:
        spool.close()
        raise _translate(exc, source) from None
    except BaseException:
        spool.close()
        raise
    finally:
        if source.backend == "sqlite":
            engine.dispose()


def _stream(conn: Connection, query: GuardedQuery, bindings: dict[str, object], spool: RowSpool,
            budget: _Budget, cap: int, source: DataSource) -> tuple[list[Column], int]:
    # SQLAlchemy turns the named parameters into the driver's style; the rows are then fetched
    # from the driver's own cursor, because building a SQLAlchemy Row per row doubled the cost of
    # a million-row report. On PostgreSQL a named (server-side) cursor streams: each fetch is a
    # FETCH of one batch, and statement_timeout applies to each.
    compiled = text(query.sql).compile(dialect=conn.dialect)
    params = compiled.construct_params(bindings)
    args = tuple(params[name] for name in compiled.positiontup) if conn.dialect.positional else params
    raw = conn.connection.dbapi_connection
    cursor = raw.cursor(name=f"reportbot_{uuid.uuid4().hex[:12]}") if source.backend == "postgresql" else raw.cursor()
    try:
        with budget.running():
            cursor.execute(compiled.string, args)
        if cursor.description is None and source.backend != "postgresql":
            raise UnsafeQuery("The statement returned no rows; write a SELECT.")
        typer: _ColumnTyper | None = None
        names: list[str] = []
        count = 0
        while True:
            with budget.running():
                batch = cursor.fetchmany(BATCH_ROWS)
            budget.check(source)
            if typer is None:  # a server-side cursor describes its columns after the first FETCH
                names = [d[0] for d in cursor.description or ()]
                typer = _ColumnTyper(len(names), fixed_types=source.backend == "postgresql")
            if not batch:
                break
            count += len(batch)
            if count > cap:
                raise RowLimitExceeded(f"The query returned more than {cap:,} rows, the limit for “{source.name}”. "
                                       "Aggregate it, shorten the window, or ask an admin to raise max_rows.")
            typer.observe(batch)
            spool.write(batch)
        return typer.columns(names), count
    finally:
        cursor.close()


class _Budget:
    """Seconds spent inside the database so far, against the source's limit."""

    def __init__(self, limit: float) -> None:
        self.limit = limit
        self.used = 0.0
        self._since: float | None = None

    @contextmanager
    def running(self) -> Iterator[None]:
        self._since = time.monotonic()
        try:
            yield
        finally:
            self.used += time.monotonic() - self._since
            self._since = None

    def over(self) -> bool:
        running = time.monotonic() - self._since if self._since is not None else 0.0
        return self.used + running > self.limit

    def check(self, source: DataSource) -> None:
        if self.over():
            raise _timeout(source)


def _timeout(source: DataSource) -> QueryTimeout:
    return QueryTimeout(f"The query on “{source.name}” ran longer than its {source.timeout_seconds:g}-second limit. "
                        "Narrow it (a shorter window, fewer rows) or ask an admin to raise timeout_seconds.")


def _engine(source: DataSource, budget: _Budget) -> Engine:
    # SQLite: NullPool, one connection per run (the time budget is bound into it), closed after it.
    if source.backend == "sqlite":
        path = os.path.abspath(source.url.database)

        def connect() -> sqlite3.Connection:
            uri = f"file:{urllib.parse.quote(path)}?mode=ro"
            raw = sqlite3.connect(uri, uri=True, check_same_thread=False, timeout=CONNECT_TIMEOUT)
            raw.set_progress_handler(lambda: 1 if budget.over() else 0, 10_000)
            return raw

        return create_engine("sqlite://", creator=connect, poolclass=NullPool)
    return _pooled_engine(source)


_pooled: dict[tuple[str, float], Engine] = {}
_pooled_lock = threading.Lock()


def _pooled_engine(source: DataSource) -> Engine:
    """One engine per PostgreSQL source and process, keeping a few connections open between queries.

    Alerts check a source every minute: a new connection each time costs the database a process
    start, and the client a handshake, several times the query itself. Every transaction is read
    only and rolled back, and its time limit and zone are SET LOCAL, so nothing carries over from
    one query to the next. Connections older than POOL_RECYCLE are replaced when next taken.
    """
    key = (source.url.render_as_string(hide_password=False), source.timeout_seconds)  # in memory only, never shown
    with _pooled_lock:
        engine = _pooled.get(key)
        if engine is None:
            engine = _pooled[key] = create_engine(
                source.url, pool_size=POOL_IDLE, max_overflow=POOL_OVERFLOW, pool_recycle=POOL_RECYCLE,
                pool_pre_ping=True, pool_timeout=source.timeout_seconds,  # waiting counts as the query's time
                connect_args={"connect_timeout": CONNECT_TIMEOUT, "application_name": "reportbot"})
        return engine


def _sqlite_read_only(action: int, *_args: object) -> int:
    return sqlite3.SQLITE_OK if action in _SQLITE_READ_ACTIONS else sqlite3.SQLITE_DENY


def _begin_read_only(conn: Connection, source: DataSource, timezone: str) -> None:
    if source.backend == "sqlite":
        # Installed here, after SQLAlchemy's own first-connect PRAGMAs, and before the user's SQL.
        conn.connection.dbapi_connection.set_authorizer(_sqlite_read_only)
        return
    conn.exec_driver_sql("SET TRANSACTION READ ONLY")
    # set_config(…, true) is SET LOCAL with bind parameters: it ends with the transaction.
    # The session zone makes date_trunc('day', …) and timestamptz output follow the schedule's zone.
    conn.execute(text("SELECT set_config('statement_timeout', :ms, true), set_config('TimeZone', :tz, true)"),
                 {"ms": str(max(1, math.ceil(source.timeout_seconds * 1000))), "tz": timezone})


def _translate(error: BaseException, source: DataSource) -> DataSourceError:
    """Turn a driver error into a message for the schedule's owner (never the URL)."""
    state = getattr(error, "sqlstate", None)
    message = (str(error).strip().splitlines() or [type(error).__name__])[0][:300]
    lowered = message.lower()
    if state == "57014" or lowered == "interrupted":
        return _timeout(source)
    if (state == "25006" or (state == "0A000" and "data-modifying" in lowered) or "not authorized" in lowered or "readonly database" in lowered
            or "read-only" in lowered):
        return UnsafeQuery(f"The data source “{source.name}” is read-only and refused the query ({message}). "
                           "Reports can only read data.")
    if "unable to open database file" in lowered:
        return SourceUnavailable(f"The data source “{source.name}” cannot be opened right now. "
                                 "Ask an admin to check it.")
    log.info("query on data source %s failed: %s", source.name, message)
    return DataSourceError(f"The query failed on “{source.name}”: {message}")


class _ColumnTyper:
    """Column types from the values themselves: text() queries carry no portable type info."""

    def __init__(self, width: int, *, fixed_types: bool) -> None:
        self.types: list[ColumnType | None] = [None] * width
        # PostgreSQL columns have one type, so the first value decides; SQLite values may vary per row.
        self.fixed_types = fixed_types
        self.open = set(range(width))

    def observe(self, rows: list[tuple]) -> None:
        for i in list(self.open):
            seen = {type(r[i]) for r in rows}
            seen.discard(type(None))
            for kind in seen:
                self.types[i] = _merge(self.types[i], column_type_of(kind))
            if self.types[i] is not None and (self.fixed_types or self.types[i] == ColumnType.TEXT):
                self.open.discard(i)

    def columns(self, names: list[str]) -> list[Column]:
        unique: list[str] = []
        for name in names:
            base, n = name or "column", 2
            candidate = base
            while candidate in unique:  # renderers and the summary key columns by name
                candidate, n = f"{base}_{n}", n + 1
            unique.append(candidate)
        return [Column(name, kind or ColumnType.TEXT) for name, kind in zip(unique, self.types, strict=True)]


def _merge(a: ColumnType | None, b: ColumnType) -> ColumnType:
    if a is None or a == b:
        return b
    pair = {a, b}
    if pair == {ColumnType.INTEGER, ColumnType.NUMBER}:
        return ColumnType.NUMBER
    if pair == {ColumnType.DATE, ColumnType.DATETIME}:
        return ColumnType.DATETIME
    return ColumnType.TEXT
