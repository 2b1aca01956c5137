"""Check a batch of alerts due at the same moment: the tick sends their runs many to a message
(jobs.alerts.dispatch), so ten thousand checks a minute cost two hundred messages.

One statement takes every run's lease, one query reads what each check needs, each check fetches
and folds its data, then one transaction decides them all (each exactly as a single check would:
jobs.alerts.evaluate.decide_run) and settles the quiet ones. The few that notify get a message of
their own (`generate`), whose worker finds the decision recorded, renders and hands over to
delivery. A batch that fails leaves its runs to their leases: the tick hands each one to that same
single-run path.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections import Counter
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from functools import partial

from dramatiq.middleware import Shutdown

from jobs.alerts.evaluate import Decided, Finding, after_decision, decide_run, observe
from jobs.context import JobContext
from jobs.lease import LeaseKeeper
from jobs.metrics import START_LATENESS
from jobs.report_steps import RunJob
from storage import alerts as alert_repo
from storage.models import CLOCK_TRIGGERS, RunStatus

log = logging.getLogger(__name__)

FETCHES_AT_ONCE = 2  # per batch (a worker thread each: the Procfile's 8 threads fetch 16 at once)


class _BatchLease(LeaseKeeper):
    """Renew the leases of every run the batch holds in one statement."""

    def _renew(self, session, until: dt.datetime) -> bool:
        return alert_repo.renew_checks(session, self._token, until) > 0


def check_alerts(ctx: JobContext, run_ids: Sequence[int], enqueue) -> Counter:
    """Check the alert runs of `run_ids` that nobody holds; return how many ended which way."""
    token = uuid.uuid4().hex
    jobs = _take(ctx, run_ids, token)
    outcomes: Counter = Counter()
    if not jobs:
        return outcomes
    try:
        with _BatchLease(ctx, jobs[0].run_id, token):
            findings = _observe_all(ctx, jobs)
            decided = _decide(ctx, jobs, token, findings)
    except Shutdown:  # SIGTERM: what is not decided goes back for the next tick, at once
        with ctx.database.session() as session:
            handed = alert_repo.hand_back_checks(session, token, until=ctx.now())
        log.info("%s alert checks handed back: this worker is shutting down", handed)
        outcomes["handed-back"] += handed
        return outcomes
    for job in jobs:
        result = decided.get(job.run_id)
        if result is not None and result.notice is not None:
            # Its own message renders and delivers it (jobs.alerts.evaluate finds the decision), so
            # the checks of this minute are not held up behind charts and uploads.
            enqueue(job.run_id, "generate", 0)
            outcomes["notifying"] += 1
        else:
            outcomes[after_decision(ctx, job, token, result, None, enqueue)] += 1
    return outcomes


def _take(ctx: JobContext, run_ids: Sequence[int], token: str) -> list[RunJob]:
    now = ctx.now()
    with ctx.database.session() as session:
        taken = alert_repo.take_checks(session, run_ids, token=token, now=now,
                                       until=now + dt.timedelta(seconds=ctx.settings.lease_seconds))
        rows = alert_repo.check_rows(session, taken) if taken else []
    jobs = []
    for row in rows:
        schedule = row.schedule
        if row.trigger in CLOCK_TRIGGERS:
            START_LATENESS.observe(max(0.0, (now - row.slot).total_seconds()))
        jobs.append(RunJob(
            run_id=row.run_id, schedule_id=schedule.id, team_id=schedule.team_id,
            owner_user_id=schedule.owner_user_id, name=schedule.name, report_type=schedule.report_type,
            params=dict(schedule.params), formats=list(schedule.formats), timezone=schedule.timezone,
            skip_if_empty=False, slot=row.slot, previous_slot=row.last_slot, previous_summary=None,
            trigger=row.trigger, condition=schedule.condition, cadence=schedule.cadence))
    return jobs


def _observe_all(ctx: JobContext, jobs: list[RunJob]) -> dict[int, Finding]:
    """Fetch and fold every check's data, a few at a time: an alert whose source takes seconds (up
    to its time limit) must not hold up the fifty checks it shares a message with."""
    pool = ThreadPoolExecutor(FETCHES_AT_ONCE, thread_name_prefix="alert-check")
    try:
        return dict(zip((job.run_id for job in jobs), pool.map(partial(observe, ctx), jobs), strict=True))
    finally:  # on SIGTERM too: what has not started is dropped (the runs are handed back)
        pool.shutdown(wait=False, cancel_futures=True)


def _decide(ctx: JobContext, jobs: list[RunJob], token: str, findings: dict[int, Finding]) -> dict[int, Decided]:
    """Decide every check of the batch in one transaction (the runs it still holds)."""
    now = ctx.now()
    decided: dict[int, Decided] = {}
    with ctx.database.session() as session:
        runs = alert_repo.held_checks(session, [job.run_id for job in jobs], token)
        # One query for the schedules settle_run updates (held here: the session only keeps weak references).
        schedules = alert_repo.schedules_of(session, [job.schedule_id for job in jobs])
        rows = alert_repo.lock_states(session, [job.schedule_id for job in jobs])
        for job in jobs:  # in slot order: two checks of one alert apply oldest first
            run = runs.get(job.run_id)
            if run is None:
                continue
            decided[job.run_id] = result = decide_run(session, job, run, rows[job.schedule_id],
                                                      findings[job.run_id], now=now)
            if result.notice is not None:  # handed on, cleanly: the attempt is not counted
                run.status, run.lease_token, run.attempt = RunStatus.PENDING, None, 0
                run.lease_until = now + dt.timedelta(seconds=ctx.settings.dispatch_timeout)
        del schedules
    return decided
