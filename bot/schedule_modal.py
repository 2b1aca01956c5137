"""The create/edit modal as a service: open it prefilled, rebuild it as the person types, and put
errors next to their fields. Its listeners are in bot.listeners.modals."""

from __future__ import annotations

import logging
import zoneinfo
from dataclasses import replace
from functools import lru_cache

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.acting import Need, acting_on
from bot.deps import BotDeps
from bot.forms import ScheduleForm, form_from_schedule
from bot.lookup import user_date_order, user_timezone
from bot.metadata import ModalMeta
from bot.people import person
from bot.readback import read_back
from bot.respond import Where
from bot.schedules import email_choice_of
from bot.validation import default_report_type, usable_report_types
from bot.views.modal import ModalContext, schedule_modal, timezone_option
from jobs.periods import setting_of
from jobs.slack_ids import ModalBlocks
from jobs.views.period_words import period_sentence
from reports.errors import ReportError
from reports.registry import ReportType, get_report_type
from reports.renderers import available_formats

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
                  preview_status: str | None = None, condition_status: str | None = None) -> ModalContext:
    policy = deps.policy(team_id)
    types = usable_report_types(person(deps, client, team_id, user_id), policy)
    if form.report_type and all(t.name != form.report_type for t in types):  # keep an edited schedule's own type
        try:
            types.insert(0, get_report_type(form.report_type))
        except ReportError:
            log.info("report type %s is gone", form.report_type)
    return ModalContext(tuple(types), tuple(available_formats()), policy.email_domains, preview_status,
                        team_id=team_id, user_id=user_id, condition_status=condition_status,
                        webhook_hosts=policy.webhook_hosts)


def build_modal(deps: BotDeps, client: WebClient, team_id: str, user_id: str, form: ScheduleForm, meta: ModalMeta,
                preview_status: str | None = None, condition_status: str | None = None) -> dict:
    context = modal_context(deps, client, team_id, user_id, form, preview_status, condition_status)
    if not form.report_type:
        form = replace(form, report_type=default_report_type(list(context.report_types)))
    now = deps.jobs.now()
    readback = read_back(form.cadence_text, form.timezone, now,
                         date_order=user_date_order(client, user_id)) if form.cadence_text else None
    current = next((t for t in context.report_types if t.name == form.report_type), None)
    period = _period(form, current, readback, now, deps.policy(team_id).week_start)
    return schedule_modal(form, meta, context, readback, period)


def _period(form: ScheduleForm, report: ReportType | None, readback, now, week_start: int) -> str:
    """What each report of the form's schedule would cover, for the read-back under "When"."""
    if readback is None or not readback.ok or report is None:
        return ""
    try:
        return period_sentence(setting_of(form.params, report.default_window), readback.cadence, now,
                               week_start=week_start)
    except ReportError:  # a window the form holds that is not one (the field says so on save)
        return ""


def open_schedule_modal(deps: BotDeps, client: WebClient, *, trigger_id: str, team_id: str, user_id: str,
                        form: ScheduleForm | None = None, meta: ModalMeta | None = None) -> bool:
    """Open the modal prefilled with `form`; False when Slack refused (e.g. the trigger expired)."""
    form = form or ScheduleForm()
    if not form.timezone:
        form = replace(form, timezone=user_timezone(client, user_id))
    view = build_modal(deps, client, team_id, user_id, form, meta or ModalMeta())
    return _views_call(client.views_open, trigger_id=trigger_id, view=view)


def update_modal(client: WebClient, view_id: str, view: dict, *, view_hash: str | None = None) -> bool:
    """Replace an open modal; False when Slack refused (closed meanwhile, or a newer update won: its hash)."""
    return _views_call(client.views_update, view_id=view_id, view=view, hash=view_hash)


def _views_call(method, **arguments) -> bool:
    try:
        method(**arguments)
    except SlackApiError as exc:
        log.info("%s refused: %s", method.__name__, exc.response.get("error"))
        return False
    return True


def open_edit_modal(deps: BotDeps, client: WebClient, where: Where, schedule_id: int, trigger_id: str) -> bool:
    """Open the modal on a schedule the person may change; False when Slack refused."""
    schedule = acting_on(deps, client, where, schedule_id, Need.CHANGE).schedule
    return open_schedule_modal(deps, client, trigger_id=trigger_id, team_id=where.team_id, user_id=where.user_id,
                               form=form_from_schedule(schedule, email_choice_of(deps, schedule.id)),
                               meta=ModalMeta("edit", schedule.id, where.channel_id))


def refresh_modal(deps: BotDeps, client: WebClient, body: dict, form: ScheduleForm,
                  preview_status: str | None = None, condition_status: str | None = None) -> None:
    """Rebuild the open modal for the form as it is now (a newer update wins: its hash)."""
    view = body["view"]
    meta = ModalMeta.loads(view.get("private_metadata"))
    team_id, user_id = body["team"]["id"], body["user"]["id"]
    updated = build_modal(deps, client, team_id, user_id, form, meta, preview_status, condition_status)
    update_modal(client, view["id"], updated, view_hash=view.get("hash"))  # hash_conflict: a newer update shows


def errors_for(view: dict, errors: dict[str, str]) -> dict[str, str]:
    """Keep errors on input blocks of this view (Slack rejects others); the rest go on the name."""
    inputs = [b.get("block_id") for b in view.get("blocks", []) if b.get("type") == "input"]
    shown: dict[str, str] = {}
    for block_id, message in errors.items():
        key = block_id if block_id in inputs else (inputs[0] if inputs else ModalBlocks.NAME)
        shown[key] = (shown[key] + " " + message if key in shown else message)[:1900]
    return shown
