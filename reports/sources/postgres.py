"""PostgreSQL sources: a READ ONLY transaction, limits the query cannot lift, privileged roles refused,
and the cell cap checked by the server before a value is sent.

Time: the query runs as one statement (streamed in chunks, not a cursor FETCHed statement by statement),
so the `statement_timeout` armed when it starts cannot be switched off by the query itself; it is set
from the remaining budget before every statement, and the client-side watchdog cancels at the deadline.
`client_connection_check_interval` ends the statement soon after this process dies (the server checks
the socket while it works), and `idle_in_transaction_session_timeout` ends a session whose client
stalls between statements.
"""

from __future__ import annotations

import logging
import math
import re
import threading
from collections.abc import Iterator
from itertools import islice

import psycopg
from sqlalchemy import create_engine
from sqlalchemy.engine import Connection, Engine

from reports.sources.config import DataSource
from reports.sources.errors import DataSourceError, UnsafeQuery, privileged_source
from reports.sources.limits import (
    ResultMeter,
    Watchdog,
    batches,
    cell_too_large,
    read_rows,
)

log = logging.getLogger(__name__)

CONNECT_TIMEOUT = 10
CONNECTION_CHECK_MS = 1_000
IDLE_IN_TRANSACTION_MS = 30_000
# Roles whose members read or write server files, run programs, or signal other sessions.
PRIVILEGED_ROLES = ("pg_read_server_files", "pg_write_server_files", "pg_execute_server_program",
                    "pg_signal_backend")
# Superuser-only functions by default, which an admin may have granted one by one.
PRIVILEGED_FUNCTIONS = ("pg_read_file(text)", "pg_read_binary_file(text)", "pg_ls_dir(text)", "pg_stat_file(text)",
                        "pg_reload_conf()", "pg_rotate_logfile()", "lo_import(text)", "lo_export(oid,text)")
ESCAPING_EXTENSIONS = ("dblink", "postgres_fdw")
_NUMERIC_OID = 1700
_TEXTUAL_OIDS = frozenset({25, 1042, 1043, 17})  # text, bpchar, varchar, bytea: octet_length without a cast
_CELL_MARK = "reportbot-cell-too-large"
_CELL_ERROR = re.compile(_CELL_MARK + r":(\d+):")
_warned_extensions: set[tuple[str, str]] = set()  # (source, extension): logged once per process


# Per source and worker process: connections kept open, more while busy (a worker's threads, each
# fetching up to two alert checks at once), and the age at which one is replaced.
POOL_IDLE, POOL_OVERFLOW, POOL_RECYCLE = 4, 12, 300
POOLED = True  # open_session leaves the engine (and its idle connections) for the next query
_engines: dict[tuple[str, float], Engine] = {}
_engines_lock = threading.Lock()


def engine(source: DataSource, watchdog: Watchdog) -> Engine:
    """One engine per source and process, keeping a few connections open between queries.

    Alerts check a source every minute: a new connection each time costs the database a process start
    and the client a handshake, several times the query itself. Every transaction is READ ONLY and
    rolled back, and its limits and zone are SET LOCAL, so nothing carries over from one query to the
    next; a connection that saw an error is dropped, not returned.
    """
    key = (source.url.render_as_string(hide_password=False), source.timeout_seconds)  # in memory only, never shown
    with _engines_lock:
        found = _engines.get(key)
        if found is None:
            found = _engines[key] = create_engine(
                source.url, pool_size=POOL_IDLE, max_overflow=POOL_OVERFLOW, pool_recycle=POOL_RECYCLE,
                pool_pre_ping=True, pool_timeout=source.timeout_seconds,  # waiting counts as the query's time
                connect_args={"connect_timeout": CONNECT_TIMEOUT, "application_name": "reportbot"})
        return found


class Session:
    """One READ ONLY transaction on PostgreSQL."""

    def __init__(self, source: DataSource, conn: Connection, watchdog: Watchdog) -> None:
        self.source, self.conn, self.watchdog = source, conn, watchdog
        self.raw = conn.connection.dbapi_connection
        self.names: list[str] = []
        self.timezone = "UTC"
        self.role = ""

    def begin(self, timezone: str) -> None:
        self.timezone = timezone
        self.conn.exec_driver_sql("SET TRANSACTION READ ONLY")
        self._arm_server_limits()
        if self.conn.info.get("reportbot_role_checked"):  # a pooled connection: its login was checked when opened
            return
        problems = self._privileges()
        if problems:
            raise privileged_source(self.source.name, f"role “{self.role}”, which {'; '.join(problems)}")
        self.conn.info["reportbot_role_checked"] = True
        for name in self._extensions():
            if (self.source.name, name) not in _warned_extensions:
                _warned_extensions.add((self.source.name, name))
                log.warning("data source %s: %s", self.source.name, extension_warning(name))

    def _arm_server_limits(self) -> None:
        """Set the server's limits from the remaining budget, for this transaction only (SET LOCAL)."""
        settings = {"statement_timeout": str(max(1, math.ceil(self.watchdog.remaining() * 1000))),
                    "idle_in_transaction_session_timeout": str(IDLE_IN_TRANSACTION_MS), "TimeZone": self.timezone}
        if self.raw.info.server_version >= 140000:
            settings["client_connection_check_interval"] = str(CONNECTION_CHECK_MS)
        calls = ", ".join(f"set_config(%(k{i})s, %(v{i})s, true)" for i in range(len(settings)))
        values = {f"{kind}{i}": item for i, pair in enumerate(settings.items())
                  for kind, item in zip("kv", pair, strict=True)}
        with self.raw.cursor() as cursor:
            cursor.execute(f"SELECT {calls}", values)

    def _privileges(self) -> list[str]:
        with self.raw.cursor() as cursor:
            cursor.execute(
                "SELECT r.rolname, r.rolsuper, r.rolcreaterole,"
                " ARRAY(SELECT g FROM unnest(%(roles)s::text[]) g"
                "       WHERE to_regrole(g) IS NOT NULL AND pg_has_role(r.oid, to_regrole(g), 'MEMBER')),"
                " ARRAY(SELECT f FROM unnest(%(functions)s::text[]) f"
                "       WHERE to_regprocedure(f) IS NOT NULL"
                "       AND has_function_privilege(r.oid, to_regprocedure(f), 'EXECUTE'))"
                " FROM pg_roles r WHERE r.rolname = current_user",
                {"roles": list(PRIVILEGED_ROLES), "functions": list(PRIVILEGED_FUNCTIONS)})
            role, superuser, createrole, roles, functions = cursor.fetchone()
        self.role = role
        if superuser:
            return ["is a superuser"]
        problems = ["can create roles (and so grant itself more)"] if createrole else []
        if roles:
            problems.append(f"is a member of {', '.join(roles)}")
        if functions:
            problems.append(f"may execute {', '.join(functions)}")
        return problems

    def _extensions(self) -> list[str]:
        with self.raw.cursor() as cursor:
            cursor.execute("SELECT extname FROM pg_extension WHERE extname = ANY(%s) ORDER BY extname",
                           [list(ESCAPING_EXTENSIONS)])
            return [row[0] for row in cursor.fetchall()]

    def cancel(self) -> None:
        self.raw.cancel_safe(timeout=5)

    def stream(self, sql: str, args, meter: ResultMeter) -> Iterator[list[tuple]]:
        wrapped, wide = self._describe(sql, args)
        meter.names = self.names
        self._arm_server_limits()  # whatever the describe did, this statement gets the remaining budget
        step = read_rows(self.source.max_cell_bytes, wide)
        # Chunked results need libpq 17 (the psycopg binary wheels ship it); older ones stream row by row.
        rows = self.raw.cursor().stream(wrapped, args, size=step if psycopg.pq.version() >= 170000 else 1)
        try:
            yield from batches(lambda: list(islice(rows, step)), meter)
        finally:
            rows.close()

    def _describe(self, sql: str, args) -> tuple[str, int]:
        """The statement wrapped so the server refuses a value over the cell cap, and how many columns are wide."""
        with self.raw.cursor() as cursor:
            # LIMIT 0 plans the statement and names its columns without running it.
            cursor.execute(f"SELECT * FROM (\n{sql}\n) AS reportbot_query LIMIT 0", args)
            described = cursor.description or []
            self.names = [column.name for column in described]
            oids = sorted({column.type_code for column in described})
            cursor.execute("SELECT oid::int, typlen FROM pg_type WHERE oid = ANY(%s)", [oids])
            lengths = dict(cursor.fetchall())
        if not described:
            return sql, 1
        checks = []
        for i, column in enumerate(described, 1):
            if lengths.get(column.type_code, -1) >= 0 or column.type_code == _NUMERIC_OID:
                continue  # fixed-size values (and numeric, at most ~150 kB) cannot be large
            size = f"octet_length(c{i})" if column.type_code in _TEXTUAL_OIDS else f"octet_length(c{i}::text)"
            # The cast fails, and so the statement, naming the column; concatenating the size keeps it
            # from being folded into a constant (and raised) at plan time.
            checks.append(f"WHEN {size} > {self.source.max_cell_bytes} THEN ('{_CELL_MARK}:{i}:' || {size})::int = 0")
        aliases = ", ".join(f"c{i}" for i in range(1, len(described) + 1))
        where = f"\nWHERE CASE {' '.join(checks)} ELSE true END" if checks else ""
        return f"SELECT * FROM (\n{sql}\n) AS reportbot_query({aliases}){where}", max(1, len(checks))

    def explain(self, sql: str, args) -> None:
        with self.raw.cursor() as cursor:
            cursor.execute(f"EXPLAIN {sql}", args)
            cursor.fetchall()

    def inspect(self) -> tuple[list[str], list[str]]:
        return [], [extension_warning(name) for name in self._extensions()]

    def translate(self, error: BaseException) -> DataSourceError | None:
        state = getattr(error, "sqlstate", None)
        found = _CELL_ERROR.search(str(error))
        if found:
            index = int(found.group(1)) - 1
            return cell_too_large(self.source, self.names[index] if index < len(self.names) else None)
        if state == "25006" or (state == "0A000" and "data-modifying" in str(error)):
            return UnsafeQuery(f"The data source “{self.source.name}” is read-only and refused the query "
                               f"({str(error).splitlines()[0][:200]}). Reports can only read data.")
        return None


def extension_warning(name: str) -> str:
    return (f"the {name} extension is installed in this database: a query that may call it can open a "
            "connection of its own, outside the read-only transaction and the time limit. Drop it, or revoke "
            "EXECUTE on its functions from the source's role.")
