"""A schedule's cadence as a sentence, whatever version stored it."""

from __future__ import annotations

from jobs.slots import compiled_cadence
from storage.models import Schedule


def describe_cadence(schedule: Schedule) -> str:
    """The schedule's cadence as a sentence (what the user typed if it can't be read any more)."""
    try:
        return compiled_cadence(schedule.cadence).describe()
    except Exception:  # a cadence stored by an older version still shows what the user typed
        return schedule.cadence_text
