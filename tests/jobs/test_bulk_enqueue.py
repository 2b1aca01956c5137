"""Bulk enqueue writes messages a real Dramatiq worker consumes, once each, delays honoured."""

from __future__ import annotations

import threading
import time
import uuid

import dramatiq
import pytest

from jobs.bulk import enqueue_many
from tests.support.waiting import wait_until


@pytest.mark.redis
def test_bulk_enqueued_messages_are_consumed_once_each_and_delays_are_kept(redis_url):
    from dramatiq.brokers.redis import RedisBroker

    broker = RedisBroker(url=redis_url, namespace=f"bulk-test-{uuid.uuid4().hex[:8]}")
    seen: dict[int, float] = {}
    lock = threading.Lock()

    @dramatiq.actor(broker=broker, queue_name="bulk", max_retries=0)
    def record(n: int) -> None:
        with lock:
            assert n not in seen, f"message {n} delivered twice"
            seen[n] = time.monotonic()

    sent_at = time.monotonic()
    enqueue_many(broker, [(record, (n,), 800 if n % 2 else None) for n in range(300)])
    worker = dramatiq.Worker(broker, worker_threads=4, worker_timeout=50)
    worker.start()
    try:
        wait_until(lambda: len(seen) >= 300, timeout=20, what="300 messages consumed")
    finally:
        worker.stop()
        broker.client.flushdb()
    assert sorted(seen) == list(range(300))
    delayed = [seen[n] - sent_at for n in range(1, 300, 2)]
    assert min(delayed) >= 0.75  # none released before its eta (small clock slack)


def test_stub_broker_falls_back_to_one_by_one():
    from dramatiq.brokers.stub import StubBroker

    broker = StubBroker()

    @dramatiq.actor(broker=broker, queue_name="bulk")
    def noop(n: int) -> None:
        pass

    enqueue_many(broker, [(noop, (n,), None) for n in range(5)] + [(noop, (9,), 1000)])
    assert broker.queues["bulk"].qsize() == 5
    assert broker.queues["bulk.DQ"].qsize() == 1


@pytest.mark.redis
def test_middleware_that_watches_enqueues_sees_every_bulk_message(redis_url):
    """Message objects are built only for middleware that acts on enqueue; when there is one, it
    sees each message once, before and after, with the id the worker then receives."""
    from dramatiq.brokers.redis import RedisBroker
    from dramatiq.middleware import CurrentMessage, Middleware

    class Watcher(Middleware):
        def __init__(self) -> None:
            self.before: list[str] = []
            self.after: list[str] = []

        def before_enqueue(self, broker, message, delay):
            self.before.append(message.message_id)

        def after_enqueue(self, broker, message, delay):
            self.after.append(message.message_id)

    watcher = Watcher()
    broker = RedisBroker(url=redis_url, namespace=f"bulk-test-{uuid.uuid4().hex[:8]}",
                         middleware=[watcher, CurrentMessage()])
    received: list[str] = []

    @dramatiq.actor(broker=broker, queue_name="bulk")
    def record(n: int) -> None:
        received.append(CurrentMessage.get_current_message().message_id)

    enqueue_many(broker, [(record, (n,), None) for n in range(50)])
    worker = dramatiq.Worker(broker, worker_threads=2, worker_timeout=50)
    worker.start()
    try:
        wait_until(lambda: len(received) >= 50, timeout=20, what="50 messages consumed")
    finally:
        worker.stop()
        broker.client.flushdb()
    assert len(watcher.before) == 50 and watcher.before == watcher.after
    assert sorted(received) == sorted(watcher.before)
