"""The steps of making a report, shared by a scheduled run (jobs.generate) and an alert's check (jobs.alerts):
fetch the data of the run's window as its owner (if they still may), render the formats, hand the run
to delivery, and the text its message carries."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from jobs.access import Person, ensure_owner_may_use, person_from_slack
from jobs.context import JobContext
from jobs.policy import policy_for
from jobs.views.blocks import escape
from reports.markdown import to_slack_mrkdwn
from reports.registry import ReportRequest, get_report_type
from reports.renderers import get_renderer
from reports.summary import summarize
from reports.table import Table
from reports.window import Window, compute_window
from storage.filestore import safe_filename
from storage.models import (
    Artifact,
    Run,
    RunStatus,
)


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


def _ensure_owner_may_run(ctx: JobContext, job: RunJob) -> None:
    """The permission check every surface made, made again now: limits added since then apply."""
    with ctx.database.session() as session:
        policy = policy_for(session, ctx.settings.policy, job.team_id)

    def look_up_owner() -> Person:
        user = ctx.slack(job.team_id).users_info(user=job.owner_user_id)["user"]
        return person_from_slack(user, job.team_id, ctx.settings.policy.admin_user_ids)

    ensure_owner_may_use(policy, job.team_id, job.owner_user_id, job.report_type, job.params, look_up_owner)


def fetch_report(ctx: JobContext, job: RunJob) -> tuple[Table, Window]:
    """Ask the report type for the data of the run's window (as the schedule's owner, if they still may)."""
    _ensure_owner_may_run(ctx, job)
    report = get_report_type(job.report_type)
    params = dict(job.params)
    window_kind = params.pop("window", None) or report.default_window
    window_n = int(params.pop("window_n", 7) or 7)
    window = compute_window(window_kind, job.slot, job.timezone, n=window_n, previous_slot=job.previous_slot)
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


def produce(ctx: JobContext, job: RunJob) -> tuple[list[Artifact], dict, bool]:
    table, window = fetch_report(ctx, job)
    summary = summarize(table, job.previous_summary, key_columns=table.meta.get("key_columns"),
                        chart=table.meta.get("chart"))
    summary_json = summary.to_json() | {
        "title": job.name,
        "window_label": window.label,
        "window_start": window.start.isoformat(),
        "window_end": window.end.isoformat(),
        "text": message_text(summary, table, job.name, window.label),
        "notes": list(table.meta.get("notes") or []),
    }
    if summary.row_count == 0 and job.skip_if_empty:
        return [], summary_json, True
    return render_formats(ctx, job, table, window), summary_json, summary.row_count == 0


MESSAGE_LIMIT = 2900  # a section block holds 3,000 characters


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
    return text if len(text) <= MESSAGE_LIMIT else text[: MESSAGE_LIMIT - 1] + "…"
