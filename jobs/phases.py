"""A run's phases and the one way work is handed to them.

Scheduled runs (and catch-ups) generate on the `reports` queue; run-now, retries and previews on the `interactive`
queue (GENERATE_NOW), so a person waiting is never behind a 09:00 burst; DELIVER sends what was
generated. Everything that starts work takes an `Enqueue`: the Dramatiq sender in production, a
recorder in tests.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Protocol

from storage.models import CLOCK_TRIGGERS, RunStatus


class Phase(StrEnum):
    GENERATE = "generate"
    GENERATE_NOW = "generate_now"
    DELIVER = "deliver"
    CHECK_ALERTS = "check_alerts"  # a batch of alert checks (jobs.alerts.dispatch): no files unless one fires


class Enqueue(Protocol):
    def __call__(self, run_id: int, phase: Phase, delay_ms: int) -> None:
        """Start `phase` of the run after `delay_ms` milliseconds."""


def generate_phase(trigger: str) -> Phase:
    return Phase.GENERATE if trigger in CLOCK_TRIGGERS else Phase.GENERATE_NOW


def next_phase(status: str, trigger: str) -> Phase:
    """The phase that picks up an unfinished run again (after a lost message or a stopped worker)."""
    return Phase.DELIVER if status == RunStatus.DELIVERING else generate_phase(trigger)


def enqueue_all(enqueue: Enqueue, items: list[tuple[int, Phase, int]]) -> None:
    """Hand (run id, phase, delay) messages over in one call when the enqueuer can batch (a Redis
    pipeline), else one by one."""
    many = getattr(enqueue, "many", None)
    if many is not None:
        many(items)
        return
    for item in items:
        enqueue(*item)
