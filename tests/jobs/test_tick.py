"""The tick creates each slot's run exactly once, releases it at the slot time, and follows the
missed-slot rule, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from sqlalchemy import func, select

from jobs.tick import tick
from storage.models import AuditEvent, Run, RunStatus, RunTrigger, Schedule
from tests.conftest import make_context
from tests.factories import make_schedule

UTC = dt.UTC


def _runs(db):
    with db.session() as s:
        return list(s.scalars(select(Run).order_by(Run.scheduled_for)))


def test_due_schedule_gets_one_run_and_moves_to_its_next_slot(database, tmp_path, recording_enqueue):
    ctx = make_context(database, tmp_path)
    with database.session() as s:
        schedule = make_schedule(s, cadence_text="every day at 9am", timezone="Europe/Berlin")
        slot, schedule_id = schedule.next_run_at, schedule.id
    assert slot == dt.datetime(2026, 11, 23, 8, 0, tzinfo=UTC)  # 09:00 in Berlin (CET)

    result = tick(ctx, recording_enqueue, now=slot)
    again = tick(ctx, recording_enqueue, now=slot + dt.timedelta(seconds=1))

    runs = _runs(database)
    assert [(r.scheduled_for, r.status) for r in runs] == [(slot, RunStatus.PENDING)]
    assert result.created == [runs[0].id] and again.created == []
    assert recording_enqueue.calls == [(runs[0].id, "generate", 0)]
    with database.session() as s:
        assert s.get(Schedule, schedule_id).next_run_at == slot + dt.timedelta(days=1)


def test_slot_within_lookahead_is_released_with_a_delay(database, tmp_path, recording_enqueue):
    ctx = make_context(database, tmp_path, tick_lookahead=10)
    with database.session() as s:
        slot = make_schedule(s).next_run_at
    tick(ctx, recording_enqueue, now=slot - dt.timedelta(seconds=4))
    assert [(phase, delay) for _, phase, delay in recording_enqueue.calls] == [("generate", 4000)]


def test_nothing_due_creates_nothing(database, tmp_path, recording_enqueue):
    ctx = make_context(database, tmp_path)
    with database.session() as s:
        slot = make_schedule(s).next_run_at
    result = tick(ctx, recording_enqueue, now=slot - dt.timedelta(minutes=5))
    assert result.created == [] and _runs(database) == [] and recording_enqueue.calls == []


def test_paused_schedule_is_not_run(database, tmp_path, recording_enqueue):
    ctx = make_context(database, tmp_path)
    with database.session() as s:
        schedule = make_schedule(s)
        schedule.status = "paused"
        slot = schedule.next_run_at
    assert tick(ctx, recording_enqueue, now=slot + dt.timedelta(hours=1)).created == []


def test_after_downtime_one_catch_up_for_the_latest_slot_and_older_ones_skipped(database, tmp_path, recording_enqueue):
    ctx = make_context(database, tmp_path, missed_grace=3600)
    with database.session() as s:
        slot = make_schedule(s, cadence_text="every day at 9am").next_run_at
    now = slot + dt.timedelta(days=3, minutes=30)  # down for three days; the latest slot is 30 min old

    tick(ctx, recording_enqueue, now=now)

    runs = _runs(database)
    assert [r.status for r in runs] == [RunStatus.SKIPPED] * 3 + [RunStatus.PENDING]
    assert runs[-1].scheduled_for == slot + dt.timedelta(days=3)
    assert all("grace" in r.error for r in runs[:3])
    assert len(recording_enqueue.calls) == 1
    with database.session() as s:
        assert s.scalar(select(AuditEvent.details).where(AuditEvent.action == "slots_missed")) == {
            "count": 3, "catch_up": True}


def test_missed_slot_older_than_the_grace_period_is_only_recorded(database, tmp_path, recording_enqueue):
    ctx = make_context(database, tmp_path, missed_grace=3600)
    with database.session() as s:
        schedule = make_schedule(s, cadence_text="every day at 9am")
        slot, schedule_id = schedule.next_run_at, schedule.id
    tick(ctx, recording_enqueue, now=slot + dt.timedelta(hours=2))
    assert [r.status for r in _runs(database)] == [RunStatus.SKIPPED]
    assert recording_enqueue.calls == []
    with database.session() as s:
        assert s.get(Schedule, schedule_id).next_run_at == slot + dt.timedelta(days=1)


def test_two_ticks_at_once_create_each_run_once(database, tmp_path, recording_enqueue):
    """Two clocks racing over 120 due schedules: every slot gets exactly one run and one message."""
    ctx = make_context(database, tmp_path)
    base = dt.datetime(2026, 11, 23, 7, 0, tzinfo=UTC)
    with database.session() as s:
        for i in range(120):
            make_schedule(s, name=f"report {i}", next_run_at=base + dt.timedelta(seconds=i % 7))
    now = base + dt.timedelta(minutes=1)
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def clock() -> None:
        try:
            barrier.wait()
            tick(ctx, recording_enqueue, now=now, batch_size=25)
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=clock) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)

    assert errors == []
    with database.session() as s:
        assert s.scalar(select(func.count()).select_from(Run)) == 120
        per_schedule = s.execute(select(Run.schedule_id, func.count()).group_by(Run.schedule_id)).all()
    assert {count for _, count in per_schedule} == {1}
    enqueued = [run_id for run_id, _, _ in recording_enqueue.calls]
    assert len(enqueued) == 120 and len(set(enqueued)) == 120


def test_database_error_mid_tick_loses_and_duplicates_nothing(database, tmp_path, recording_enqueue, monkeypatch):
    """A write fails in the second of six batches (the tick overlaps claiming, writing and
    enqueueing): committed batches keep their runs and messages, the rest stay due and unlocked,
    and the next tick creates exactly the missing runs."""
    from storage import schedules as schedule_repo

    ctx = make_context(database, tmp_path)
    base = dt.datetime(2026, 11, 23, 7, 0, tzinfo=UTC)
    with database.session() as s:
        for i in range(60):
            make_schedule(s, name=f"report {i}", next_run_at=base + dt.timedelta(seconds=i))
    now = base + dt.timedelta(minutes=2)
    real_set_next_runs, calls = schedule_repo.set_next_runs, []

    def failing_second_batch(session, next_runs):
        calls.append(len(next_runs))
        if len(calls) == 2:
            raise RuntimeError("connection lost")
        real_set_next_runs(session, next_runs)

    monkeypatch.setattr(schedule_repo, "set_next_runs", failing_second_batch)
    with pytest.raises(RuntimeError, match="connection lost"):
        tick(ctx, recording_enqueue, now=now, batch_size=10)
    runs = _runs(database)
    assert len(runs) == 10  # only the first batch committed
    assert sorted(run_id for run_id, _, _ in recording_enqueue.calls) == sorted(r.id for r in runs)
    with database.session() as s:
        still_due = s.scalar(select(func.count()).select_from(Schedule).where(Schedule.next_run_at <= now))
    assert still_due == 50

    monkeypatch.setattr(schedule_repo, "set_next_runs", real_set_next_runs)
    result = tick(ctx, recording_enqueue, now=now, batch_size=10)
    assert len(result.created) == 50
    with database.session() as s:
        per_schedule = s.execute(select(Run.schedule_id, func.count()).group_by(Run.schedule_id)).all()
    assert len(per_schedule) == 60 and {count for _, count in per_schedule} == {1}
    enqueued = [run_id for run_id, _, _ in recording_enqueue.calls]
    assert len(enqueued) == 60 and len(set(enqueued)) == 60


def test_run_whose_worker_died_is_enqueued_again_then_failed_after_max_attempts(database, tmp_path, recording_enqueue):
    ctx = make_context(database, tmp_path, max_attempts=2, dispatch_timeout=60)
    with database.session() as s:
        slot = make_schedule(s).next_run_at
    tick(ctx, recording_enqueue, now=slot)
    run_id = recording_enqueue.calls[0][0]
    for attempt in (1, 2):  # a worker takes the run, then dies without renewing its lease
        with database.session() as s:
            run = s.get(Run, run_id)
            run.status, run.attempt, run.lease_token = RunStatus.RUNNING, attempt, "dead-worker"
            run.lease_until = slot + dt.timedelta(minutes=attempt)
        result = tick(ctx, recording_enqueue, now=slot + dt.timedelta(minutes=attempt, seconds=1))
        if attempt == 1:
            assert result.requeued == [run_id]
    with database.session() as s:
        run = s.get(Run, run_id)
        assert run.status == RunStatus.FAILED and "2 times" in run.error
    assert [c for c in recording_enqueue.calls if c[0] == run_id] == [(run_id, "generate", 0)] * 2


def test_run_now_whose_worker_stopped_goes_back_to_the_interactive_queue(database, tmp_path, recording_enqueue):
    """A person waiting on "Run now" is not put behind a 09:00 burst when their worker stops."""
    from storage import runs as run_repo

    ctx = make_context(database, tmp_path)
    now = dt.datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
    with database.session() as s:
        schedule_id = make_schedule(s).id
        manual = run_repo.insert_run(s, schedule_id=schedule_id, scheduled_for=now, trigger=RunTrigger.MANUAL,
                                     lease_until=now)
        scheduled = run_repo.insert_run(s, schedule_id=schedule_id, scheduled_for=now - dt.timedelta(hours=1),
                                        trigger=RunTrigger.SCHEDULE, lease_until=now)
    result = tick(ctx, recording_enqueue, now=now + dt.timedelta(seconds=1))
    assert sorted(result.requeued) == sorted([manual, scheduled])
    assert sorted(recording_enqueue.calls) == sorted([(manual, "generate_now", 0), (scheduled, "generate", 0)])


def test_spread_releases_daily_runs_within_the_window_but_keeps_their_slot(database, tmp_path, recording_enqueue):
    ctx = make_context(database, tmp_path, spread_seconds=1800)
    with database.session() as s:
        schedules = [make_schedule(s, name=f"daily {i}") for i in range(20)]
        hourly = make_schedule(s, name="hourly", cadence_text="every hour", after=schedules[0].next_run_at
                               - dt.timedelta(minutes=30))
        slot = schedules[0].next_run_at
        hourly.next_run_at = slot
    tick(ctx, recording_enqueue, now=slot)
    delays = {run_id: delay for run_id, _, delay in recording_enqueue.calls}
    with database.session() as s:
        runs = {r.id: r for r in s.scalars(select(Run))}
    hourly_delays = [delays[i] for i, r in runs.items() if r.schedule_id == hourly.id]
    daily_delays = [delays[i] for i, r in runs.items() if r.schedule_id != hourly.id]
    assert hourly_delays == [0]  # sub-daily cadences stay on the dot
    assert all(0 <= d <= 1_800_000 for d in daily_delays) and len(set(daily_delays)) > 10
    assert {r.scheduled_for for r in runs.values()} == {slot}  # the slot (and so the window) is unchanged
