"""MySQL / MariaDB sources, against the MariaDB server: the same guarantees as PostgreSQL — a read-only
transaction, a time limit the query cannot lift (max_statement_time, and KILL QUERY from a second
connection), row and byte caps, write statements refused, privileged accounts refused by name."""

from __future__ import annotations

import dataclasses
import threading
import time
import uuid

import pymysql
import pytest

from reports.sources import (
    GuardedQuery,
    PrivilegedSource,
    QueryTimeout,
    ResultTooLarge,
    RowLimitExceeded,
    UnsafeQuery,
    load_data_sources,
    run_query,
    source_health,
)
from reports.sources.mysql import kill_query
from tests.reports.conftest import READER_PASSWORD, mariadb_admin
from tests.support.waiting import wait_until

pytestmark = pytest.mark.mariadb


def source_for(url: str, **settings):
    env = {"REPORTBOT_SOURCE_SHOP": url, "REPORTBOT_SOURCE_SHOP__USERS": "*"}
    return dataclasses.replace(load_data_sources(env)["shop"], **settings)


def run(source, sql: str, tmp_path, **bindings):
    guarded = GuardedQuery(sql, tuple(bindings))
    return list(run_query(source, guarded, bindings, timezone="UTC", spool_dir=tmp_path).rows())


def running(server: str, marker: str) -> list[int]:
    with mariadb_admin(server) as conn, conn.cursor() as cur:
        cur.execute("select id from information_schema.processlist where info like %s and id <> connection_id()",
                    (f"%{marker}%",))
        return [r[0] for r in cur.fetchall()]


@pytest.fixture
def account(mariadb_server, mariadb_shop_db):
    """Make a login on the shop database with the given grants; dropped after the test."""
    made: list[str] = []

    def make(*grants: str) -> str:
        user = f"rb_acct_{uuid.uuid4().hex[:8]}"
        with mariadb_admin(mariadb_server) as conn, conn.cursor() as cur:
            cur.execute(f"create user '{user}'@'%' identified by '{READER_PASSWORD}'")
            cur.execute(f"grant select on `{mariadb_shop_db.name}`.* to '{user}'@'%'")
            for granted in grants:
                cur.execute(f"grant {granted} to '{user}'@'%'")
        made.append(user)
        host = mariadb_server.split("@", 1)[1].rstrip("/")
        return f"mysql+pymysql://{user}:{READER_PASSWORD}@{host}/{mariadb_shop_db.name}"

    yield make
    with mariadb_admin(mariadb_server) as conn, conn.cursor() as cur:
        for user in made:
            cur.execute(f"drop user if exists '{user}'@'%'")


def test_rows_come_back_with_window_bindings(mariadb_shop_db, tmp_path):
    import datetime as dt

    source = source_for(mariadb_shop_db.reader_url)
    rows = run(source, "select id, region from orders where paid_at >= :window_start order by id limit 2",
               tmp_path, window_start=dt.datetime(2026, 11, 23, tzinfo=dt.UTC))
    assert rows == [(13, "North"), (14, "South")]


def test_root_is_refused_and_the_privileges_are_named(mariadb_server, mariadb_shop_db, tmp_path):
    root = f"{mariadb_server.rstrip('/')}/{mariadb_shop_db.name}"
    with pytest.raises(PrivilegedSource, match="“shop” connects as a MariaDB account with ALL PRIVILEGES") as refused:
        run(source_for(root), "select 1", tmp_path)
    assert "read-only" in str(refused.value)


def test_an_account_with_admin_grants_is_refused_naming_them(account, tmp_path):
    source = source_for(account("FILE, PROCESS on *.*"))
    with pytest.raises(PrivilegedSource, match="with FILE, PROCESS grants"):
        run(source, "select load_file('/etc/passwd')", tmp_path)
    health = source_health(source, multi_workspace=False)
    assert health.reachable and "FILE, PROCESS" in health.problems[0]


def test_the_read_only_transaction_refuses_writes_the_account_may_make(account, mariadb_shop_db, tmp_path):
    source = source_for(account(f"insert, update, delete on `{mariadb_shop_db.name}`.*"))
    for sql in ("delete from orders", "insert into orders (id) values (999)"):
        with pytest.raises(UnsafeQuery, match="read-only"):
            run(source, sql, tmp_path)  # the text check is bypassed on purpose: the transaction is the boundary
    assert run(source, "select count(*) from orders", tmp_path) == [(48,)]


def test_the_server_stops_a_query_at_the_time_limit(mariadb_server, mariadb_shop_db, tmp_path):
    source = source_for(mariadb_shop_db.reader_url, timeout_seconds=1)
    marker = f"slow_{uuid.uuid4().hex[:8]}"
    started = time.monotonic()
    with pytest.raises(QueryTimeout, match="ran longer than its 1-second limit"):
        run(source, f"select sleep(30) as {marker}", tmp_path)
    assert time.monotonic() - started < 10
    assert running(mariadb_server, marker) == []


def _running(source, thread_id: int) -> bool:
    """Whether the connection `thread_id` is executing a statement (seen from another connection)."""
    url = source.url
    with pymysql.connect(host=url.host, port=url.port or 3306, user=url.username, password=url.password) as conn:
        with conn.cursor() as cur:
            cur.execute("select info from information_schema.processlist where id = %s", (thread_id,))
            row = cur.fetchone()
    return bool(row and row[0])


def test_kill_query_from_a_second_connection_stops_a_running_query(mariadb_shop_db):
    source = source_for(mariadb_shop_db.reader_url)
    url = source.url
    # A session with no server-side limit: only the client-side cancel can end this sleep.
    conn = pymysql.connect(host=url.host, port=url.port or 3306, user=url.username, password=url.password,
                           database=url.database)
    outcome: list[object] = []

    def sleep() -> None:
        try:
            with conn.cursor() as cur:
                cur.execute("select sleep(30)")
                outcome.append(cur.fetchall())
        except pymysql.MySQLError as exc:
            outcome.append(exc)

    worker = threading.Thread(target=sleep)
    started = time.monotonic()
    worker.start()
    wait_until(lambda: _running(source, conn.thread_id()), timeout=10, interval=0.02, what="the sleep running")
    kill_query(source, conn.thread_id())
    worker.join(15)
    conn.close()
    assert time.monotonic() - started < 10, "the sleep ran on"
    # SLEEP() returns 1 when its query is killed (or the driver reports the interruption).
    assert outcome == [((1,),)] or isinstance(outcome[0], pymysql.MySQLError)


def test_row_and_byte_caps(mariadb_shop_db, tmp_path):
    source = source_for(mariadb_shop_db.reader_url)
    with pytest.raises(RowLimitExceeded, match="more than 10 rows"):
        run(dataclasses.replace(source, max_rows=10), "select * from orders", tmp_path)
    with pytest.raises(ResultTooLarge, match="larger than 1,000,000 bytes, the limit for one value"):
        run(dataclasses.replace(source, max_cell_bytes=1_000_000), "select repeat('x', 2000000) as big", tmp_path)
    with pytest.raises(ResultTooLarge, match="more than 100,000 bytes"):
        run(dataclasses.replace(source, max_result_bytes=100_000),
            "select seq, repeat('y', 100) from seq_1_to_5000", tmp_path)
    assert list(tmp_path.glob("reportbot-rows-*")) == []


def test_a_reader_is_healthy(mariadb_shop_db):
    health = source_health(source_for(mariadb_shop_db.reader_url), multi_workspace=False)
    assert (health.reachable, health.problems) == (True, [])
