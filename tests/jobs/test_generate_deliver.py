"""Generate and deliver without a broker: files, DMs, retries and permanent Slack errors."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from jobs.delivery.deliver import TransientDeliveryError, deliver
from jobs.generate import generate
from jobs.tick import tick
from storage.models import DestinationKind, Run, RunStatus, Schedule, ScheduleStatus
from storage.schedules import NewDestination
from tests.factories import make_schedule
from tests.jobs.delivery_support import due_run, load_run
from tests.support.people import ALICE, BOB, SALES


def test_generate_renders_every_format_then_hands_over_to_delivery(job_context, recording_enqueue):
    run_id = due_run(job_context, recording_enqueue, formats=("csv", "xlsx"))
    assert generate(job_context, run_id, recording_enqueue) == "generated"
    assert generate(job_context, run_id, recording_enqueue) == "not-taken"  # a duplicate message is harmless
    run = load_run(job_context, run_id)
    assert run.status == RunStatus.DELIVERING and run.row_count == 16
    assert sorted(a.format for a in run.artifacts) == ["csv", "xlsx"]
    assert all(a.size > 0 and len(a.sha256) == 64 for a in run.artifacts)
    assert run.summary["window_label"] == "Sun 22 Nov 2026, Europe/Berlin"
    assert recording_enqueue.calls[-1] == (run_id, "deliver", 0)


def test_deliver_to_a_user_goes_through_a_dm(job_context, recording_enqueue, emulator):
    run_id = due_run(job_context, recording_enqueue,
                      destinations=[NewDestination(DestinationKind.SLACK_USER, BOB, "@bob")])
    generate(job_context, run_id, recording_enqueue)
    assert deliver(job_context, run_id) == RunStatus.DELIVERED
    [upload] = emulator.uploads()
    assert upload.channel_id.startswith("D")
    assert [c.params["users"] for c in emulator.calls("conversations.open")] == [BOB]
    assert deliver(job_context, run_id) == "not-taken"  # delivered runs are never sent twice
    assert len(emulator.uploads()) == 1


def test_permanent_error_fails_that_destination_only(job_context, recording_enqueue, emulator):
    emulator.add_channel("C0PRIV001", "secret", is_private=True, bot_is_member=False)
    run_id = due_run(job_context, recording_enqueue, destinations=[
        NewDestination(DestinationKind.SLACK_CHANNEL, SALES, "#sales"),
        NewDestination(DestinationKind.SLACK_CHANNEL, "C0PRIV001", "#secret"),
    ])
    generate(job_context, run_id, recording_enqueue)
    assert deliver(job_context, run_id) == RunStatus.PARTIAL
    run = load_run(job_context, run_id)
    by_destination = {d.destination: (d.status, d.last_error) for d in run.deliveries}
    assert by_destination["slack_channel:C0SALES01"] == ("sent", None)
    assert by_destination["slack_channel:C0PRIV001"][0] == "failed"
    assert "C0PRIV001" in run.error
    assert len(emulator.calls("files.completeUploadExternal")) == 2  # one try each, no retry


def test_temporary_error_is_retried_and_resends_only_what_was_not_sent(job_context, recording_enqueue, emulator):
    run_id = due_run(job_context, recording_enqueue, destinations=[
        NewDestination(DestinationKind.SLACK_CHANNEL, SALES, "#sales"),
        NewDestination(DestinationKind.SLACK_USER, BOB, "@bob"),
    ])
    generate(job_context, run_id, recording_enqueue)
    emulator.fail("conversations.open", status=500, times=1)
    with pytest.raises(TransientDeliveryError):
        deliver(job_context, run_id)
    assert load_run(job_context, run_id).status == RunStatus.DELIVERING
    assert deliver(job_context, run_id) == RunStatus.DELIVERED  # the actor's retry
    channels = sorted(u.channel_id for u in emulator.uploads())
    assert len(channels) == 2 and channels[0].startswith(SALES)


def test_three_failed_runs_in_a_row_pause_the_schedule(job_context, recording_enqueue, emulator):
    with job_context.database.session() as s:
        schedule = make_schedule(s, destinations=[NewDestination(DestinationKind.SLACK_CHANNEL, "C0NOPE001", "#gone")])
        schedule_id, slot = schedule.id, schedule.next_run_at
    for day in range(3):
        job_context.now.jump_to(slot + dt.timedelta(days=day))
        [run_id] = tick(job_context, recording_enqueue).created
        generate(job_context, run_id, recording_enqueue)
        assert deliver(job_context, run_id) == RunStatus.FAILED
    with job_context.database.session() as s:
        schedule = s.get(Schedule, schedule_id)
        assert schedule.status == ScheduleStatus.ERROR
        assert (schedule.failure_count, schedule.consecutive_failures) == (3, 3)
        assert "channel_not_found" in schedule.last_error
        assert len(list(s.scalars(select(Run)))) == 3


def test_report_error_fails_the_run_with_the_message(job_context, recording_enqueue):
    run_id = due_run(job_context, recording_enqueue, params={"region": "Atlantis"})
    assert generate(job_context, run_id, recording_enqueue) == "failed"
    run = load_run(job_context, run_id)
    assert run.status == RunStatus.FAILED and "Region" in run.error and "North" in run.error


def test_sql_report_runs_as_its_owner_against_an_allowed_source(job_context, recording_enqueue, emulator, tmp_path,
                                                                 monkeypatch):
    import sqlite3

    source = tmp_path / "warehouse.db"
    with sqlite3.connect(source) as conn:
        conn.execute("create table orders (day text, amount integer)")
        conn.executemany("insert into orders values (?, ?)", [("2026-11-22", 5), ("2026-11-22", 7), ("2026-11-21", 1)])
    monkeypatch.setenv("REPORTBOT_SOURCE_WAREHOUSE", f"sqlite:///{source}")
    monkeypatch.setenv("REPORTBOT_SOURCE_WAREHOUSE__USERS", ALICE)
    query = "select day, sum(amount) as total from orders where day = :window_start_date group by day"
    run_id = due_run(job_context, recording_enqueue, report_type="sql",
                      params={"source": "warehouse", "query": query})
    assert generate(job_context, run_id, recording_enqueue) == "generated", load_run(job_context, run_id).error
    assert deliver(job_context, run_id) == RunStatus.DELIVERED
    [upload] = emulator.uploads(SALES)
    assert upload.content.decode().splitlines() == ["day,total", "2026-11-22,12"]

    other = due_run(job_context, recording_enqueue, name="Bob's copy", owner=BOB, report_type="sql",
                     params={"source": "warehouse", "query": query})
    assert generate(job_context, other, recording_enqueue) == "failed"  # bob may not use that source
    assert "warehouse" in load_run(job_context, other).error
