"""Load the schedule a person acts on and check they may: the one way every surface does it."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from slack_sdk import WebClient

from bot.deps import BotDeps
from bot.people import person, receives
from bot.respond import Where
from bot.schedules import find_or_explain, get_live
from jobs.access import (
    Access,
    Person,
    ensure_may_change,
    ensure_may_run,
    ensure_may_snooze,
    schedule_access,
)
from storage.models import Schedule


class Need(StrEnum):
    READ = "read"  # show, history
    CHANGE = "change"  # edit, pause, resume, delete
    RUN = "run"  # run now, retry
    SNOOZE = "snooze"  # hold an alert's notices back (or let them through again)


@dataclass(frozen=True)
class Acting:
    """A person and the schedule they act on, with how much of it they may see."""

    person: Person
    schedule: Schedule
    access: Access


def acting_on(deps: BotDeps, client: WebClient, where: Where, schedule: Schedule | int, need: Need) -> Acting:
    """The schedule (or the live one with this id in the workspace) if the person may do `need` with it;
    NotFound or PermissionDenied saying why not."""
    if not isinstance(schedule, Schedule):
        schedule = get_live(deps, where.team_id, schedule)
    return acting_as(deps, client, person(deps, client, where.team_id, where.user_id), schedule, need)


def acting_as(deps: BotDeps, client: WebClient, who: Person, schedule: Schedule | int, need: Need) -> Acting:
    """Like `acting_on`, for someone already looked up (the REST API's token holder)."""
    if not isinstance(schedule, Schedule):
        schedule = get_live(deps, who.team_id, schedule)
    if need == Need.READ:
        access = schedule_access(who, schedule, lambda: receives(client, schedule, who.user_id))
    elif need == Need.CHANGE:
        ensure_may_change(who, schedule)
        access = Access.FULL
    elif need == Need.SNOOZE:
        ensure_may_snooze(who, schedule, lambda: receives(client, schedule, who.user_id))
        access = Access.FULL if who.user_id == schedule.owner_user_id or who.is_admin else Access.RECIPIENT
    else:
        ensure_may_run(who, schedule, deps.policy(who.team_id))
        access = Access.FULL
    return Acting(who, schedule, access)


def acting_on_named(deps: BotDeps, client: WebClient, where: Where, ref: str, need: Need, *, example: str) -> Acting:
    """Like `acting_on`, for a schedule named in words ("daily sales", "#12")."""
    return acting_on(deps, client, where, find_or_explain(deps, where.team_id, ref, example=example), need)
