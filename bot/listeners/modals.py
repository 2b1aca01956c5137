"""The create/edit modal: open it, keep it live (report type, cadence read-back, time zone), send a
preview, and save it with errors shown next to their fields."""

from __future__ import annotations

import logging
import zoneinfo
from dataclasses import replace
from functools import lru_cache

from slack_bolt import App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.after_ack import after_ack
from bot.deps import BotDeps
from bot.errors import FormErrors
from bot.forms import ScheduleForm, form_from_state
from bot.lookup import user_timezone
from bot.metadata import ModalMeta
from bot.permissions import ensure_can_change, is_admin, policy_for
from bot.readback import read_back
from bot.respond import Where, answer
from bot.run_requests import preview_form
from bot.schedules import create, email_choice_of, get_live, update
from bot.validation import default_report_type, usable_report_types, validate_form
from bot.views.modal import ModalContext, schedule_modal, timezone_option
from bot.views.replies import saved as saved_text
from jobs.slack_ids import ModalActions, ModalBlocks, ViewCallbacks
from reports.errors import ReportError
from reports.registry import get_report_type
from reports.renderers import available_formats
from storage.errors import UserError

log = logging.getLogger(__name__)
POPULAR_ZONES = ("UTC", "Europe/London", "Europe/Berlin", "Europe/Paris", "America/New_York", "America/Chicago",
                 "America/Denver", "America/Los_Angeles", "America/Sao_Paulo", "Asia/Kolkata", "Asia/Singapore",
                 "Asia/Tokyo", "Australia/Sydney")


@lru_cache(maxsize=1)
def _all_zones() -> tuple[str, ...]:
    return tuple(sorted(z for z in zoneinfo.available_timezones() if "/" in z or z == "UTC"))


def timezone_options(query: str, user_zone: str | None) -> list[dict]:
    """Up to 100 zones matching what was typed (popular ones first when nothing was)."""
    words = query.lower().replace(" ", "_").split("_") if query.strip() else []
    if not words:
        zones = list(dict.fromkeys([z for z in (user_zone,) if z] + list(POPULAR_ZONES) + list(_all_zones())))
    else:
        zones = [z for z in _all_zones() if all(w in z.lower() for w in words)]
    return [timezone_option(z) for z in zones[:100]]


def modal_context(deps: BotDeps, client: WebClient, team_id: str, user_id: str, form: ScheduleForm,
                  preview_status: str | None = None) -> ModalContext:
    policy = policy_for(deps, team_id)
    types = usable_report_types(policy, user_id, is_admin(deps, client, user_id))
    if form.report_type and all(t.name != form.report_type for t in types):  # keep an edited schedule's own type
        try:
            types.insert(0, get_report_type(form.report_type))
        except ReportError:
            log.info("report type %s is gone", form.report_type)
    return ModalContext(tuple(types), tuple(available_formats()), policy.email_domains, preview_status)


def build_modal(deps: BotDeps, client: WebClient, team_id: str, user_id: str, form: ScheduleForm, meta: ModalMeta,
                preview_status: str | None = None) -> dict:
    context = modal_context(deps, client, team_id, user_id, form, preview_status)
    if not form.report_type:
        form = replace(form, report_type=default_report_type(list(context.report_types)))
    readback = read_back(form.cadence_text, form.timezone, deps.jobs.now(), 3) if form.cadence_text else None
    return schedule_modal(form, meta, context, readback)


def open_schedule_modal(deps: BotDeps, client: WebClient, *, trigger_id: str, team_id: str, user_id: str,
                        form: ScheduleForm | None = None, meta: ModalMeta | None = None) -> bool:
    """Open the modal prefilled with `form`; False when Slack refused (e.g. the trigger expired)."""
    form = form or ScheduleForm()
    if not form.timezone:
        form = replace(form, timezone=user_timezone(client, user_id))
    view = build_modal(deps, client, team_id, user_id, form, meta or ModalMeta())
    try:
        client.views_open(trigger_id=trigger_id, view=view)
    except SlackApiError as exc:
        log.info("views.open failed: %s", exc.response.get("error"))
        return False
    return True


def open_edit_modal(deps: BotDeps, client: WebClient, *, trigger_id: str, team_id: str, user_id: str,
                    schedule_id: int, channel_id: str | None = None) -> bool:
    from bot.forms import form_from_schedule

    schedule = get_live(deps, team_id, schedule_id)
    ensure_can_change(deps, client, schedule, user_id)
    return open_schedule_modal(deps, client, trigger_id=trigger_id, team_id=team_id, user_id=user_id,
                               form=form_from_schedule(schedule, email_choice_of(deps, schedule.id)),
                               meta=ModalMeta("edit", schedule.id, channel_id))


def _refresh(deps: BotDeps, client: WebClient, body: dict, form: ScheduleForm, preview_status: str | None = None) -> None:
    view = body["view"]
    meta = ModalMeta.loads(view.get("private_metadata"))
    team_id, user_id = body["team"]["id"], body["user"]["id"]
    updated = build_modal(deps, client, team_id, user_id, form, meta, preview_status)
    try:
        client.views_update(view_id=view["id"], hash=view.get("hash"), view=updated)
    except SlackApiError as exc:  # hash_conflict: a newer update won; it shows the newer state
        log.info("views.update skipped: %s", exc.response.get("error"))


def _errors_for(view: dict, errors: dict[str, str]) -> dict[str, str]:
    """Keep errors on input blocks of this view (Slack rejects others); the rest go on the name."""
    inputs = [b.get("block_id") for b in view.get("blocks", []) if b.get("type") == "input"]
    shown: dict[str, str] = {}
    for block_id, message in errors.items():
        key = block_id if block_id in inputs else (inputs[0] if inputs else ModalBlocks.NAME)
        shown[key] = (shown[key] + " " + message if key in shown else message)[:1900]
    return shown


def register(app: App, deps: BotDeps) -> None:
    @app.action(ModalActions.REPORT_TYPE)
    @after_ack
    def handle_report_type_changed(ack, body, client, action) -> None:
        ack()
        form = form_from_state(body["view"]["state"]["values"])
        chosen = (action.get("selected_option") or {}).get("value") or form.report_type
        _refresh(deps, client, body, replace(form, report_type=chosen, params={}))

    @app.action(ModalActions.CADENCE)
    @after_ack
    def handle_cadence_entered(ack, body, client, action) -> None:
        ack()
        form = form_from_state(body["view"]["state"]["values"])
        _refresh(deps, client, body, replace(form, cadence_text=(action.get("value") or "").strip()))

    @app.action(ModalActions.TIMEZONE)
    @after_ack
    def handle_timezone_changed(ack, body, client, action) -> None:
        ack()
        form = form_from_state(body["view"]["state"]["values"])
        zone = (action.get("selected_option") or {}).get("value") or form.timezone
        _refresh(deps, client, body, replace(form, timezone=zone))

    @app.options(ModalActions.TIMEZONE)
    def handle_timezone_options(ack, body) -> None:
        ack(options=timezone_options(str(body.get("value") or ""), None))

    @app.action(ModalActions.PREVIEW_NOW)
    @after_ack
    def handle_preview_now(ack, body, client) -> None:
        ack()
        form = form_from_state(body["view"]["state"]["values"])
        try:
            status = preview_form(deps, client, team_id=body["team"]["id"], user_id=body["user"]["id"], form=form)
        except UserError as exc:
            status = f"⚠️ Can't preview yet: {exc}"
        _refresh(deps, client, body, form, status)

    @app.view(ViewCallbacks.SCHEDULE_MODAL)
    def handle_schedule_submitted(ack, body, client, view) -> None:
        meta = ModalMeta.loads(view.get("private_metadata"))
        team_id, user_id = body["team"]["id"], body["user"]["id"]
        form = form_from_state(view["state"]["values"])
        editing = meta.mode == "edit" and meta.schedule_id is not None
        owner = user_id
        try:
            if editing:
                schedule = get_live(deps, team_id, meta.schedule_id)
                ensure_can_change(deps, client, schedule, user_id)
                owner = schedule.owner_user_id
            valid = validate_form(deps, client, team_id=team_id, user_id=user_id, form=form, creating=not editing)
            if editing:
                result = update(deps, meta.schedule_id, valid, user_id=user_id, surface="modal")
            else:
                result = create(deps, valid, team_id=team_id, user_id=user_id, surface="modal",
                                source=f"modal: {form.name}")
        except FormErrors as exc:
            ack(response_action="errors", errors=_errors_for(view, exc.errors))
            return
        except UserError as exc:
            ack(response_action="errors", errors=_errors_for(view, {ModalBlocks.NAME: str(exc)}))
            return
        ack()
        where = Where(team_id=team_id, user_id=user_id, surface="modal", channel_id=meta.channel_id,
                      is_dm=bool(meta.channel_id and meta.channel_id.startswith("D")))
        from bot.listeners.home import refresh_home

        refresh_home(deps, client, team_id, user_id, owner)
        answer(client, where, saved_text(result))
