"""Where a schedule may post, checked in Slack: channels the person is in (the bot joins public ones,
private ones need an invite), people who can get a DM and have not muted it, allowed email domains,
webhooks on allowed hosts at public addresses. The rules that hold at run time too are jobs.access's."""

from __future__ import annotations

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.deps import BotDeps
from bot.lookup import find_user, is_channel_member, resolve_channel
from bot.refs import Ref
from jobs.access import (
    Person,
    ensure_may_call_webhook,
    ensure_may_dm,
    ensure_may_email,
    person_from_slack,
)
from jobs.delivery.outbound import Resolver, system_resolver
from jobs.delivery.plan import webhook_words
from jobs.policy import Policy
from storage.errors import BadInput, PermissionDenied
from storage.models import DestinationKind
from storage.mutes import is_muted
from storage.schedules import NewDestination

INVITE = "invite me with `/invite @reportbot` in it"


def email_destination(policy: Policy, address: str) -> NewDestination:
    address = ensure_may_email(policy, address)
    return NewDestination(DestinationKind.EMAIL, address, address)


def webhook_destination(policy: Policy, url: str, *, resolve: Resolver = system_resolver) -> NewDestination:
    """Check a webhook URL as it is saved (the same rule is applied again at every send): https, a host
    on the workspace's allow-list, public addresses only unless the admins allowed private ones. Its
    signing secret is made when the destination is stored (jobs.delivery.signing.issue_secrets)."""
    target, _ = ensure_may_call_webhook(policy, url, resolve)
    return NewDestination(DestinationKind.WEBHOOK, target.url, webhook_words(target.url))


def channel_destination(client: WebClient, ref: Ref, person: Person, *, join: bool = True) -> NewDestination:
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
    if not is_channel_member(client, info["id"], person.user_id):
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


def person_destination(deps: BotDeps, client: WebClient, ref: Ref, sender: Person,
                       schedule_id: int | None = None) -> NewDestination:
    """Check a person can get reports by DM: they exist, are active and human, and did not mute it
    (a schedule they muted, or every report someone else owns)."""
    user = find_user(client, ref)
    name = user.get("name") or ref.name
    recipient = person_from_slack(user, sender.team_id, frozenset())
    muted = False
    if recipient.user_id != sender.user_id:
        with deps.jobs.database.session() as session:
            muted = is_muted(session, sender.team_id, recipient.user_id, schedule_id)
    ensure_may_dm(recipient, name=name, muted=muted)
    return NewDestination(DestinationKind.SLACK_USER, user["id"], f"@{name}")
