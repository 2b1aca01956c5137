"""The permission checks every surface makes are made again when a run is generated, and what a
run posts is safe: a limit added later stops existing schedules (and says why), a Pulse report
cannot read a report its owner may not use, render errors reach the owner in words, a report sent
to someone else's DM can be stopped from the message, and previews do not pile up."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json

import pytest
from sqlalchemy import func, select

from jobs.access import Person, ensure_may_use_report
from jobs.cleanup import cleanup
from jobs.delivery.deliver import deliver
from jobs.generate import generate
from jobs.manual_runs import PreviewRequest, RunStarted, start_preview
from jobs.policy import Policy
from jobs.slack_ids import ScheduleActions
from reports import registry
from reports.registry import report_type
from reports.table import Column, ColumnType, Table
from storage.models import DestinationKind, Run, RunStatus, Schedule, ScheduleStatus
from storage.schedules import NewDestination
from storage.workspace import workspace_settings_for_update
from tests.factories import TEAM
from tests.jobs.delivery_support import due_run, load_run
from tests.support.people import ALICE, BOB


def limit(ctx, report: str, users: list[str]) -> None:
    with ctx.database.session() as s:
        settings = workspace_settings_for_update(s, TEAM)
        settings.access = {**(settings.access or {}), report: users}


def schedule_of(ctx, run_id) -> Schedule:
    with ctx.database.session() as s:
        return s.get(Schedule, load_run(ctx, run_id).schedule_id)


def test_a_limit_added_after_the_schedule_was_made_stops_it_and_says_why(job_context, recording_enqueue, emulator):
    run_id = due_run(job_context, recording_enqueue)
    limit(job_context, "demo_sales", [BOB])
    assert generate(job_context, run_id, recording_enqueue) == "failed"
    run = load_run(job_context, run_id)
    assert run.status == RunStatus.FAILED and "limited “Demo sales” to certain people" in run.error
    schedule = schedule_of(job_context, run_id)
    assert schedule.status == ScheduleStatus.PAUSED and "limited “Demo sales”" in schedule.paused_reason
    assert emulator.calls("users.info")  # the owner might have been an admin: Slack was asked


def test_an_unlimited_report_runs_without_asking_slack_who_the_owner_is(job_context, recording_enqueue, emulator):
    run_id = due_run(job_context, recording_enqueue)
    limit(job_context, "channel_activity", [BOB])  # another type's limit does not matter
    assert generate(job_context, run_id, recording_enqueue) == "generated"
    assert emulator.calls("users.info") == []


def test_an_admin_owner_keeps_running_a_limited_report(job_context, recording_enqueue, emulator):
    emulator.add_user("U0BOSS001", "boss", is_admin=True)
    run_id = due_run(job_context, recording_enqueue, owner="U0BOSS001")
    limit(job_context, "demo_sales", [BOB])
    assert generate(job_context, run_id, recording_enqueue) == "generated"


def test_pulse_cannot_read_a_report_its_owner_may_not_use(job_context, recording_enqueue):
    policy = Policy(None, None, 0, (), {"demo_sales": [BOB]})
    params = {"prompt": "Summarise", "attach": "demo_sales"}
    ensure_may_use_report(Person(BOB, TEAM), policy, "prompt", params)  # Bob may
    try:
        ensure_may_use_report(Person(ALICE, TEAM), policy, "prompt", params)
    except Exception as exc:
        assert "reads “Demo sales”, which your workspace admins have limited" in str(exc)
    else:
        raise AssertionError("Alice read a limited report through Pulse")
    run_id = due_run(job_context, recording_enqueue, report_type="prompt", params=params)
    limit(job_context, "demo_sales", [BOB])
    assert generate(job_context, run_id, recording_enqueue) == "failed"
    assert "reads “Demo sales”" in load_run(job_context, run_id).error


@pytest.fixture
def words_only():
    """A report type whose table has no number in it (a PNG chart of it cannot be drawn)."""

    @report_type("test_words_only", title="Words only", description="A table with no number in it.")
    def fetch(request) -> Table:
        return Table.from_rows([Column("region", ColumnType.TEXT)], [("North",), ("South",)])

    registry.load_plugins()
    yield "test_words_only"
    registry._TYPES.pop("test_words_only", None)


def test_a_render_error_reaches_the_owner_in_words(job_context, recording_enqueue, words_only):
    run_id = due_run(job_context, recording_enqueue, report_type="test_words_only", formats=("png",))
    assert generate(job_context, run_id, recording_enqueue) == "failed"
    error = load_run(job_context, run_id).error
    assert "no numeric column" in error and "Something went wrong" not in error


def test_a_report_dmd_to_someone_else_carries_a_stop_button_the_owners_copy_does_not(
        job_context, recording_enqueue, emulator):
    run_id = due_run(job_context, recording_enqueue, destinations=[
        NewDestination(DestinationKind.SLACK_USER, BOB, "@bob"),
        NewDestination(DestinationKind.SLACK_USER, ALICE, "@alice")])
    generate(job_context, run_id, recording_enqueue)
    assert deliver(job_context, run_id) == RunStatus.DELIVERED
    buttons = {}
    for call in emulator.calls("files.completeUploadExternal") + emulator.calls("chat.postMessage"):
        blocks = call.params.get("blocks") or []
        if isinstance(blocks, str):
            blocks = json.loads(blocks)
        ids = [e.get("action_id") for b in blocks if b.get("type") == "actions" for e in b["elements"]]
        if ids:
            buttons[call.params.get("channel_id") or call.params.get("channel")] = ids
    with_stop = [ids for ids in buttons.values() if ScheduleActions.MUTE in ids]
    assert len(buttons) == 2 and len(with_stop) == 1


def test_previews_are_one_at_a_time_per_person_and_removed_a_day_later(job_context, recording_enqueue):
    ctx = job_context
    request = PreviewRequest(team_id=TEAM, user_id=ALICE, name="Daily sales", report_type="demo_sales", params={},
                             formats=["csv"], cadence_text="every day at 9am", cadence={}, timezone="Europe/Berlin")
    first = start_preview(ctx, request, enqueue=recording_enqueue, per_hour=10)
    assert isinstance(first, RunStarted)
    assert not isinstance(start_preview(ctx, request, enqueue=recording_enqueue, per_hour=10), RunStarted)
    assert generate(ctx, first.run_id, recording_enqueue) == "generated"
    assert deliver(ctx, first.run_id) == RunStatus.DELIVERED
    files = [a.storage_key for a in load_run(ctx, first.run_id).artifacts]
    assert files and all(ctx.artifacts.exists(k) for k in files)
    ctx.now.jump_to(ctx.now() + dt.timedelta(hours=23))
    assert cleanup(ctx).previews_deleted == 0  # kept a day: it shows in its maker's history meanwhile
    ctx.now.jump_to(ctx.now() + dt.timedelta(hours=2))
    assert cleanup(ctx).previews_deleted == 1
    with ctx.database.session() as s:
        assert s.scalar(select(func.count()).select_from(Schedule)) == 0
        assert s.scalar(select(func.count()).select_from(Run)) == 0
    assert not any(ctx.artifacts.exists(k) for k in files)


def test_previews_per_hour_are_capped(job_context, recording_enqueue):
    ctx = dataclasses.replace(job_context)
    request = PreviewRequest(team_id=TEAM, user_id=ALICE, name="x", report_type="demo_sales", params={},
                             formats=["csv"], cadence_text="every day at 9am", cadence={}, timezone="UTC")
    for _ in range(3):
        started = start_preview(ctx, request, enqueue=recording_enqueue, per_hour=3)
        assert isinstance(started, RunStarted)
        with ctx.database.session() as s:
            s.get(Run, started.run_id).status = RunStatus.DELIVERED
    refused = start_preview(ctx, request, enqueue=recording_enqueue, per_hour=3)
    assert getattr(refused, "per_hour", None) == 3
    ctx.now.jump_to(ctx.now() + dt.timedelta(minutes=61))
    assert isinstance(start_preview(ctx, request, enqueue=recording_enqueue, per_hour=3), RunStarted)
