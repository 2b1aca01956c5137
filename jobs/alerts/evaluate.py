"""Check an alert for one run: fetch the data, measure the condition, decide the alert's state once,
and only when the check tells someone render the chart and files and hand the run to delivery.

Exactly once. The decision — the check's record, the alert's new state, and what the run will
tell — is one transaction that also checks this worker still holds the run, under the alert's
row lock; so each state change is decided by exactly one run (one slot: runs are unique per slot).
A worker that dies after deciding leaves the run with its check recorded; the next worker reuses
that decision, renders and delivers, and deliveries are unique per destination: each destination
hears of a state change at most once. A check arriving after a later one (its worker stalled) is
recorded as superseded and changes nothing.

Cheap when quiet: a check that tells nobody fetches the data and folds one pass over it; nothing
is rendered, no file is written, and the run ends `skipped` (or `failed`, when the check could not
run) with what it found in words.
"""

from __future__ import annotations

import datetime as dt
import logging
import sys
import uuid
from dataclasses import dataclass, replace

from jobs.alerts.notice import check_sentence, headline, notice_payload, notice_text
from jobs.alerts.render import notification_files
from jobs.alerts.states import Notice, Observation, Outcome, Snapshot, Step, decide
from jobs.context import JobContext
from jobs.lease import LeaseKeeper
from jobs.report_steps import RunJob, fetch_report, hand_to_delivery
from jobs.settle import after_settle, settle_run
from reports.conditions import (
    Collected,
    Condition,
    ConditionError,
    Measurement,
    Previous,
    bind_to_table,
    collect,
    condition_from_json,
    judge,
)
from reports.errors import ReportError
from reports.table import Table
from reports.window import Window
from storage import alerts as alert_repo
from storage import runs as run_repo
from storage.audit import record
from storage.models import (
    CLOCK_TRIGGERS,
    AlertState,
    Run,
    RunStatus,
    Schedule,
    ScheduleStatus,
)

log = logging.getLogger(__name__)

# Alerts never pause themselves after failed checks: a failing check is the alert's `error` state.
NEVER_PAUSE = sys.maxsize
SUPERSEDED = "A later check of this alert had already run, so this one changed nothing."


@dataclass
class Finding:
    """What fetching and folding the data gave, before it is judged against the alert's state."""

    condition: Condition | None  # None: the stored condition cannot be read (see error)
    collected: Collected | None = None
    error: str | None = None
    table: Table | None = None
    window: Window | None = None


@dataclass(frozen=True)
class Decided:
    notice: str | None
    payload: dict | None
    result: str
    tell_owner: bool = False  # the App Home / progress message / owner's DM should hear of it


def check_alert(ctx: JobContext, job: RunJob, token: str, enqueue) -> str:
    """Check the alert of a run this worker holds; return what happened."""
    with LeaseKeeper(ctx, job.run_id, token):
        decided, last_slot = _earlier_decision(ctx, job.run_id, job.schedule_id)
        finding = None
        if decided is None:
            job = replace(job, previous_slot=last_slot)
            finding = observe(ctx, job)
            with ctx.database.session() as session:
                run = run_repo.holds_lease(session, job.run_id, token)
                if run is not None:
                    row = alert_repo.lock_state(session, job.schedule_id)
                    decided = decide_run(session, job, run, row, finding, now=ctx.now())
        return after_decision(ctx, job, token, decided, finding, enqueue)


def _earlier_decision(ctx: JobContext, run_id: int, schedule_id: int) -> tuple[Decided | None, dt.datetime | None]:
    """A run whose check was decided by a worker that died before delivering: reuse its decision.
    Otherwise the previous check's slot (the start of a "since the previous run" window)."""
    with ctx.database.session() as session:
        evaluation = alert_repo.evaluation_for_run(session, run_id)
        if evaluation is None or evaluation.notice is None:
            state = alert_repo.get_state(session, schedule_id)
            return None, state.last_slot if state is not None else None
        payload = (session.get(Run, run_id).summary or {}).get("alert")
    log.info("run %s: its check was decided before (%s); delivering that", run_id, evaluation.notice)
    return Decided(evaluation.notice, payload, "notifying"), None


def observe(ctx: JobContext, job: RunJob) -> Finding:
    """Fetch the data and fold it once; a failure is a finding too (never an OK)."""
    try:
        stored = condition_from_json(job.condition)
    except ConditionError as exc:
        return Finding(None, error=str(exc))
    try:
        table, window = fetch_report(ctx, job)
        condition = bind_to_table(stored, table)
        return Finding(condition, collect(condition, table), table=table, window=window)
    except (ConditionError, ReportError) as exc:
        return Finding(stored, error=str(exc))
    except Exception as exc:
        error_id = uuid.uuid4().hex[:8]
        log.exception("run %s: the alert check failed (error id %s)", job.run_id, error_id)
        return Finding(stored, error=f"something went wrong while checking (error id {error_id}): "
                                     f"{type(exc).__name__}")


def decide_run(session, job: RunJob, run: Run, row: AlertState, finding: Finding, *, now: dt.datetime) -> Decided:
    """Judge the finding against the alert's (locked) state, record the check and the new state, and
    either settle the run (nothing to tell) or keep it for the notification. In the caller's
    transaction, which holds the run's lease."""
    condition = finding.condition
    if condition is None:
        return _broken(session, job, run, row, finding.error or "", now)
    before = _snapshot(row)
    if row.last_slot is not None and run.scheduled_for <= row.last_slot:
        alert_repo.add_evaluation(session, run_id=run.id, schedule_id=job.schedule_id, slot=run.scheduled_for,
                                  outcome="superseded", value=None, state=row.state, previous_state=row.state,
                                  detail=SUPERSEDED)
        settle_run(session, run, RunStatus.SKIPPED, now=now, error=SUPERSEDED, failures_before_pause=NEVER_PAUSE)
        return Decided(None, None, "superseded")
    result = judge(condition, finding.collected, Previous(row.last_value, row.last_fingerprint)) \
        if finding.collected is not None else None
    outcome = Outcome.ERROR if result is None else Outcome.NO_DATA if result.fires is None else Outcome.VALUE
    step = decide(before, Observation(outcome, result.fires if result else None), condition, run.scheduled_for)
    detail = finding.error or (result.no_data if result else None)
    sentence = check_sentence(condition, result, step, detail)
    previous_value = row.last_value
    _apply(row, step, result, slot=run.scheduled_for, now=now)
    alert_repo.add_evaluation(session, run_id=run.id, schedule_id=job.schedule_id, slot=run.scheduled_for,
                              outcome=outcome, value=result.value if result else None, state=step.state,
                              previous_state=before.state, notice=step.notice, muted_by=step.muted_by,
                              detail=sentence)
    run.row_count = result.rows if result else None
    if step.notice is not None:
        payload = notice_payload(notice=step.notice, condition=condition, step=step, slot=run.scheduled_for,
                                 timezone=job.timezone, result=result, previous_value=previous_value,
                                 detail=detail)
        run.summary = {"alert": payload}
        if condition.options.once and step.notice in (Notice.FIRING, Notice.CHANGED):
            _pause_after_first(session, job.schedule_id, job.team_id)
        return Decided(step.notice, payload, "notifying")
    failed = outcome == Outcome.ERROR
    if failed and before.failed_checks >= 1:
        run.notified_at = now  # the owner heard about the first failed check in this row
    settle_run(session, run, RunStatus.FAILED if failed else RunStatus.SKIPPED, now=now, error=sentence,
               failures_before_pause=NEVER_PAUSE)
    return Decided(None, None, "check-failed" if failed else "checked",
                   tell_owner=step.state != before.state or (failed and before.failed_checks == 0))


def after_decision(ctx: JobContext, job: RunJob, token: str, decided: Decided | None, finding: Finding | None,
                   enqueue) -> str:
    """Tell whoever must hear of a quiet check, or make the notification's files and queue its delivery."""
    if decided is None:
        return "lease-lost"
    if decided.notice is None:
        if decided.tell_owner or job.trigger not in CLOCK_TRIGGERS:
            after_settle(ctx, job.team_id, job.owner_user_id, run_id=job.run_id)
        return decided.result
    artifacts, extra = notification_files(ctx, job, decided.payload, finding)
    return _hand_over(ctx, job, token, decided.payload, artifacts, extra, enqueue)


def _broken(session, job: RunJob, run: Run, row: AlertState, error: str, now: dt.datetime) -> Decided:
    """A stored condition that cannot be read fails the check, loudly, once per streak; the state stays."""
    alert_repo.add_evaluation(session, run_id=run.id, schedule_id=job.schedule_id, slot=run.scheduled_for,
                              outcome=Outcome.ERROR, value=None, state=row.state, previous_state=row.state,
                              detail=error)
    if row.failed_checks >= 1:
        run.notified_at = now
    row.failed_checks += 1
    settle_run(session, run, RunStatus.FAILED, now=now, error=error, failures_before_pause=NEVER_PAUSE)
    return Decided(None, None, "check-failed", tell_owner=row.failed_checks == 1)


def _snapshot(row: AlertState) -> Snapshot:
    return Snapshot(state=row.state, announced=row.announced, state_since=row.state_since,
                    pending_since=row.pending_since, pending_checks=row.pending_checks,
                    last_notified_at=row.last_notified_at, failed_checks=row.failed_checks,
                    snoozed_until=row.snoozed_until, snoozed_until_resolved=row.snoozed_until_resolved,
                    snoozed_by=row.snoozed_by)


def _apply(row: AlertState, step: Step, result: Measurement | None, *, slot: dt.datetime, now: dt.datetime) -> None:
    row.state, row.announced, row.state_since = step.state, step.announced, step.state_since
    row.pending_since, row.pending_checks, row.failed_checks = step.pending_since, step.pending_checks, \
        step.failed_checks
    row.last_slot, row.last_evaluated_at = slot, now
    if result is not None and result.value is not None:
        row.last_value = result.value  # a check without a value keeps the last one to compare with
    if result is not None and result.fingerprint is not None:
        row.last_fingerprint = result.fingerprint
    if step.notice is not None:
        row.last_notified_at = slot
    if step.snooze_ends:
        row.snoozed_until, row.snoozed_until_resolved, row.snoozed_by, row.snoozed_at = None, False, None, None


def _pause_after_first(session, schedule_id: int, team_id: str) -> None:
    """"Only the first time": the alert pauses itself once it has told its first notice."""
    schedule = session.get(Schedule, schedule_id)
    if schedule is not None and schedule.status == ScheduleStatus.ACTIVE:
        schedule.status = ScheduleStatus.PAUSED
        record(session, team_id=team_id, schedule_id=schedule_id, actor="system", action="alert_fired_once",
               surface="clock", details={})


def _hand_over(ctx: JobContext, job: RunJob, token: str, payload: dict, artifacts, extra: dict, enqueue) -> str:
    """Store the notification's files and words with the run and queue its delivery."""
    with ctx.database.session() as session:
        run = run_repo.holds_lease(session, job.run_id, token)
        if run is None:
            return "lease-lost"
        run.summary = {**extra, "alert": payload, "title": job.name, "window_label": headline(payload),
                       "text": notice_text(job.name, payload)}
        hand_to_delivery(ctx, run, artifacts)
    enqueue(job.run_id, "deliver", 0)
    return "notifying"
