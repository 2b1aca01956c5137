"""MySQL and MariaDB sources (PyMySQL): a READ ONLY transaction, a time limit the query cannot lift,
accounts with administrative grants refused, rows streamed with an unbuffered cursor.

Time: the server's per-statement limit (`max_statement_time` on MariaDB, `max_execution_time` on MySQL)
is set from the remaining budget before the statement, and a SELECT cannot change a session variable;
the client-side watchdog also sends `KILL QUERY` from a second connection at the deadline. Sessions run
in UTC, the window's instants are bound as UTC values. A row is never larger than its columns' declared
lengths nor than the server's `max_allowed_packet`, which bounds each read; the byte caps are checked as
rows arrive (a value over max_allowed_packet is refused, or returned as NULL with a warning, by the
server itself).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator

import pymysql
import pymysql.cursors
from sqlalchemy import create_engine
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.pool import NullPool

from reports.sources.config import DataSource
from reports.sources.errors import DataSourceError, UnsafeQuery, privileged_source
from reports.sources.limits import (
    ResultMeter,
    Watchdog,
    batches,
    cell_too_large,
    read_rows,
    timeout_error,
)
from reports.sources.session import scrub

log = logging.getLogger(__name__)

CONNECT_TIMEOUT = 10
# Global grants a report never needs: each reads files or other sessions, changes the server or accounts.
ADMIN_PRIVILEGES = frozenset({"ALL", "ALL PRIVILEGES", "SUPER", "FILE", "PROCESS", "SHUTDOWN", "RELOAD",
                              "CREATE USER", "REPLICATION SLAVE", "REPLICATION CLIENT", "SET USER", "BINLOG MONITOR",
                              "BINLOG REPLAY", "SLAVE MONITOR", "REPLICA MONITOR", "CREATE TABLESPACE"})
_GRANT = re.compile(r"^GRANT (.+?) ON (\S+) TO ", re.IGNORECASE)
_TIMEOUT_CODES = frozenset({1317, 1969, 3024})  # interrupted (KILL QUERY), max_statement_time, max_execution_time
_READ_ONLY_CODES = frozenset({1792, 1207})      # read-only transaction, read-only server
_TOO_LARGE_CODES = frozenset({1153, 1301})      # packet too large, result over max_allowed_packet


def engine(source: DataSource, watchdog: Watchdog) -> Engine:
    # read_timeout is a last resort if the server stops answering; the watchdog acts long before it.
    return create_engine(source.url, poolclass=NullPool,
                         connect_args={"connect_timeout": CONNECT_TIMEOUT, "charset": "utf8mb4",
                                       "read_timeout": int(source.timeout_seconds) + 60,
                                       "write_timeout": int(source.timeout_seconds) + 60})


def kill_query(source: DataSource, thread_id: int) -> None:
    """Stop the statement running on connection `thread_id`, from a second connection of the same login."""
    killer = engine(source, Watchdog(CONNECT_TIMEOUT))
    try:
        raw = killer.raw_connection()
        try:
            with raw.cursor() as cursor:
                cursor.execute("KILL QUERY %s", (int(thread_id),))
        finally:
            raw.close()
    finally:
        killer.dispose()


class Session:
    """One READ ONLY transaction on MySQL or MariaDB."""

    def __init__(self, source: DataSource, conn: Connection, watchdog: Watchdog) -> None:
        self.source, self.conn, self.watchdog = source, conn, watchdog
        self.raw: pymysql.connections.Connection = conn.connection.dbapi_connection
        self.product = "MariaDB" if "mariadb" in self.raw.get_server_info().lower() else "MySQL"
        self.thread_id = self.raw.thread_id()
        self.max_packet = 64 << 20

    def begin(self, timezone: str) -> None:
        with self.raw.cursor() as cursor:
            cursor.execute("SET SESSION time_zone = '+00:00'")
            cursor.execute("SET SESSION TRANSACTION READ ONLY")
            self._arm_server_limit(cursor)
            cursor.execute("START TRANSACTION READ ONLY")
            cursor.execute("SELECT @@max_allowed_packet")
            self.max_packet = int(cursor.fetchone()[0])
        refused = self._admin_grants()
        if refused:
            raise privileged_source(self.source.name, f"a {self.product} account with {', '.join(refused)} grants")

    def _arm_server_limit(self, cursor) -> None:
        remaining = max(0.001, self.watchdog.remaining())
        if self.product == "MariaDB":
            cursor.execute("SET SESSION max_statement_time = %s", (round(remaining, 3),))
        else:  # MySQL: milliseconds, SELECT statements only (the only ones that get this far)
            cursor.execute("SET SESSION max_execution_time = %s", (max(1, int(remaining * 1000)),))

    def _admin_grants(self) -> list[str]:
        """The administrative privileges among the login's grants (its own and its default role's)."""
        with self.raw.cursor() as cursor:
            cursor.execute("SHOW GRANTS")
            lines = [row[0] for row in cursor.fetchall()]
        found: list[str] = []
        for line in lines:
            grant = _GRANT.match(line)
            if not grant:
                continue  # a role granted to the login: its privileges are listed on their own lines
            privileges, scope = [p.strip().upper() for p in grant.group(1).split(",")], grant.group(2)
            if scope == "*.*":
                found += [p for p in privileges if p in ADMIN_PRIVILEGES or p.endswith("ADMIN")]
            elif "PROXY" in privileges:
                found.append("PROXY")
            elif scope.strip("`").lower().startswith("mysql"):
                found.append("privileges on the mysql system database")
            if "WITH GRANT OPTION" in line.upper():
                found.append("GRANT OPTION")
        return sorted(set(found))

    def cancel(self) -> None:
        kill_query(self.source, self.thread_id)

    def stream(self, sql: str, args, meter: ResultMeter) -> Iterator[list[tuple]]:
        with self.raw.cursor() as cursor:
            self._arm_server_limit(cursor)
        cursor = self.raw.cursor(pymysql.cursors.SSCursor)  # unbuffered: rows are read as they are used
        cursor.execute(sql, args)
        if cursor.description is None:
            raise UnsafeQuery("The statement returned no rows; write a SELECT.")
        meter.names = [d[0] for d in cursor.description]
        # The server declares each column's largest length, and no row is larger than one packet.
        declared = sum(d[3] or self.max_packet for d in cursor.description)
        step = read_rows(min(self.max_packet, declared))
        try:
            yield from batches(lambda: list(cursor.fetchmany(step)), meter)
        except BaseException:
            self._abandon(cursor)
            raise
        cursor.close()

    def _abandon(self, cursor) -> None:
        """Stop the statement before closing: closing an unbuffered cursor reads the rest of its rows first."""
        try:
            self.cancel()
            cursor.close()
        except Exception:  # the connection is dropped next anyway
            log.debug("abandoning a MySQL/MariaDB result failed", exc_info=True)

    def explain(self, sql: str, args) -> None:
        with self.raw.cursor() as cursor:
            self._arm_server_limit(cursor)
            cursor.execute(f"EXPLAIN {sql}", args)
            cursor.fetchall()

    def inspect(self) -> tuple[list[str], list[str]]:
        return [], []

    def translate(self, error: BaseException) -> DataSourceError | None:
        code = error.args[0] if error.args and isinstance(error.args[0], int) else None
        if code in _TIMEOUT_CODES:
            return timeout_error(self.source)
        if code in _READ_ONLY_CODES:
            return UnsafeQuery(f"The data source “{self.source.name}” is read-only and refused the query "
                               "(a read-only transaction). Reports can only read data.")
        if code in _TOO_LARGE_CODES:
            return cell_too_large(self.source, None)
        if code is not None and len(error.args) > 1:  # PyMySQL's text is "(code, 'message')"
            return DataSourceError(f"The query failed on “{self.source.name}”: "
                                   f"{scrub(str(error.args[1]), self.source)}")
        return None
