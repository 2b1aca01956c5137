"""Who may do what: one function per resource, called by every surface (slash command, modal, App
Home, buttons, conversation, API, previews) and again when a run is generated.

    ensure_may_create(person)                       full members of the workspace make schedules
    ensure_token_holder(person)                     an API token acts only while its person's account
                                                    is a live one (not deactivated, not a bot)
    schedule_access(person, schedule, receives)     FULL for its owner and admins; RECIPIENT for
                                                    someone it is sent to (what arrives, not how it is
                                                    made or who else gets it); else PermissionDenied
    ensure_may_change(person, schedule)             its owner or an admin: edit, pause, resume, delete
    ensure_may_run(person, schedule, policy)        may change it, and may still use its report
    ensure_may_snooze(person, schedule, receives)   its owner, an admin, or a member of the workspace
                                                    the alert reaches (by DM or in a channel they are in)
    ensure_may_use_report(person, policy, name, params)
                                                    the report type and every type it reads (Pulse's
                                                    attached report) are open to the person
    ensure_may_email(policy, address)               the address passes the one address rule and its
                                                    domain is on the workspace's allow-list
    ensure_may_call_webhook(policy, url, resolve)   an https URL whose host is on the workspace's
                                                    allow-list and resolves to public addresses only
                                                    (unless its admins allowed private ones): the
                                                    address to connect to, checked at save and send
    ensure_may_dm(recipient, muted)                 a person who can get DMs and has not muted it
    ensure_within_quota(session, policy, team, user) one more schedule fits the workspace's quotas

A `Person` is who is asking, as Slack describes them: only full members of this workspace act;
guests (single- and multi-channel), people from another organisation (Slack Connect) and
deactivated accounts may receive reports but not make or run them, and an admin of another
organisation is not an admin here. Each function raises PermissionDenied saying why.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from jobs.delivery.addresses import parse_address
from jobs.delivery.outbound import (
    Resolver,
    WebhookUrl,
    host_allowed,
    parse_url,
    resolve_checked,
)
from jobs.policy import Policy
from jobs.views.blocks import escape
from reports.errors import ReportError
from reports.registry import get_report_type
from storage.db import Session
from storage.errors import PermissionDenied
from storage.models import Schedule
from storage.schedules import count_live_schedules


class Kind(StrEnum):
    MEMBER = "member"
    GUEST = "guest"
    EXTERNAL = "external"  # from another organisation, through Slack Connect
    DEACTIVATED = "deactivated"
    BOT = "bot"


class Access(StrEnum):
    FULL = "full"  # everything, including the query, the recipients and the email copies
    RECIPIENT = "recipient"  # what is delivered and when; not how it is made or who else gets it


@dataclass(frozen=True)
class Person:
    """Who is acting, in the workspace they act in."""

    user_id: str
    team_id: str
    kind: Kind = Kind.MEMBER
    is_admin: bool = False

    @property
    def is_member(self) -> bool:
        return self.kind == Kind.MEMBER


def person_from_slack(user: Mapping[str, Any], team_id: str, configured_admins: frozenset[str]) -> Person:
    """Read `users.info`'s record of a person acting in `team_id`."""
    user_id = str(user.get("id") or "")
    home_team = user.get("team_id") or team_id
    shared_teams = (user.get("enterprise_user") or {}).get("teams") or ()
    if user.get("deleted"):
        kind = Kind.DEACTIVATED
    elif user.get("is_bot") or user_id == "USLACKBOT":
        kind = Kind.BOT
    elif user.get("is_stranger") or (home_team != team_id and team_id not in shared_teams):
        kind = Kind.EXTERNAL
    elif user.get("is_restricted") or user.get("is_ultra_restricted"):
        kind = Kind.GUEST
    else:
        kind = Kind.MEMBER
    slack_admin = bool(user.get("is_admin") or user.get("is_owner") or user.get("is_primary_owner"))
    admin = kind == Kind.MEMBER and (slack_admin or user_id in configured_admins)
    return Person(user_id, team_id, kind, admin)


_WHY_NOT = {
    Kind.GUEST: "Guest accounts can receive reports but not schedule or run them; ask a member of the "
                "workspace to do it.",
    Kind.EXTERNAL: "You're in another organisation (Slack Connect): reports are scheduled by members of "
                   "this workspace. Ask one of them.",
    Kind.DEACTIVATED: "Your account is deactivated in this workspace.",
    Kind.BOT: "Bots can't schedule reports.",
}


_WHY_NOT_SNOOZE = {
    Kind.GUEST: "Guest accounts get alerts but can't snooze them for everyone else.",
    Kind.EXTERNAL: "You're in another organisation (Slack Connect): you get this alert but can't snooze it for "
                   "this workspace.",
}


def ensure_may_create(person: Person) -> None:
    """Only full members of the workspace make schedules."""
    if not person.is_member:
        raise PermissionDenied(_WHY_NOT[person.kind])


def ensure_token_holder(person: Person) -> None:
    """A token acting as a person works only while Slack still knows them as one: a deactivated account
    (someone who left) or a bot gets nothing through it, not even what was sent to them."""
    if person.kind in (Kind.DEACTIVATED, Kind.BOT):
        raise PermissionDenied(f"This token acts as <@{person.user_id}>, whose Slack account is "
                               f"{'deactivated' if person.kind == Kind.DEACTIVATED else 'a bot'}, so it no longer "
                               "works. An admin can revoke it.")


def schedule_access(person: Person, schedule: Schedule, receives: Callable[[], bool]) -> Access:
    """How much of a schedule the person may see; `receives` says whether it is sent to them."""
    if person.team_id != schedule.team_id:
        raise PermissionDenied("That schedule belongs to another workspace.")
    if person.is_member and (person.user_id == schedule.owner_user_id or person.is_admin):
        return Access.FULL
    if receives():
        return Access.RECIPIENT
    raise PermissionDenied(f"“{escape(schedule.name)}” isn't yours and isn't sent to you, so I can't show it. "
                           f"Its owner is <@{schedule.owner_user_id}>.")


def ensure_may_change(person: Person, schedule: Schedule) -> None:
    """Only the owner or an admin of the schedule's workspace changes, runs or deletes it."""
    if not person.is_member:
        raise PermissionDenied(_WHY_NOT[person.kind])
    if person.team_id != schedule.team_id:
        raise PermissionDenied("That schedule belongs to another workspace.")
    if schedule.owner_user_id != person.user_id and not person.is_admin:
        raise PermissionDenied(f"Only <@{schedule.owner_user_id}> (the owner) or a workspace admin can do that "
                               f"to “{escape(schedule.name)}”.")


def ensure_may_snooze(person: Person, schedule: Schedule, receives: Callable[[], bool]) -> None:
    """Holding an alert's notices back: its owner and admins, and the members of this workspace who get
    it (a channel it posts to that they are in, or a DM). Guests and people from another organisation
    receive alerts but do not silence them for everyone else; `receives` is asked only when needed."""
    if person.team_id != schedule.team_id:
        raise PermissionDenied("That alert belongs to another workspace.")
    if not person.is_member:
        raise PermissionDenied(f"{_WHY_NOT_SNOOZE.get(person.kind, _WHY_NOT[person.kind])} Ask "
                               f"<@{schedule.owner_user_id}> (its owner).")
    if person.user_id == schedule.owner_user_id or person.is_admin or receives():
        return
    raise PermissionDenied(f"Only the people “{escape(schedule.name)}” reaches, its owner <@{schedule.owner_user_id}> "
                           "or a workspace admin can snooze it.")


def ensure_may_use_report(person: Person, policy: Policy, report_type: str, params: dict[str, Any]) -> None:
    """The report type, and every type it reads with these params, must be open to the person."""
    try:
        names = get_report_type(report_type).report_types_read(params)
    except ReportError:
        names = (report_type,)
    for name in dict.fromkeys(names):
        allowed = policy.limited_to(name)
        if allowed is not None and person.user_id not in allowed and not person.is_admin:
            title = _title(name)
            if name == report_type:
                raise PermissionDenied(f"Your workspace admins have limited “{title}” to certain people. "
                                       "Ask an admin if you need it.")
            raise PermissionDenied(f"This report reads “{title}”, which your workspace admins have limited to "
                                   "certain people. Ask an admin if you need it.")


def ensure_may_run(person: Person, schedule: Schedule, policy: Policy) -> None:
    """Run now, retry, or a run being generated for its owner: may change it and may use its report."""
    ensure_may_change(person, schedule)
    ensure_may_use_report(person, policy, schedule.report_type, schedule.params or {})


def ensure_may_email(policy: Policy, address: str) -> str:
    """Return the address as reportbot stores it, if reports may be emailed there."""
    address = parse_address(address)
    if not policy.email_allowed(address):
        if not policy.email_domains:
            raise PermissionDenied(f"I can't email {address}: this workspace has not allowed email to any domain "
                                   "yet. An admin can allow one with `/report admin domains example.com`.")
        raise PermissionDenied(f"I can't email {address}: its domain is not on this workspace's allowlist "
                               f"({', '.join(policy.email_domains)}). Ask an admin to add it.")
    return address


def ensure_may_call_webhook(policy: Policy, url: str, resolve: Resolver) -> tuple[WebhookUrl, str]:
    """Return the webhook URL as stored and the one address to connect to, if reports may go there:
    the host is on the workspace's allow-list and (unless its admins allowed private addresses)
    resolves to public addresses only. Resolved once: the caller connects to the address returned."""
    target = parse_url(url)
    if not host_allowed(target.host, policy.webhook_hosts):
        if not policy.webhook_hosts:
            raise PermissionDenied(f"I can't send webhooks to {target.host}: this workspace has not allowed any "
                                   "webhook host yet. An admin can allow one with "
                                   f"`/report admin webhooks {target.host}`.")
        raise PermissionDenied(f"I can't send webhooks to {target.host}: it is not on this workspace's list of "
                               f"webhook hosts ({', '.join(policy.webhook_hosts)}). Ask an admin to add it.")
    return target, resolve_checked(target, allow_private=policy.webhook_private, resolve=resolve)


def ensure_may_dm(recipient: Person, *, name: str, muted: bool) -> None:
    """A report may go by DM to a person who can get it and has not asked to stop it."""
    if recipient.kind == Kind.DEACTIVATED:
        raise PermissionDenied(f"@{name}'s account is deactivated.")
    if recipient.kind == Kind.BOT:
        raise PermissionDenied(f"@{name} is a bot; pick a person.")
    if muted:
        raise PermissionDenied(f"@{name} has asked not to get this report by DM.")


def _title(name: str) -> str:
    try:
        return get_report_type(name).title
    except ReportError:
        return name


def ensure_within_quota(session: Session, policy: Policy, team_id: str, user_id: str) -> None:
    """One more schedule must fit the workspace's quotas (per person and in all)."""
    if policy.max_schedules_per_user is not None:
        mine = count_live_schedules(session, team_id, owner_user_id=user_id)
        if mine >= policy.max_schedules_per_user:
            raise PermissionDenied(
                f"You already have {mine} scheduled reports, the most this workspace allows per person "
                f"({policy.max_schedules_per_user}). Delete one with `/report delete <name>`, or ask an admin "
                "to raise the limit.")
    if policy.max_schedules_per_team is not None:
        everyone = count_live_schedules(session, team_id)
        if everyone >= policy.max_schedules_per_team:
            raise PermissionDenied(
                f"This workspace already has {everyone} scheduled reports, the most its admins allow "
                f"({policy.max_schedules_per_team}). Ask an admin to raise the limit.")


def ensure_owner_may_use(policy: Policy, team_id: str, owner_user_id: str, report_type: str, params: dict[str, Any],
                         look_up_owner: Callable[[], Person]) -> None:
    """At run time: the owner may still use the schedule's report (a limit an admin added since then
    applies). Slack is asked who the owner is only when the answer depends on their being an admin."""
    try:
        ensure_may_use_report(Person(owner_user_id, team_id), policy, report_type, params or {})
    except PermissionDenied:
        ensure_may_use_report(look_up_owner(), policy, report_type, params or {})
