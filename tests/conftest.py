"""Shared fixtures: databases on both backends, the Slack emulator, the running app.

PostgreSQL and Redis tests skip when the server is absent, except in CI (CI=true), where an
absent server fails the run: a green CI must have exercised both backends.

`--clock 2028-02-29T08:30:00Z` runs the whole session with the clock moved there (and ticking):
CI runs the server-free tests again that way, so no test may depend on today's date.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import threading
import urllib.parse
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from jobs.context import AdjustableClock, JobContext
from jobs.settings import JobSettings, SlackSettings
from storage.db import Database
from storage.filestore import ArtifactStore
from storage.migrate import upgrade
from tests.factories import WINTER
from tests.s3_support import s3_bucket, s3_server  # noqa: F401  (fixtures: a real S3 API on loopback)
from tests.support.people import ALICE, BOB, OPS, SALES
from tests.support.tls_receiver import receiver  # noqa: F401  (a fixture: a webhook receiver over TLS)

REPO = Path(__file__).resolve().parents[1]
SHARED_SLACK = REPO.parent / "shared" / "slack"
POSTGRES_URL = os.environ.get("REPORTBOT_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
REDIS_URL = os.environ.get("REPORTBOT_TEST_REDIS_URL", "redis://127.0.0.1:6379/9")
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
SIGNING_SECRET = "test-signing-secret-not-real"


def pytest_addoption(parser) -> None:
    parser.addoption("--clock", metavar="ISO_INSTANT", default=None,
                     help="move the clock to this instant for the whole run (it keeps ticking)")


def pytest_configure(config) -> None:
    when = config.getoption("--clock")
    if when:
        import time_machine

        instant = dt.datetime.fromisoformat(when.replace("Z", "+00:00"))
        if instant.tzinfo is None:
            raise pytest.UsageError("--clock needs an instant with its offset, e.g. 2028-02-29T08:30:00Z")
        config._moved_clock = time_machine.travel(instant, tick=True)
        config._moved_clock.start()


def pytest_report_header(config) -> str | None:
    when = config.getoption("--clock")
    return f"clock moved to {when}" if when else None


def unavailable(what: str, why: object) -> None:
    """Skip locally; fail in CI, where every backend must be tested."""
    message = f"{what} is not reachable ({why})"
    if IN_CI:
        pytest.fail(message + " — CI must run the PostgreSQL and Redis tests", pytrace=False)
    pytest.skip(message)


def _admin_url() -> str:
    return POSTGRES_URL


@pytest.fixture(scope="session")
def postgres_server() -> str:
    import psycopg

    plain = POSTGRES_URL.replace("postgresql+psycopg://", "postgresql://")
    try:
        with psycopg.connect(plain, connect_timeout=3) as conn:
            conn.execute("select 1")
    except Exception as exc:
        unavailable("PostgreSQL", exc)
    return plain


def _fresh_postgres_database(server: str, template: str | None = None) -> tuple[str, callable]:
    """A new database (a copy of `template`, when given); its URL and a function that drops it."""
    import psycopg

    name = f"reportbot_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f'create database "{name}"' + (f' template "{template}"' if template else ""))
    base = server.rsplit("/", 1)[0]

    def drop() -> None:
        with psycopg.connect(server, autocommit=True) as conn:
            conn.execute(f'drop database if exists "{name}" with (force)')

    return f"{base.replace('postgresql://', 'postgresql+psycopg://')}/{name}", drop


@pytest.fixture(scope="session")
def migrated_postgres(postgres_server) -> Iterator[str]:
    """One database migrated once per test session; each test gets a copy (CREATE DATABASE … TEMPLATE)."""
    url, drop = _fresh_postgres_database(postgres_server)
    db = Database(url)
    upgrade(db)
    db.dispose()
    yield url.rsplit("/", 1)[1]
    drop()


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory) -> Path:
    """One SQLite file migrated once per test session; each test gets a copy."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    db = Database(f"sqlite:///{path}")
    upgrade(db)
    db.dispose()  # the last connection closing checkpoints the WAL into the file
    return path


def _sqlite_copy(template: Path, tmp_path: Path) -> Database:
    target = tmp_path / "test.db"
    shutil.copyfile(template, target)
    return Database(f"sqlite:///{target}")


def _postgres_copy(request) -> tuple[Database, callable]:
    url, drop = _fresh_postgres_database(request.getfixturevalue("postgres_server"),
                                         template=request.getfixturevalue("migrated_postgres"))
    return Database(url), drop


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database(request, tmp_path) -> Iterator[Database]:
    """A migrated, empty database on each backend (a copy of one migrated per session)."""
    drop = None
    if request.param == "sqlite":
        db = _sqlite_copy(request.getfixturevalue("migrated_sqlite"), tmp_path)
    else:
        db, drop = _postgres_copy(request)
    yield db
    db.dispose()
    if drop is not None:
        drop()


@pytest.fixture
def sqlite_database(migrated_sqlite, tmp_path) -> Iterator[Database]:
    db = _sqlite_copy(migrated_sqlite, tmp_path)
    yield db
    db.dispose()


@pytest.fixture
def postgres_database(request) -> Iterator[Database]:
    db, drop = _postgres_copy(request)
    yield db
    db.dispose()
    drop()


@pytest.fixture(scope="session")
def redis_url() -> str:
    import redis

    url = _worker_redis_database(REDIS_URL)
    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=3)
        client.ping()
    except redis.ResponseError as exc:  # e.g. "DB index is out of range": too many workers for its databases
        pytest.fail(f"Redis has no database for this test worker ({url}: {exc}); run fewer workers (-n) or "
                    f"set REPORTBOT_TEST_REDIS_URL to a lower database number")
    except Exception as exc:
        unavailable("Redis", exc)
    return url


def _worker_redis_database(url: str) -> str:
    """The Redis database of this pytest-xdist worker (gw0 keeps the configured one, gw1 the next, …): tests
    that empty their database cannot empty another worker's. The number is the URL's path (`/9`, none
    meaning 0) or its `db` query parameter (unix sockets)."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    if not worker.startswith("gw") or not worker[2:].isdigit():
        return url
    offset = int(worker[2:])
    parts = urllib.parse.urlsplit(url)
    query = urllib.parse.parse_qs(parts.query)
    if "db" in query or parts.scheme == "unix":  # a socket's path is a file: its database is a parameter
        query["db"] = [str(int(query.get("db", ["0"])[0]) + offset)]
        return f"{url.split('?', 1)[0]}?{urllib.parse.urlencode(query, doseq=True)}"
    number = parts.path.strip("/") or "0"
    return urllib.parse.urlunsplit(parts._replace(path=f"/{int(number) + offset}"))


@pytest.fixture
def emulator():
    from slack_emulator import SlackEmulator

    reference = SHARED_SLACK / "method-reference"
    with SlackEmulator(reference_dir=reference if reference.is_dir() else None) as emu:
        emu.add_user(ALICE, "alice", real_name="Alice Example", tz="Europe/Berlin", email="alice@example.com")
        emu.add_user(BOB, "bob", real_name="Bob Example", tz="America/New_York", email="bob@example.com")
        emu.add_channel(SALES, "sales", members=[ALICE, BOB])
        emu.add_channel(OPS, "ops", members=[BOB])
        yield emu


def make_context(database: Database, tmp_path: Path, emulator=None, *, artifacts: ArtifactStore | None = None,
                 **settings) -> JobContext:
    """A job context whose clock starts at `tests.factories.WINTER` (and ticks): no test meets today's date.

    Files go to a local directory under `tmp_path` unless another store is given."""
    # Home refreshes publish at once unless a test asks for coalescing (HOME_REFRESH_SECONDS).
    env = {"TICK_LOOKAHEAD": "0", "HOME_REFRESH_SECONDS": "0", **{k.upper(): str(v) for k, v in settings.items()}}
    slack = SlackSettings(bot_token=emulator.bot_token() if emulator else None,
                          api_url=emulator.base_url if emulator else "http://127.0.0.1:9/api/")
    clock = AdjustableClock()
    clock.jump_to(WINTER)
    return JobContext(database=database, artifacts=artifacts or ArtifactStore(tmp_path / "artifacts"),
                      settings=JobSettings.from_env(env), slack_settings=slack, now=clock)


@pytest.fixture
def job_context(database, tmp_path, emulator) -> JobContext:
    return make_context(database, tmp_path, emulator)


class RecordingEnqueue:
    """Collects enqueued work instead of sending it (for tick tests without a broker)."""

    def __init__(self) -> None:
        self.calls: list[tuple[int, str, int]] = []
        self._lock = threading.Lock()

    def __call__(self, run_id: int, phase: str, delay_ms: int) -> None:
        with self._lock:
            self.calls.append((run_id, phase, delay_ms))


@pytest.fixture
def recording_enqueue() -> RecordingEnqueue:
    return RecordingEnqueue()
