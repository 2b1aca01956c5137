"""Schedules: list, create, read, change, pause, resume, delete, through the Slack surfaces' services."""

from __future__ import annotations

from bot.acting import Need
from bot.alert_condition import bind_for_save
from bot.forms import ScheduleForm, form_from_schedule
from bot.schedules import create, delete, email_choice_of, get_live, set_paused, update
from bot.validation import validate_form
from bot.web.api.actor import act_on, acting_person, owner_person
from bot.web.api.models import (
    ScheduleCreate,
    ScheduleListQuery,
    ScheduleOut,
    SchedulePage,
    ScheduleUpdate,
    WebhookSecret,
)
from bot.web.api.paging import decode_cursor, encode_cursor
from bot.web.api.problems import ApiProblem, FieldError, invalid
from bot.web.api.routes import Answer, Request, route
from bot.web.api.schedule_forms import apply_body
from bot.web.api.schedule_view import schedule_out
from jobs.access import Access, Person
from reports.errors import ReportError
from reports.registry import get_report_type
from storage.api_pages import schedules_page
from storage.errors import PermissionDenied, UserError
from storage.models import ScheduleStatus

STATUSES = {"active": (ScheduleStatus.ACTIVE,), "paused": (ScheduleStatus.PAUSED, ScheduleStatus.ERROR)}
COMMON_ERRORS = (400, 401, 403, 404, 413, 422, 429)


def _out(request: Request, schedule_id: int, access: Access = Access.FULL, secrets=()) -> ScheduleOut:
    """The schedule as stored now; `secrets`: the signing secrets of webhooks this request added (shown once)."""
    deps = request.deps
    schedule = get_live(deps, request.caller.team_id, schedule_id)
    out = schedule_out(schedule, access, deps.jobs.now(), deps.policy(schedule.team_id).week_start)
    if secrets:
        out.webhook_secrets = [WebhookSecret(destination=label, secret=secret) for label, secret in secrets]
    return out


@route("GET", "/schedules", summary="List schedules (paged; by status, owner or tag)", scope="read",
       query=ScheduleListQuery, response=SchedulePage, errors=(401, 403, 422, 429))
def list_schedules(request: Request) -> Answer:
    query: ScheduleListQuery = request.query
    who = acting_person(request)
    owner = query.owner
    if not who.is_admin:  # as `/report list`: a person sees their own; admins see everyone's
        if owner not in (None, who.user_id):
            raise ApiProblem(403, "Only workspace admins list other people's schedules.")
        owner = who.user_id
    deps = request.deps
    with deps.jobs.database.session() as session:
        found = schedules_page(session, request.caller.team_id, after_id=decode_cursor(query.cursor) or 0,
                               limit=query.limit + 1, owner_user_id=owner,
                               statuses=STATUSES[query.status] if query.status else None,
                               tag=query.tag.lstrip("#").lower() if query.tag else None)
    now, week_start = deps.jobs.now(), deps.policy(request.caller.team_id).week_start
    items = [schedule_out(s, access, now, week_start) for s in found[:query.limit]
             if (access := _read_access(request, s)) is not None]
    more = len(found) > query.limit
    return Answer(200, SchedulePage(items=items, next_cursor=encode_cursor(items[-1].id) if more else None))


def _read_access(request: Request, schedule) -> Access | None:
    """How much of a listed schedule the caller sees, by the rule GET /schedules/{id} follows (an owner
    who is now a guest sees their own as a recipient at most); None: not at all."""
    try:
        return act_on(request, schedule, Need.READ).access
    except PermissionDenied:
        return None


def _unknown_params(report_type: str, given: dict | None) -> None:
    """A parameter the report type does not take is a field error, not quietly dropped (a typo such as
    `regoin` would otherwise leave the report unfiltered). The Slack form can only send known ones."""
    try:
        report = get_report_type(report_type)
    except ReportError:
        return  # validate_form names the unknown report type itself
    known = {param.name for param in report.form_params()}
    unknown = sorted(set(given or {}) - known)
    if unknown:
        takes = ", ".join(sorted(known))
        raise invalid([FieldError(f"params.{name}", f"{report.title} has no parameter “{name}”; it takes: {takes}.")
                       for name in unknown])


def _validated(request: Request, form: ScheduleForm, who: Person, *, editing: int | None = None, stored=None):
    """The form checked as the Slack form is, an alert's condition bound to the report's columns."""
    deps = request.deps
    client = deps.jobs.slack(request.caller.team_id)
    valid = validate_form(deps, client, person=who, form=form, editing=editing)
    _unknown_params(valid.report_type, request.body.params)
    try:
        valid, _ = bind_for_save(deps, client, who, form, valid, stored=stored)
    except UserError as exc:  # the condition does not read, or the report's data could not be read for it
        raise invalid([FieldError("condition", str(exc))]) from None
    return valid


@route("POST", "/schedules", summary="Create a schedule", scope="write", status=201, body=ScheduleCreate,
       response=ScheduleOut, errors=COMMON_ERRORS)
def create_schedule(request: Request) -> Answer:
    body: ScheduleCreate = request.body
    caller = request.caller
    who = acting_person(request)
    if caller.acting_user_id is None:  # a workspace token makes schedules for someone, as them
        if not body.owner:
            raise invalid([FieldError("owner", "A workspace token creates schedules for someone: give the "
                                               "owner's Slack user id.")])
        who = owner_person(request, body.owner)
    elif body.owner not in (None, who.user_id):
        raise invalid([FieldError("owner", "A person's token creates schedules they own; leave `owner` out.")])
    valid = _validated(request, apply_body(ScheduleForm(), body), who)
    saved = create(request.deps, valid, team_id=caller.team_id, user_id=who.user_id, surface="api",
                   source=f"api: token {caller.token_id}", actor=caller.actor)
    location = ("Location", f"/api/v1/schedules/{saved.schedule_id}")
    return Answer(201, _out(request, saved.schedule_id, secrets=saved.secrets), (location,))


@route("GET", "/schedules/{schedule_id}", summary="Read a schedule", scope="read", response=ScheduleOut,
       errors=(401, 403, 404, 429))
def get_schedule(request: Request) -> Answer:
    acting = act_on(request, request.params["schedule_id"], Need.READ)  # loads it: shown as loaded
    deps = request.deps
    return Answer(200, schedule_out(acting.schedule, acting.access, deps.jobs.now(),
                                    deps.policy(request.caller.team_id).week_start))


@route("PATCH", "/schedules/{schedule_id}", summary="Change a schedule (the fields given)", scope="write",
       body=ScheduleUpdate, response=ScheduleOut, errors=COMMON_ERRORS)
def update_schedule(request: Request) -> Answer:
    acting = act_on(request, request.params["schedule_id"], Need.CHANGE)
    schedule = acting.schedule
    # A workspace token edits as the owner: their channels, report access and quotas.
    who = acting.person if request.caller.acting_user_id else owner_person(request, schedule.owner_user_id)
    form = apply_body(form_from_schedule(schedule, email_choice_of(request.deps, schedule.id)), request.body)
    valid = _validated(request, form, who, editing=schedule.id, stored=schedule)
    saved = update(request.deps, schedule.id, valid, user_id=request.caller.actor, surface="api")
    return Answer(200, _out(request, schedule.id, secrets=saved.secrets))


@route("DELETE", "/schedules/{schedule_id}", summary="Delete a schedule (its history stays)", scope="write",
       status=204, errors=(401, 403, 404, 429))
def delete_schedule(request: Request) -> Answer:
    acting = act_on(request, request.params["schedule_id"], Need.CHANGE)
    delete(request.deps, acting.schedule.id, request.caller.actor, surface="api")
    return Answer(204)


def _pause(request: Request, paused: bool) -> Answer:
    acting = act_on(request, request.params["schedule_id"], Need.CHANGE)
    set_paused(request.deps, acting.schedule.id, request.caller.actor, paused=paused, surface="api")
    return Answer(200, _out(request, acting.schedule.id))


@route("POST", "/schedules/{schedule_id}/pause", summary="Pause a schedule", scope="write", response=ScheduleOut,
       errors=(401, 403, 404, 429))
def pause_schedule(request: Request) -> Answer:
    return _pause(request, True)


@route("POST", "/schedules/{schedule_id}/resume", summary="Resume a schedule from now (no catch-up)", scope="write",
       response=ScheduleOut, errors=(401, 403, 404, 429))
def resume_schedule(request: Request) -> Answer:
    return _pause(request, False)
