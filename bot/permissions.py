"""Who may do what, and the workspace policy an admin sets. Every denial says why.

- Only the owner or a workspace admin changes, runs or deletes a schedule. Admins are Slack's
  workspace admins and owners, plus the user ids in REPORTBOT_ADMINS.
- A person schedules only into channels they are a member of; the bot joins public channels
  itself and asks to be invited into private ones.
- Report types (and the data sources behind them) can be limited to named people.
- Quotas: schedules per person and per workspace, a cool-down on run-now.
- Email goes only to domains on the workspace's allowlist.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from bot.deps import BotDeps
from bot.lookup import is_channel_member, resolve_channel
from bot.refs import Ref
from storage.errors import BadInput, PermissionDenied
from storage.models import DestinationKind, Schedule
from storage.schedules import NewDestination, count_live_schedules
from storage.workspace import get_workspace_settings

log = logging.getLogger(__name__)
EMAIL = re.compile(r"^[A-Za-z0-9._%+-]{1,64}@([A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63})+)$")
INVITE = "invite me with `/invite @reportbot` in it"


@dataclass(frozen=True)
class Policy:
    """The rules in force in one workspace: the admin's settings over the deployment's defaults."""

    max_schedules_per_user: int | None
    max_schedules_per_team: int | None
    run_now_cooldown_seconds: int
    email_domains: tuple[str, ...]
    access: dict[str, list[str]]

    def may_use(self, resource: str, user_id: str, admin: bool) -> bool:
        """Whether a report type (or data source) is usable by this person."""
        allowed = self.access.get(resource)
        return admin or not allowed or user_id in allowed

    def email_allowed(self, address: str) -> bool:
        domain = address.rsplit("@", 1)[-1].lower()
        return any(domain == d or domain.endswith("." + d) for d in self.email_domains)


def policy_for(deps: BotDeps, team_id: str) -> Policy:
    defaults = deps.settings.policy
    with deps.jobs.database.session() as session:
        row = get_workspace_settings(session, team_id)
        if row is None:
            return Policy(defaults.max_schedules_per_user, defaults.max_schedules_per_team,
                          defaults.run_now_cooldown_seconds, defaults.email_domains, {})
        # A NULL quota means "the default"; 0 is how an admin says "no limit".
        per_user = defaults.max_schedules_per_user if row.max_schedules_per_user is None else row.max_schedules_per_user
        per_team = defaults.max_schedules_per_team if row.max_schedules_per_team is None else row.max_schedules_per_team
        cooldown = defaults.run_now_cooldown_seconds if row.run_now_cooldown_seconds is None \
            else row.run_now_cooldown_seconds
        domains = defaults.email_domains if row.email_domains is None else tuple(row.email_domains)
        return Policy(per_user or None, per_team or None, cooldown, domains, dict(row.access or {}))


def is_admin(deps: BotDeps, client: WebClient, user_id: str) -> bool:
    """Slack's workspace admins and owners, and the people named in REPORTBOT_ADMINS."""
    if deps.is_configured_admin(user_id):
        return True
    try:
        user = client.users_info(user=user_id)["user"]
    except SlackApiError as exc:
        log.info("users.info failed for %s: %s", user_id, exc.response.get("error"))
        return False
    except (SlackClientError, OSError) as exc:  # Slack unreachable: nobody gets admin rights by accident
        log.warning("could not check whether %s is an admin: %s", user_id, exc)
        return False
    return bool(user.get("is_admin") or user.get("is_owner") or user.get("is_primary_owner"))


def ensure_admin(deps: BotDeps, client: WebClient, user_id: str) -> None:
    if not is_admin(deps, client, user_id):
        raise PermissionDenied("Only workspace admins can change reportbot's settings for the workspace.")


def ensure_can_change(deps: BotDeps, client: WebClient, schedule: Schedule, user_id: str) -> None:
    """Only the owner or a workspace admin may change, run or delete a schedule."""
    if schedule.owner_user_id != user_id and not is_admin(deps, client, user_id):
        raise PermissionDenied(f"Only <@{schedule.owner_user_id}> (the owner) or a workspace admin can do that "
                               f"to “{schedule.name}”.")


def quota_problem(deps: BotDeps, policy: Policy, team_id: str, user_id: str) -> str | None:
    """Why one more schedule is not allowed for this person, or None."""
    with deps.jobs.database.session() as session:
        if policy.max_schedules_per_user is not None:
            mine = count_live_schedules(session, team_id, owner_user_id=user_id)
            if mine >= policy.max_schedules_per_user:
                return (f"You already have {mine} scheduled reports, the most this workspace allows per person "
                        f"({policy.max_schedules_per_user}). Delete one with `/report delete <name>`, or ask an "
                        "admin to raise the limit.")
        if policy.max_schedules_per_team is not None:
            everyone = count_live_schedules(session, team_id)
            if everyone >= policy.max_schedules_per_team:
                return (f"This workspace already has {everyone} scheduled reports, the most its admins allow "
                        f"({policy.max_schedules_per_team}). Ask an admin to raise the limit.")
    return None


def email_destination(policy: Policy, address: str) -> NewDestination:
    address = address.strip().strip("<>").removeprefix("mailto:").split("|")[0].lower()
    if not EMAIL.match(address):
        raise BadInput(f"“{address[:80]}” is not an email address.")
    if not policy.email_allowed(address):
        if not policy.email_domains:
            raise PermissionDenied(f"I can't email {address}: this workspace has not allowed email to any domain "
                                   "yet. An admin can allow one with `/report admin domains example.com`.")
        raise PermissionDenied(f"I can't email {address}: its domain is not on this workspace's allowlist "
                               f"({', '.join(policy.email_domains)}). Ask an admin to add it.")
    return NewDestination(DestinationKind.EMAIL, address, address)


def channel_destination(client: WebClient, ref: Ref, user_id: str, *, join: bool = True) -> NewDestination:
    """Check a channel can take this person's reports: it exists, they are in it, the bot is in it
    (joining public channels itself unless `join` is off; private ones need an invite)."""
    try:
        info = client.conversations_info(channel=ref.id)["channel"] if ref.id else None
    except SlackApiError as exc:
        code = exc.response.get("error")
        if code == "channel_not_found":
            raise BadInput(f"I can't see the channel {ref.display}. If it is private, {INVITE}, then try "
                           "again.") from None
        raise BadInput(f"I can't check the channel {ref.display} right now ({code}).") from None
    if info is None:
        channel = resolve_channel(client, ref)
        info = client.conversations_info(channel=channel.id)["channel"]
    name = info.get("name") or ref.name
    if info.get("is_im") or info.get("is_mpim"):
        raise BadInput("Pick a channel there; people go in the “People” field.")
    if info.get("is_archived"):
        raise BadInput(f"#{name} is archived, so nobody would see the report there.")
    if not is_channel_member(client, info["id"], user_id):
        raise PermissionDenied(f"You can only schedule reports into channels you are a member of, "
                               f"and you are not in #{name}.")
    if not info.get("is_member"):
        if info.get("is_private"):
            raise BadInput(f"I'm not in #{name}, and it is private: {INVITE}, then try again.")
        if not join:
            return NewDestination(DestinationKind.SLACK_CHANNEL, info["id"], f"#{name}")
        try:
            client.conversations_join(channel=info["id"])
        except SlackApiError as exc:
            raise BadInput(f"I couldn't join #{name} ({exc.response.get('error')}): {INVITE}, then try "
                           "again.") from None
    return NewDestination(DestinationKind.SLACK_CHANNEL, info["id"], f"#{name}")


def person_destination(client: WebClient, ref: Ref) -> NewDestination:
    """Check a person can get reports by DM: they exist, are active and human."""
    from bot.lookup import find_user

    user = find_user(client, ref)
    name = user.get("name") or ref.name
    if user.get("deleted"):
        raise BadInput(f"@{name}'s account is deactivated.")
    if user.get("is_bot") or user.get("id") == "USLACKBOT":
        raise BadInput(f"@{name} is a bot; pick a person.")
    return NewDestination(DestinationKind.SLACK_USER, user["id"], f"@{name}")
