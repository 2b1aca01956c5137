"""The files of an alert notification, made only when a check tells someone: the chart of the
latest checks with the threshold line, and — when it fires or the data changed — the report
itself in the schedule's formats with its summary. A file that cannot be made is left out (the
notice still goes: the state change is already decided)."""

from __future__ import annotations

import logging

from jobs.alerts.notice import headline
from jobs.alerts.states import Notice
from jobs.context import JobContext
from jobs.report_steps import fetch_report, render_formats
from reports.alert_chart import ChartPoint, draw_alert_chart
from reports.summary import summarize
from storage import alerts as alert_repo
from storage import runs as run_repo
from storage.filestore import safe_filename
from storage.models import Artifact

log = logging.getLogger(__name__)

CHART_FORMAT = "alert_chart"
CHART_POINTS = 60
# Notices that carry the report's rows and files: the reason to look is in the data.
WITH_REPORT = (Notice.FIRING, Notice.REMINDER, Notice.CHANGED)


def notification_files(ctx: JobContext, job, payload: dict, finding) -> tuple[list[Artifact], dict]:
    """Render what the notification carries; return the artifacts and the summary fields to store."""
    artifacts: list[Artifact] = []
    chart = _chart(ctx, job, payload)
    if chart is not None:
        artifacts.append(chart)
    extra: dict = {}
    if payload.get("notice") not in WITH_REPORT:
        extra["figures"] = _alert_figures(payload)
        return artifacts, extra
    table, window = (finding.table, finding.window) if finding is not None and finding.table is not None \
        else _fetch_again(ctx, job)
    if table is None:
        return artifacts, {"figures": _alert_figures(payload)}
    try:
        summary = summarize(table, _previous_summary(ctx, job), key_columns=table.meta.get("key_columns"))
        text = summary.to_mrkdwn(job.name, window.label)
        extra = summary.to_json() | {"window_start": window.start.isoformat(), "window_end": window.end.isoformat(),
                                     "report_text": text.partition("\n")[2] or text}
        artifacts += render_formats(ctx, job, table, window)
    except Exception:
        log.exception("run %s: the report's files could not be made; the notice goes without them", job.run_id)
    return artifacts, extra


def _previous_summary(ctx: JobContext, job) -> dict | None:
    """The figures of the alert's previous notification, for "vs previous" in this one."""
    with ctx.database.session() as session:
        previous = run_repo.previous_finished_run(session, job.schedule_id, job.run_id)
        return previous.summary if previous is not None else None


def _fetch_again(ctx: JobContext, job):
    """A run taken over after its check was decided fetches its window's data again for the files."""
    try:
        return fetch_report(ctx, job)
    except Exception:
        log.warning("run %s: the data could not be fetched again; the notice goes without the report", job.run_id)
        return None, None


def _chart(ctx: JobContext, job, payload: dict) -> Artifact | None:
    if payload.get("kind") == "changed":
        return None
    with ctx.database.session() as session:
        points = alert_repo.recent_points(session, job.schedule_id, limit=CHART_POINTS)
    if not any(p.value is not None for p in points):
        return None
    filename = f"{safe_filename(job.name.lower())}-alert-{job.slot:%Y%m%d-%H%M}.png"
    key = ctx.artifacts.key_for(job.run_id, filename)
    line = payload.get("line")
    try:
        with ctx.artifacts.open_for_write(key) as out:
            draw_alert_chart([ChartPoint(p.slot, p.value, p.state) for p in points], out, title=job.name,
                             subtitle=headline(payload), line=line, op=payload.get("op"),
                             line_label=f"fires {payload.get('threshold')}" if line is not None else "",
                             timezone=job.timezone)
    except Exception:
        log.exception("run %s: the alert chart could not be drawn; the notice goes without it", job.run_id)
        return None
    return Artifact(format=CHART_FORMAT, filename=filename, storage_key=key, size=out.size, sha256=out.sha256,
                    content_type="image/png")


def _alert_figures(payload: dict) -> list[dict]:
    """The alert's value as the summary's one figure (what an email lists)."""
    if payload.get("value") is None:
        return []
    return [{"label": payload.get("measure") or "value", "value": payload["value"],
             "change_pct": payload.get("change_pct")}]
