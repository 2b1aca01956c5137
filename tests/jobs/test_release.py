"""Parked runs are released onto the work queue at their time, all at once, exactly once."""

from __future__ import annotations

import uuid

import dramatiq
import pytest

from jobs.bulk import enqueue_many
from jobs.release import parked_count, release_due


@pytest.mark.redis
def test_parked_messages_wait_for_their_time_then_move_together(redis_url):
    from dramatiq.brokers.redis import RedisBroker
    from dramatiq.common import current_millis

    broker = RedisBroker(url=redis_url, namespace=f"release-test-{uuid.uuid4().hex[:8]}")

    @dramatiq.actor(broker=broker, queue_name="reports")
    def generate(run_id: int) -> None:
        pass

    try:
        enqueue_many(broker, [(generate, (n,), 60_000) for n in range(500)] + [(generate, (999,), None)],
                     park_delayed=True)
        assert parked_count(broker) == 500
        assert broker.client.llen(f"{broker.namespace}:reports") == 1  # the undelayed one went straight in
        assert release_due(broker) == []  # not yet
        now = current_millis()
        released = release_due(broker, now_ms=now + 61_000)
        assert len(released) == len(set(released)) == 500
        assert release_due(broker, now_ms=now + 61_000) == []  # a second clock finds nothing left
        assert parked_count(broker) == 0
        assert broker.client.llen(f"{broker.namespace}:reports") == 501
        assert broker.client.hlen(f"{broker.namespace}:reports.msgs") == 501
    finally:
        for key in broker.client.scan_iter(f"{broker.namespace}:*"):
            broker.client.delete(key)
