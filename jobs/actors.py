"""Dramatiq actors: thin, idempotent, ids as arguments. Each body calls a tested function.

Import after `jobs.broker` (the worker command is `dramatiq jobs.broker jobs.actors`).
"""

from __future__ import annotations

import logging

import dramatiq

from jobs import broker as _broker  # noqa: F401  (declares the broker before the actors)
from jobs.alerts.batch import check_alerts as run_alert_checks
from jobs.bulk import enqueue_many
from jobs.cleanup import cleanup as run_cleanup
from jobs.cleanup import cleanup_due
from jobs.context import get_context
from jobs.database_outage import retry_after_outage
from jobs.delivery.deliver import TransientDeliveryError
from jobs.delivery.deliver import deliver as deliver_run
from jobs.generate import generate as generate_run
from jobs.lease import LeaseClaim
from jobs.logs import log_context
from jobs.lost_messages import BROKER_UNREACHABLE, hand_to_tick, recover_lost_messages
from jobs.metrics import TICK_SECONDS
from jobs.phases import Phase
from jobs.tick import tick as run_tick
from storage.db import database_unreachable

log = logging.getLogger(__name__)


class _Enqueuer:
    """Send the message for a run's next phase, released after a delay (in ms).

    When Redis cannot be reached the run is left for the tick instead (jobs.lost_messages): it
    becomes due for lease recovery at the time the message was for.
    """

    @staticmethod
    def _actor(phase: str) -> dramatiq.Actor:
        return {Phase.GENERATE: generate, Phase.DELIVER: deliver, Phase.GENERATE_NOW: generate_now,
                Phase.CHECK_ALERTS: check_alerts}[phase]

    def __call__(self, run_id: int, phase: str, delay_ms: int) -> None:
        message = self._actor(phase).message(run_id)
        try:
            dramatiq.get_broker().enqueue(message, delay=delay_ms or None)
        except BROKER_UNREACHABLE as exc:
            self._leave_for_tick([(run_id, phase, delay_ms)], exc)

    def many(self, items: list[tuple[int, str, int]]) -> None:
        """Enqueue a batch (the tick's) in as few round trips as the broker allows."""
        # Delayed messages are parked for the clock's release loop (Redis; see jobs.release).
        sends = [(self._actor(phase), (run_id,), delay or None) for run_id, phase, delay in items]
        try:
            enqueue_many(dramatiq.get_broker(), sends, park_delayed=True)
        except BROKER_UNREACHABLE as exc:
            self._leave_for_tick(items, exc)

    @staticmethod
    def _leave_for_tick(items: list[tuple[int, str, int]], error: BaseException) -> None:
        log.warning("could not send %s messages (%s); the tick sends them when Redis answers", len(items),
                    type(error).__name__)
        hand_to_tick(get_context(), [(run_id, delay) for run_id, _, delay in items])


enqueue = _Enqueuer()


@dramatiq.actor(queue_name="clock", max_retries=0, time_limit=120_000)
def tick() -> None:
    """Send again what Redis lost, find due schedules and release their runs."""
    with TICK_SECONDS.time():
        try:
            recover_lost_messages(get_context(), dramatiq.get_broker(), enqueue)
        except Exception:  # the tick's own work must not wait on this; the next tick looks again
            log.exception("tick: could not look for lost messages")
        result = run_tick(get_context(), enqueue)
    if cleanup_due(get_context()):
        cleanup.send()
    if result.created or result.requeued:
        log.info("tick: %s runs created, %s re-enqueued", len(result.created), len(result.requeued))


def _work_on(actor: dramatiq.Actor, run_id: int, resume: str | None, outage_retries: int, work) -> None:
    """Run one phase of a run; while the database is unreachable, send the message again later
    (jobs.database_outage) instead of dropping it."""
    claim = LeaseClaim(resume=resume)
    try:
        with log_context(run_id=run_id):
            work(claim)
    except Exception as exc:
        if not database_unreachable(exc):
            raise
        retry_after_outage(actor, run_id, claim, outage_retries, exc)


# notify_shutdown: on SIGTERM the run is handed back at once (jobs.generate), not left to its lease.
@dramatiq.actor(queue_name="reports", max_retries=0, time_limit=30 * 60_000, notify_shutdown=True)
def generate(run_id: int, resume: str | None = None, outage_retries: int = 0) -> None:
    """Generate one scheduled run."""
    _work_on(generate, run_id, resume, outage_retries,
             lambda claim: generate_run(get_context(), run_id, enqueue, claim=claim))


@dramatiq.actor(queue_name="interactive", max_retries=0, time_limit=30 * 60_000, notify_shutdown=True)
def generate_now(run_id: int, resume: str | None = None, outage_retries: int = 0) -> None:
    """Generate a run a person is waiting for (run now, previews): its own queue, never behind a burst."""
    _work_on(generate_now, run_id, resume, outage_retries,
             lambda claim: generate_run(get_context(), run_id, enqueue, claim=claim))


@dramatiq.actor(queue_name="reports", max_retries=0, time_limit=30 * 60_000, notify_shutdown=True)
def check_alerts(run_ids: list[int]) -> None:
    """Check a batch of alerts due at the same moment (the tick sends them many to a message)."""
    run_alert_checks(get_context(), run_ids, enqueue)


@dramatiq.actor(queue_name="deliveries", max_retries=0, time_limit=10 * 60_000)
def deliver(run_id: int, resume: str | None = None, outage_retries: int = 0) -> None:
    """Deliver one generated run; destinations that failed for the moment are retried on their own
    schedule (backoff with jitter, Retry-After honoured), counted per destination in the database."""
    _work_on(deliver, run_id, resume, outage_retries, lambda claim: _deliver_due(run_id, claim))


def _deliver_due(run_id: int, claim: LeaseClaim) -> None:
    try:
        deliver_run(get_context(), run_id, only_due=True, claim=claim)
    except TransientDeliveryError as exc:
        log.warning("run %s: delivery retry in %.1fs: %s", run_id, exc.retry_in_ms / 1000, exc)
        # If this message is lost (broker down), the run's lease runs out and the tick re-sends it.
        enqueue(run_id, Phase.DELIVER, exc.retry_in_ms)


@dramatiq.actor(queue_name="clock", max_retries=0, time_limit=30 * 60_000)
def cleanup() -> None:
    """Hourly housekeeping: stale runs, untold failures, artifact and run retention."""
    run_cleanup(get_context())
