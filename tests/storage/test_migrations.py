"""The migrations build exactly the schema the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.exc import IntegrityError

from storage.models import Base, Run, ScheduleStatus
from storage.schedules import find_schedule
from tests.factories import make_schedule
from tests.support.people import OTHER_TEAM, TEAM


def test_migrated_schema_matches_the_models(database):
    with database.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata)
    assert diff == []


def test_datetimes_come_back_aware_in_utc(database):
    slot = dt.datetime(2026, 3, 29, 1, 30, tzinfo=dt.timezone(dt.timedelta(hours=2)))
    with database.session() as s:
        schedule = make_schedule(s, next_run_at=slot)
        schedule_id = schedule.id
    with database.session() as s:
        got = find_schedule(s, TEAM, str(schedule_id)).next_run_at
    assert got == slot and got.tzinfo == dt.UTC


def test_one_run_per_slot_is_enforced_by_the_database(database):
    slot = dt.datetime(2026, 11, 23, 8, tzinfo=dt.UTC)
    with database.session() as s:
        schedule_id = make_schedule(s).id
        s.add(Run(schedule_id=schedule_id, scheduled_for=slot))
    with pytest.raises(IntegrityError):
        with database.session() as s:
            s.add(Run(schedule_id=schedule_id, scheduled_for=slot))


def test_names_are_unique_per_workspace_case_insensitively_among_live_schedules(database):
    from storage.errors import NameTaken

    with database.session() as s:
        first = make_schedule(s, name="Daily Sales")
        with pytest.raises(NameTaken):
            make_schedule(s, name="daily  sales")
        make_schedule(s, name="Daily Sales", team_id=OTHER_TEAM)  # another workspace may
        first.status = ScheduleStatus.DELETED
        s.flush()
        make_schedule(s, name="daily sales")  # a deleted schedule frees its name
