"""conversations.open/info/members/list/join/history/replies."""

from __future__ import annotations

import copy
import logging
from decimal import Decimal, InvalidOperation
from typing import Any

from slack_emulator.errors import SlackError
from slack_emulator.methods import Context, as_bool, as_list, method, paginate
from slack_emulator.state import Channel

logger = logging.getLogger(__name__)

READ_SCOPE = {"public_channel": "channels:read", "private_channel": "groups:read", "im": "im:read",
              "mpim": "mpim:read"}
HISTORY_SCOPE = {"public_channel": "channels:history", "private_channel": "groups:history", "im": "im:history",
                 "mpim": "mpim:history"}
HISTORY_MAX_LIMIT = 999
MPIM_MAX_USERS = 8


def visible_channel(ctx: Context) -> Channel:
    """Resolve a channel the bot can see; private ones it is not in look nonexistent."""
    channel = ctx.channel()
    if channel.kind != "public_channel" and ctx.team.bot_user_id not in channel.members:
        raise SlackError("channel_not_found")
    return channel


def _ts_micros(value: Any, code: str) -> int | None:
    if value is None or value == "":
        return None
    try:
        return int(Decimal(str(value)) * 1_000_000)
    except (InvalidOperation, ValueError):
        raise SlackError(code) from None


def _in_range(ctx: Context, messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    oldest = _ts_micros(ctx.params.get("oldest"), "invalid_ts_oldest")
    latest = _ts_micros(ctx.params.get("latest"), "invalid_ts_latest")
    inclusive = as_bool(ctx.params.get("inclusive"))
    kept = []
    for message in messages:
        ts = _ts_micros(message["ts"], "invalid_ts_latest")
        if oldest is not None and (ts < oldest or (ts == oldest and not inclusive)):
            continue
        if latest is not None and (ts > latest or (ts == latest and not inclusive)):
            continue
        kept.append(message)
    return kept


@method("conversations.open")
def open_conversation(ctx: Context) -> dict[str, Any]:
    """Open (or find) a DM or group DM; the D id is stable per user."""
    if ctx.arg("channel"):
        channel = ctx.channel()
        if not (channel.is_im or channel.is_mpim):
            raise SlackError("method_not_supported_for_channel_type")
        return {"channel": {"id": channel.id}, "no_op": True, "already_open": True}
    user_ids = as_list(ctx.params.get("users"))
    if not user_ids:
        raise SlackError("users_list_not_supplied")
    if len(user_ids) > MPIM_MAX_USERS:
        raise SlackError("too_many_users")
    for user_id in user_ids:
        user = ctx.team.users.get(user_id)
        if user is None:
            raise SlackError("user_not_found")
        if user.deleted:
            raise SlackError("user_disabled")
    if len(user_ids) == 1:
        ctx.require_scope("im:write")
        channel, existed = ctx.ws.open_im(ctx.team, user_ids[0])
    else:
        ctx.require_scope("mpim:write")
        channel, existed = ctx.ws.open_mpim(ctx.team, user_ids)
    body: dict[str, Any] = {"channel": {"id": channel.id}}
    if as_bool(ctx.params.get("return_im")):
        body["channel"] = channel.to_api(ctx.team.bot_user_id)
    if existed:
        body.update(no_op=True, already_open=True)
    return body


@method("conversations.info")
def info(ctx: Context) -> dict[str, Any]:
    """Describe a channel, including whether the bot is a member."""
    channel = visible_channel(ctx)
    ctx.require_scope(READ_SCOPE[channel.kind])
    return {"channel": channel.to_api(ctx.team.bot_user_id,
                                      num_members=as_bool(ctx.params.get("include_num_members")))}


@method("conversations.members")
def members(ctx: Context) -> dict[str, Any]:
    """List member ids of a channel, one cursor page at a time."""
    channel = visible_channel(ctx)
    ctx.require_scope(READ_SCOPE[channel.kind])
    page, cursor = paginate(sorted(channel.members), ctx.params, f"members-{channel.id}", default_limit=100,
                            max_limit=1000)
    return {"members": page, "response_metadata": {"next_cursor": cursor}}


@method("conversations.list")
def list_conversations(ctx: Context) -> dict[str, Any]:
    """List conversations of the requested types the bot may see."""
    types = as_list(ctx.params.get("types")) or ["public_channel"]
    if any(t not in READ_SCOPE for t in types):
        raise SlackError("invalid_types")
    for kind in types:
        ctx.require_scope(READ_SCOPE[kind])
    exclude_archived = as_bool(ctx.params.get("exclude_archived"))
    bot = ctx.team.bot_user_id
    channels = [
        c for c in sorted(ctx.team.channels.values(), key=lambda c: (c.created, c.id))
        if c.kind in types and not (exclude_archived and c.is_archived)
        and (c.kind == "public_channel" or bot in c.members)
    ]
    page, cursor = paginate(channels, ctx.params, "channels", default_limit=100, max_limit=1000)
    return {"channels": [c.to_api(bot) for c in page], "response_metadata": {"next_cursor": cursor}}


@method("conversations.join")
def join(ctx: Context) -> dict[str, Any]:
    """Add the bot to a public channel."""
    channel = visible_channel(ctx)
    if channel.kind != "public_channel":
        raise SlackError("method_not_supported_for_channel_type")
    if channel.is_archived:
        raise SlackError("is_archived")
    body: dict[str, Any] = {}
    if ctx.team.bot_user_id in channel.members:
        body.update(warning="already_in_channel", response_metadata={"warnings": ["already_in_channel"]})
    channel.members.add(ctx.team.bot_user_id)
    body["channel"] = channel.to_api(ctx.team.bot_user_id)
    return body


def _readable_history(ctx: Context) -> Channel:
    channel = visible_channel(ctx)
    ctx.require_scope(HISTORY_SCOPE[channel.kind])
    if ctx.team.bot_user_id not in channel.members:
        raise SlackError("not_in_channel")
    return channel


@method("conversations.history")
def history(ctx: Context) -> dict[str, Any]:
    """Return top-level messages newest first, filtered by oldest/latest and paged."""
    channel = _readable_history(ctx)
    top_level = [
        m for m in channel.messages
        if not m.get("thread_ts") or m["thread_ts"] == m["ts"] or m.get("subtype") == "thread_broadcast"
    ]
    messages = list(reversed(_in_range(ctx, top_level)))
    page, cursor = paginate(messages, ctx.params, f"history-{channel.id}", default_limit=100,
                            max_limit=HISTORY_MAX_LIMIT)
    return {"messages": copy.deepcopy(page), "has_more": bool(cursor), "pin_count": 0,
            "response_metadata": {"next_cursor": cursor}}


@method("conversations.replies")
def replies(ctx: Context) -> dict[str, Any]:
    """Return a thread: the parent first, then replies oldest first."""
    channel = _readable_history(ctx)
    ts = str(ctx.arg("ts"))
    parent = ctx.ws.find_message(channel, ts)
    if parent is None:
        raise SlackError("thread_not_found")
    thread = [m for m in channel.messages if m.get("thread_ts") == ts and m["ts"] != ts]
    messages = [parent] + _in_range(ctx, thread)
    page, cursor = paginate(messages, ctx.params, f"replies-{channel.id}-{ts}", default_limit=1000,
                            max_limit=1000)
    return {"messages": copy.deepcopy(page), "has_more": bool(cursor), "response_metadata": {"next_cursor": cursor}}
