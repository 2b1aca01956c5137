"""Which slots of a due schedule run, which are recorded as skipped, and when it is next due.

The rule (architecture, "Missed slots"): after downtime, at most one catch-up run, for the latest
missed slot, if it is within the grace period; older missed slots are recorded as skipped. Never a
burst.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from functools import lru_cache

from jobs.cadence import Cadence, cadence_from_json

# Recording every missed minute of a week-long outage would bury the history; the count is kept.
MAX_SKIPPED_RECORDED = 50
MAX_SLOTS_SCANNED = 100_000


# A slot claimed later than this after its time was missed (the service was down), so its run is a
# catch-up; a tick that is merely a few seconds behind still makes ordinary scheduled runs.
CATCH_UP_AFTER = dt.timedelta(minutes=1)


@dataclass
class SlotPlan:
    run_slot: dt.datetime | None
    skipped: list[dt.datetime] = field(default_factory=list)
    skipped_total: int = 0
    next_run_at: dt.datetime | None = None
    catch_up: bool = False  # the run is for a slot missed while the service was down


@lru_cache(maxsize=262_144)
def compiled_cadence_text(cadence_text: str) -> Cadence:
    """Rebuild a stored cadence (its JSON text as stored) once and reuse it.

    The tick asks for thousands per second; parsing JSON and compiling the rule every time would
    cost more than the rest of the tick together.
    """
    return cadence_from_json(json.loads(cadence_text))


def compiled_cadence(cadence_json: dict) -> Cadence:
    """Compile a cadence given as a dict (rows loaded through the ORM)."""
    return compiled_cadence_text(json.dumps(cadence_json, sort_keys=True))


COARSE = dt.timedelta(hours=6)


def release_offset(schedule_id: int, spread_seconds: int, slot: dt.datetime, next_slot: dt.datetime | None) -> int:
    """Seconds after its slot a run is released: a stable per-schedule offset within the spread,
    for cadences of six hours or coarser only (an hourly report must stay on the hour)."""
    if spread_seconds <= 0 or (next_slot is not None and next_slot - slot < COARSE):
        return 0
    # Knuth's multiplicative hash spreads consecutive ids evenly over the window.
    return (schedule_id * 2654435761) % (spread_seconds + 1)


def plan_slots(cadence: Cadence, due_at: dt.datetime, now: dt.datetime, grace: dt.timedelta) -> SlotPlan:
    """Plan a schedule due at `due_at` (≤ the tick's horizon) as seen at `now`."""
    if due_at > now:  # claimed ahead of time: runs at its slot, via a delayed message
        return SlotPlan(run_slot=due_at, next_run_at=cadence.next_run(due_at))
    missed: list[dt.datetime] = [due_at]
    total = 1
    upcoming = cadence.next_run(due_at)
    while upcoming is not None and upcoming <= now and total < MAX_SLOTS_SCANNED:
        missed.append(upcoming)
        total += 1
        if len(missed) > MAX_SKIPPED_RECORDED + 1:
            missed.pop(0)
        upcoming = cadence.next_run(upcoming)
    if upcoming is not None and upcoming <= now:  # scanned too far: jump to the future
        upcoming = cadence.next_run(now)
    latest = missed[-1]
    if now - latest <= grace:
        return SlotPlan(run_slot=latest, skipped=missed[:-1], skipped_total=total - 1, next_run_at=upcoming,
                        catch_up=total > 1 or now - latest > CATCH_UP_AFTER)
    return SlotPlan(run_slot=None, skipped=missed, skipped_total=total, next_run_at=upcoming)
