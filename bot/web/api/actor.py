"""Whom a token acts as, looked up in Slack on every call, and the schedule it acts on through the
same permission functions as every Slack surface (bot.acting, jobs.access)."""

from __future__ import annotations

from bot.acting import Acting, Need, acting_as
from bot.people import SlackUnreachable, person
from bot.web.api.problems import FieldError, invalid
from bot.web.api.routes import Request
from jobs.access import Kind, Person, ensure_token_holder
from storage.errors import PermissionDenied
from storage.models import Schedule


def acting_person(request: Request) -> Person:
    """The person a token carries (users.info now: a deactivated or demoted person loses their powers
    at once), or for a workspace token a stand-in with a workspace admin's powers."""
    if request._person is None:
        caller, deps = request.caller, request.deps
        if caller.acting_user_id:
            holder = person(deps, deps.jobs.slack(caller.team_id), caller.team_id, caller.acting_user_id)
            ensure_token_holder(holder)
            request._person = holder
        else:
            request._person = Person("api", caller.team_id, Kind.MEMBER, is_admin=True)
    return request._person


def owner_person(request: Request, user_id: str) -> Person:
    """Someone a workspace token creates or edits a schedule for: their own checks apply, and one who
    cannot own schedules (unknown to Slack, a guest, someone who left) is an error on `owner`."""
    deps = request.deps
    try:
        owner = person(deps, deps.jobs.slack(request.caller.team_id), request.caller.team_id, user_id)
    except SlackUnreachable:
        raise  # 503: ask again shortly
    except PermissionDenied:
        raise invalid([FieldError("owner", f"Slack could not tell who {user_id} is in this workspace.")]) from None
    if not owner.is_member:
        raise invalid([FieldError("owner", f"{user_id} can't own schedules: only full members of this workspace "
                                           f"can (not guests, people from other organisations, deactivated "
                                           f"accounts or bots).")])
    return owner


def act_on(request: Request, schedule: Schedule | int, need: Need) -> Acting:
    """The live schedule of the token's workspace if the token's person may do `need` with it
    (NotFound for another workspace's, PermissionDenied saying why not)."""
    deps = request.deps
    return acting_as(deps, deps.jobs.slack(request.caller.team_id), acting_person(request), schedule, need)
