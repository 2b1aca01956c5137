"""Buttons about one schedule, wherever they are: report messages, failure notices, App Home,
`/report show` replies. Every click goes through the one permission check (bot.acting)."""

from __future__ import annotations

from slack_bolt import App, BoltContext
from slack_sdk import WebClient

from bot.acting import Need, acting_on
from bot.after_ack import after_ack
from bot.app_home import refresh_home
from bot.deps import deps_of
from bot.metadata import schedule_id_from
from bot.muting import mute_schedule
from bot.respond import Where, answer, tell, where_from_action
from bot.run_requests import retry, run_schedule
from bot.schedule_info import history_text
from bot.schedule_modal import open_edit_modal
from bot.schedules import delete, get_live, set_paused
from bot.views.replies import delete_confirmation
from jobs.slack_ids import OverflowChoices, ScheduleActions, ViewCallbacks
from jobs.views.blocks import plain_text, section
from jobs.views.run_message import parse_retry_value
from storage.errors import BadInput
from storage.models import RunTrigger


def delete_view(schedule) -> dict:
    """Home's confirmation before deleting (Home has no message to put buttons under)."""
    return {"type": "modal", "callback_id": ViewCallbacks.DELETE_MODAL, "private_metadata": str(schedule.id),
            "title": plain_text("Delete schedule?", 24), "submit": plain_text("Delete", 24),
            "close": plain_text("Keep it", 24), "blocks": [section(delete_confirmation(schedule).text)]}


def _clicked(body: dict, value: str | None = None) -> tuple[Where, int]:
    """Where the click happened and the schedule id its button carries."""
    raw = value if value is not None else body["actions"][0].get("value")
    return where_from_action(body), schedule_id_from(raw)


def _show_history(context: BoltContext, client: WebClient, where: Where, schedule_id: int, body: dict) -> None:
    deps = deps_of(context)
    acting = acting_on(deps, client, where, schedule_id, Need.READ)
    tell(client, where, history_text(deps, client, acting.schedule, acting.access),
         trigger_id=body.get("trigger_id"), title="History")


def handle_run_now(ack, body: dict, client: WebClient, context: BoltContext) -> None:
    ack()
    where, schedule_id = _clicked(body)
    refusal = run_schedule(deps_of(context), client, where, schedule_id)
    if refusal:
        tell(client, where, refusal, trigger_id=body.get("trigger_id"))


def handle_retry(ack, body: dict, client: WebClient, action: dict, context: BoltContext) -> None:
    """Retry names the failed run ("schedule:run"): that run again; an older button, a new run."""
    ack()
    value = action.get("value") or ""
    failed = parse_retry_value(value)
    where, schedule_id = _clicked(body, str(failed[0]) if failed else value)
    if failed:
        refusal = retry(deps_of(context), client, where, schedule_id, failed[1])
    else:
        refusal = run_schedule(deps_of(context), client, where, schedule_id, trigger=RunTrigger.RETRY)
    if refusal:
        tell(client, where, refusal, trigger_id=body.get("trigger_id"))


def handle_pause_resume(ack, body: dict, client: WebClient, action: dict, context: BoltContext) -> None:
    ack()
    deps = deps_of(context)
    where, schedule_id = _clicked(body)
    schedule = acting_on(deps, client, where, schedule_id, Need.CHANGE).schedule
    text = set_paused(deps, schedule.id, where.user_id, paused=action["action_id"] == ScheduleActions.PAUSE,
                      surface=where.surface)
    refresh_home(deps, client, where.team_id, where.user_id, schedule.owner_user_id)
    if where.surface != "home":  # Home shows the change itself
        answer(client, where, text)


def handle_edit(ack, body: dict, client: WebClient, context: BoltContext) -> None:
    ack()
    where, schedule_id = _clicked(body)
    if not open_edit_modal(deps_of(context), client, where, schedule_id, body.get("trigger_id", "")):
        answer(client, where, "I couldn't open the form. Try `/report edit` with its name.")


def handle_history(ack, body: dict, client: WebClient, context: BoltContext) -> None:
    ack()
    where, schedule_id = _clicked(body)
    _show_history(context, client, where, schedule_id, body)


def handle_mute(ack, body: dict, client: WebClient, context: BoltContext) -> None:
    """"Stop sending me this" on a report someone else sends this person by DM."""
    ack()
    deps = deps_of(context)
    where, schedule_id = _clicked(body)
    schedule = get_live(deps, where.team_id, schedule_id)
    answer(client, where, mute_schedule(deps, client, schedule, where.user_id, surface=where.surface))


def handle_delete(ack, body: dict, client: WebClient, context: BoltContext) -> None:
    ack()
    where, schedule_id = _clicked(body)
    reply = delete_confirmation(acting_on(deps_of(context), client, where, schedule_id, Need.CHANGE).schedule)
    answer(client, where, reply.text, reply.blocks, replace_clicked=True)


def handle_overflow(ack, body: dict, client: WebClient, action: dict, context: BoltContext) -> None:
    ack()
    choice, _, raw_id = ((action.get("selected_option") or {}).get("value") or "").partition(":")
    where, schedule_id = _clicked(body, raw_id)
    if choice == OverflowChoices.HISTORY:
        _show_history(context, client, where, schedule_id, body)
    elif choice == OverflowChoices.DELETE:
        schedule = acting_on(deps_of(context), client, where, schedule_id, Need.CHANGE).schedule
        client.views_open(trigger_id=body["trigger_id"], view=delete_view(schedule))
    else:
        raise BadInput("I don't know that menu choice; please refresh the Home tab.")


def handle_delete_confirm(ack, body: dict, client: WebClient, context: BoltContext) -> None:
    ack()
    deps = deps_of(context)
    where, schedule_id = _clicked(body)
    schedule = acting_on(deps, client, where, schedule_id, Need.CHANGE).schedule
    text = delete(deps, schedule.id, where.user_id, surface=where.surface)
    refresh_home(deps, client, where.team_id, where.user_id, schedule.owner_user_id)
    answer(client, where, text, replace_clicked=True)


def handle_delete_cancel(ack, body: dict, client: WebClient) -> None:
    ack()
    answer(client, where_from_action(body), "Kept it; nothing was deleted.", replace_clicked=True)


def handle_delete_submitted(ack, body: dict, client: WebClient, view: dict, context: BoltContext) -> None:
    """Home's delete confirmation (a modal): checked before the modal closes, so errors show in it."""
    deps = deps_of(context)
    where = Where(team_id=body["team"]["id"], user_id=body["user"]["id"], surface="home")
    schedule = acting_on(deps, client, where, schedule_id_from(view.get("private_metadata")), Need.CHANGE).schedule
    delete(deps, schedule.id, where.user_id, surface="home")
    ack()
    refresh_home(deps, client, where.team_id, where.user_id, schedule.owner_user_id)


def register(app: App) -> None:
    app.action(ScheduleActions.RUN_NOW)(after_ack(handle_run_now))
    app.action(ScheduleActions.RETRY)(after_ack(handle_retry))
    app.action(ScheduleActions.PAUSE)(after_ack(handle_pause_resume))
    app.action(ScheduleActions.RESUME)(after_ack(handle_pause_resume))
    app.action(ScheduleActions.EDIT)(after_ack(handle_edit))
    app.action(ScheduleActions.HISTORY)(after_ack(handle_history))
    app.action(ScheduleActions.MUTE)(after_ack(handle_mute))
    app.action(ScheduleActions.DELETE)(after_ack(handle_delete))
    app.action(ScheduleActions.OVERFLOW)(after_ack(handle_overflow))
    app.action(ScheduleActions.DELETE_CONFIRM)(after_ack(handle_delete_confirm))
    app.action(ScheduleActions.DELETE_CANCEL)(after_ack(handle_delete_cancel))
    app.view(ViewCallbacks.DELETE_MODAL)(handle_delete_submitted)
