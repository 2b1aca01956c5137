"""Migration 0008: schedules that never chose a window move to their schedule's period; chosen
windows stay; `window_n` is kept only where it means something. On SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from alembic import command

from storage.migrate import alembic_config, upgrade
from storage.models import Schedule
from tests.support.people import ALICE, TEAM

NOW = dt.datetime(2026, 11, 23, tzinfo=dt.UTC)


def at_revision(database, revision: str) -> None:
    with database.engine.begin() as connection:
        config = alembic_config(database.url)
        config.attributes["connection"] = connection
        command.downgrade(config, revision)


def add_old_schedule(connection, n: int, report_type: str, params: dict) -> None:
    """A schedule row as revision 0007 stored it (every form saved the type's default window)."""
    schedules = sa.table("schedules", *(sa.column(c) for c in (
        "id", "team_id", "name", "name_key", "owner_user_id", "report_type", "formats", "cadence_text", "cadence",
        "timezone", "status", "skip_if_empty", "consecutive_failures", "run_count", "success_count", "failure_count",
        "created_at", "updated_at")), sa.column("params", sa.JSON()))
    connection.execute(schedules.insert().values(
        id=n, team_id=TEAM, name=f"s{n}", name_key=f"s{n}", owner_user_id=ALICE, report_type=report_type,
        params=params, formats=sa.cast(sa.literal('["csv"]'), sa.JSON), cadence_text="every monday at 9",
        cadence=sa.cast(sa.literal("{}"), sa.JSON), timezone="UTC", status="active", skip_if_empty=False,
        consecutive_failures=0, run_count=0, success_count=0, failure_count=0,
        created_at=NOW.replace(tzinfo=None), updated_at=NOW.replace(tzinfo=None)))


def test_unchosen_windows_move_to_the_schedules_period_and_chosen_ones_stay(database):
    at_revision(database, "0007")
    before = {
        1: ("demo_sales", {"region": "North", "window": "previous_day", "window_n": 7}),  # the form's default
        2: ("channel_activity", {"channels": ["C1"], "window": "previous_week", "window_n": 7}),  # its default
        3: ("demo_sales", {"window": "previous_month", "window_n": 7}),  # chosen: stays, without a useless N
        4: ("sql", {"source": "w", "window": "last_n_days", "window_n": 28}),  # chosen, with its N
        5: ("acme_tickets", {"window": "previous_day"}),  # a plugin that declared no window got previous_day
        6: ("acme_tickets", {"window": "month_to_date"}),  # a plugin's own window: left alone
        7: ("demo_sales", {}),  # no window at all
    }
    with database.engine.begin() as connection:
        for n, (report_type, params) in before.items():
            add_old_schedule(connection, n, report_type, params)
    upgrade(database)
    with database.session() as session:
        after = {s.id: s.params for s in session.scalars(sa.select(Schedule).order_by(Schedule.id))}
        tags = {s.id: s.tags for s in session.scalars(sa.select(Schedule))}
    assert after == {
        1: {"region": "North"},
        2: {"channels": ["C1"]},
        3: {"window": "previous_month"},
        4: {"source": "w", "window": "last_n_days", "window_n": 28},
        5: {},
        6: {"window": "month_to_date"},
        7: {},
    }
    assert set(map(tuple, tags.values())) == {()}  # every existing schedule starts without tags
