"""Who may use a data source: one rule (`may_use_source`) for pickers, the save-time check and every run,
including a `prompt` report that attaches a `sql` report's data."""

from __future__ import annotations

import datetime as dt
import sqlite3

import pytest

from reports.registry import ReportRequest, get_report_type
from reports.sources import AccessDenied, DataSources, load_data_sources, may_use_source
from reports.types.chat_client import ChatSettings
from reports.window import compute_window
from tests.support.people import ALICE, BOB

SLOT = dt.datetime(2026, 11, 24, 8, tzinfo=dt.UTC)
OAUTH = {"SLACK_CLIENT_ID": "123.456", "SLACK_CLIENT_SECRET": "test-secret-not-real"}


def sources(env: dict[str, str]) -> DataSources:
    return load_data_sources({"REPORTBOT_SOURCE_OPEN": "sqlite:////tmp/open.db", "REPORTBOT_SOURCE_OPEN__USERS": "*",
                              "REPORTBOT_SOURCE_SALES": "sqlite:////tmp/sales.db",
                              "REPORTBOT_SOURCE_SALES__TEAMS": "T0HOME01", "REPORTBOT_SOURCE_SALES__USERS": ALICE,
                              "REPORTBOT_SOURCE_EVERYWHERE": "sqlite:////tmp/all.db",
                              "REPORTBOT_SOURCE_EVERYWHERE__TEAMS": "*", **env})


def test_without_allowed_teams_a_single_workspace_install_shares_the_source_with_its_workspace():
    configured = sources({"SLACK_BOT_TOKEN": "xoxb-test-token"})
    assert not configured.multi_workspace
    assert configured.may_use(configured["open"], "T0HOME01", "U0ANYONE1")


def test_in_multi_workspace_mode_an_omitted_allowed_teams_means_no_other_workspace():
    configured = sources(OAUTH)
    assert configured.multi_workspace
    # A workspace that merely installed the app sees nothing it was not granted.
    assert [s.name for s in configured.usable_by("T0STRANGR", "U0ANYONE1")] == ["everywhere"]
    assert not configured.may_use(configured["open"], "T0STRANGR", "U0ANYONE1")
    with pytest.raises(AccessDenied, match="may not use the data source “open”"):
        configured.check_access(configured["open"], "T0STRANGR", "U0ANYONE1")
    assert [s.name for s in configured.usable_by("T0HOME01", ALICE)] == ["everywhere", "sales"]
    assert [s.name for s in configured.usable_by("T0HOME01", BOB)] == ["everywhere"]


@pytest.mark.parametrize(("users", "teams", "multi", "team", "user", "allowed"), [
    ((), (), False, "T1", "U1", False),          # nothing granted: nobody
    (("*",), (), False, "T1", "U1", True),
    (("*",), (), True, "T1", "U1", False),        # OAuth: teams must be named
    (("*",), ("T1",), True, "T1", "U1", True),
    (("*",), ("T1",), True, "T2", "U1", False),
    (("U1",), ("*",), True, "T9", "U1", True),
    (("U1",), ("*",), True, "T9", "U2", False),
    (("U1",), (), False, None, "U1", True),
    (("*",), ("T1",), False, None, "U1", False),  # no workspace known: a team list cannot be satisfied
    (("U1",), (), False, "T1", None, False),      # no user known: a user list cannot be satisfied
])
def test_the_rule(users, teams, multi, team, user, allowed):
    from reports.sources import DataSource

    source = DataSource(name="s", url=load_data_sources({"REPORTBOT_SOURCE_S": "sqlite:////tmp/s.db"})["s"].url,
                        allowed_users=frozenset(users), allowed_teams=frozenset(teams))
    assert may_use_source(source, team, user, multi_workspace=multi) is allowed


def _shop(tmp_path) -> str:
    path = tmp_path / "shop.db"
    with sqlite3.connect(path) as conn:
        conn.execute("create table orders (id integer primary key, amount real)")
        conn.execute("insert into orders values (1, 9.5)")
    return f"sqlite:///{path}"


def test_a_run_in_another_workspace_is_refused_at_run_time(tmp_path, monkeypatch):
    url = _shop(tmp_path)
    monkeypatch.setenv("REPORTBOT_SOURCE_SHOP", url)
    monkeypatch.setenv("REPORTBOT_SOURCE_SHOP__USERS", "*")
    monkeypatch.delenv("REPORTBOT_DATA_SOURCES", raising=False)
    for key, value in OAUTH.items():
        monkeypatch.setenv(key, value)
    sql = get_report_type("sql")
    request = ReportRequest(params=sql.validate_params({"source": "shop", "query": "select * from orders"}),
                            window=compute_window("previous_day", SLOT, "UTC"), timezone="UTC", slot=SLOT,
                            owner_user_id=ALICE, team_id="T0STRANGR", services={"spool_dir": str(tmp_path)})
    with pytest.raises(AccessDenied, match="<@U0ALICE01> may not use the data source “shop”"):
        sql.fetch(request)


def test_a_pulse_attaching_sql_goes_through_the_same_check(tmp_path, monkeypatch):
    env = {"REPORTBOT_SOURCE_SHOP": _shop(tmp_path), "REPORTBOT_SOURCE_SHOP__USERS": ALICE,
           "REPORTBOT_SOURCE_SHOP__TEAMS": "T0HOME01"}
    for key, value in env.items():  # the attached report's parameters are validated against the configuration
        monkeypatch.setenv(key, value)
    configured = load_data_sources(env)
    prompt = get_report_type("prompt")
    # Port 9 (discard) on loopback: the refusal must come before any call to the model.
    services = {"chat_settings": ChatSettings(base_url="http://127.0.0.1:9/v1", model="pulse-test-1", max_retries=0),
                "data_sources": configured, "spool_dir": str(tmp_path)}
    request = ReportRequest(params={"prompt": "Summarise", "attach": "sql",
                                    "attach_params": '{"source": "shop", "query": "select * from orders"}',
                                    "attach_rows": 10},
                            window=compute_window("previous_day", SLOT, "UTC"), timezone="UTC", slot=SLOT,
                            owner_user_id=BOB, team_id="T0HOME01", services=services)
    with pytest.raises(AccessDenied, match="<@U0BOB0001> may not use the data source “shop”"):
        prompt.fetch(request)
