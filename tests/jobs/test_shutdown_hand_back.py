"""A worker told to stop (SIGTERM stops Dramatiq's worker the same way) hands its generating run
back at once: pending again, the attempt not counted, its lease run out so the next tick sends it
to another worker, which generates and delivers it exactly once."""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import select

from jobs import broker as broker_module
from jobs.actors import enqueue
from jobs.context import set_context
from jobs.inprocess import start_worker
from jobs.tick import tick
from reports import registry
from reports.registry import report_type
from reports.table import Column, Table
from storage.models import Run, RunStatus
from tests.conftest import make_context
from tests.jobs.delivery_support import due_run
from tests.support.people import SALES

SLOW = "test_slow_report"
started = threading.Event()


@pytest.fixture
def slow_report():
    """A report that takes a while the first time it is asked (as a big query would)."""
    calls = []

    @report_type(SLOW, title="Slow", description="Takes its time the first time.")
    def fetch(request):
        calls.append(time.monotonic())
        if len(calls) == 1:
            started.set()
            for _ in range(400):  # short sleeps: an interrupt lands between them
                time.sleep(0.05)
        return Table.from_rows([Column("n")], [(1,)])

    registry.load_plugins()
    started.clear()
    yield calls
    registry._TYPES.pop(SLOW, None)


def _run(db, run_id) -> Run:
    with db.session() as s:
        return s.scalar(select(Run).where(Run.id == run_id))


def test_stopping_worker_hands_its_run_back_and_the_next_worker_finishes_it(database, tmp_path, emulator,
                                                                            slow_report, recording_enqueue):
    ctx = make_context(database, tmp_path, emulator)
    previous_broker = broker_module.use_broker(broker_module.build_broker(None))
    previous_context = set_context(ctx)
    try:
        run_id = due_run(ctx, recording_enqueue, report_type=SLOW)
        enqueue(run_id, "generate", 0)  # as the tick would have
        first = start_worker(broker_module.broker, threads=2)
        assert started.wait(10), "the report never started"
        stopping = time.monotonic()
        first.stop(timeout=10_000)
        assert time.monotonic() - stopping < 5  # interrupted, not waited out (the report takes 20 s)
        handed = _run(database, run_id)
        assert (handed.status, handed.lease_token, handed.attempt, handed.started_at) == (
            RunStatus.PENDING, None, 0, None)
        assert broker_module.broker.queues["reports"].qsize() == 0  # nothing for the stopping worker to grab
        assert tick(ctx, enqueue).requeued == [run_id]  # the next tick sends it again

        second = start_worker(broker_module.broker, threads=2)
        try:
            deadline = time.monotonic() + 20
            while _run(database, run_id).status != RunStatus.DELIVERED and time.monotonic() < deadline:
                time.sleep(0.05)
        finally:
            second.stop()
        assert _run(database, run_id).status == RunStatus.DELIVERED
        assert len(slow_report) == 2 and len(emulator.uploads(SALES)) == 1
    finally:
        set_context(previous_context)
        broker_module.use_broker(previous_broker)

