"""Alert checks travel many to a message: the tick groups them, one worker call checks a batch and
decides it in one transaction, exactly as single checks would. A duplicate message takes nothing; a
stopping worker hands its undecided checks back at once."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
from dramatiq.middleware import Shutdown
from sqlalchemy import select

from jobs.alerts.batch import check_alerts
from jobs.alerts.dispatch import CHECKS_PER_MESSAGE, in_check_batches
from jobs.delivery.deliver import deliver
from jobs.generate import generate
from jobs.tick import tick
from reports.conditions import parse_condition
from storage.models import AlertEvaluation, Run, RunStatus
from tests.factories import make_schedule
from tests.jobs.alert_support import alert_posts, make_warehouse
from tests.support.people import TO_OPS

SLOT = dt.datetime(2026, 11, 23, 9, tzinfo=dt.UTC)


def test_checks_are_grouped_per_release_time_and_reports_pass_through():
    items = [(i, "generate", 0 if i < 120 else 500) for i in range(130)] + [(900, "generate", 0)]
    sent = in_check_batches(items, checks=set(range(125)))
    batches = [(ids, delay) for ids, phase, delay in sent if phase == "check_alerts"]
    assert [(len(ids), delay) for ids, delay in batches] == [(50, 0), (50, 0), (20, 0), (5, 500)]
    assert sorted(i for ids, _ in batches for i in ids) == list(range(125))
    assert [item for item in sent if item[1] == "generate"] == [(i, "generate", 500) for i in range(125, 130)] + [
        (900, "generate", 0)]
    assert in_check_batches(items, checks=set()) == items


@pytest.fixture
def alerts(job_context, tmp_path, monkeypatch):
    """60 alerts on one warehouse, due at one slot; every tenth finds its region below the line."""
    warehouse = make_warehouse(tmp_path, monkeypatch)
    warehouse.set(*[(f"R{i:03d}", 9000 if i % 10 == 0 else 12000, 40, 1) for i in range(60)])
    with job_context.database.session() as s:
        for i in range(60):
            make_schedule(s, name=f"alert {i}", cadence_text="every hour", report_type="sql",
                          params={"source": "warehouse",
                                  "query": f"select revenue from metrics where region = 'R{i:03d}'"},
                          destinations=[TO_OPS], condition=parse_condition("revenue < 10000").to_json(),
                          next_run_at=SLOT)
        make_schedule(s, name="Daily sales", next_run_at=SLOT)  # a report, due with them
    return warehouse


def test_a_batch_decides_every_check_and_only_firing_ones_notify(job_context, recording_enqueue, emulator, alerts):
    job_context.now.jump_to(SLOT)
    created = tick(job_context, recording_enqueue).created
    assert len(created) == 61
    messages = [(ids, phase) for ids, phase, _ in recording_enqueue.calls]
    batches = [ids for ids, phase in messages if phase == "check_alerts"]
    assert [len(ids) for ids in batches] == [CHECKS_PER_MESSAGE, 60 - CHECKS_PER_MESSAGE]
    assert [phase for ids, phase in messages if phase != "check_alerts"] == ["generate"]  # the report
    outcomes = Counter()
    for ids in batches:
        outcomes += check_alerts(job_context, ids, recording_enqueue)
    assert outcomes == Counter({"checked": 54, "notifying": 6})
    notifying = [run_id for run_id, phase, _ in recording_enqueue.calls if phase == "generate" and run_id in
                 {i for ids in batches for i in ids}]
    assert len(notifying) == 6  # each firing check renders and delivers through a message of its own
    for run_id in notifying:
        assert generate(job_context, run_id, recording_enqueue) == "notifying"
        assert deliver(job_context, run_id) == RunStatus.DELIVERED
    assert len(alert_posts(emulator)) == 6
    assert check_alerts(job_context, batches[0], recording_enqueue) == Counter()  # a duplicate message
    with job_context.database.session() as s:
        recorded = Counter((e.outcome, e.state) for e in s.scalars(select(AlertEvaluation)))
        statuses = Counter(r.status for r in s.scalars(select(Run).where(Run.id.in_([i for b in batches for i in b]))))
    assert recorded == Counter({("value", "ok"): 54, ("value", "firing"): 6})
    assert statuses == Counter({RunStatus.SKIPPED: 54, RunStatus.DELIVERED: 6})


def test_a_batch_skips_what_another_worker_holds(job_context, recording_enqueue, alerts):
    from storage import runs as run_repo

    job_context.now.jump_to(SLOT)
    tick(job_context, recording_enqueue)
    ids = next(ids for ids, phase, _ in recording_enqueue.calls if phase == "check_alerts")
    with job_context.database.session() as s:
        assert run_repo.take_lease(s, ids[0], statuses=(RunStatus.PENDING,), to_status=RunStatus.RUNNING,
                                   token="other-worker", now=SLOT, lease_for=dt.timedelta(minutes=2))
    outcomes = check_alerts(job_context, ids, recording_enqueue)
    assert sum(outcomes.values()) == len(ids) - 1
    with job_context.database.session() as s:
        assert s.get(Run, ids[0]).lease_token == "other-worker"
        assert s.scalar(select(AlertEvaluation).where(AlertEvaluation.run_id == ids[0])) is None


def test_a_stopping_worker_hands_its_undecided_checks_back(job_context, recording_enqueue, alerts, monkeypatch):
    import jobs.alerts.batch as batch

    job_context.now.jump_to(SLOT)
    tick(job_context, recording_enqueue)
    ids = next(ids for ids, phase, _ in recording_enqueue.calls if phase == "check_alerts")
    seen = []

    def observe_until_sigterm(ctx, job):
        seen.append(job.run_id)
        if len(seen) == 3:
            raise Shutdown  # what Dramatiq raises in the worker thread on SIGTERM
        return real(ctx, job)

    real = batch.observe
    monkeypatch.setattr(batch, "observe", observe_until_sigterm)
    assert check_alerts(job_context, ids, recording_enqueue) == Counter({"handed-back": len(ids)})
    with job_context.database.session() as s:
        runs = list(s.scalars(select(Run).where(Run.id.in_(ids))))
        assert {(r.status, r.lease_token, r.attempt) for r in runs} == {(RunStatus.PENDING, None, 0)}
        assert s.scalars(select(AlertEvaluation)).all() == []
    monkeypatch.setattr(batch, "observe", real)
    assert sum(check_alerts(job_context, ids, recording_enqueue).values()) == len(ids)  # the next tick's message


@pytest.fixture
def waiting_source():
    """A report type whose "wait" checks wait until a check without it has fetched (removed afterwards)."""
    import threading

    from reports import registry
    from reports.registry import Param, report_type
    from reports.table import Column, ColumnType, Table

    fetched = threading.Event()

    @report_type("t_waiting_source", title="Waiting source", description="Waits for another check's fetch.",
                 params=(Param("wait", "Wait", type="boolean", help="Wait for another fetch first."),))
    def fetch(request):
        if request.params.get("wait"):
            found = fetched.wait(timeout=10)
            return Table.from_rows([Column("seen", ColumnType.INTEGER)], [(1,)] if found else [])
        fetched.set()
        return Table.from_rows([Column("seen", ColumnType.INTEGER)], [(1,)])

    yield "t_waiting_source"
    registry._TYPES.pop("t_waiting_source", None)


def test_a_slow_source_does_not_hold_up_the_rest_of_its_batch(job_context, recording_enqueue, waiting_source):
    """The first alert's data waits until a later alert of the same batch has been fetched: checked
    one after the other, it would wait in vain (and find no data); checked a few at a time, it sees it."""
    with job_context.database.session() as s:
        for i, wait in enumerate([True, False, False]):
            make_schedule(s, name=f"alert {i}", cadence_text="every hour", report_type=waiting_source,
                          params={"wait": wait}, destinations=[TO_OPS], next_run_at=SLOT,
                          condition=parse_condition("seen > 0").to_json())
    job_context.now.jump_to(SLOT)
    tick(job_context, recording_enqueue)
    [ids] = [ids for ids, phase, _ in recording_enqueue.calls if phase == "check_alerts"]
    check_alerts(job_context, ids, recording_enqueue)
    with job_context.database.session() as s:
        first = s.scalar(select(AlertEvaluation).where(AlertEvaluation.run_id == min(ids)))
    assert (first.outcome, first.value) == ("value", 1)
