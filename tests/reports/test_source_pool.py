"""PostgreSQL sources keep a few connections open between queries (alerts check them every minute),
and nothing of one query's session carries over to the next: each transaction is read only, has
its own time limit and zone, and is rolled back."""

from __future__ import annotations

import pytest

from reports.sources import DataSourceError
from reports.sources.postgres import POOL_IDLE
from tests.reports.test_type_sql import fetch, postgres_shop  # noqa: F401  (a fixture)
from tests.support.waiting import wait_until

pytestmark = pytest.mark.postgres

SESSION = ("select pg_backend_pid() as pid, current_setting('TimeZone') as zone, "
           "current_setting('transaction_read_only') as read_only, current_setting('statement_timeout') as timeout")


def _session(shop, tmp_path, zone: str) -> dict:
    table = fetch(shop, tmp_path, query=SESSION, timezone=zone)
    return dict(zip(table.column_names, next(iter(table.rows())), strict=True))


def test_connections_are_reused_and_each_query_has_its_own_settings(postgres_shop, tmp_path):  # noqa: F811
    first = _session(postgres_shop, tmp_path, "Asia/Tokyo")
    second = _session(postgres_shop, tmp_path, "America/New_York")
    assert second["pid"] == first["pid"]  # the same server process: no new connection
    assert (first["zone"], second["zone"]) == ("Asia/Tokyo", "America/New_York")
    assert first["read_only"] == second["read_only"] == "on"
    # the server's limit is what is left of the 5-second budget when the statement starts
    assert all(4000 < int(t.removesuffix("ms")) <= 5000 for t in (first["timeout"], second["timeout"]))


def test_a_failed_query_leaves_the_connection_clean(postgres_shop, tmp_path):  # noqa: F811
    with pytest.raises(DataSourceError):
        fetch(postgres_shop, tmp_path, query="select 1 / 0 as boom")
    after = _session(postgres_shop, tmp_path, "UTC")
    assert (after["zone"], after["read_only"]) == ("UTC", "on")
    with pytest.raises(DataSourceError, match="read-only"):
        fetch(postgres_shop, tmp_path, query="select nextval('order_numbers') as n")


def test_idle_connections_are_bounded(postgres_shop, tmp_path):  # noqa: F811
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(8) as pool:
        pids = list(pool.map(lambda _: _session(postgres_shop, tmp_path, "UTC")["pid"], range(32)))
    assert len(set(pids)) <= POOL_IDLE + 8

    def open_connections() -> int:
        table = fetch(postgres_shop, tmp_path, query="select count(*) as n from pg_stat_activity where "
                                                     "application_name = 'reportbot' and datname = current_database()")
        return next(iter(table.rows()))[0]

    # the extra connections are closed at once; their server processes take a moment to exit
    wait_until(lambda: open_connections() <= POOL_IDLE, timeout=10, what=f"at most {POOL_IDLE} open connections")


def test_a_source_whose_connections_all_stay_busy_times_out_in_words(postgres_shop, tmp_path):  # noqa: F811
    import dataclasses

    from reports.sources.limits import Watchdog
    from reports.sources.postgres import engine as pooled_engine

    quick = dataclasses.replace(postgres_shop, timeout_seconds=0.5)
    engine = pooled_engine(quick, Watchdog(0.5))
    held = [engine.connect() for _ in range(engine.pool.size() + engine.pool._max_overflow)]
    try:
        with pytest.raises(DataSourceError, match="stayed busy for its 0.5-second limit"):
            fetch(quick, tmp_path, query="select 1 as one")
    finally:
        for conn in held:
            conn.close()
