"""What the bot calls around data sources: the save-time statement check (parse and plan, never run),
the pickers' list, and the per-source health for `reportbot status`."""

from __future__ import annotations

import sqlite3

import pytest

from reports.sources import load_data_sources
from reports.types.sql import check_sql_params, data_source_health, usable_source_names
from tests.support.people import ALICE


@pytest.fixture
def configured(tmp_path):
    path = tmp_path / "shop.db"
    with sqlite3.connect(path) as conn:
        conn.execute("create table orders (id integer primary key, paid_at text, amount real)")
    return load_data_sources({"REPORTBOT_SOURCE_SHOP": f"sqlite:///{path}", "REPORTBOT_SOURCE_SHOP__USERS": ALICE,
                              "REPORTBOT_SOURCE_VAULT": f"sqlite:///{path}",
                              "REPORTBOT_SOURCE_VAULT__USERS": "U0BOSS001"})


def check(configured, team="T0HOME01", user=ALICE, **params):
    return check_sql_params(params, team_id=team, user_id=user, sources=configured)


def test_a_sound_query_passes(configured):
    assert check(configured, source="shop", query="select date(paid_at) as day, sum(amount) from orders "
                                                  "where paid_at >= :window_start group by day") is None


@pytest.mark.parametrize(("params", "message"), [
    ({"source": "shop", "query": "delete from orders"}, "starts with DELETE"),
    ({"source": "shop", "query": "select * from ordrs"}, "no such table: ordrs"),
    ({"source": "shop", "query": "select fts3_tokenizer('simple')"}, "fts3_tokenizer() is not allowed"),
    ({"source": "shop", "query": "select * from orders where region = :region"}, ":region, but the only"),
    ({"source": "vault", "query": "select 1"}, "<@U0ALICE01> may not use the data source “vault”"),
    ({"source": "nowhere", "query": "select 1"}, "There is no data source “nowhere”"),
    ({"source": "shop"}, "Write a SQL query, or pick a saved query"),
])
def test_a_schedule_that_would_fail_at_every_run_is_refused_when_saved(configured, params, message):
    problem = check(configured, **params)
    assert problem is not None and message in problem


def test_pickers_list_only_usable_sources(configured):
    assert usable_source_names("T0HOME01", ALICE, sources=configured) == ["shop"]
    assert usable_source_names("T0HOME01", "U0BOSS001", sources=configured) == ["vault"]
    assert usable_source_names("T0HOME01", "U0NOBODY1", sources=configured) == []


@pytest.mark.postgres
def test_the_check_plans_without_running(postgres_shop_db):
    sources = load_data_sources({"REPORTBOT_SOURCE_SHOP": postgres_shop_db.reader_url,
                                 "REPORTBOT_SOURCE_SHOP__USERS": "*", "REPORTBOT_SOURCE_SHOP__TIMEOUT": "3"})
    # Run, this would sleep past the 3-second limit and come back as a time-limit message; EXPLAIN only plans it.
    assert check(sources, source="shop", query="select pg_sleep(30), count(*) from orders "
                                               "where paid_at >= :window_start") is None
    problem = check(sources, source="shop", query="select nope from orders")
    assert problem and 'column "nope" does not exist' in problem


@pytest.mark.mariadb
def test_the_check_explains_on_mariadb(mariadb_shop_db):
    sources = load_data_sources({"REPORTBOT_SOURCE_SHOP": mariadb_shop_db.reader_url,
                                 "REPORTBOT_SOURCE_SHOP__USERS": "*"})
    assert check(sources, source="shop", query="select region, sum(amount) from orders "
                                               "where paid_at >= :window_start group by region") is None
    problem = check(sources, source="shop", query="select * from no_such_table")
    assert problem and "doesn't exist" in problem and mariadb_shop_db.reader not in problem


def test_health_lists_every_source(configured, tmp_path):
    from reports.sources import format_health

    health = data_source_health(configured)
    assert [h.name for h in health] == ["shop", "vault"] and all(h.reachable and not h.problems for h in health)
    assert format_health(health) == ["  shop (sqlite): ok", "  vault (sqlite): ok"]


def test_health_warns_when_oauth_mode_leaves_a_source_to_no_workspace(tmp_path):
    path = tmp_path / "x.db"
    sqlite3.connect(path).close()
    sources = load_data_sources({"REPORTBOT_SOURCE_X": f"sqlite:///{path}", "REPORTBOT_SOURCE_X__USERS": "*",
                                 "SLACK_CLIENT_ID": "123.456"})
    (health,) = data_source_health(sources)
    assert any("allowed_teams" in w for w in health.warnings)
