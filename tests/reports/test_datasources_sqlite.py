"""A SQLite source runs only ordinary SQL functions, and no value or result is larger than its caps."""

from __future__ import annotations

import dataclasses
import sqlite3

import pytest

from reports.sources import (
    GuardedQuery,
    ResultTooLarge,
    UnsafeQuery,
    load_data_sources,
    run_query,
)


@pytest.fixture
def source(tmp_path):
    path = tmp_path / "shop.db"
    with sqlite3.connect(path) as conn:
        conn.execute("create table orders (id integer primary key, paid_at text, note text, amount real)")
        conn.executemany("insert into orders values (?, ?, ?, ?)",
                         [(i, f"2026-11-{i:02d} 10:00:00", "ok", i * 1.5) for i in range(1, 21)])
        conn.execute("create table documents (id integer primary key, body text)")
        conn.execute("insert into documents values (1, ?)", ("x" * 3_000_000,))
    sources = load_data_sources({"REPORTBOT_SOURCE_SHOP": f"sqlite:///{path}", "REPORTBOT_SOURCE_SHOP__USERS": "*"})
    return sources["shop"]


def run(source, sql: str, tmp_path):
    result = run_query(source, GuardedQuery(sql, ()), {}, timezone="UTC", spool_dir=tmp_path)
    return list(result.rows())


@pytest.mark.parametrize(("call", "name"), [
    ("fts3_tokenizer('simple')", "fts3_tokenizer"),   # hands out a native pointer
    ("load_extension('/tmp/evil.so')", "load_extension"),
    ("sqlite_compileoption_get(0)", "sqlite_compileoption_get"),
    ("sqlite_version()", "sqlite_version"),
    ("zeroblob(10)", "zeroblob"),
])
def test_functions_outside_the_allow_list_are_refused(source, tmp_path, call, name):
    with pytest.raises(UnsafeQuery, match=f"{name}\\(\\) is not allowed"):
        run(source, f"select {call} as v", tmp_path)


def test_ordinary_functions_are_allowed(source, tmp_path):
    rows = run(source, """
        select date(paid_at) as day, strftime('%H', paid_at) as hour, printf('%.2f', sum(amount)) as total,
               coalesce(null, 'none') as fallback, count(*) as n, round(avg(amount), 1) as mean,
               upper(substr(note, 1, 1)) || lower(note) as label,
               julianday('2026-11-02') - julianday('2026-11-01') as d,
               group_concat(id, '+') as ids, json_extract('{"a": 7}', '$.a') as a, abs(-3) as three,
               iif(sum(amount) > 0, 'up', 'down') as trend, max(id) as last, min(id) as first
        from orders where id <= 2 group by date(paid_at) order by day""", tmp_path)
    assert rows[0] == ("2026-11-01", "10", "1.50", "none", 1, 1.5, "Ook", 1.0, "1", 7, 3, "up", 1, 1)
    ranked = run(source, "select id, row_number() over (order by amount desc) as r, "
                         "lag(id) over (order by id) as before from orders where id <= 3 order by id", tmp_path)
    assert ranked == [(1, 3, None), (2, 2, 1), (3, 1, 2)]


def test_a_cell_larger_than_the_cap_is_refused_with_the_limit_named(source, tmp_path):
    capped = dataclasses.replace(source, max_cell_bytes=1_000_000)
    with pytest.raises(ResultTooLarge, match="larger than 1,000,000 bytes, the limit for one value in “shop”"):
        run(capped, "select body from documents", tmp_path)
    with pytest.raises(ResultTooLarge, match="1,000,000 bytes"):
        run(capped, "select replace(printf('%.*c', 900000, 'x'), 'x', 'yy') as built", tmp_path)
    # SQLite's own limit: the cap holds for every value the query reads or builds, not only for results.
    assert run(capped, "select id from documents", tmp_path) == [(1,)]
    roomy = dataclasses.replace(source, max_cell_bytes=4_000_000)
    assert run(roomy, "select length(body) from documents", tmp_path) == [(3_000_000,)]


def test_a_result_larger_than_the_cap_is_refused(source, tmp_path):
    capped = dataclasses.replace(source, max_result_bytes=50_000)
    with pytest.raises(ResultTooLarge, match="more than 50,000 bytes, the limit for “shop”"):
        run(capped, "with recursive c(n) as (select 1 union all select n + 1 from c where n < 1000) "
                    "select n, printf('%.*c', 100, 'y') as filler from c", tmp_path)
    assert len(run(capped, "select * from orders", tmp_path)) == 20
    assert list(tmp_path.glob("reportbot-rows-*")) == []
