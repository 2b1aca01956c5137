"""Generate a run: take its lease, fetch the report's data for its window, render every format,
store the files and the summary, then hand the run to delivery."""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from dataclasses import dataclass

from dramatiq.middleware import Shutdown

from jobs.access import Person, ensure_owner_may_use, person_from_slack
from jobs.context import JobContext
from jobs.lease import LeaseKeeper
from jobs.logs import add_log_fields
from jobs.metrics import START_LATENESS
from jobs.periods import period_of_run, setting_of, window_for
from jobs.phases import Enqueue, Phase, generate_phase
from jobs.policy import Policy, policy_for
from jobs.settle import after_settle, settle_run
from jobs.slots import compiled_cadence
from jobs.views.blocks import escape
from reports.markdown import to_slack_mrkdwn
from reports.registry import WINDOW_PARAM_NAMES, ReportRequest, get_report_type
from reports.renderers import get_renderer
from reports.summary import summarize
from reports.table import Table
from reports.window import Window
from reports.window_words import window_phrase
from storage import runs as run_repo
from storage import schedules as schedule_repo
from storage.errors import PermissionDenied, UserError
from storage.filestore import safe_filename
from storage.models import (
    CLOCK_TRIGGERS,
    Artifact,
    Run,
    RunStatus,
    Schedule,
    ScheduleStatus,
)

log = logging.getLogger(__name__)

@dataclass(frozen=True)
class RunJob:
    """What generation (or an alert's check) needs, copied out of the session so no row is held
    during slow work."""

    run_id: int
    schedule_id: int
    team_id: str
    owner_user_id: str
    name: str
    report_type: str
    params: dict
    formats: list[str]
    timezone: str
    skip_if_empty: bool
    slot: dt.datetime
    previous_slot: dt.datetime | None
    previous_summary: dict | None
    trigger: str
    condition: dict | None = None  # an alert's (jobs.alerts)
    cadence: dict | None = None  # the schedule's, as stored: its period follows it (jobs.periods)
    period: dict | None = None  # the run's own period, when it was started with one (runs.period)


@dataclass(frozen=True)
class _Busy:
    """Another run of the same schedule is being generated right now."""

    other_run_id: int
    slot: dt.datetime
    trigger: str


def generate(ctx: JobContext, run_id: int, enqueue: Enqueue) -> str:
    """Generate `run_id` unless another worker holds it; return what happened.

    At most one run of a schedule generates at a time: a run whose predecessor is still being
    generated waits (its message comes back a little later), and is skipped with that reason once
    waiting would make it later than the missed-slot grace period.
    """
    token = uuid.uuid4().hex
    job = _take(ctx, run_id, token)
    if job is None:
        return "not-taken"
    if isinstance(job, _Busy):
        return _wait_or_skip(ctx, run_id, job, enqueue)
    try:
        if job.condition is not None:  # an alert: check the condition; files only for a notification
            from jobs.alerts.evaluate import check_alert  # it builds on this module

            return check_alert(ctx, job, token, enqueue)
        return _generate_taken(ctx, job, token, enqueue)
    except Shutdown:  # SIGTERM: Dramatiq interrupts the actor; another worker starts the run over
        return _hand_back(ctx, job, token)


def _generate_taken(ctx: JobContext, job: RunJob, token: str, enqueue: Enqueue) -> str:
    """Produce the files and summary of a run this worker holds, then hand it to delivery."""
    run_id = job.run_id
    try:
        with LeaseKeeper(ctx, run_id, token) as keeper:
            artifacts, summary, empty = _produce(ctx, job)
        if keeper.lost:
            return "lease-lost"
    except PermissionDenied as exc:  # the owner may no longer use this report: stop until it is fixed
        return _fail(ctx, job, token, str(exc), pause=True)
    except UserError as exc:  # the report, its data or a format refused: the owner reads why as is
        return _fail(ctx, job, token, str(exc))
    except Exception as exc:
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


def hand_to_delivery(ctx: JobContext, run: Run, artifacts: list[Artifact]) -> None:
    """Attach the run's files and pass it to delivery (in the caller's transaction, holding the run)."""
    expires = ctx.now() + dt.timedelta(days=ctx.settings.artifact_retention_days)
    for artifact in artifacts:
        artifact.expires_at = expires
    run.artifacts.extend(artifacts)
    run.status = RunStatus.DELIVERING
    run.lease_token = None  # delivery takes it from here
    run.attempt = 0  # a clean hand-over: only crashes count towards MAX_ATTEMPTS
    run.lease_until = ctx.now() + dt.timedelta(seconds=ctx.settings.dispatch_timeout)


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


def _take(ctx: JobContext, run_id: int, token: str) -> RunJob | _Busy | None:
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
            token=token, now=now, lease_for=dt.timedelta(seconds=ctx.settings.lease_seconds),
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
            run_id=run.id, schedule_id=schedule.id, team_id=schedule.team_id, owner_user_id=schedule.owner_user_id, name=schedule.name,
            report_type=schedule.report_type, params=dict(schedule.params), formats=list(schedule.formats),
            timezone=schedule.timezone, skip_if_empty=schedule.skip_if_empty, slot=run.scheduled_for,
            previous_slot=previous.scheduled_for if previous else None,
            previous_summary=previous.summary if previous else None, trigger=run.trigger,
            condition=schedule.condition, cadence=schedule.cadence, period=run.period,
        )


def _ensure_owner_may_run(ctx: JobContext, job: RunJob) -> Policy:
    """The permission check every surface made, made again now: limits added since then apply.
    Returns the workspace's policy (its week start cuts weekly periods)."""
    with ctx.database.session() as session:
        policy = policy_for(session, ctx.settings.policy, job.team_id)

    def look_up_owner() -> Person:
        user = ctx.slack(job.team_id).users_info(user=job.owner_user_id)["user"]
        return person_from_slack(user, job.team_id, ctx.settings.policy.admin_user_ids)

    ensure_owner_may_use(policy, job.team_id, job.owner_user_id, job.report_type, job.params, look_up_owner)
    return policy


def run_window(job: RunJob, default_window: str, week_start: int) -> Window:
    """The period the run covers: its own if it was started with one, else the schedule's setting
    (by default the schedule's period, jobs.periods), always from the run's slot."""
    period = period_of_run(setting_of(job.params, default_window), getattr(job, "period", None))
    stored = getattr(job, "cadence", None)  # a condition checked before its schedule exists has none
    try:
        cadence = compiled_cadence(stored) if stored else None
    except Exception:  # a cadence stored by an older version: the report still runs, for one day
        log.warning("run %s: its schedule's cadence cannot be read; reporting the previous day",
                    getattr(job, "run_id", None))
        cadence = None
    return window_for(period, slot=job.slot, cadence=cadence, timezone=job.timezone, week_start=week_start,
                      last_run=job.previous_slot)


def fetch_report(ctx: JobContext, job: RunJob) -> tuple[Table, Window]:
    """Ask the report type for the data of the run's window (as the schedule's owner, if they still may)."""
    policy = _ensure_owner_may_run(ctx, job)
    report = get_report_type(job.report_type)
    window = run_window(job, report.default_window, policy.week_start)
    params = {k: v for k, v in job.params.items() if k not in WINDOW_PARAM_NAMES}
    request = ReportRequest(
        params=report.validate_params(params), window=window, timezone=job.timezone, slot=job.slot,
        services={"slack": lambda: ctx.slack(job.team_id)},
        owner_user_id=job.owner_user_id, team_id=job.team_id,  # data sources check who may use them
    )
    return report.fetch(request), window


def render_formats(ctx: JobContext, job: RunJob, table: Table, window: Window) -> list[Artifact]:
    """Render the table in each of the schedule's formats into the artifact store."""
    options = {"title": job.name, "window_label": window.label, "timezone": job.timezone, "generated_at": ctx.now(),
               "window_start": window.start, "window_end": window.end,
               "previous_summary": job.previous_summary,  # "vs previous period" in charts, PDF and HTML
               "source": table.meta.get("source") or get_report_type(job.report_type).title}
    if table.meta.get("chart"):  # a type's own choice of chart columns beats the automatic one
        options["chart"] = table.meta["chart"]
    if table.meta.get("message_markdown"):  # the PDF of a written answer is the answer, typeset
        options["markdown"] = table.meta["message_markdown"]
    stem = f"{safe_filename(job.name.lower())}-{job.slot.astimezone(dt.timezone.utc):%Y%m%d-%H%M}"
    artifacts = []
    for fmt in job.formats:
        renderer = get_renderer(fmt)
        filename = f"{stem}.{renderer.extension}"
        key = ctx.artifacts.key_for(job.run_id, filename)
        with ctx.artifacts.open_for_write(key) as out:
            renderer.render(table, out, options)
        artifacts.append(Artifact(format=fmt, filename=filename, storage_key=key, size=out.size, sha256=out.sha256,
                                  content_type=renderer.content_type))
    return artifacts


def _produce(ctx: JobContext, job: RunJob) -> tuple[list[Artifact], dict, bool]:
    table, window = fetch_report(ctx, job)
    summary = summarize(table, job.previous_summary, key_columns=table.meta.get("key_columns"),
                        chart=table.meta.get("chart"))
    summary_json = summary.to_json() | {
        "title": job.name,
        "window_label": window.label,
        "window_start": window.start.isoformat(),
        "window_end": window.end.isoformat(),
        "period": window_phrase(window),  # "the previous week": the message says what it covers
        "previous_label": (job.previous_summary or {}).get("window_label"),  # what changes are against
        "text": _message_text(summary, table, job.name, window.label),
        "body": _message_body(summary, table),
        "notes": list(table.meta.get("notes") or []),
    }
    if summary.row_count == 0 and job.skip_if_empty:
        return [], summary_json, True
    return render_formats(ctx, job, table, window), summary_json, summary.row_count == 0


MESSAGE_LIMIT = 2900  # a section block holds 3,000 characters


def _message_body(summary, table) -> str:
    """What the message shows under its key figures: the type's own Markdown (the Pulse answer) as
    safe mrkdwn, or the first rows."""
    markdown = table.meta.get("message_markdown")
    if markdown:
        return to_slack_mrkdwn(markdown, limit=MESSAGE_LIMIT, clipped_note="The full answer is in the PDF.")
    return "\n".join(summary.rows_lines())


def _message_text(summary, table, title: str, window_label: str) -> str:
    """The message a run is delivered with: the summary's figures, or the type's own Markdown
    (the Pulse report's answer), plus any notes the type left for the reader."""
    markdown = table.meta.get("message_markdown")
    if markdown:
        head = f"*{escape(title)}* · {escape(window_label)}\n"
        text = head + to_slack_mrkdwn(markdown, limit=MESSAGE_LIMIT - len(head),
                                      clipped_note="The full answer is in the PDF.")
    else:
        text = summary.to_mrkdwn(title, window_label)
    notes = table.meta.get("notes") or []
    if notes:
        text += "\n" + "\n".join(f"_{escape(note)}_" for note in notes)
    return text if len(text) <= MESSAGE_LIMIT else text[: MESSAGE_LIMIT - 1] + "…"


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
