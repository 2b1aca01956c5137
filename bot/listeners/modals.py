"""The create/edit modal's listeners: keep it live (report type, cadence read-back, time zone), send
a preview, and save it with errors shown next to their fields (the modal itself: bot.schedule_modal)."""

from __future__ import annotations

import logging
from dataclasses import replace

from slack_bolt import App, BoltContext
from slack_sdk import WebClient

from bot.acting import Need, acting_on
from bot.after_ack import after_ack
from bot.alert_condition import read_condition
from bot.alert_modal import AlertSubmission, checking_view, finish_alert
from bot.app_home import refresh_home
from bot.deps import deps_of
from bot.error_reply import error_message
from bot.errors import FormErrors
from bot.forms import form_from_state
from bot.metadata import ModalMeta
from bot.people import person
from bot.respond import Where, answer
from bot.run_requests import preview_form
from bot.schedule_modal import errors_for, refresh_modal, timezone_options
from bot.schedules import create, update
from bot.validation import validate_form
from bot.views.replies import saved as saved_text
from jobs.slack_ids import ModalActions, ModalBlocks, ViewCallbacks
from storage.errors import UserError

log = logging.getLogger(__name__)


def handle_report_type_changed(ack, body: dict, client: WebClient, action: dict, context: BoltContext) -> None:
    ack()
    form = form_from_state(body["view"]["state"]["values"])
    chosen = (action.get("selected_option") or {}).get("value") or form.report_type
    refresh_modal(deps_of(context), client, body, replace(form, report_type=chosen, params={}))


def handle_cadence_entered(ack, body: dict, client: WebClient, action: dict, context: BoltContext) -> None:
    ack()
    form = form_from_state(body["view"]["state"]["values"])
    refresh_modal(deps_of(context), client, body, replace(form, cadence_text=(action.get("value") or "").strip()))


def handle_timezone_changed(ack, body: dict, client: WebClient, action: dict, context: BoltContext) -> None:
    ack()
    form = form_from_state(body["view"]["state"]["values"])
    zone = (action.get("selected_option") or {}).get("value") or form.timezone
    refresh_modal(deps_of(context), client, body, replace(form, timezone=zone))


def handle_condition_entered(ack, body: dict, client: WebClient, action: dict, context: BoltContext) -> None:
    """Enter in "Alert when…": read the condition back with the report's data (after the ack: it takes time)."""
    ack()
    deps = deps_of(context)
    form = replace(form_from_state(body["view"]["state"]["values"]), condition_text=(action.get("value") or "").strip())
    reading = read_condition(deps, client, person(deps, client, body["team"]["id"], body["user"]["id"]), form)
    refresh_modal(deps, client, body, form, condition_status=reading.text)


def handle_window_changed(ack, body: dict, client: WebClient, context: BoltContext) -> None:
    """The period a report covers changed: the read-back under "When" says the new one."""
    ack()
    refresh_modal(deps_of(context), client, body, form_from_state(body["view"]["state"]["values"]))


def handle_timezone_options(ack, body: dict) -> None:
    ack(options=timezone_options(str(body.get("value") or "")[:100], None))


def handle_preview_now(ack, body: dict, client: WebClient, context: BoltContext) -> None:
    ack()
    deps = deps_of(context)
    form = form_from_state(body["view"]["state"]["values"])
    try:
        status = preview_form(deps, client, team_id=body["team"]["id"], user_id=body["user"]["id"], form=form)
    except UserError as exc:
        status = f"⚠️ Can't preview yet: {exc}"
    refresh_modal(deps, client, body, form, status)


def handle_schedule_submitted(ack, body: dict, client: WebClient, view: dict, context: BoltContext) -> None:
    """Save: the whole form is checked first, so every problem shows next to its field."""
    deps = deps_of(context)
    meta = ModalMeta.loads(view.get("private_metadata"))
    where = Where(team_id=body["team"]["id"], user_id=body["user"]["id"], surface="modal",
                  channel_id=meta.channel_id, is_dm=bool(meta.channel_id and meta.channel_id.startswith("D")))
    form = form_from_state(view["state"]["values"])
    editing = meta.schedule_id if meta.mode == "edit" else None
    owner, stored = where.user_id, None
    try:
        if editing is not None:
            acting = acting_on(deps, client, where, editing, Need.CHANGE)
            who, owner, stored = acting.person, acting.schedule.owner_user_id, acting.schedule
        else:
            who = person(deps, client, where.team_id, where.user_id)
        valid = validate_form(deps, client, person=who, form=form, editing=editing)
        if not valid.condition_words:
            if editing is not None:
                result = update(deps, editing, valid, user_id=where.user_id, surface="modal")
            else:
                result = create(deps, valid, team_id=where.team_id, user_id=where.user_id, surface="modal",
                                source=f"modal: {form.name}")
    except FormErrors as exc:
        ack(response_action="errors", errors=errors_for(view, exc.errors))
        return
    except UserError as exc:
        ack(response_action="errors", errors=errors_for(view, {ModalBlocks.NAME: str(exc)}))
        return
    if valid.condition_words:  # an alert: its condition is read against the data, after the ack
        ack(response_action="update", view=checking_view(valid.name))
        try:
            finish_alert(deps, client, AlertSubmission(view["id"], where, who, form, valid, meta, owner, stored))
        except Exception as error:  # Bolt has answered the submission: say it where the person acted
            answer(client, where, error_message(error))
        return
    ack()
    refresh_home(deps, client, where.team_id, where.user_id, owner)
    answer(client, where, saved_text(result))


def register(app: App) -> None:
    app.action(ModalActions.REPORT_TYPE)(after_ack(handle_report_type_changed))
    app.action(ModalActions.CADENCE)(after_ack(handle_cadence_entered))
    app.action(ModalActions.TIMEZONE)(after_ack(handle_timezone_changed))
    app.action(ModalActions.CONDITION)(after_ack(handle_condition_entered))
    app.action(ModalActions.WINDOW)(after_ack(handle_window_changed))
    app.options(ModalActions.TIMEZONE)(handle_timezone_options)
    app.action(ModalActions.PREVIEW_NOW)(after_ack(handle_preview_now))
    app.view(ViewCallbacks.SCHEDULE_MODAL)(handle_schedule_submitted)
