"""The steps of making a report, shared by a scheduled run (jobs.generate) and an alert's check (jobs.alerts):
fetch the data of the run's window as its owner (if they still may), render the formats, hand the run
to delivery, and the text its message carries."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from jobs.access import Person, ensure_owner_may_use, person_from_slack
from jobs.context import JobContext
from jobs.periods import period_of_run, setting_of, window_for
from jobs.policy import Policy, policy_for
from jobs.slots import compiled_cadence
from jobs.views.blocks import clip, escape
from reports.markdown import to_slack_mrkdwn
from reports.registry import WINDOW_PARAM_NAMES, ReportRequest, get_report_type
from reports.renderers import get_renderer
from reports.summary import summarize
from reports.table import Table
from reports.window import Window
from reports.window_words import window_phrase
from storage.filestore import safe_filename
from storage.models import Artifact, Run, RunStatus

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
    stem = f"{safe_filename(job.name.lower())}-{job.slot.astimezone(dt.UTC):%Y%m%d-%H%M}"
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


def produce(ctx: JobContext, job: RunJob) -> tuple[list[Artifact], dict, bool]:
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
        "text": message_text(summary, table, job.name, window.label),
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


def message_text(summary, table, title: str, window_label: str) -> str:
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
    return clip(text, MESSAGE_LIMIT)

