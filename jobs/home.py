"""App Home: the owner's schedules with their next run, and the latest runs with their status.

Published by the worker after every run and by the bot when the tab is opened or something
changes; the view builder is pure so it can be tested without Slack.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from jobs.context import JobContext
from jobs.slack_ids import HomeActions, HomeBlocks, ScheduleActions
from jobs.slots import compiled_cadence
from storage import runs as run_repo
from storage import schedules as schedule_repo
from storage.models import Run, Schedule, ScheduleStatus

MAX_SCHEDULES = 20  # 4 blocks each keeps the view well inside Slack's 100-block limit
MAX_RUNS = 10
STATUS_ICONS = {
    "delivered": "✅", "partial": "⚠️", "failed": "❌", "skipped": "⏭️", "canceled": "🚫",
    "pending": "⏳", "running": "⚙️", "delivering": "📤",
}


def relative(when: dt.datetime, now: dt.datetime) -> str:
    """Say how far `when` is from `now` in the coarsest unit that fits ("in 5 h", "3 min ago")."""
    seconds = (when - now).total_seconds()
    future, seconds = seconds >= 0, abs(seconds)
    for size, unit in ((86400, "d"), (3600, "h"), (60, "min")):
        if seconds >= size:
            amount = f"{int(seconds // size)} {unit}"
            break
    else:
        amount = "moments"
    return f"in {amount}" if future else f"{amount} ago"


def local_time(when: dt.datetime, timezone: str) -> str:
    return when.astimezone(ZoneInfo(timezone)).strftime("%a %d %b %H:%M %Z")


def _describe(schedule: Schedule) -> str:
    try:
        return compiled_cadence(schedule.cadence).describe()
    except Exception:  # a cadence stored by an older version still shows what the user typed
        return schedule.cadence_text


def _schedule_blocks(schedule: Schedule, now: dt.datetime) -> list[dict]:
    destinations = ", ".join(d.label or d.target for d in schedule.destinations) or "no destination"
    if schedule.status == ScheduleStatus.ACTIVE and schedule.next_run_at:
        next_run = f"{relative(schedule.next_run_at, now)} · {local_time(schedule.next_run_at, schedule.timezone)}"
    else:
        next_run = {"paused": "paused", "error": "paused after repeated failures"}.get(schedule.status, "—")
    text = (f"*{schedule.name}*  `#{schedule.id}`\n{_describe(schedule)} → {destinations}\n"
            f"Next run: {next_run}")
    if schedule.last_error and schedule.consecutive_failures:
        text += f"\nLast error: {schedule.last_error[:300]}"
    toggle = (ScheduleActions.RESUME, "Resume") if schedule.status != ScheduleStatus.ACTIVE else (ScheduleActions.PAUSE, "Pause")
    value = str(schedule.id)
    return [
        {"type": "section", "text": {"type": "mrkdwn", "text": text[:3000]}},
        {"type": "actions", "block_id": f"home-schedule-{schedule.id}", "elements": [
            {"type": "button", "action_id": ScheduleActions.RUN_NOW, "text": {"type": "plain_text", "text": "Run now"},
             "value": value, "style": "primary"},
            {"type": "button", "action_id": toggle[0], "text": {"type": "plain_text", "text": toggle[1]}, "value": value},
            {"type": "button", "action_id": ScheduleActions.HISTORY, "text": {"type": "plain_text", "text": "History"},
             "value": value},
        ]},
        {"type": "divider"},
    ]


def _run_line(run: Run, names: dict[int, str], now: dt.datetime) -> str:
    icon = STATUS_ICONS.get(run.status, "•")
    when = run.finished_at or run.scheduled_for
    line = f"{icon} *{names.get(run.schedule_id, run.schedule_id)}* — {run.status} {relative(when, now)}"
    if run.row_count is not None:
        line += f" · {run.row_count:,} rows"
    sent = [d for d in run.deliveries if d.status == "sent"]
    if run.deliveries:
        line += f" · {len(sent)}/{len(run.deliveries)} destinations"
    if run.error:
        line += f"\n    {run.error[:200]}"
    return line


def build_home_view(schedules: list[Schedule], runs: list[Run], names: dict[int, str], now: dt.datetime) -> dict:
    """Build the Home tab view from plain rows."""
    blocks: list[dict] = [
        {"type": "header", "block_id": HomeBlocks.HEADER, "text": {"type": "plain_text", "text": "Your scheduled reports"}},
        {"type": "actions", "elements": [
            {"type": "button", "action_id": HomeActions.CREATE, "style": "primary",
             "text": {"type": "plain_text", "text": "New report"}},
        ]},
    ]
    if not schedules:
        blocks.append({"type": "section", "block_id": HomeBlocks.SCHEDULES, "text": {"type": "mrkdwn", "text": (
            "You have no scheduled reports yet. Try `/report new \"Daily sales\" every day at 9am in #sales`.")}})
    for schedule in schedules[:MAX_SCHEDULES]:
        blocks.extend(_schedule_blocks(schedule, now))
    if len(schedules) > MAX_SCHEDULES:
        blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": (
            f"Showing {MAX_SCHEDULES} of {len(schedules)} schedules. Use `/report list` for all of them.")}]})
    blocks.append({"type": "header", "block_id": HomeBlocks.RUNS, "text": {"type": "plain_text", "text": "Latest runs"}})
    lines = [_run_line(run, names, now) for run in runs[:MAX_RUNS]] or ["No runs yet."]
    blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": "\n".join(lines)[:3000]}})
    return {"type": "home", "blocks": blocks}


def home_view_for(ctx: JobContext, team_id: str, user_id: str) -> dict:
    with ctx.database.session() as session:
        schedules = schedule_repo.list_schedules(session, team_id, owner_user_id=user_id, limit=MAX_SCHEDULES + 1)
        runs = run_repo.recent_runs(session, team_id, owner_user_id=user_id, limit=MAX_RUNS)
        names = {s.id: s.name for s in schedules}
        for run in runs:
            if run.schedule_id not in names:
                other = schedule_repo.get_schedule(session, run.schedule_id)
                names[run.schedule_id] = other.name if other else str(run.schedule_id)
        return build_home_view(schedules, runs, names, ctx.now())


def publish_home(ctx: JobContext, team_id: str, user_id: str) -> dict:
    """Build and publish `user_id`'s Home tab; return the view."""
    view = home_view_for(ctx, team_id, user_id)
    ctx.slack(team_id).views_publish(user_id=user_id, view=view)
    return view
