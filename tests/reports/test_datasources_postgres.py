"""PostgreSQL sources: a time limit the query cannot lift, no query left behind by a killed worker,
privileged roles refused, dblink/postgres_fdw flagged, and byte caps enforced before rows arrive."""

from __future__ import annotations

import dataclasses
import os
import signal
import subprocess
import sys
import textwrap
import time
import tracemalloc
import uuid

import psycopg
import pytest

from reports.sources import (
    GuardedQuery,
    PrivilegedSource,
    QueryTimeout,
    ResultTooLarge,
    load_data_sources,
    run_query,
    source_health,
)
from tests.conftest import REPO
from tests.reports.conftest import READER_PASSWORD
from tests.support.waiting import wait_until

pytestmark = pytest.mark.postgres

# The query from the report: every row up to 5,000 switches statement_timeout off for the rest of the
# transaction; row 5,001 then sleeps 25 s.
SWITCH_OFF = ("SELECT CASE WHEN g <= 5000 THEN set_config('statement_timeout','0',true) "
              "ELSE pg_sleep(25)::text END FROM generate_series(1,5001) g")


def source_for(url: str, **settings):
    env = {"REPORTBOT_SOURCE_SHOP": url, "REPORTBOT_SOURCE_SHOP__USERS": "*"}
    return dataclasses.replace(load_data_sources(env)["shop"], **settings)


def run(source, sql: str, tmp_path):
    return list(run_query(source, GuardedQuery(sql, ()), {}, timezone="UTC", spool_dir=tmp_path).rows())


def backends(db, *, active: bool = False) -> list[int]:
    """Backends of the shop's reader login in the shop database (only those running a statement if `active`)."""
    with psycopg.connect(db.admin_url, autocommit=True) as conn:
        return [r[0] for r in conn.execute(
            "select pid from pg_stat_activity where datname = current_database() and usename = %s "
            "and (not %s or state = 'active')", (db.reader, active))]



def test_a_query_cannot_switch_its_own_time_limit_off(postgres_shop_db, tmp_path):
    source = source_for(postgres_shop_db.reader_url, timeout_seconds=1.5)
    started = time.monotonic()
    with pytest.raises(QueryTimeout, match="ran longer than its 1.5-second limit"):
        run(source, SWITCH_OFF, tmp_path)
    # Cancelled at the limit, not after the 25-second sleep (a wide margin: the machine is shared).
    assert time.monotonic() - started < 12
    assert wait_until(lambda: not backends(postgres_shop_db), 5)


def test_the_session_carries_limits_that_end_an_abandoned_query(postgres_shop_db, tmp_path):
    source = source_for(postgres_shop_db.reader_url, timeout_seconds=4)
    settings = run(source, "select current_setting('transaction_read_only'), current_setting('statement_timeout'), "
                           "current_setting('idle_in_transaction_session_timeout'), "
                           "current_setting('client_connection_check_interval')", tmp_path)
    read_only, statement, idle, check = settings[0]
    # The statement gets what is left of the 4 seconds when it starts.
    left = int(statement[:-2]) if statement.endswith("ms") else int(statement[:-1]) * 1000
    assert read_only == "on" and 0 < left <= 4000 and idle != "0" and check != "0"


KILLED_WORKER = textwrap.dedent("""
    import os, sys
    from reports.sources import GuardedQuery, load_data_sources, run_query
    source = load_data_sources({"REPORTBOT_SOURCE_SHOP": os.environ["SOURCE_URL"], "REPORTBOT_SOURCE_SHOP__USERS": "*",
                                "REPORTBOT_SOURCE_SHOP__TIMEOUT": "120"})["shop"]
    print("running", flush=True)
    run_query(source, GuardedQuery(sys.argv[1], ()), {}, timezone="UTC")
""")


def test_a_killed_worker_does_not_leave_its_query_running(postgres_shop_db):
    sql = "select pg_sleep(300)"
    worker = subprocess.Popen([sys.executable, "-c", KILLED_WORKER, sql], cwd=REPO, stdout=subprocess.PIPE,
                              env={**os.environ, "SOURCE_URL": postgres_shop_db.reader_url})
    try:
        assert worker.stdout.readline().strip() == b"running"
        assert wait_until(lambda: backends(postgres_shop_db, active=True), 20), "the query never started"
        worker.send_signal(signal.SIGKILL)
        worker.wait(10)
        # The server notices the dead client itself (client_connection_check_interval), long before the
        # 120-second limit or the 300-second sleep would end the statement.
        assert wait_until(lambda: not backends(postgres_shop_db, active=True), 15)  # idle pooled ones may stay
    finally:
        worker.kill()
        worker.wait(10)


@pytest.fixture
def role_factory(postgres_server, postgres_shop_db):
    import psycopg

    made: list[str] = []

    def make(*grants: str, superuser: bool = False) -> str:
        role = f"rb_role_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(postgres_server, autocommit=True) as conn:
            conn.execute(f"create role {role} login password '{READER_PASSWORD}'{' superuser' if superuser else ''}")
            for granted in grants:
                conn.execute(f"grant {granted} to {role}")
        made.append(role)
        host = postgres_server.split("@", 1)[1].rsplit("/", 1)[0]
        return f"postgresql://{role}:{READER_PASSWORD}@{host}/{postgres_shop_db.name}"

    yield make
    with psycopg.connect(postgres_server, autocommit=True) as conn:
        for role in made:
            conn.execute(f"drop role if exists {role}")


@pytest.mark.parametrize(("grants", "superuser", "named"), [
    ((), True, "is a superuser"),
    (("pg_read_server_files",), False, "is a member of pg_read_server_files"),
    (("pg_write_server_files", "pg_execute_server_program"), False,
     "is a member of pg_write_server_files, pg_execute_server_program"),
    (("pg_signal_backend",), False, "is a member of pg_signal_backend"),
])
def test_a_privileged_role_is_refused_before_any_query(role_factory, tmp_path, grants, superuser, named):
    source = source_for(role_factory(*grants, superuser=superuser))
    with pytest.raises(PrivilegedSource, match=f"“shop” connects as .*, which {named}") as refused:
        run(source, "select pg_ls_dir('.')", tmp_path)
    assert "read-only role" in str(refused.value) and READER_PASSWORD not in str(refused.value)
    health = source_health(source, multi_workspace=False)
    assert health.reachable and any(named in problem for problem in health.problems)


def test_a_reader_is_healthy_and_dblink_or_postgres_fdw_are_flagged(postgres_shop_db):
    source = source_for(postgres_shop_db.reader_url)
    health = source_health(source, multi_workspace=False)
    assert (health.reachable, health.problems, health.warnings) == (True, [], [])
    with psycopg.connect(postgres_shop_db.admin_url, autocommit=True) as conn:
        conn.execute("create extension dblink")
    try:
        health = source_health(source, multi_workspace=False)
        assert health.problems == [] and any("dblink" in w for w in health.warnings)
    finally:
        with psycopg.connect(postgres_shop_db.admin_url, autocommit=True) as conn:
            conn.execute("drop extension dblink")


def test_an_unreachable_source_is_reported_not_raised():
    source = source_for("postgresql://nobody:pw-not-real@127.0.0.1:1/none")
    health = source_health(source, multi_workspace=False)
    assert not health.reachable and "cannot be reached" in health.problems[0]
    assert "pw-not-real" not in repr(health)


def test_an_oversized_cell_is_refused_by_the_server_before_it_is_sent(postgres_shop_db, tmp_path):
    source = source_for(postgres_shop_db.reader_url, max_cell_bytes=1_000_000)
    tracemalloc.start()
    try:
        with pytest.raises(ResultTooLarge, match="“big” .*larger than 1,000,000 bytes, the limit for one value"):
            run(source, "select 1 as id, repeat('x', 20000000) as big", tmp_path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 5_000_000, f"the 20 MB value reached the worker (peak {peak / 1e6:.1f} MB)"
    assert run(source, "select length(repeat('x', 20000000)) as n", tmp_path) == [(20_000_000,)]


def test_a_result_over_the_byte_cap_is_refused(postgres_shop_db, tmp_path):
    source = source_for(postgres_shop_db.reader_url, max_result_bytes=200_000)
    with pytest.raises(ResultTooLarge, match="more than 200,000 bytes, the limit for “shop”"):
        run(source, "select g, repeat('y', 100) as filler from generate_series(1, 5000) g", tmp_path)
    assert len(run(source, "select g from generate_series(1, 500) g", tmp_path)) == 500



def test_a_value_that_slips_past_the_server_check_is_still_refused_as_it_arrives(postgres_shop_db, tmp_path):
    # Closing the wrapper's parenthesis would put the value outside the server-side check; guard_query
    # refuses such SQL (test_datasources_guard), and should it ever pass, the client still measures.
    escape = "select 'a' as a) as q(c1) union all select repeat('x', 3000000) from (select 'b'"
    source = source_for(postgres_shop_db.reader_url, max_cell_bytes=1_000_000)
    with pytest.raises(ResultTooLarge, match="larger than 1,000,000 bytes"):
        run(source, escape, tmp_path)
