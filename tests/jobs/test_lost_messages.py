"""Messages Redis lost, found again by the tick: after Redis restarted empty (or came back from an
old snapshot, or failed over) every unfinished run nobody holds is sent again at its due time, once;
messages a dead worker had fetched go back on their queue within the heartbeat timeout; a message
that could not be sent at all is left for the tick to send. On the real Redis (database 15 in CI),
each test in a namespace of its own."""

from __future__ import annotations

import datetime as dt
import time
import uuid

import dramatiq
import pytest
from dramatiq.brokers.redis import RedisBroker
from dramatiq.common import current_millis

from jobs import actors
from jobs import broker as broker_module
from jobs.broker import HEARTBEAT_TIMEOUT_MS
from jobs.context import set_context
from jobs.delivery.deliver import deliver
from jobs.generate import generate
from jobs.lost_messages import recover_lost_messages, requeue_dead_workers_messages
from jobs.phases import Phase
from jobs.tick import tick
from storage import runs as run_repo
from storage.models import Run, RunStatus
from tests.jobs.delivery_support import due_run, load_run
from tests.support.network import free_port
from tests.support.people import SALES

pytestmark = pytest.mark.redis


@pytest.fixture
def broker(redis_url):
    """A Redis broker in a namespace of the test's own, like the workers' (jobs.broker)."""
    made = broker_module.build_broker(redis_url)
    made.namespace = f"lost-{uuid.uuid4().hex[:8]}"
    yield made
    for key in made.client.scan_iter(f"{made.namespace}:*"):
        made.client.delete(key)


def _restart_empty(broker) -> None:
    """What Redis holds after a restart without persistence: none of the namespace's keys."""
    for key in broker.client.scan_iter(f"{broker.namespace}:*"):
        broker.client.delete(key)


def _runs_in_every_state(ctx, enqueue) -> dict[str, int]:
    """A parked run (slot ahead), a delivery waiting for its retry, a run a live worker holds, and one
    whose holder's lease ran out (the tick's lease recovery sends that one)."""
    runs = {}
    runs["parked"] = due_run(ctx, enqueue, name="parked")
    runs["retrying"] = due_run(ctx, enqueue, name="retrying")
    assert generate(ctx, runs["retrying"], enqueue) == "generated"
    runs["held"] = due_run(ctx, enqueue, name="held")
    runs["expired"] = due_run(ctx, enqueue, name="expired")
    now = ctx.now()
    dispatch = dt.timedelta(seconds=ctx.settings.dispatch_timeout)
    with ctx.database.session() as s:
        parked = s.get(Run, runs["parked"])
        parked.scheduled_for = now + dt.timedelta(seconds=8)  # released 8 s from now
        parked.lease_until = parked.scheduled_for + dispatch
        s.get(Run, runs["retrying"]).lease_until = now + dt.timedelta(seconds=30) + dispatch
        held = s.get(Run, runs["held"])
        held.status, held.lease_token, held.lease_until = (RunStatus.RUNNING, "a-live-worker",
                                                           now + dt.timedelta(seconds=100))
        expired = s.get(Run, runs["expired"])
        expired.status, expired.lease_token, expired.lease_until = (RunStatus.RUNNING, "a-dead-worker",
                                                                    now - dt.timedelta(seconds=1))
    return runs


def test_a_redis_that_lost_its_data_is_noticed_once_and_every_unheld_run_is_sent_again(
        job_context, recording_enqueue, broker):
    runs = _runs_in_every_state(job_context, recording_enqueue)
    recording_enqueue.calls.clear()
    first = recover_lost_messages(job_context, broker, recording_enqueue)
    assert first.redis_restarted  # never seen before: as good as restarted
    sent = {run_id: (phase, delay) for run_id, phase, delay in recording_enqueue.calls}
    assert set(sent) == {runs["parked"], runs["retrying"]}
    assert sent[runs["parked"]][0] == Phase.GENERATE and 7_000 <= sent[runs["parked"]][1] <= 8_000
    assert sent[runs["retrying"]][0] == Phase.DELIVER and 29_000 <= sent[runs["retrying"]][1] <= 30_000

    recording_enqueue.calls.clear()
    assert not recover_lost_messages(job_context, broker, recording_enqueue).redis_restarted
    assert recording_enqueue.calls == []  # the same Redis: nothing to do

    _restart_empty(broker)
    assert recover_lost_messages(job_context, broker, recording_enqueue).redis_restarted
    assert {run_id for run_id, _, _ in recording_enqueue.calls} == {runs["parked"], runs["retrying"]}


def test_redis_back_from_an_old_snapshot_or_a_failover_counts_as_restarted(job_context, recording_enqueue, broker):
    """Its queues miss what was sent since the snapshot: the record of which server run wrote it gives
    it away."""
    runs = _runs_in_every_state(job_context, recording_enqueue)
    recover_lost_messages(job_context, broker, recording_enqueue)
    recording_enqueue.calls.clear()
    [epoch] = list(broker.client.scan_iter(f"{broker.namespace}:reportbot.epoch"))
    broker.client.set(epoch, "0123456789abcdef-another-server-run")
    assert recover_lost_messages(job_context, broker, recording_enqueue).redis_restarted
    assert {run_id for run_id, _, _ in recording_enqueue.calls} == {runs["parked"], runs["retrying"]}


def test_runs_sent_again_after_a_restart_are_done_once(job_context, recording_enqueue, broker, emulator):
    """The message the restart lost and the one sent again may both arrive: the run is done once."""
    run_id = due_run(job_context, recording_enqueue)
    recover_lost_messages(job_context, broker, recording_enqueue)
    for _ in range(2):
        generate(job_context, run_id, recording_enqueue)
    for _ in range(2):
        deliver(job_context, run_id)
    assert load_run(job_context, run_id).status == RunStatus.DELIVERED
    assert len(emulator.uploads(SALES)) == 1


def _fetch_without_acking(broker, queue: str, count: int) -> list:
    """What a worker's consumer does before handing messages to its threads (then it dies)."""
    consumer = broker.consume(queue, prefetch=count, timeout=100)
    fetched = []
    deadline = time.monotonic() + 5
    while len(fetched) < count and time.monotonic() < deadline:
        message = next(consumer)
        if message is not None:
            fetched.append(message)
    return fetched


def test_messages_a_dead_worker_had_fetched_go_back_on_their_queue(redis_url, broker):
    @dramatiq.actor(broker=broker, queue_name="reports", max_retries=0)
    def work(n: int) -> None:
        pass

    for n in range(5):
        work.send(n)
    dead = RedisBroker(url=redis_url, namespace=broker.namespace)
    assert len(_fetch_without_acking(dead, "reports", 3)) == 3
    alive = RedisBroker(url=redis_url, namespace=broker.namespace)
    assert len(_fetch_without_acking(alive, "reports", 2)) == 2
    heartbeats = f"{broker.namespace}:__heartbeats__"
    now = current_millis()
    broker.client.zadd(heartbeats, {dead.broker_id: now - HEARTBEAT_TIMEOUT_MS - 1, alive.broker_id: now})

    assert requeue_dead_workers_messages(broker) == 3
    assert broker.client.llen(f"{broker.namespace}:reports") == 3
    assert requeue_dead_workers_messages(broker) == 0  # once
    assert len(_fetch_without_acking(RedisBroker(url=redis_url, namespace=broker.namespace), "reports", 3)) == 3
    assert dead.broker_id.encode() not in broker.client.zrange(heartbeats, 0, -1)


def test_a_message_that_could_not_be_sent_is_left_for_the_tick(job_context, recording_enqueue, emulator):
    """Redis unreachable when a phase is handed on: the run becomes due for the tick's lease
    recovery at the time it was to start, instead of waiting for DISPATCH_TIMEOUT."""
    run_id = due_run(job_context, recording_enqueue)
    assert generate(job_context, run_id, recording_enqueue) == "generated"
    unreachable = RedisBroker(url=f"redis://127.0.0.1:{free_port()}/0")
    previous_broker, previous_context = broker_module.use_broker(unreachable), set_context(job_context)
    try:
        actors.enqueue(run_id, Phase.DELIVER, 5_000)  # no exception: the database has it now
        actors.enqueue.many([(run_id, Phase.DELIVER, 5_000)])
    finally:
        set_context(previous_context)
        broker_module.use_broker(previous_broker)
    run = load_run(job_context, run_id)
    assert run.lease_token is None
    assert run.lease_until - job_context.now() <= dt.timedelta(seconds=5)
    recording_enqueue.calls.clear()
    job_context.now.jump_to(run.lease_until + dt.timedelta(seconds=1))
    assert tick(job_context, recording_enqueue).requeued == [run_id]
    assert recording_enqueue.calls == [(run_id, Phase.DELIVER, 0)]


def test_a_run_someone_holds_is_not_given_a_new_deadline(job_context, recording_enqueue):
    run_id = due_run(job_context, recording_enqueue)
    later = job_context.now() + dt.timedelta(minutes=5)
    with job_context.database.session() as s:
        run = s.get(Run, run_id)
        run.status, run.lease_token, run.lease_until = RunStatus.RUNNING, "a-live-worker", later
    with job_context.database.session() as s:
        run_repo.set_dispatch_deadlines(s, [(run_id, job_context.now())])
    assert load_run(job_context, run_id).lease_until == later
