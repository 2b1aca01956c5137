"""Runs report the period of their slot whatever made them: the clock, a catch-up after downtime, Run
now (the most recent slot's period), a chosen period, a retry. On SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from jobs.generate import generate
from jobs.manual_runs import run_now
from jobs.periods import Period
from jobs.retry import retry_run
from jobs.tick import tick
from storage.models import Run, RunStatus, Schedule
from tests.conftest import make_context
from tests.factories import make_schedule
from tests.support.people import ALICE, BOB

UTC = dt.UTC


def runs(db) -> list[Run]:
    with db.session() as s:
        return list(s.scalars(select(Run).order_by(Run.id)))


def test_a_catch_up_is_told_apart_and_reports_its_own_slots_period(database, tmp_path, recording_enqueue):
    ctx = make_context(database, tmp_path, missed_grace=3600)
    with database.session() as s:
        slot = make_schedule(s, cadence_text="every day at 9am").next_run_at  # Mon 23 Nov, 09:00 Berlin
    tick(ctx, recording_enqueue, now=slot)  # on time
    tick(ctx, recording_enqueue, now=slot + dt.timedelta(days=1, minutes=20))  # back after an outage
    on_time, late = runs(database)
    assert (on_time.trigger, late.trigger) == ("schedule", "catch_up")
    assert (late.id, "generate", 0) in recording_enqueue.calls  # on the reports queue, like the clock's runs
    ctx.now.jump_to(slot + dt.timedelta(days=1, minutes=21))
    assert generate(ctx, late.id, recording_enqueue) == "generated"
    [_, late] = runs(database)
    assert late.summary["window_label"] == "Mon 23 Nov 2026, Europe/Berlin"  # Tuesday's slot: Monday, not "today"
    assert late.summary["period"] == "the previous day"


def test_run_now_a_chosen_period_and_a_retry_keep_their_period(database, tmp_path, recording_enqueue):
    ctx = make_context(database, tmp_path)
    with database.session() as s:
        schedule = make_schedule(s, name="Weekly sales", cadence_text="every monday at 9")
    ctx.now.jump_to(dt.datetime(2026, 12, 2, 14, tzinfo=UTC))  # a Wednesday
    first = run_now(ctx, schedule, user_id=ALICE, surface="test", enqueue=recording_enqueue).run_id
    assert generate(ctx, first, recording_enqueue) == "generated"
    # What Monday 30 Nov's report covered, generated with Wednesday's data.
    assert runs(database)[0].summary["window_label"] == "Mon 23 Nov – Sun 29 Nov 2026 (week 48), Europe/Berlin"
    with database.session() as s:
        s.get(Run, first).status = RunStatus.DELIVERED

    ctx.now.jump_to(dt.datetime(2026, 12, 2, 15, tzinfo=UTC))
    chosen = run_now(ctx, schedule, user_id=ALICE, surface="test", enqueue=recording_enqueue,
                     period=Period("previous_month")).run_id
    with database.session() as s:  # it failed before producing files
        run = s.get(Run, chosen)
        run.status, run.error, run.finished_at = RunStatus.FAILED, "the warehouse was down", ctx.now()
    ctx.now.jump_to(dt.datetime(2027, 1, 5, 9, tzinfo=UTC))  # retried a month later
    assert retry_run(ctx, schedule.id, chosen, user_id=BOB, surface="test",
                     enqueue=recording_enqueue).phase == "generate"
    assert generate(ctx, chosen, recording_enqueue) == "generated"
    retried = runs(database)[1]
    assert (retried.trigger, retried.triggered_by) == ("retry", BOB)
    assert retried.summary["window_label"] == "November 2026, Europe/Berlin"  # still the month it was asked for
    with database.session() as s:
        assert s.get(Schedule, schedule.id).params == {}  # a chosen period is the run's, not the schedule's
