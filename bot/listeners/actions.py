"""Buttons about one schedule, wherever they are: report messages, failure notices, App Home,
`/report show` replies. Every click is permission-checked against the schedule's owner."""

from __future__ import annotations

from slack_bolt import App

from bot.after_ack import after_ack
from bot.deps import BotDeps
from bot.listeners.home import refresh_home
from bot.listeners.modals import open_edit_modal
from bot.metadata import schedule_id_from
from bot.permissions import ensure_can_change
from bot.respond import answer, tell, where_from_action
from bot.run_requests import retry, run_schedule
from bot.schedule_info import history_text
from bot.schedules import delete, get_live, set_paused
from bot.views.replies import delete_confirmation
from jobs.slack_ids import OverflowChoices, ScheduleActions, ViewCallbacks
from jobs.views.run_message import parse_retry_value
from storage.errors import BadInput
from storage.models import RunTrigger


def delete_view(schedule) -> dict:
    """Home's confirmation before deleting (Home has no message to put buttons under)."""
    return {"type": "modal", "callback_id": ViewCallbacks.DELETE_MODAL, "private_metadata": str(schedule.id),
            "title": {"type": "plain_text", "text": "Delete schedule?"},
            "submit": {"type": "plain_text", "text": "Delete"}, "close": {"type": "plain_text", "text": "Keep it"},
            "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": delete_confirmation(schedule).text}}]}


def register(app: App, deps: BotDeps) -> None:
    def _schedule(body: dict, value: str | None = None):
        where = where_from_action(body)
        raw = value if value is not None else body["actions"][0].get("value")
        return where, get_live(deps, where.team_id, schedule_id_from(raw))

    def _show_history(client, where, schedule, body: dict) -> None:
        tell(client, where, history_text(deps, client, schedule), trigger_id=body.get("trigger_id"), title="History")

    @app.action(ScheduleActions.RUN_NOW)
    @after_ack
    def handle_run_now(ack, body, client) -> None:
        ack()
        where, schedule = _schedule(body)
        refusal = run_schedule(deps, client, where, schedule)
        if refusal:
            tell(client, where, refusal, trigger_id=body.get("trigger_id"))

    @app.action(ScheduleActions.RETRY)
    @after_ack
    def handle_retry(ack, body, client, action) -> None:
        ack()
        value = action.get("value") or ""
        failed = parse_retry_value(value)  # "schedule:run": the failed run itself, again
        where, schedule = _schedule(body, str(failed[0]) if failed else value)
        if failed:
            refusal = retry(deps, client, where, schedule, failed[1])
        else:
            refusal = run_schedule(deps, client, where, schedule, trigger=RunTrigger.RETRY)
        if refusal:
            tell(client, where, refusal, trigger_id=body.get("trigger_id"))

    @app.action(ScheduleActions.PAUSE)
    @app.action(ScheduleActions.RESUME)
    @after_ack
    def handle_pause_resume(ack, body, client, action) -> None:
        ack()
        where, schedule = _schedule(body)
        ensure_can_change(deps, client, schedule, where.user_id)
        text = set_paused(deps, schedule.id, where.user_id, paused=action["action_id"] == ScheduleActions.PAUSE,
                          surface=where.surface)
        refresh_home(deps, client, where.team_id, where.user_id, schedule.owner_user_id)
        if where.surface != "home":  # Home shows the change itself
            answer(client, where, text)

    @app.action(ScheduleActions.EDIT)
    @after_ack
    def handle_edit(ack, body, client) -> None:
        ack()
        where, schedule = _schedule(body)
        if not open_edit_modal(deps, client, trigger_id=body.get("trigger_id", ""), team_id=where.team_id,
                               user_id=where.user_id, schedule_id=schedule.id, channel_id=where.channel_id):
            answer(client, where, f"I couldn't open the form. Try `/report edit {schedule.name}`.")

    @app.action(ScheduleActions.HISTORY)
    @after_ack
    def handle_history(ack, body, client) -> None:
        ack()
        where, schedule = _schedule(body)
        _show_history(client, where, schedule, body)

    @app.action(ScheduleActions.DELETE)
    @after_ack
    def handle_delete(ack, body, client) -> None:
        ack()
        where, schedule = _schedule(body)
        ensure_can_change(deps, client, schedule, where.user_id)
        reply = delete_confirmation(schedule)
        answer(client, where, reply.text, reply.blocks, replace_clicked=True)

    @app.action(ScheduleActions.OVERFLOW)
    @after_ack
    def handle_overflow(ack, body, client, action) -> None:
        ack()
        choice, _, raw_id = ((action.get("selected_option") or {}).get("value") or "").partition(":")
        where, schedule = _schedule(body, raw_id)
        if choice == OverflowChoices.HISTORY:
            _show_history(client, where, schedule, body)
        elif choice == OverflowChoices.DELETE:
            ensure_can_change(deps, client, schedule, where.user_id)
            client.views_open(trigger_id=body["trigger_id"], view=delete_view(schedule))
        else:
            raise BadInput("I don't know that menu choice; please refresh the Home tab.")

    @app.action(ScheduleActions.DELETE_CONFIRM)
    @after_ack
    def handle_delete_confirm(ack, body, client) -> None:
        ack()
        where, schedule = _schedule(body)
        ensure_can_change(deps, client, schedule, where.user_id)
        text = delete(deps, schedule.id, where.user_id, surface=where.surface)
        refresh_home(deps, client, where.team_id, where.user_id, schedule.owner_user_id)
        answer(client, where, text, replace_clicked=True)

    @app.action(ScheduleActions.DELETE_CANCEL)
    @after_ack
    def handle_delete_cancel(ack, body, client) -> None:
        ack()
        where = where_from_action(body)
        answer(client, where, "Kept it; nothing was deleted.", replace_clicked=True)

    @app.view(ViewCallbacks.DELETE_MODAL)
    def handle_delete_submitted(ack, body, client, view) -> None:
        team_id, user_id = body["team"]["id"], body["user"]["id"]
        schedule = get_live(deps, team_id, schedule_id_from(view.get("private_metadata")))
        ensure_can_change(deps, client, schedule, user_id)
        delete(deps, schedule.id, user_id, surface="home")
        ack()
        refresh_home(deps, client, team_id, user_id, schedule.owner_user_id)
