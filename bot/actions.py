"""Buttons on report messages and App Home: run now, pause, resume, history."""

from __future__ import annotations

from slack_bolt import App

from bot.deps import BotDeps
from bot.errors import UserFacingError
from bot.schedules import find_or_explain, set_paused, start_run
from jobs.outcome import after_settle
from jobs.slack_ids import ScheduleActions
from storage import runs as run_repo


def register(app: App, deps: BotDeps) -> None:
    def _answer(body, client, respond, text: str) -> None:
        user_id = body["user"]["id"]
        channel = (body.get("channel") or {}).get("id")
        if channel:
            client.chat_postEphemeral(channel=channel, user=user_id, text=text)
        else:  # App Home has no channel: tell them in a DM with the app
            dm = client.conversations_open(users=user_id)["channel"]["id"]
            client.chat_postMessage(channel=dm, text=text)

    def _schedule(body):
        team_id = (body.get("team") or {}).get("id", "")
        return team_id, find_or_explain(deps, team_id, body["actions"][0].get("value", ""))

    @app.action(ScheduleActions.RUN_NOW)
    def handle_run_now(ack, body, client, respond) -> None:
        ack()
        try:
            _, schedule = _schedule(body)
            text = start_run(deps, schedule, body["user"]["id"], "button")
        except UserFacingError as exc:
            text = f"⚠️ {exc}"
        _answer(body, client, respond, text)

    @app.action(ScheduleActions.PAUSE)
    @app.action(ScheduleActions.RESUME)
    def handle_pause_resume(ack, body, client, respond, action) -> None:
        ack()
        try:
            team_id, schedule = _schedule(body)
            text = set_paused(deps, schedule, body["user"]["id"], paused=action["action_id"] == ScheduleActions.PAUSE,
                              surface="button")
            after_settle(deps.jobs, team_id, body["user"]["id"])
        except UserFacingError as exc:
            text = f"⚠️ {exc}"
        _answer(body, client, respond, text)

    @app.action(ScheduleActions.HISTORY)
    def handle_history(ack, body, client, respond) -> None:
        ack()
        try:
            team_id, schedule = _schedule(body)
            with deps.jobs.database.session() as session:
                runs = run_repo.recent_runs(session, team_id, schedule_id=schedule.id, limit=10)
                lines = [f"• {r.scheduled_for:%Y-%m-%d %H:%M} UTC — {r.status}"
                         + (f" ({r.row_count:,} rows)" if r.row_count is not None else "")
                         + (f": {r.error[:150]}" if r.error else "") for r in runs]
            text = f"*History of {schedule.name}*\n" + ("\n".join(lines) or "No runs yet.")
        except UserFacingError as exc:
            text = f"⚠️ {exc}"
        _answer(body, client, respond, text)
