"""What happens when a run reaches a final status: counters, the owner's App Home, failure notices."""

from __future__ import annotations

import datetime as dt
import logging

from jobs.context import JobContext
from jobs.home import request_home_refresh
from jobs.notify import notify_owner
from jobs.progress import settle_progress
from storage.db import Session
from storage.models import Run, RunStatus, Schedule, ScheduleStatus

log = logging.getLogger(__name__)


def settle_run(session: Session, run: Run, status: str, *, now: dt.datetime, error: str | None = None,
               failures_before_pause: int) -> Schedule | None:
    """Give `run` its final status and update its schedule's counters; return the schedule.

    After `failures_before_pause` failed runs in a row the schedule goes to `error` (paused); the
    owner hears about it from `after_settle` (jobs.notify).
    """
    run.status = status
    run.error = error
    run.finished_at = now
    run.lease_token = None
    run.lease_until = None
    if run.started_at is not None:
        # Clamped to the column's 32 bits: a run stopped after weeks as stale would overflow it.
        run.duration_ms = min(int((now - run.started_at).total_seconds() * 1000), 2**31 - 1)
    schedule = session.get(Schedule, run.schedule_id)
    if schedule is None:
        return None
    schedule.run_count += 1
    schedule.last_run_at = now
    if status in (RunStatus.DELIVERED, RunStatus.SKIPPED):
        schedule.success_count += 1
        schedule.consecutive_failures = 0
    elif status in (RunStatus.FAILED, RunStatus.PARTIAL):
        schedule.failure_count += 1
        schedule.consecutive_failures += 1
        schedule.last_error = error
        if schedule.consecutive_failures >= failures_before_pause and schedule.status == ScheduleStatus.ACTIVE:
            schedule.status = ScheduleStatus.ERROR
            log.warning("schedule %s paused after %s failed runs", schedule.id, schedule.consecutive_failures)
    return schedule


def after_settle(ctx: JobContext, team_id: str, owner_user_id: str, *, run_id: int | None = None) -> None:
    """Tell the owner when `run_id` failed, refresh their App Home (coalesced with their other runs
    settling now); a Slack hiccup here must not undo the run (an untold failure is told again by the
    hourly cleanup)."""
    if run_id is not None:
        try:
            notify_owner(ctx, run_id)
        except Exception:
            log.exception("could not tell the owner about run %s", run_id)

    request_home_refresh(ctx, team_id, owner_user_id)

    # Update the "Generating …" messages of settled runs (see jobs.progress).
    try:
        settle_progress(ctx, team_id)
    except Exception:
        log.exception("could not update progress messages in %s", team_id)
