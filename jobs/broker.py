"""The Dramatiq broker, imported first by every process (`dramatiq jobs.broker jobs.actors`).

With `REDIS_URL` set, messages go through Redis and any number of worker processes consume them.
Without it (the embedded default), a stub broker keeps messages in memory and the web process runs
an in-process worker (`jobs.inprocess`); the database stays the source of truth, so pending runs
are enqueued again at start.
"""

from __future__ import annotations

import logging
import os

import dramatiq
from dramatiq.brokers.stub import StubBroker

from jobs.logs import attach_context
from jobs.settings import JobSettings

log = logging.getLogger(__name__)

QUEUES = ("clock", "interactive", "reports", "deliveries")
# A worker silent this long is taken for dead, and the tick puts the messages it had fetched back on
# their queues (jobs.lost_messages). Dramatiq's default is 60 s, noticed by a random maintenance
# pass. Every worker process talks to Redis at least once per `dramatiq_worker_timeout` even when
# all its threads are busy (its delay-queue consumers keep polling), so 10 s leaves a wide margin;
# a worker taken for dead by mistake costs only messages handled twice, which the actors shrug off.
HEARTBEAT_TIMEOUT_MS = 10_000


def build_broker(redis_url: str | None) -> dramatiq.Broker:
    """Return a Redis broker for `redis_url`, or an in-memory stub broker when it is None."""
    if redis_url:
        from dramatiq.brokers.redis import RedisBroker

        return RedisBroker(url=redis_url, heartbeat_timeout=HEARTBEAT_TIMEOUT_MS)
    broker = StubBroker()
    broker.emit_after("process_boot")
    return broker


def use_broker(new_broker: dramatiq.Broker) -> dramatiq.Broker:
    """Make `new_broker` the global broker and move the declared actors onto it (tests, demo)."""
    global broker
    old = dramatiq.get_broker()
    dramatiq.set_broker(new_broker)
    for name in old.get_declared_actors():
        actor = old.get_actor(name)
        actor.broker = new_broker
        new_broker.declare_actor(actor)
    broker = new_broker
    return old


broker = build_broker(JobSettings.from_env().redis_url)
if os.environ.get("REPORTBOT_WORKER_METRICS") and JobSettings.from_env().redis_url:
    # Worker processes only (the Procfile sets it): Dramatiq's own message metrics, served by the
    # dramatiq CLI on dramatiq_prom_port (default 9191).
    from dramatiq.middleware.prometheus import Prometheus

    broker.add_middleware(Prometheus())
dramatiq.set_broker(broker)
attach_context()  # run and schedule ids on every log line, also under the dramatiq CLI
