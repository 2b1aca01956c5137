"""The Retry button of the failure DM (jobs.notify): run the failed run again, never a copy of it.

A minimal listener until the Slack surface's own actions module handles ScheduleActions.RETRY; it
acks first and delegates to jobs.retry.retry_run. Wire it with `retry_action.register(app, deps)`.
"""

from __future__ import annotations

import logging

from slack_bolt import App

from bot.deps import BotDeps
from bot.errors import NotFound, UserFacingError
from bot.permissions import ensure_can_change
from jobs.notify import parse_retry_value
from jobs.retry import RetryRefused, retry_run
from jobs.slack_ids import ScheduleActions
from storage.models import Schedule

log = logging.getLogger(__name__)


def register(app: App, deps: BotDeps) -> None:
    @app.action(ScheduleActions.RETRY)
    def handle_retry(ack, body, client) -> None:
        ack()
        user_id = body["user"]["id"]
        try:
            text = _retry(deps, client, body, user_id)
        except UserFacingError as exc:
            text = f"⚠️ {exc}"
        channel = (body.get("channel") or {}).get("id")
        if channel and not channel.startswith("D"):
            client.chat_postEphemeral(channel=channel, user=user_id, text=text)
        else:  # the failure DM (or App Home): answer in the DM
            dm = channel or client.conversations_open(users=user_id)["channel"]["id"]
            client.chat_postMessage(channel=dm, text=text)


def _retry(deps: BotDeps, client, body: dict, user_id: str) -> str:
    parsed = parse_retry_value((body.get("actions") or [{}])[0].get("value", ""))
    team_id = (body.get("team") or {}).get("id", "")
    if parsed is None:
        raise NotFound("I couldn't tell which run to retry.")
    schedule_id, run_id = parsed
    with deps.jobs.database.session() as session:
        schedule = session.get(Schedule, schedule_id)
        if schedule is None or schedule.team_id != team_id:
            raise NotFound("That schedule no longer exists.")
        name = schedule.name
    ensure_can_change(deps, client, schedule, user_id)
    outcome = retry_run(deps.jobs, schedule_id, run_id, user_id=user_id, surface="button", enqueue=deps.enqueue)
    if isinstance(outcome, RetryRefused):
        return f"⚠️ {outcome.reason}"
    if outcome.phase == "deliver":
        return f"Retrying “{name}” (run {run_id}): sending it to the destinations that did not get it."
    return f"Retrying “{name}” (run {run_id}): generating it again for the same period."
