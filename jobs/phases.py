"""Which actor takes a run next: scheduled runs generate on the `reports` queue; run-now, retries
and previews on the `interactive` queue, so a person waiting is never behind a 09:00 burst."""

from __future__ import annotations

from storage.models import RunStatus, RunTrigger


def generate_phase(trigger: str) -> str:
    return "generate" if trigger == RunTrigger.SCHEDULE else "generate_now"


def next_phase(status: str, trigger: str) -> str:
    """The phase that picks up an unfinished run again (after a lost message or a stopped worker)."""
    return "deliver" if status == RunStatus.DELIVERING else generate_phase(trigger)
