"""files.getUploadURLExternal, the raw upload endpoint, files.completeUploadExternal, files.info."""

from __future__ import annotations

import email.parser
import email.policy
import logging
import mimetypes
import secrets
import time
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any

from slack_emulator import blockkit
from slack_emulator.errors import SlackError
from slack_emulator.methods import Context, as_int, as_list, method
from slack_emulator.methods.chat import bot_message, invalid_blocks
from slack_emulator.records import UploadedFile
from slack_emulator.state import Channel, Team

if TYPE_CHECKING:
    from slack_emulator.emulator import SlackEmulator

logger = logging.getLogger(__name__)

ALT_TXT_MAX = 1000
SNIPPET_MAX_BYTES = 1_000_000
CHANNELS_MAX = 100


@method("files.getUploadURLExternal")
def get_upload_url(ctx: Context) -> dict[str, Any]:
    """Reserve a file id and hand out a one-file upload URL on this emulator."""
    length = as_int(ctx.params.get("length"), "length")
    if length is None or length < 1:
        raise SlackError("missing_argument", "length must be at least 1")
    alt_txt = ctx.arg("alt_txt")
    if alt_txt and len(str(alt_txt)) > ALT_TXT_MAX:
        raise SlackError("alt_txt_too_large")
    snippet_type = ctx.arg("snippet_type")
    if snippet_type and length > SNIPPET_MAX_BYTES:
        raise SlackError("snippet_too_large")
    file_id = ctx.ws.new_id("F")
    ticket = secrets.token_urlsafe(12)
    ctx.team.files[file_id] = {
        "id": file_id, "filename": str(ctx.arg("filename")), "length": length, "alt_txt": alt_txt,
        "snippet_type": snippet_type, "content": None, "completed": False, "created": int(time.time()),
    }
    ctx.ws.upload_tickets[ticket] = (ctx.team.id, file_id)
    return {"upload_url": f"{ctx.emu.url}/upload/v1/{ticket}", "file_id": file_id}


def _multipart_payload(body: bytes, content_type: str) -> bytes | None:
    """Return the file part of a multipart body (or the first part)."""
    parser = email.parser.BytesParser(policy=email.policy.HTTP)
    message = parser.parsebytes(f"Content-Type: {content_type}\r\n\r\n".encode() + body)
    parts = [p for p in message.iter_parts()] if message.is_multipart() else []
    chosen = next((p for p in parts if p.get_filename()), parts[0] if parts else None)
    return chosen.get_payload(decode=True) if chosen is not None else None


def receive_upload(emu: SlackEmulator, ticket: str, body: bytes, content_type: str) -> tuple[int, str]:
    """Store bytes POSTed to an upload URL; answer like files.slack.com."""
    with emu.lock:
        target = emu.workspace.upload_tickets.get(ticket)
        if target is None:
            return 404, "upload ticket not found"
        team_id, file_id = target
        entry = emu.workspace.teams[team_id].files[file_id]
        if content_type.startswith("multipart/form-data"):
            payload = _multipart_payload(body, content_type)
            if payload is None:
                return 400, "multipart body has no parts"
            body = payload
        if len(body) != entry["length"]:
            return 400, f"length mismatch: expected {entry['length']} bytes, got {len(body)}"
        entry["content"] = bytes(body)
        return 200, f"OK - {len(body)}"


def _targets(ctx: Context) -> list[Channel]:
    refs = ([ctx.arg("channel_id")] if ctx.arg("channel_id") else []) + as_list(ctx.params.get("channels"))
    if len(refs) > CHANNELS_MAX:
        raise SlackError("channels_limit_exceeded")
    channels: list[Channel] = []
    for ref in dict.fromkeys(refs):
        if str(ref)[:1] in ("U", "W"):
            # Uploads need a conversation id; a user id must first go through conversations.open.
            raise SlackError("invalid_arguments", f"channel_id must be a C, G or D id, got user id {ref}")
        channel = ctx.ws.find_channel(ctx.team, ref)
        if channel is None or (channel.kind != "public_channel" and ctx.team.bot_user_id not in channel.members):
            raise SlackError("channel_not_found")
        if channel.is_archived:
            raise SlackError("invalid_channel")
        if ctx.team.bot_user_id not in channel.members and not ctx.has_scope("chat:write.public"):
            raise SlackError("not_in_channel")
        channels.append(channel)
    return channels


def file_object(emu: SlackEmulator, team: Team, entry: dict[str, Any]) -> dict[str, Any]:
    """Render a stored file like files.info does."""
    name = entry["filename"]
    suffix = PurePosixPath(name).suffix.lower().lstrip(".")
    shares: dict[str, dict[str, list]] = {}
    lists: dict[str, list[str]] = {"channels": [], "groups": [], "ims": []}
    for channel_id, ts in entry.get("shares", []):
        channel = team.channels[channel_id]
        scope = "public" if channel.kind == "public_channel" else "private"
        shares.setdefault(scope, {}).setdefault(channel_id, []).append({"ts": ts, "team_id": team.id})
        key = {"public_channel": "channels", "im": "ims"}.get(channel.kind, "groups")
        lists[key].append(channel_id)
    url = f"{emu.url}/files/{entry['id']}/{name}"
    return {
        "id": entry["id"], "created": entry["created"], "timestamp": entry["created"], "name": name,
        "title": entry.get("title") or name, "mimetype": mimetypes.guess_type(name)[0] or "application/octet-stream",
        "filetype": suffix or "binary", "pretty_type": (suffix or "binary").upper(), "user": team.bot_user_id,
        "user_team": team.id, "editable": False, "size": entry["length"], "mode": "hosted", "is_external": False,
        "is_public": bool(lists["channels"]), "display_as_bot": False, "url_private": url,
        "url_private_download": url, "permalink": f"{team.url}files/{team.bot_user_id}/{entry['id']}/{name}",
        "alt_txt": entry.get("alt_txt") or "", "comments_count": 0, "shares": shares, **lists,
    }


@method("files.completeUploadExternal")
def complete_upload(ctx: Context) -> dict[str, Any]:
    """Finish uploads, share them into channels and record them for tests."""
    items = ctx.params.get("files")
    if not isinstance(items, list) or not items:
        raise SlackError("invalid_arguments", "files must be a non-empty JSON array")
    entries = []
    for item in items:
        file_id = item.get("id") if isinstance(item, dict) else None
        entry = ctx.team.files.get(str(file_id))
        if entry is None or entry["content"] is None or entry["completed"]:
            raise SlackError("file_not_found")
        entries.append((entry, item))
    channels = _targets(ctx)
    thread_ts = ctx.arg("thread_ts")
    if thread_ts and len(channels) != 1:
        raise SlackError("invalid_arguments", "thread_ts needs exactly one channel")
    initial_comment = ctx.arg("initial_comment")
    blocks = ctx.params.get("blocks")
    if blocks is not None and not initial_comment:
        problems = blockkit.validate_blocks(blocks, "message") if isinstance(blocks, list) else [
            "must be a JSON array [json-pointer:/blocks]"]
        if problems:
            raise invalid_blocks(problems)
    else:
        blocks = None
    for entry, item in entries:
        entry.update(completed=True, title=item.get("title") or entry["filename"], shares=[])
    for channel in channels:
        content: dict[str, Any] = {"text": str(initial_comment or ""), "upload": True, "display_as_bot": False}
        if blocks:
            content["blocks"] = blocks
        message = bot_message(ctx, content)
        if thread_ts:
            message["thread_ts"] = str(thread_ts)
        message["files"] = [{"id": e["id"], "name": e["filename"], "title": e["title"]} for e, _ in entries]
        ctx.ws.append_message(channel, message)
        for entry, _item in entries:
            entry["shares"].append((channel.id, message["ts"]))
    for entry, _item in entries:
        ctx.rec.add("uploads", UploadedFile(
            id=entry["id"], filename=entry["filename"], title=entry["title"], content=entry["content"],
            length=entry["length"], channel_id=channels[0].id if channels else None,
            initial_comment=initial_comment, thread_ts=str(thread_ts) if thread_ts else None,
            alt_txt=entry["alt_txt"], blocks=blocks, channels=tuple(c.id for c in channels), team_id=ctx.team.id,
            snippet_type=entry["snippet_type"],
        ))
    return {"files": [file_object(ctx.emu, ctx.team, e) for e, _ in entries]}


@method("files.info")
def info(ctx: Context) -> dict[str, Any]:
    """Describe a completed file."""
    entry = ctx.team.files.get(str(ctx.arg("file")))
    if entry is None or not entry["completed"]:
        raise SlackError("file_not_found")
    return {"file": file_object(ctx.emu, ctx.team, entry), "comments": [],
            "response_metadata": {"next_cursor": ""}}


@method("files.upload")
def upload_v1(ctx: Context) -> dict[str, Any]:
    """Refuse the retired v1 upload, as Slack does since its sunset."""
    raise SlackError("method_deprecated", "files.upload is retired; use files_upload_v2")
