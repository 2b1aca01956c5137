"""The owner's Retry button on a failed run: the same run again, never a second copy of it.

A run that produced its files is delivered again, to the destinations that did not get it only;
a run that failed before producing them is generated again for its own slot, so the report still
covers the period it was for.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from jobs.context import JobContext
from jobs.phases import Enqueue, Phase
from storage import runs as run_repo
from storage import schedules as schedule_repo
from storage.audit import record
from storage.models import FINAL_RUN_STATUSES, Run, RunStatus
from storage.runs import run_in_flight

RETRYABLE = (RunStatus.FAILED, RunStatus.PARTIAL)


@dataclass(frozen=True)
class RetryStarted:
    run_id: int
    phase: str  # Phase.DELIVER (files kept, unsent destinations only) or Phase.GENERATE_NOW


@dataclass(frozen=True)
class RetryRefused:
    reason: str  # for the person who pressed the button


def retry_run(ctx: JobContext, schedule_id: int, run_id: int, *, user_id: str, surface: str,
              enqueue: Enqueue) -> RetryStarted | RetryRefused:
    """Put `run_id` back in line; the caller has checked that `user_id` may change the schedule."""
    now = ctx.now()
    with ctx.database.session() as session:
        schedule = schedule_repo.lock_schedule(session, schedule_id)  # one retry or run-now at a time
        run = session.get(Run, run_id) if schedule is not None else None
        if run is None or run.schedule_id != schedule_id:
            return RetryRefused("That run no longer exists (old runs are removed after a while).")
        if run.status not in RETRYABLE:
            if run.status not in FINAL_RUN_STATUSES:
                return RetryRefused(f"That run is still {run.status}; it will finish on its own.")
            return RetryRefused(f"That run ended “{run.status}”; there is nothing to retry.")
        busy = run_in_flight(session, schedule_id, other_than=run_id)
        if busy is not None:
            return RetryRefused(f"Another run of this schedule (#{busy.id}) is in progress; retry when it is done.")
        phase = run_repo.reopen_for_retry(session, run, now=now, by=user_id,
                                          dispatch_until=now + dt.timedelta(seconds=ctx.settings.dispatch_timeout))
        record(session, team_id=schedule.team_id, schedule_id=schedule_id, actor=user_id, action="retry",
               surface=surface, details={"run_id": run_id, "phase": phase})
    enqueue(run_id, Phase.DELIVER if phase == Phase.DELIVER else Phase.GENERATE_NOW, 0)
    return RetryStarted(run_id, phase)
