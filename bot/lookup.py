"""Look people and channels up in Slack: timezones, ids behind plain `#name` / `@name`, membership."""

from __future__ import annotations

import logging

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.refs import Ref
from jobs.cadence.dates import date_order_for_locale
from storage.errors import BadInput

log = logging.getLogger(__name__)
PAGE = 200


def user_timezone(client: WebClient, user_id: str) -> str:
    """The user's IANA timezone from their Slack profile; UTC if Slack does not say."""
    try:
        return client.users_info(user=user_id)["user"].get("tz") or "UTC"
    except SlackApiError as exc:
        log.warning("users.info failed for %s: %s", user_id, exc.response.get("error"))
        return "UTC"


def user_date_order(client: WebClient, user_id: str) -> str | None:
    """How the person's locale writes numeric dates ("MDY", "DMY"), or None to ask when ambiguous."""
    try:
        locale = client.users_info(user=user_id, include_locale=True)["user"].get("locale")
    except SlackApiError as exc:
        log.info("users.info failed for %s: %s", user_id, exc.response.get("error"))
        return None
    return date_order_for_locale(locale)


def _pages(method, key: str, **kwargs):
    cursor = None
    while True:
        response = method(cursor=cursor, limit=PAGE, **kwargs) if cursor else method(limit=PAGE, **kwargs)
        yield from response.get(key, [])
        cursor = (response.get("response_metadata") or {}).get("next_cursor")
        if not cursor:
            return


def resolve_channel(client: WebClient, ref: Ref) -> Ref:
    """Return the channel with its id, checking it exists."""
    if ref.id:
        try:
            info = client.conversations_info(channel=ref.id)["channel"]
        except SlackApiError as exc:
            raise BadInput(f"I can't see the channel {ref.display} ({exc.response.get('error')}). "
                           "If it is private, invite me with `/invite @reportbot` first.") from None
        return Ref("channel", info["id"], info.get("name") or ref.name)
    for channel in _pages(client.conversations_list, "channels", types="public_channel,private_channel",
                          exclude_archived=True):
        if channel.get("name", "").lower() == ref.name.lower():
            return Ref("channel", channel["id"], channel["name"])
    raise BadInput(f"I couldn't find a channel called #{ref.name}. Check the spelling, or if it is private, "
                   "invite me with `/invite @reportbot` first.")


def find_user(client: WebClient, ref: Ref) -> dict:
    """The Slack user record a reference names (by id, or by user or display name), checking they exist."""
    if ref.id:
        try:
            return client.users_info(user=ref.id)["user"]
        except SlackApiError:
            raise BadInput(f"I couldn't find the person {ref.display}.") from None
    for user in _pages(client.users_list, "members"):
        names = {user.get("name", "").lower(), (user.get("profile") or {}).get("display_name", "").lower()}
        if ref.name.lower() in names and not user.get("deleted"):
            return user
    raise BadInput(f"I couldn't find anyone called @{ref.name}.")


def resolve_user(client: WebClient, ref: Ref) -> Ref:
    """Return the user with their id, checking they exist."""
    user = find_user(client, ref)
    return Ref("user", user["id"], user.get("name") or ref.name)


def is_channel_member(client: WebClient, channel_id: str, user_id: str) -> bool:
    """Whether `user_id` is in the channel (people may only schedule into channels they are in)."""
    try:
        return any(member == user_id for member in _pages(client.conversations_members, "members", channel=channel_id))
    except SlackApiError as exc:
        log.info("conversations.members failed for %s: %s", channel_id, exc.response.get("error"))
        return False
