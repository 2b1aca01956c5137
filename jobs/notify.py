"""Tell a schedule's owner in a DM when a run failed: the error in plain words and Retry / Pause /
Edit buttons; when the failure paused the schedule, say so and why, with a Resume button.

Told once per run: the run's `notified_at` is claimed with a conditional UPDATE before the DM is
sent (and released again if Slack refuses it), so the worker that settled the run and the hourly
sweep for untold failures never both send it. The gap left: a worker that dies between the claim
and the chat.postMessage call leaves the run marked as told (the failure still shows on App Home
and in the history).
"""

from __future__ import annotations

import logging
from zoneinfo import ZoneInfo

from jobs.context import JobContext
from jobs.views.failure_dm import failure_message
from storage import runs as run_repo
from storage.models import Run, RunStatus, Schedule, ScheduleStatus
from storage.progress import watches_run

log = logging.getLogger(__name__)

TOLD_STATUSES = (RunStatus.FAILED, RunStatus.PARTIAL)




def notify_owner(ctx: JobContext, run_id: int) -> str:
    """DM the owner about `run_id` if it failed; return "sent", "not-needed", "already" or "unreachable"."""
    now = ctx.now()
    with ctx.database.session() as session:
        run = session.get(Run, run_id)
        if run is None or run.status not in TOLD_STATUSES:
            return "not-needed"
        if not run_repo.claim_failure_notice(session, run_id, now):
            return "already"
        schedule = session.get(Schedule, run.schedule_id)
        if schedule is None or watches_run(session, run_id, schedule.owner_user_id):
            return "not-needed"
        local = run.scheduled_for.astimezone(ZoneInfo(schedule.timezone))
        # An alert's check that failed (no notice was ever sent): "Check again". A notice that failed to
        # reach its destinations is a delivery like a report's, and Retry sends it again.
        alert = schedule.condition is not None and run.status != RunStatus.PARTIAL and not run.deliveries
        text, blocks = failure_message(
            schedule_id=schedule.id, run_id=run.id, name=schedule.name, status=run.status,
            when=f"{'check' if alert else 'run'} for {local:%a %d %b %H:%M %Z}", error=run.error,
            paused=schedule.status == ScheduleStatus.ERROR, failures=schedule.consecutive_failures, alert=alert,
        )
        team_id, owner = schedule.team_id, schedule.owner_user_id
    try:
        client = ctx.slack(team_id)
        channel = client.conversations_open(users=owner)["channel"]["id"]
        client.chat_postMessage(channel=channel, text=text, blocks=blocks)
    except Exception as exc:
        log.warning("could not DM %s about failed run %s: %s", owner, run_id, type(exc).__name__)
        with ctx.database.session() as session:  # untold: the hourly sweep tries again
            run_repo.release_failure_notice(session, run_id)
        return "unreachable"
    return "sent"

