"""Assemble a running reportbot: database, job context, broker, worker and clock.

Embedded default (no REDIS_URL): one process runs the web app, the clock and an in-process
worker. With REDIS_URL, `serve` only serves; `reportbot clock` and `dramatiq jobs.broker jobs.actors`
run beside it, on any number of machines.
"""

from __future__ import annotations

import dataclasses
import logging
from dataclasses import dataclass, field

import dramatiq

from jobs import actors
from jobs import broker as broker_module
from jobs.context import JobContext, get_context, set_context
from jobs.inprocess import ClockThread, start_worker
from jobs.tick import requeue_unfinished
from storage.db import Database, set_database
from storage.migrate import upgrade

log = logging.getLogger(__name__)


@dataclass
class Runtime:
    """What `start_runtime` started; `stop()` ends it in reverse order."""

    context: JobContext
    worker: dramatiq.Worker | None = None
    clock: ClockThread | None = None
    _stopped: bool = field(default=False, repr=False)

    def stop(self) -> None:
        if self._stopped:
            return
        self._stopped = True
        if self.clock is not None:
            self.clock.stop()
            self.clock.join(timeout=5)
        if self.worker is not None:
            self.worker.stop(timeout=10_000)


def prepare_context(context: JobContext | None = None) -> JobContext:
    """Migrate the database and make `context` (or one from the environment) the process's own."""
    context = context or get_context()
    set_database(context.database)
    set_context(context)
    upgrade(context.database)
    return context


def start_runtime(context: JobContext | None = None, *, embedded: bool | None = None,
                  clock: bool = True) -> Runtime:
    """Start background work in this process when there is no Redis (or when told to)."""
    context = prepare_context(context)
    if embedded is None:
        embedded = context.settings.redis_url is None
    runtime = Runtime(context)
    if not embedded:
        return runtime
    runtime.worker = start_worker(broker_module.broker, threads=context.settings.worker_threads)
    requeued = requeue_unfinished(context, actors.enqueue)
    if requeued:
        log.info("re-enqueued %s unfinished runs from before the restart", len(requeued))
    if clock:
        runtime.clock = ClockThread(actors.tick.send, context.settings.tick_interval)
        runtime.clock.start()
    return runtime


def with_database(context: JobContext, url: str) -> JobContext:
    """A copy of `context` on another database (the demo uses its own file)."""
    return dataclasses.replace(context, database=Database(url))
