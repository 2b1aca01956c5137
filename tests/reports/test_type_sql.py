"""The `sql` report type on SQLite and PostgreSQL: window parameters, read-only enforcement, row cap,
time limit and access rules — each refusal a clear message, and nothing ever written to the source."""

from __future__ import annotations

import dataclasses
import datetime as dt
import gc
import os
import sqlite3
import tracemalloc
from unittest import mock

import pytest

from reports.registry import ReportRequest, get_report_type
from reports.sources import (
    AccessDenied,
    DataSource,
    DataSources,
    GuardedQuery,
    QueryTimeout,
    RowLimitExceeded,
    UnsafeQuery,
    load_data_sources,
    run_query,
)
from reports.table import ColumnType
from reports.window import compute_window
from tests.reports.conftest import ORDERS
from tests.support.people import ALICE, BOB, TEAM

UTC = dt.UTC
SLOT = dt.datetime(2026, 11, 24, 8, tzinfo=UTC)
WINDOW_QUERY = ("select id, paid_at, region, amount from orders "
                "where paid_at >= :window_start and paid_at < :window_end order by id")
# Per backend: a query slower than any limit below, and 100,000 generated rows.
SLOW = {"sqlite": "with recursive c(x) as (select 1 union all select x + 1 from c) select max(x) from c",
        "postgresql": "select pg_sleep(3)", "mysql": "select sleep(3)"}
MANY = {"sqlite": "with recursive c(n) as (select 1 union all select n + 1 from c where n < 100000) "
                  "select n, n * 1.5 as x, 'row ' || n as label from c",
        "postgresql": "select g as n, g * 1.5 as x, 'row ' || g as label from generate_series(1, 100000) g",
        "mysql": "select seq as n, seq * 1.5 as x, concat('row ', seq) as label from seq_1_to_100000"}


def _sqlite_source(tmp_path_factory) -> str:
    path = tmp_path_factory.mktemp("sqlsource") / "shop.db"
    with sqlite3.connect(path) as conn:
        conn.execute("create table orders (id integer primary key, paid_at text, region text, amount real)")
        conn.executemany("insert into orders values (?, ?, ?, ?)",
                         [(i, at.strftime("%Y-%m-%d %H:%M:%S"), region, amount) for i, at, region, amount in ORDERS])
    return f"sqlite:///{path}"


def _configured(url: str) -> DataSource:
    return load_data_sources({"REPORTBOT_SOURCE_SHOP": url, "REPORTBOT_SOURCE_SHOP__USERS": ALICE,
                              "REPORTBOT_SOURCE_SHOP__TIMEOUT": "5"})["shop"]


@pytest.fixture(scope="module")
def sqlite_shop(tmp_path_factory) -> DataSource:
    return _configured(_sqlite_source(tmp_path_factory))


@pytest.fixture(scope="module")
def postgres_shop(postgres_shop_db) -> DataSource:
    return _configured(postgres_shop_db.reader_url)


@pytest.fixture(scope="module")
def mariadb_shop(mariadb_shop_db) -> DataSource:
    return _configured(mariadb_shop_db.reader_url)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres),
                        pytest.param("mariadb", marks=pytest.mark.mariadb)])
def shop(request) -> DataSource:
    """A source holding 48 hourly orders, on each backend, read through a SELECT-only login."""
    return request.getfixturevalue(f"{request.param}_shop")


def fetch(source: DataSource, tmp_path, *, owner: str | None = ALICE, team: str = TEAM,
          timezone: str = "UTC", **params):
    sql = get_report_type("sql")
    window = compute_window("previous_day", SLOT, timezone)
    # Validation lists the sources configured in the environment, as it does in a run.
    configured = {"REPORTBOT_DATA_SOURCES": "",
                  f"REPORTBOT_SOURCE_{source.name.upper()}": source.url.render_as_string(hide_password=False)}
    with mock.patch.dict(os.environ, configured):
        validated = sql.validate_params({"source": source.name, **params})
    request = ReportRequest(
        params=validated,
        window=window, timezone=timezone, slot=SLOT, owner_user_id=owner, team_id=team,
        services={"data_sources": DataSources({source.name: source}, multi_workspace=False),
                  "spool_dir": str(tmp_path)},
    )
    return sql.fetch(request)


def order_count(source: DataSource) -> int:
    table = fetch(source, "/tmp", query="select count(*) as n from orders")
    return next(iter(table.rows()))[0]


def test_the_window_is_bound_and_rows_come_back_typed(shop, tmp_path):
    table = fetch(shop, tmp_path, query=WINDOW_QUERY)
    rows = list(table.rows())
    assert [r[0] for r in rows] == list(range(13, 37))  # 23 Nov 00:00 … 23:00 UTC
    assert rows == list(table.rows())  # re-iterable, same rows each pass
    types = {c.name: c.type for c in table.columns}
    assert types["id"] == ColumnType.INTEGER and types["region"] == ColumnType.TEXT
    assert types["amount"] == ColumnType.NUMBER
    assert table.window_label == "Mon 23 Nov 2026, UTC" and table.meta == {"source": "shop", "row_count": 24}


def test_local_date_parameters_follow_the_schedule_timezone(shop, tmp_path):
    table = fetch(shop, tmp_path, timezone="Asia/Tokyo",
                  query="select :window_start_date as first_day, :window_end_date as after_last, :timezone as tz")
    first, after, tz = next(iter(table.rows()))
    # The slot is 17:00 on Tue 24 Nov in Tokyo: the previous day there is Mon 23 Nov.
    assert (str(first), str(after), tz) == ("2026-11-23", "2026-11-24", "Asia/Tokyo")


def test_a_saved_query_can_be_picked_instead_of_sql(shop, tmp_path):
    source = dataclasses.replace(shop, queries={"daily_orders": WINDOW_QUERY})
    table = fetch(source, tmp_path, saved_query="Daily_Orders")
    assert table.title == "Daily orders" and len(list(table.rows())) == 24
    with pytest.raises(Exception, match="no saved query “weekly”"):
        fetch(source, tmp_path, saved_query="weekly")
    with pytest.raises(Exception, match="either a SQL query or a saved query"):
        fetch(source, tmp_path, saved_query="daily_orders", query="select 1")


@pytest.mark.parametrize(("sql", "message"), [
    ("delete from orders", "starts with DELETE"),
    ("update orders set amount = 0", "starts with UPDATE"),
    ("select 1; delete from orders", "Only one SQL statement"),
    ("with gone as (delete from orders returning id) select * from gone", "DELETE"),
])
def test_writes_and_multiple_statements_are_refused_and_nothing_changes(shop, tmp_path, sql, message):
    with pytest.raises(UnsafeQuery, match=message):
        fetch(shop, tmp_path, query=sql)
    assert order_count(shop) == 48


@pytest.mark.parametrize("sql", ["delete from orders", "insert into orders (id) values (999)",
                                 "attach database ':memory:' as other", "pragma query_only = 0"])
def test_the_sqlite_connection_itself_refuses_writes(sqlite_shop, tmp_path, sql):
    # The guard is bypassed here on purpose: the read-only connection is the real boundary.
    with pytest.raises(UnsafeQuery, match="read-only"):
        run_query(sqlite_shop, GuardedQuery(sql, ()), {}, timezone="UTC", spool_dir=tmp_path)
    assert order_count(sqlite_shop) == 48


@pytest.mark.parametrize("sql", ["select nextval('order_numbers')", "select log_visit()",
                                 "select set_config('transaction_read_only', 'off', false)"])
@pytest.mark.postgres
def test_the_postgres_transaction_itself_refuses_writes(postgres_shop, tmp_path, sql):
    # These pass the text check (a function call can write); the READ ONLY transaction stops them.
    with pytest.raises(Exception, match="read-only|read-write mode"):
        fetch(postgres_shop, tmp_path, query=sql)
    after = fetch(postgres_shop, tmp_path, query="select (select count(*) from visits) as visits, "
                                                 "(select last_value from order_numbers) as seq, "
                                                 "(select is_called from order_numbers) as called")
    assert next(iter(after.rows())) == (0, 1, False)


def test_more_rows_than_the_cap_is_a_clear_error(shop, tmp_path):
    capped = dataclasses.replace(shop, max_rows=10)
    with pytest.raises(RowLimitExceeded, match="more than 10 rows, the limit for “shop”. Aggregate it"):
        fetch(capped, tmp_path, query="select * from orders")
    with pytest.raises(RowLimitExceeded, match="more than 5 rows"):
        fetch(shop, tmp_path, query="select * from orders", max_rows=5)
    # A report's own limit can't exceed the source's.
    with pytest.raises(RowLimitExceeded, match="more than 10 rows"):
        fetch(capped, tmp_path, query="select * from orders", max_rows=1000)
    assert len(list(fetch(capped, tmp_path, query="select * from orders limit 10").rows())) == 10


def test_a_query_over_the_time_limit_is_stopped_with_a_clear_error(shop, tmp_path):
    quick = dataclasses.replace(shop, timeout_seconds=0.3)
    slow = SLOW[shop.family]
    started = dt.datetime.now()
    with pytest.raises(QueryTimeout, match="ran longer than its 0.3-second limit"):
        fetch(quick, tmp_path, query=slow)
    assert dt.datetime.now() - started < dt.timedelta(seconds=2.5)


def test_a_source_the_owner_may_not_use_is_refused_before_any_query(shop, tmp_path):
    with pytest.raises(AccessDenied, match="<@U0BOB0001> may not use the data source “shop”"):
        fetch(shop, tmp_path, owner=BOB, query="select 1")
    with pytest.raises(AccessDenied, match="this schedule's owner may not use"):
        fetch(shop, tmp_path, owner=None, query="select 1")
    team_only = dataclasses.replace(shop, allowed_users=frozenset(), allowed_teams=frozenset({"T0OTHER"}))
    with pytest.raises(AccessDenied):
        fetch(team_only, tmp_path, query="select 1")


def test_sql_errors_are_reported_without_the_url(shop, tmp_path):
    with pytest.raises(Exception, match="The query failed on “shop”") as error:
        fetch(shop, tmp_path, query="select * from no_such_table")
    assert str(shop.url.database) not in str(error.value)


def test_an_unknown_source_is_a_parameter_error(monkeypatch):
    monkeypatch.delenv("REPORTBOT_DATA_SOURCES", raising=False)
    monkeypatch.setenv("REPORTBOT_SOURCE_SHOP", "sqlite:////tmp/shop.db")
    with pytest.raises(Exception, match="“Data source” must be one of: shop — not “other”"):
        get_report_type("sql").validate_params({"source": "other", "query": "select 1"})


def test_rows_stream_through_a_spool_with_flat_memory(shop, tmp_path):
    big = dataclasses.replace(shop, max_rows=1_000_000, timeout_seconds=120)  # memory is measured, not time
    many = MANY[shop.family]
    tracemalloc.start()
    try:
        table = fetch(big, tmp_path, query=many)
        total = sum(row[0] for row in table.rows())
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert total == 100_000 * 100_001 // 2
    # 100,000 rows held at once would take well over 20 MB of Python objects.
    assert peak < 12 * 1024 * 1024, f"peak {peak / 1e6:.1f} MB"
    spools = list(tmp_path.glob("reportbot-rows-*.spool"))
    assert len(spools) == 1
    del table
    gc.collect()
    assert not any(p.exists() for p in spools)  # the spool goes with the table


def test_refused_queries_leave_no_spool_behind(shop, tmp_path):
    with pytest.raises(RowLimitExceeded):
        fetch(dataclasses.replace(shop, max_rows=1), tmp_path, query="select * from orders")
    assert os.listdir(tmp_path) == []


def test_percent_signs_and_colons_in_strings_are_left_alone(shop, tmp_path):
    table = fetch(shop, tmp_path, query="select '50%' as share, 'at 10:30' as said, :window_start as since "
                                        "where 'abc' like 'a%'")
    share, said, since = next(iter(table.rows()))
    assert (share, said) == ("50%", "at 10:30") and str(since).startswith("2026-11-23 00:00:00")
