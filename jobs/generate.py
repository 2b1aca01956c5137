"""Generate a run: take its lease, fetch the report's data for its window, render every format,
store the files and the summary, then hand the run to delivery."""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from dataclasses import dataclass

from dramatiq.middleware import Shutdown

from jobs.alerts.evaluate import check_alert
from jobs.context import JobContext
from jobs.lease import LeaseClaim, LeaseKeeper
from jobs.logs import add_log_fields
from jobs.metrics import START_LATENESS
from jobs.phases import Enqueue, Phase, generate_phase
from jobs.report_steps import RunJob, hand_to_delivery, produce
from jobs.settle import after_settle, settle_run
from storage import runs as run_repo
from storage import schedules as schedule_repo
from storage.db import database_unreachable
from storage.errors import PermissionDenied, UserError
from storage.models import (
    CLOCK_TRIGGERS,
    Run,
    RunStatus,
    Schedule,
    ScheduleStatus,
)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class _Busy:
    """Another run of the same schedule is being generated right now."""

    other_run_id: int
    slot: dt.datetime
    trigger: str


def generate(ctx: JobContext, run_id: int, enqueue: Enqueue, *, claim: LeaseClaim | None = None) -> str:
    """Generate `run_id` unless another worker holds it; return what happened.

    At most one run of a schedule generates at a time: a run whose predecessor is still being
    generated waits (its message comes back a little later), and is skipped with that reason once
    waiting would make it later than the missed-slot grace period. `claim`: see jobs.lease.LeaseClaim.
    """
    claim = claim or LeaseClaim()
    token = claim.token
    job = _take(ctx, run_id, token, resume=claim.resume)
    if job is None:
        return "not-taken"
    if isinstance(job, _Busy):
        return _wait_or_skip(ctx, run_id, job, enqueue)
    claim.taken = True
    try:
        if job.condition is not None:  # an alert: check the condition; files only for a notification
            return check_alert(ctx, job, token, enqueue)
        return _generate_taken(ctx, job, token, enqueue)
    except Shutdown:  # SIGTERM: Dramatiq interrupts the actor; another worker starts the run over
        return _hand_back(ctx, job, token)


def _generate_taken(ctx: JobContext, job: RunJob, token: str, enqueue: Enqueue) -> str:
    """Produce the files and summary of a run this worker holds, then hand it to delivery."""
    run_id = job.run_id
    try:
        with LeaseKeeper(ctx, run_id, token) as keeper:
            artifacts, summary, empty = produce(ctx, job)
        if keeper.lost:
            return "lease-lost"
    except PermissionDenied as exc:  # the owner may no longer use this report: stop until it is fixed
        return _fail(ctx, job, token, str(exc), pause=True)
    except UserError as exc:  # the report, its data or a format refused: the owner reads why as is
        return _fail(ctx, job, token, str(exc))
    except Exception as exc:
        if database_unreachable(exc):  # not the report's fault: the actor tries again, carrying the lease on
            raise
        error_id = uuid.uuid4().hex[:8]
        log.exception("run %s: generation failed (error id %s)", run_id, error_id)
        return _fail(ctx, job, token, f"Something went wrong while generating the report (error id {error_id}): "
                                      f"{type(exc).__name__}.")
    with ctx.database.session() as session:
        run = run_repo.holds_lease(session, run_id, token)
        if run is None:
            return "lease-lost"
        run.summary = summary
        run.row_count = summary.get("row_count")
        if empty and job.skip_if_empty:
            settle_run(session, run, RunStatus.SKIPPED, now=ctx.now(),
                       error=f"No data for {summary.get('window_label')}; “skip if empty” is on.",
                       failures_before_pause=ctx.settings.failures_before_pause)
        else:
            hand_to_delivery(ctx, run, artifacts)
    if empty and job.skip_if_empty:
        after_settle(ctx, job.team_id, job.owner_user_id, run_id=run_id)
        return "skipped"
    enqueue(run_id, Phase.DELIVER, 0)
    return "generated"


def _hand_back(ctx: JobContext, job: RunJob, token: str) -> str:
    """Put the run back for the next tick instead of leaving it until its lease runs out.

    Not re-enqueued from here: this worker's idle threads could still pick the message up while
    they wind down. The lease is marked run out now, so the next tick (every TICK_INTERVAL, in any
    process) sends the run to a worker that is not stopping.
    """
    with ctx.database.session() as session:
        handed = run_repo.hand_back(session, job.run_id, token=token, status=RunStatus.RUNNING, lease_until=ctx.now())
    if not handed:
        return "lease-lost"
    log.info("run %s handed back: this worker is shutting down", job.run_id)
    return "handed-back"


def _take(ctx: JobContext, run_id: int, token: str, *, resume: str | None = None) -> RunJob | _Busy | None:
    now = ctx.now()
    with ctx.database.session() as session:
        run = session.get(Run, run_id)
        if run is None:
            return None
        add_log_fields(schedule_id=run.schedule_id)
        # Locking the schedule makes "is another run generating?" and taking this one a single step.
        schedule_repo.lock_schedule(session, run.schedule_id)
        other = run_repo.generating_run(session, run.schedule_id, other_than=run_id, now=now)
        if other is not None:
            takeable = run.status in (RunStatus.PENDING, RunStatus.RUNNING) and (
                run.lease_token is None or run.lease_until is None or run.lease_until < now)
            return _Busy(other.id, run.scheduled_for, run.trigger) if takeable else None
        taken = run_repo.take_lease(
            session, run_id, statuses=(RunStatus.PENDING, RunStatus.RUNNING), to_status=RunStatus.RUNNING,
            token=token, now=now, lease_for=dt.timedelta(seconds=ctx.settings.lease_seconds), resume=resume,
        )
        if not taken:
            return None
        run = session.get(Run, run_id)
        schedule = session.get(Schedule, run.schedule_id)
        run.started_at = now
        if run.trigger in CLOCK_TRIGGERS:
            START_LATENESS.observe(max(0.0, (now - run.scheduled_for).total_seconds()))
        previous = run_repo.previous_finished_run(session, schedule.id, run.id)
        return RunJob(
            run_id=run.id, schedule_id=schedule.id, team_id=schedule.team_id, owner_user_id=schedule.owner_user_id,
            name=schedule.name,
            report_type=schedule.report_type, params=dict(schedule.params), formats=list(schedule.formats),
            timezone=schedule.timezone, skip_if_empty=schedule.skip_if_empty, slot=run.scheduled_for,
            previous_slot=previous.scheduled_for if previous else None,
            previous_summary=previous.summary if previous else None, trigger=run.trigger,
            condition=schedule.condition, cadence=schedule.cadence, period=run.period,
        )


def _fail(ctx: JobContext, job: RunJob, token: str, error: str, *, pause: bool = False) -> str:
    with ctx.database.session() as session:
        run = run_repo.holds_lease(session, job.run_id, token)
        if run is None:
            return "lease-lost"
        schedule = settle_run(session, run, RunStatus.FAILED, now=ctx.now(), error=error,
                              failures_before_pause=ctx.settings.failures_before_pause)
        if pause and schedule is not None and schedule.status == ScheduleStatus.ACTIVE:
            schedule_repo.pause_for(schedule, error)
    after_settle(ctx, job.team_id, job.owner_user_id, run_id=job.run_id)
    return "failed"


def _wait_or_skip(ctx: JobContext, run_id: int, busy: _Busy, enqueue: Enqueue) -> str:
    now = ctx.now()
    late = now - busy.slot > dt.timedelta(seconds=ctx.settings.missed_grace)
    wait = min(30.0, max(1.0, ctx.settings.lease_seconds / 4))
    with ctx.database.session() as session:
        run = session.get(Run, run_id)
        if run.status not in (RunStatus.PENDING, RunStatus.RUNNING) or (
                run.lease_token is not None and run.lease_until is not None and run.lease_until >= now):
            return "not-taken"
        if late:
            # Not a failure and not a success: the counters are left alone.
            run.status = RunStatus.SKIPPED
            run.error = (f"Skipped: the previous run (#{busy.other_run_id}) was still being generated, and "
                         f"waiting for it would have made this one more than "
                         f"{int(ctx.settings.missed_grace // 60)} minutes late.")
            run.finished_at = now
            run.lease_token = None
            run.lease_until = None
        else:
            run.lease_until = now + dt.timedelta(seconds=wait + ctx.settings.dispatch_timeout)
    if late:
        log.warning("run %s skipped: run %s of the same schedule is still generating", run_id, busy.other_run_id)
        return "skipped-overlap"
    enqueue(run_id, generate_phase(busy.trigger), int(wait * 1000))
    return "waiting"
