"""Engines and sessions for SQLite (embedded default, WAL) and PostgreSQL (psycopg 3).

The caller owns the transaction: `with db.session() as s:` commits on success and rolls back on
error. Repository functions take a session and never commit.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy import exc as sa
from sqlalchemy.orm import Session, sessionmaker

from storage.clock import Clock, wall_clock
from storage.settings import StorageSettings

log = logging.getLogger(__name__)


class Database:
    """One engine plus its session factory."""

    def __init__(self, url: str, *, pool_size: int = 5, echo: bool = False, clock: Clock = wall_clock) -> None:
        self.url = url
        # Replaceable: the job context sets its own, and every timestamp written from then on uses it.
        self.clock = clock
        self.engine = _create_engine(url, pool_size=pool_size, echo=echo)
        event.listen(self.engine, "connect", self._lend_clock)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    def now(self) -> dt.datetime:
        return self.clock()

    def _lend_clock(self, _dbapi_connection, connection_record) -> None:
        """Let column defaults and repository code on this connection read the database's clock."""
        connection_record.info["clock"] = self.now

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def session(self) -> Iterator[Session]:
        """Open a session whose transaction commits on success and rolls back on error."""
        with self._sessions() as session, session.begin():
            yield session

    def dispose(self) -> None:
        self.engine.dispose()


def database_unreachable(exc: BaseException) -> bool:
    """Whether `exc` (or what caused it) says the database could not be reached or dropped the
    connection (restart, failover, network, pool exhausted, deadlock): trying again later may work.

    Constraint violations, bad SQL and the like are not: they fail the same way every time.
    """
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if isinstance(exc, (sa.OperationalError, sa.InterfaceError, sa.DisconnectionError, sa.TimeoutError,
                            psycopg.OperationalError, psycopg.InterfaceError)):
            return True
        if isinstance(exc, sa.DBAPIError) and exc.connection_invalidated:
            return True
        exc = exc.__cause__ or exc.__context__
    return False


def dialect_insert(session: Session):
    """`insert` of the session's dialect, for ON CONFLICT clauses (PostgreSQL and SQLite spell them alike)."""
    from sqlalchemy.dialects import postgresql, sqlite

    return postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert


def _create_engine(url: str, *, pool_size: int, echo: bool) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, echo=echo, connect_args={"check_same_thread": False, "timeout": 30})
        _make_sqlite_transactions_immediate(engine)
        return engine
    return create_engine(url, echo=echo, pool_size=pool_size, max_overflow=pool_size, pool_pre_ping=True)


def _make_sqlite_transactions_immediate(engine: Engine) -> None:
    """Use WAL and take the write lock at BEGIN.

    pysqlite starts transactions lazily and upgrades read locks to write locks mid-transaction,
    which fails with "database is locked" instead of waiting when threads (web, clock, in-process
    worker) write at once. `BEGIN IMMEDIATE` makes writers queue on the busy timeout instead.
    """

    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection, _record) -> None:
        dbapi_connection.isolation_level = None  # let SQLAlchemy's BEGIN below be the only one
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


_lock = threading.Lock()
_database: Database | None = None


def get_database() -> Database:
    """Return the process-wide database, built from the environment on first use."""
    global _database
    with _lock:
        if _database is None:
            _database = Database(StorageSettings.from_env().database_url)
        return _database


def set_database(database: Database | None) -> Database | None:
    """Replace the process-wide database (the demo and tests point it elsewhere); return the old one."""
    global _database
    with _lock:
        previous, _database = _database, database
        return previous


def serialize_on(session: Session, key: str) -> None:
    """Make transactions that pass the same key run one after another (until this one ends).

    For check-then-insert rules with no row to lock (one preview in flight per person): PostgreSQL
    takes a transaction-scoped advisory lock; SQLite's writers are serialised already (BEGIN IMMEDIATE).
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))"), {"key": key})
