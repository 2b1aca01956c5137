"""Generate a run: take its lease, fetch the report's data for its window, render every format,
store the files and the summary, then hand the run to delivery."""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from jobs.context import JobContext
from jobs.lease import LeaseKeeper
from jobs.outcome import after_settle, settle_run
from reports.errors import ReportError
from reports.registry import ReportRequest, get_report_type
from reports.renderers import get_renderer
from reports.summary import summarize
from reports.window import compute_window
from storage import runs as run_repo
from storage.artifacts import safe_filename
from storage.models import Artifact, Run, RunStatus, Schedule

log = logging.getLogger(__name__)

Enqueue = Callable[[int, str, int], None]


@dataclass(frozen=True)
class _Job:
    """What generation needs, copied out of the session so no row is held during slow work."""

    run_id: int
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


def generate(ctx: JobContext, run_id: int, enqueue: Enqueue) -> str:
    """Generate `run_id` unless another worker holds it; return what happened."""
    token = uuid.uuid4().hex
    job = _take(ctx, run_id, token)
    if job is None:
        return "not-taken"
    try:
        with LeaseKeeper(ctx, run_id, token) as keeper:
            artifacts, summary, empty = _produce(ctx, job)
        if keeper.lost:
            return "lease-lost"
    except ReportError as exc:
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
                       error=f"No data for {summary.get('window_label')}; “skip if empty” is on.")
        else:
            run.artifacts.extend(artifacts)
            run.status = RunStatus.DELIVERING
            run.lease_token = None  # delivery takes it from here
            run.lease_until = ctx.now() + dt.timedelta(seconds=ctx.settings.dispatch_timeout)
    if empty and job.skip_if_empty:
        after_settle(ctx, job.team_id, job.owner_user_id)
        return "skipped"
    enqueue(run_id, "deliver", 0)
    return "generated"


def _take(ctx: JobContext, run_id: int, token: str) -> _Job | None:
    now = ctx.now()
    with ctx.database.session() as session:
        taken = run_repo.take_lease(
            session, run_id, statuses=(RunStatus.PENDING, RunStatus.RUNNING), to_status=RunStatus.RUNNING,
            token=token, now=now, lease_for=dt.timedelta(seconds=ctx.settings.lease_seconds),
        )
        if not taken:
            return None
        run = session.get(Run, run_id)
        schedule = session.get(Schedule, run.schedule_id)
        run.started_at = now
        previous = run_repo.previous_finished_run(session, schedule.id, run.id)
        return _Job(
            run_id=run.id, team_id=schedule.team_id, owner_user_id=schedule.owner_user_id, name=schedule.name,
            report_type=schedule.report_type, params=dict(schedule.params), formats=list(schedule.formats),
            timezone=schedule.timezone, skip_if_empty=schedule.skip_if_empty, slot=run.scheduled_for,
            previous_slot=previous.scheduled_for if previous else None,
            previous_summary=previous.summary if previous else None,
        )


def _produce(ctx: JobContext, job: _Job) -> tuple[list[Artifact], dict, bool]:
    report = get_report_type(job.report_type)
    params = dict(job.params)
    window_kind = params.pop("window", None) or report.default_window
    window_n = int(params.pop("window_n", 7) or 7)
    window = compute_window(window_kind, job.slot, job.timezone, n=window_n, previous_slot=job.previous_slot)
    request = ReportRequest(
        params=report.validate_params(params), window=window, timezone=job.timezone, slot=job.slot,
        services={"slack": lambda: ctx.slack(job.team_id)},
    )
    table = report.fetch(request)
    summary = summarize(table, job.previous_summary)
    summary_json = summary.to_json() | {
        "title": job.name,
        "window_label": window.label,
        "window_start": window.start.isoformat(),
        "window_end": window.end.isoformat(),
        "text": summary.to_mrkdwn(job.name, window.label),
    }
    if summary.row_count == 0 and job.skip_if_empty:
        return [], summary_json, True
    options = {"title": job.name, "window_label": window.label, "timezone": job.timezone, "generated_at": ctx.now()}
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
    return artifacts, summary_json, summary.row_count == 0


def _fail(ctx: JobContext, job: _Job, token: str, error: str) -> str:
    with ctx.database.session() as session:
        run = run_repo.holds_lease(session, job.run_id, token)
        if run is None:
            return "lease-lost"
        settle_run(session, run, RunStatus.FAILED, now=ctx.now(), error=error)
    after_settle(ctx, job.team_id, job.owner_user_id)
    return "failed"
