"""PostgreSQL going away under a worker, on a server of the test's own that it crashes (pg_ctl stop
-m immediate) and starts again: the message is not dropped but sent again with backoff, and the
retry carries the interrupted attempt's lease on at once instead of waiting RUN_LEASE_SECONDS,
without a second post."""

from __future__ import annotations

import datetime as dt
import time

import dramatiq
import pytest
from dramatiq.brokers.stub import StubBroker
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, IntegrityError, ProgrammingError

from jobs import actors
from jobs import broker as broker_module
from jobs.context import set_context
from jobs.database_outage import OUTAGE_BACKOFF_CAP
from jobs.delivery.deliver import deliver
from jobs.generate import generate
from jobs.lease import LeaseClaim
from reports import registry
from reports.registry import report_type
from reports.table import Column, Table
from slack_emulator.methods import HANDLERS
from storage import runs as run_repo
from storage.db import Database, database_unreachable
from storage.models import DeliveryStatus, Run, RunStatus, RunTrigger
from tests.conftest import make_context
from tests.factories import WINTER, make_schedule
from tests.jobs.delivery_support import due_run, load_run
from tests.jobs.fault_support import throwaway_postgres  # noqa: F401  (a fixture)
from tests.support.network import free_port
from tests.support.people import SALES

pytestmark = pytest.mark.slow

CRASHING = "test_crashing_report"


@pytest.fixture
def outage(throwaway_postgres, tmp_path, emulator, recording_enqueue):  # noqa: F811
    """A generated run on a database the test can crash, with the defaults' 120 s lease."""
    server, db = throwaway_postgres
    ctx = make_context(db, tmp_path, emulator)
    run_id = due_run(ctx, recording_enqueue)
    return server, ctx, run_id


def _crash_after(method: str, server):
    """Let Slack carry out `method`, then crash the database before the worker hears back."""
    original = HANDLERS[method]

    def carry_out_then_crash(call):
        answer = original(call)
        server.crash()
        return answer

    HANDLERS[method] = carry_out_then_crash
    return lambda: HANDLERS.__setitem__(method, original)


@pytest.mark.postgres
def test_a_delivery_cut_off_by_a_database_crash_is_carried_on_at_once_and_not_posted_twice(
        outage, recording_enqueue, emulator):
    server, ctx, run_id = outage
    assert generate(ctx, run_id, recording_enqueue) == "generated"
    restore = _crash_after("files.completeUploadExternal", server)
    claim = LeaseClaim()
    try:
        with pytest.raises(DBAPIError) as cut_off:  # Slack posted; recording that failed
            deliver(ctx, run_id, only_due=True, claim=claim)
    finally:
        restore()
    assert database_unreachable(cut_off.value) and claim.taken
    server.start()

    # Another message for the run (a duplicate, the tick's) may not take it: the lease still counts.
    assert deliver(ctx, run_id, only_due=True, claim=LeaseClaim()) == "not-taken"
    assert deliver(ctx, run_id, only_due=True, claim=LeaseClaim(resume="someone-elses-token")) == "not-taken"
    # The retry of the cut-off attempt carries on without waiting for the lease to run out.
    assert deliver(ctx, run_id, only_due=True, claim=LeaseClaim(resume=claim.resume_from())) == RunStatus.DELIVERED
    run = load_run(ctx, run_id)
    [delivery] = run.deliveries
    assert (delivery.status, delivery.confirmed_by) == (DeliveryStatus.SENT, "history")
    assert len(emulator.uploads(SALES)) == 1
    assert run.attempt == 1  # the takeover carried the attempt on; it is not a second one


@pytest.fixture
def crashing_report():
    """A report whose first fetch crashes the database (it goes down while the report is made)."""
    crash = []

    @report_type(CRASHING, title="Crashing", description="Takes the database down the first time.")
    def fetch(request):
        if crash:
            crash.pop()()
        return Table.from_rows([Column("n")], [(1,)])

    registry.load_plugins()
    yield crash
    registry._TYPES.pop(CRASHING, None)


@pytest.mark.postgres
def test_a_retry_that_found_the_database_still_down_passes_the_lease_on(throwaway_postgres, tmp_path, emulator,  # noqa: F811
                                                                        recording_enqueue, crashing_report):
    """Retry 1 never reached the database; retry 2 must still be able to take over from the
    attempt that holds the lease, not from retry 1."""
    server, db = throwaway_postgres
    ctx = make_context(db, tmp_path, emulator)
    run_id = due_run(ctx, recording_enqueue, report_type=CRASHING)
    crashing_report.append(server.crash)
    holder = LeaseClaim()
    with pytest.raises(DBAPIError) as cut_off:
        generate(ctx, run_id, recording_enqueue, claim=holder)
    assert database_unreachable(cut_off.value) and holder.taken
    still_down = LeaseClaim(resume=holder.resume_from())
    with pytest.raises(DBAPIError):
        generate(ctx, run_id, recording_enqueue, claim=still_down)
    assert not still_down.taken
    server.start()
    assert generate(ctx, run_id, recording_enqueue, claim=LeaseClaim(resume=still_down.resume_from())) == "generated"
    assert load_run(ctx, run_id).status == RunStatus.DELIVERING


@pytest.mark.postgres
@pytest.mark.parametrize("phase", ["generate", "deliver"])
def test_an_actor_that_finds_the_database_down_sends_its_message_again_with_backoff(outage, recording_enqueue,
                                                                                    emulator, phase):
    server, ctx, run_id = outage
    if phase == "deliver":
        assert generate(ctx, run_id, recording_enqueue) == "generated"
    actor = getattr(actors, phase)
    stub = StubBroker()
    stub.emit_after("process_boot")
    previous_broker, previous_context = broker_module.use_broker(stub), set_context(ctx)
    try:
        server.crash()
        sent_at = time.time() * 1000
        actor.fn(run_id)  # the message is handled: no exception escapes to be dropped
        [retry] = list(stub.queues[f"{actor.queue_name}.DQ"].queue)
        decoded = dramatiq.Message.decode(retry)
        assert decoded.kwargs["outage_retries"] == 1 and decoded.args == (run_id,)
        assert sent_at <= decoded.options["eta"] <= sent_at + OUTAGE_BACKOFF_CAP * 1000
        server.start()
        actor.fn(*decoded.args, **decoded.kwargs)  # the retry, once the database is back
    finally:
        set_context(previous_context)
        broker_module.use_broker(previous_broker)
    expected = RunStatus.DELIVERING if phase == "generate" else RunStatus.DELIVERED
    assert load_run(ctx, run_id).status == expected


@pytest.mark.postgres
def test_only_errors_of_reaching_the_database_count_as_an_outage(postgres_database):
    with postgres_database.session() as s:
        s.execute(text("create table t (id int primary key)"))
        s.execute(text("insert into t values (1)"))
    with pytest.raises(IntegrityError) as duplicate, postgres_database.session() as s:
        s.execute(text("insert into t values (1)"))
    with pytest.raises(ProgrammingError) as bad_sql, postgres_database.session() as s:
        s.execute(text("select nothing from nowhere"))
    nobody_home = Database(f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/postgres")
    with pytest.raises(DBAPIError) as refused, nobody_home.session() as s:
        s.execute(text("select 1"))
    nobody_home.dispose()
    assert database_unreachable(refused.value)
    try:
        raise RuntimeError("while recording the outcome") from refused.value
    except RuntimeError as wrapped:
        assert database_unreachable(wrapped)
    assert not database_unreachable(duplicate.value)
    assert not database_unreachable(bad_sql.value)
    assert not database_unreachable(ValueError("a bug"))


def test_only_the_cut_off_attempts_token_takes_a_held_run_over(database):
    """Taking over by `resume` is one conditional UPDATE: the named token only, once, not counted."""
    now = WINTER
    with database.session() as s:
        schedule = make_schedule(s)
        run_id = run_repo.insert_run(s, schedule_id=schedule.id, scheduled_for=now, trigger=RunTrigger.SCHEDULE)
    lease = {"statuses": (RunStatus.PENDING, RunStatus.RUNNING), "to_status": RunStatus.RUNNING, "now": now,
             "lease_for": dt.timedelta(seconds=120)}
    with database.session() as s:
        assert run_repo.take_lease(s, run_id, token="cut-off", **lease)
    with database.session() as s:
        assert not run_repo.take_lease(s, run_id, token="stranger", **lease)
        assert not run_repo.take_lease(s, run_id, token="stranger", resume="another", **lease)
        assert run_repo.take_lease(s, run_id, token="carry-on", resume="cut-off", **lease)
    with database.session() as s:
        assert not run_repo.take_lease(s, run_id, token="second-copy", resume="cut-off", **lease)
        run = s.get(Run, run_id)
        assert (run.lease_token, run.attempt) == ("carry-on", 1)
