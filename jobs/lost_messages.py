"""Send again the work whose Dramatiq message Redis lost; the tick calls this every TICK_INTERVAL.

The database knows every unfinished run; Redis only carries the message that starts its next
phase. Three ways that message goes missing, each noticed within seconds instead of when the run's
dispatch deadline (DISPATCH_TIMEOUT, 600 s) or lease (RUN_LEASE_SECONDS) runs out:

- Redis restarted empty, came back from an older snapshot, or failed over to a replica: queued,
  delayed and parked messages are gone. Redis records which server run (INFO `run_id`) it was when
  the tick last looked; a missing or different record means its data cannot be trusted, and every
  unfinished run that no worker holds is sent again at its due time.
- A worker died holding messages it had fetched: Dramatiq leaves them in that worker's ack set until
  a random maintenance pass (0.1 % of Redis calls) sees its heartbeat older than the broker's
  heartbeat timeout. The tick puts them back on their queues as soon as the heartbeat is that old.
- Redis could not be reached when a message was sent: `hand_to_tick` makes the run due for the
  tick's lease recovery at the time the message was for.

Sending a run's message twice is harmless: actors are idempotent and the database decides who does
the work (jobs.lease), so nothing is generated or delivered twice.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from dataclasses import dataclass

from dramatiq.common import current_millis, dq_name
from dramatiq.errors import BrokerError
from redis.exceptions import RedisError, ResponseError

from jobs.context import JobContext
from jobs.phases import Enqueue, Phase, enqueue_all, next_phase
from storage import runs as run_repo
from storage.models import Run, RunTrigger

log = logging.getLogger(__name__)

# What sending a message raises when Redis cannot be reached (refused, reset, timed out, loading).
BROKER_UNREACHABLE = (RedisError, BrokerError, OSError)
RECOVERY_LOCK_MS = 60_000  # one tick at a time sends a restarted Redis's runs again; a dead one's lock expires

# KEYS: the heartbeats set. ARGV: namespace, last heartbeat of a dead worker (ms), queue names.
# Moves each message a dead worker fetched (and did not ack) back onto its queue, as Dramatiq's
# maintenance would; a message already acked elsewhere is no longer in the hash and stays gone.
_REQUEUE_DEAD = """
local dead = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[2])
local moved = 0
for _, worker in ipairs(dead) do
  for i = 3, #ARGV do
    local queue = ARGV[1] .. ':' .. ARGV[i]
    local acks = ARGV[1] .. ':__acks__.' .. worker .. '.' .. ARGV[i]
    for _, id in ipairs(redis.call('SMEMBERS', acks)) do
      if redis.call('HEXISTS', queue .. '.msgs', id) == 1 then
        redis.call('RPUSH', queue, id)
        moved = moved + 1
      end
    end
    redis.call('DEL', acks)
  end
  redis.call('ZREM', KEYS[1], worker)
end
return moved
"""


@dataclass
class LostMessages:
    redis_restarted: bool = False  # or never seen by a tick before (a first start looks the same)
    resent: int = 0  # runs sent again because Redis lost its data
    requeued: int = 0  # messages of dead workers put back on their queues


def recover_lost_messages(ctx: JobContext, broker, enqueue: Enqueue) -> LostMessages:
    """Put dead workers' messages back and, if Redis lost its data since the last look, send every
    unheld unfinished run again. Nothing to do on the in-memory broker of the embedded default."""
    found = LostMessages()
    if not hasattr(broker, "client"):
        return found
    found.requeued = requeue_dead_workers_messages(broker)
    if found.requeued:
        log.warning("put %s messages of stopped workers back on their queues", found.requeued)
    server = _server_run(broker.client)
    epoch = f"{broker.namespace}:reportbot.epoch"
    recorded = broker.client.get(epoch)
    if recorded is not None and recorded.decode() == server:
        return found
    lock = f"{epoch}.recovering"
    if not broker.client.set(lock, uuid.uuid4().hex, nx=True, px=RECOVERY_LOCK_MS):
        return found  # another tick is on it
    try:
        found.redis_restarted = True
        found.resent = len(resend_unfinished(ctx, enqueue, taking_over=False))
        broker.client.set(epoch, server)
    finally:
        broker.client.delete(lock)  # on failure too: the next tick tries again at once
    log.warning("Redis has no record of being seen by a tick (a first start, or it lost its data: restarted, "
                "restored from an older snapshot or failed over); sent %s unfinished runs again", found.resent)
    return found


def requeue_dead_workers_messages(broker) -> int:
    """Put the unacked messages of workers silent for the broker's heartbeat timeout back on their
    queues; return how many."""
    script = getattr(broker, "_reportbot_requeue_dead", None)
    if script is None:
        script = broker._reportbot_requeue_dead = broker.client.register_script(_REQUEUE_DEAD)
    queues = sorted(broker.get_declared_queues())
    names = [*queues, *(dq_name(queue) for queue in queues)]
    if not names:
        return 0
    dead_since = current_millis() - broker.heartbeat_timeout
    return int(script(keys=[f"{broker.namespace}:__heartbeats__"], args=[broker.namespace, dead_since, *names]))


def resend_unfinished(ctx: JobContext, enqueue: Enqueue, *, taking_over: bool) -> list[int]:
    """Send each unfinished run's next phase again at its due time; return their ids.

    `taking_over=False` (Redis lost its messages): runs a worker holds are left to it, and runs
    whose lease ran out to the tick's lease recovery. `taking_over=True` (the embedded default at
    start, whose queue and workers lived in this process): every holder is gone, so all are sent.
    """
    now = ctx.now()
    dispatch = dt.timedelta(seconds=ctx.settings.dispatch_timeout)
    again: list[tuple[int, str, int]] = []
    with ctx.database.session() as session:
        for run in run_repo.unfinished_runs(session):
            expired = run.lease_until is not None and run.lease_until < now
            if not taking_over and (run.lease_token is not None or expired):
                continue  # a worker has it, or the tick's lease recovery sends it
            due = max(_due(run, now, dispatch), now)
            if taking_over:
                run.lease_token = None
                run.lease_until = due + dispatch
            delay_ms = int((due - now).total_seconds() * 1000)
            again.append((run.id, next_phase(run.status, run.trigger), delay_ms))
    enqueue_all(enqueue, again)
    return [run_id for run_id, _, _ in again]


def _due(run: Run, now: dt.datetime, dispatch: dt.timedelta) -> dt.datetime:
    """When the run's next message was to start it.

    Whoever leaves a run for a message to pick up (tick, retry backoff, hand-over, run-now) sets
    its dispatch deadline to that moment plus DISPATCH_TIMEOUT; a scheduled run never generates
    before its slot.
    """
    due = run.lease_until - dispatch if run.lease_until is not None else now
    if run.trigger == RunTrigger.SCHEDULE and next_phase(run.status, run.trigger) == Phase.GENERATE:
        due = max(due, run.scheduled_for)
    return due


def hand_to_tick(ctx: JobContext, items: list[tuple[int, int]]) -> None:
    """Make each (run id, delay in ms) due for the tick's lease recovery then: its message could not
    be sent. Runs someone holds keep their lease (their holder sends the next message)."""
    now = ctx.now()
    with ctx.database.session() as session:
        run_repo.set_dispatch_deadlines(session, [(run_id, now + dt.timedelta(milliseconds=delay))
                                                  for run_id, delay in items])


def _server_run(client) -> str:
    """Which run of the Redis server this is (it changes with every start and on failover)."""
    try:
        return str(client.info("server").get("run_id") or "unknown")
    except ResponseError:  # INFO renamed or refused (some managed services): presence alone still tells
        return "unknown"
