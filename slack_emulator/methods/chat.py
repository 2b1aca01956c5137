"""chat.postMessage, chat.postEphemeral and chat.update."""

from __future__ import annotations

import logging
from typing import Any

from slack_emulator import blockkit
from slack_emulator.errors import SlackError
from slack_emulator.methods import Context, as_bool, method
from slack_emulator.state import APP_ID, Channel

logger = logging.getLogger(__name__)


def invalid_blocks(problems: list[str], code: str = "invalid_blocks") -> SlackError:
    """Build Slack's invalid_blocks error, listing each problem."""
    error = SlackError(code, *problems)
    error.extra["errors"] = list(problems)
    return error


def message_content(ctx: Context, *, too_long: str, required: bool = True) -> dict[str, Any]:
    """Validate text/blocks/attachments and return the fields to store."""
    text = ctx.params.get("text")
    blocks = ctx.params.get("blocks")
    attachments = ctx.params.get("attachments")
    markdown = ctx.params.get("markdown_text")
    if blocks is not None and not isinstance(blocks, list):
        # A string here means the form value was not valid JSON.
        raise SlackError("invalid_blocks_format", "blocks must be a JSON array")
    if attachments is not None and not isinstance(attachments, list):
        raise SlackError("invalid_arguments", "attachments must be a JSON array")
    if required and not (text or blocks or attachments or markdown):
        raise SlackError("no_text")
    content: dict[str, Any] = {}
    if blocks is not None:
        problems = blockkit.validate_blocks(blocks, "message")
        if problems:
            raise invalid_blocks(problems)
        if blockkit.block_text_length(blocks) > blockkit.MESSAGE_BLOCK_TEXT_MAX:
            raise SlackError(too_long)
        content["blocks"] = blocks
    if attachments is not None:
        if len(attachments) > blockkit.MAX_ATTACHMENTS:
            raise SlackError("too_many_attachments")
        for index, attachment in enumerate(attachments):
            problems = blockkit.validate_blocks((attachment or {}).get("blocks") or [], "message")
            if problems:
                raise invalid_blocks([p.replace("/blocks", f"/attachments/{index}/blocks", 1) for p in problems])
        content["attachments"] = attachments
    if text is not None:
        # Slack silently truncates very long text rather than rejecting it.
        content["text"] = str(text)[: blockkit.MESSAGE_TEXT_MAX]
    elif markdown is not None:
        content["text"] = str(markdown)[: blockkit.MESSAGE_TEXT_MAX]
    if ctx.params.get("metadata") is not None:
        content["metadata"] = ctx.params["metadata"]
    return content


def post_target(ctx: Context, *, public_bypass: bool) -> Channel:
    """Resolve where a message goes, enforcing archive and membership rules."""
    ref = ctx.arg("channel")
    if isinstance(ref, str) and ref[:1] in ("U", "W") and ref in ctx.team.users:
        # Posting to a user id lands in the bot's DM with them (App Home messages tab).
        channel, _existed = ctx.ws.open_im(ctx.team, ref)
        return channel
    channel = ctx.channel()
    if channel.is_archived:
        raise SlackError("is_archived")
    if ctx.team.bot_user_id not in channel.members:
        public = channel.kind == "public_channel"
        if not (public and public_bypass and ctx.has_scope("chat:write.public")):
            raise SlackError("not_in_channel")
    return channel


def bot_message(ctx: Context, content: dict[str, Any]) -> dict[str, Any]:
    """Return a message dict authored by the bot."""
    team = ctx.team
    message = {
        "type": "message", "user": team.bot_user_id, "bot_id": team.bot_id, "app_id": APP_ID, "team": team.id,
        "text": "", "bot_profile": {"id": team.bot_id, "app_id": APP_ID, "name": "reportbot", "deleted": False,
                                    "team_id": team.id},
    }
    message.update(content)
    for key in ("username", "icon_emoji", "icon_url"):
        if ctx.arg(key):
            message[key] = ctx.arg(key)
    return message


@method("chat.postMessage")
def post_message(ctx: Context) -> dict[str, Any]:
    """Post a message into channel history and return its ts."""
    channel = post_target(ctx, public_bypass=True)
    message = bot_message(ctx, message_content(ctx, too_long="msg_blocks_too_long"))
    thread_ts = ctx.arg("thread_ts")
    if thread_ts:
        message["thread_ts"] = str(thread_ts)
        if as_bool(ctx.params.get("reply_broadcast")):
            message["subtype"] = "thread_broadcast"
    ctx.ws.append_message(channel, message)
    return {"channel": channel.id, "ts": message["ts"], "message": dict(message)}


@method("chat.postEphemeral")
def post_ephemeral(ctx: Context) -> dict[str, Any]:
    """Record an ephemeral message visible to one channel member."""
    channel = post_target(ctx, public_bypass=True)
    user_id = ctx.arg("user")
    if user_id not in channel.members:
        raise SlackError("user_not_in_channel")
    content = message_content(ctx, too_long="msg_too_long")
    ts = ctx.ws.next_ts()
    record = {"channel": channel.id, "user": user_id, "message_ts": ts, **content}
    if ctx.arg("thread_ts"):
        record["thread_ts"] = str(ctx.arg("thread_ts"))
    ctx.rec.add("ephemerals", record)
    return {"message_ts": ts}


@method("chat.update")
def update(ctx: Context) -> dict[str, Any]:
    """Replace a bot message's text/blocks/attachments in place."""
    channel = ctx.channel()
    message = ctx.ws.find_message(channel, str(ctx.arg("ts")))
    if message is None:
        raise SlackError("message_not_found")
    if message.get("bot_id") != ctx.team.bot_id:
        raise SlackError("cant_update_message")
    content = message_content(ctx, too_long="msg_too_long")
    message.update(content)
    message["edited"] = {"user": ctx.team.bot_user_id, "ts": ctx.ws.next_ts()}
    return {"channel": channel.id, "ts": message["ts"], "text": message.get("text", ""), "message": dict(message)}
