"""SQLite sources: a file opened read-only, an authorizer that allows reads and ordinary functions only,
SQLite's own length limit as the cell cap, and an interrupt at the deadline."""

from __future__ import annotations

import os
import sqlite3
import urllib.parse
from collections.abc import Iterator

from sqlalchemy import create_engine
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.pool import NullPool

from reports.sources.config import DataSource
from reports.sources.errors import DataSourceError, SourceUnavailable, UnsafeQuery
from reports.sources.limits import (
    ResultMeter,
    Watchdog,
    batches,
    cell_too_large,
    read_rows,
)

CONNECT_TIMEOUT = 10
# Authorizer action codes a read needs; everything else (writes, ATTACH, PRAGMA, DDL) is denied.
_READ_ACTIONS = frozenset({sqlite3.SQLITE_SELECT, sqlite3.SQLITE_READ, sqlite3.SQLITE_RECURSIVE,
                           sqlite3.SQLITE_TRANSACTION})
# Functions a report needs: core scalar, aggregate, window, date/time, math and JSON functions. Anything
# else is refused: some built-ins reach past SQL (load_extension, fts3_tokenizer hands out a native
# pointer), others report on the build, and an application can register more on a connection.
ALLOWED_FUNCTIONS = frozenset("""
    abs changes char coalesce concat concat_ws format glob hex ifnull iif instr length like likelihood likely
    lower ltrim max min nullif octet_length printf quote random replace round rtrim sign soundex substr
    substring trim typeof unhex unicode unlikely upper
    avg count group_concat string_agg sum total
    row_number rank dense_rank percent_rank cume_dist ntile lag lead first_value last_value nth_value
    date time datetime julianday unixepoch strftime timediff
    acos acosh asin asinh atan atan2 atanh ceil ceiling cos cosh degrees exp floor ln log log10 log2 mod pi pow
    power radians sin sinh sqrt tan tanh trunc
    json jsonb json_array jsonb_array json_array_length json_error_position json_extract jsonb_extract -> ->>
    json_insert jsonb_insert json_object jsonb_object json_patch jsonb_patch json_pretty json_remove jsonb_remove
    json_replace jsonb_replace json_set jsonb_set json_type json_valid json_quote json_group_array
    jsonb_group_array json_group_object jsonb_group_object json_each json_tree
""".split()) - {"changes"}


def engine(source: DataSource, watchdog: Watchdog) -> Engine:
    path = os.path.abspath(source.url.database)

    def connect() -> sqlite3.Connection:
        raw = sqlite3.connect(f"file:{urllib.parse.quote(path)}?mode=ro", uri=True, check_same_thread=False,
                              timeout=CONNECT_TIMEOUT)
        raw.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, source.max_cell_bytes)  # SQLite refuses to build larger
        raw.set_progress_handler(lambda: 1 if watchdog.expired() else 0, 10_000)
        return raw

    # NullPool: one connection per run, closed after it.
    return create_engine("sqlite://", creator=connect, poolclass=NullPool)


class Session:
    """One read-only SQLite connection."""

    def __init__(self, source: DataSource, conn: Connection, watchdog: Watchdog) -> None:
        self.source, self.conn, self.watchdog = source, conn, watchdog
        self.raw: sqlite3.Connection = conn.connection.dbapi_connection
        self.denied_function: str | None = None

    def begin(self, timezone: str) -> None:
        # Installed here, after SQLAlchemy's own first-connect PRAGMAs, and before the user's SQL.
        self.raw.set_authorizer(self._authorize)

    def _authorize(self, action: int, arg1: str | None, arg2: str | None, *_: object) -> int:
        if action == sqlite3.SQLITE_FUNCTION:
            if (arg2 or "").lower() in ALLOWED_FUNCTIONS:
                return sqlite3.SQLITE_OK
            self.denied_function = arg2
            return sqlite3.SQLITE_DENY
        return sqlite3.SQLITE_OK if action in _READ_ACTIONS else sqlite3.SQLITE_DENY

    def cancel(self) -> None:
        self.raw.interrupt()

    def stream(self, sql: str, args, meter: ResultMeter) -> Iterator[list[tuple]]:
        cursor = self.raw.cursor()
        cursor.execute(sql, args)
        if cursor.description is None:
            raise UnsafeQuery("The statement returned no rows; write a SELECT.")
        meter.names = [d[0] for d in cursor.description]
        step = read_rows(self.source.max_cell_bytes, len(meter.names))
        yield from batches(lambda: cursor.fetchmany(step), meter)

    def explain(self, sql: str, args) -> None:
        # Compiling the statement is the whole check: the authorizer and the parser run then.
        self.raw.execute(f"EXPLAIN QUERY PLAN {sql}", args).fetchall()

    def inspect(self) -> tuple[list[str], list[str]]:
        self.raw.execute("select count(*) from sqlite_schema").fetchone()
        return [], []

    def translate(self, error: BaseException) -> DataSourceError | None:
        message = str(error).lower()
        if self.denied_function and "not authorized" in message:
            return UnsafeQuery(f"{self.denied_function}() is not allowed in reports on “{self.source.name}”. "
                               "Reports can use the ordinary SQL functions (text, numbers, dates, JSON, "
                               "aggregates and window functions).")
        if "string or blob too big" in message:
            return cell_too_large(self.source, None)
        if "not authorized" in message:
            return UnsafeQuery(f"The data source “{self.source.name}” is read-only and refused the query "
                               "(not authorized). Reports can only read data.")
        if "unable to open database file" in message:
            return SourceUnavailable(f"The data source “{self.source.name}” cannot be opened right now. "
                                     "Ask an admin to check it.")
        return None
