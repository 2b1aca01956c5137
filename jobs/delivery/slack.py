"""Post a run into one Slack conversation, and find out afterwards whether a post arrived.

Every report message carries a marker (the first block's `block_id`, unique per delivery). A
worker that finds a delivery marked `sending` (its predecessor died between calling Slack and
recording the answer) looks for that marker in the conversation's recent history: found means
sent, not found means safe to send, and "could not look" means do not risk a duplicate.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import socket
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError, SlackRequestError

from jobs.delivery import policy
from jobs.delivery.explain import (
    PERMANENT_SLACK_ERRORS,
    TRANSIENT_SLACK_ERRORS,
    slack_error,
)
from storage.models import DestinationKind

log = logging.getLogger(__name__)

POSTING_METHODS = ("chat.postMessage", "files.completeUploadExternal")
HISTORY_PAGES = 5  # 5 × 200 messages after the attempt began: beyond that, call it unknown
UNKNOWN = "unknown"


@dataclass(frozen=True)
class SlackFile:
    filename: str
    title: str
    path: Path  # slack_sdk reads it when uploading


def marker(delivery_id: int) -> str:
    return f"reportbot-delivery-{delivery_id}"


def with_marker(blocks: list[dict], delivery_id: int) -> list[dict]:
    """Tag the message so it can be recognised in history (a block_id is invisible to people)."""
    if not blocks:
        return blocks
    return [{**blocks[0], "block_id": marker(delivery_id)}, *blocks[1:]]


def resolve_channel(client: WebClient, kind: str, target: str) -> tuple[str | None, policy.SendOutcome | None]:
    """Return the conversation id to post into (DMs are opened first), or the outcome of failing."""
    if kind == DestinationKind.SLACK_CHANNEL:
        return target, None
    try:
        return client.conversations_open(users=target)["channel"]["id"], None
    except Exception as exc:  # classified below; nothing was posted yet
        return None, classify(exc, posting=False)


def post_report(client: WebClient, channel_id: str, *, text: str, blocks: list[dict],
                files: list[SlackFile]) -> policy.SendOutcome:
    """Post one message with the summary and buttons and every file (shared in one call)."""
    try:
        if files:
            uploaded = _upload_and_share(client, channel_id, files, blocks)
            return policy.sent(channel_id=channel_id, file_ids=[f["id"] for f in uploaded],
                               message_ts=_share_ts(uploaded, channel_id))
        response = client.chat_postMessage(channel=channel_id, text=text, blocks=blocks)
        return policy.sent(channel_id=channel_id, message_ts=response.get("ts"))
    except Exception as exc:
        return classify(exc, posting=True)


class UploadFailed(Exception):
    """Slack's upload URL did not take a file's bytes; nothing was posted yet.

    `status` is the HTTP status (None: no answer at all), `retry_after` the seconds it asked for.
    """

    def __init__(self, status: int | None, retry_after: float | None = None) -> None:
        super().__init__(f"upload URL answered HTTP {status}" if status else "upload URL could not be reached")
        self.status, self.retry_after = status, retry_after


def _upload_and_share(client: WebClient, channel_id: str, files: list[SlackFile], blocks: list[dict]) -> list[dict]:
    """Slack's three upload steps (what files_upload_v2 does), done here so that a failing upload
    URL is told apart from a failing post: reserve each file, send its bytes, then share them all
    in one message with files.completeUploadExternal, the only step that posts."""
    reserved = []
    for file in files:
        size = file.path.stat().st_size
        ticket = client.files_getUploadURLExternal(filename=file.filename, length=size)
        with open(file.path, "rb") as body:  # streamed from disk, never read whole
            _send_file(client, ticket["upload_url"], body, size)
        reserved.append({"id": ticket["file_id"], "title": file.title})
    response = client.files_completeUploadExternal(files=reserved, channel_id=channel_id, blocks=json.dumps(blocks))
    return response.get("files") or []


def _send_file(client: WebClient, url: str, body, size: int) -> None:
    """POST a file's bytes to its upload URL; raise UploadFailed with what the server said.

    The URL comes from Slack and carries its own one-time ticket: no token is sent with it.
    """
    if not url.startswith(("https://", "http://")):
        raise UploadFailed(None)
    handlers = [urllib.request.HTTPSHandler(context=client.ssl)]
    if client.proxy:
        handlers.append(urllib.request.ProxyHandler({"http": client.proxy, "https": client.proxy}))
    request = urllib.request.Request(url, data=body, method="POST", headers={"Content-Length": str(size)})
    try:
        with urllib.request.build_opener(*handlers).open(request, timeout=client.timeout) as response:
            response.read(64 * 1024)  # a short acknowledgement ("OK - 123"); never read without bound
            status = response.status
    except urllib.error.HTTPError as exc:
        raise UploadFailed(exc.code, policy.retry_after_seconds(exc.headers.get("Retry-After"))) from None
    except (urllib.error.URLError, OSError):
        raise UploadFailed(None) from None
    if status != 200:
        raise UploadFailed(status)


def _share_ts(files: list[dict], channel_id: str) -> str | None:
    """The ts of the message the files were shared in (Slack fills `shares` once sharing is done)."""
    for file in files:
        for scope in (file.get("shares") or {}).values():
            for share in scope.get(channel_id) or []:
                if share.get("ts"):
                    return share["ts"]
    return None


def classify(exc: Exception, *, posting: bool) -> policy.SendOutcome:
    """Turn an exception from slack_sdk into a SendOutcome."""
    if isinstance(exc, SlackApiError):
        response = exc.response
        code = (response.get("error") if response is not None else None) or "unknown_error"
        status = getattr(response, "status_code", 200) or 200
        method = (getattr(response, "api_url", "") or "").rstrip("/").rsplit("/", 1)[-1]
        if status == 429 or code == "ratelimited":
            return policy.retry("ratelimited", slack_error("ratelimited"), retry_after=_retry_after(response))
        if code in PERMANENT_SLACK_ERRORS:
            return policy.failed(code, slack_error(code), fallback=True)
        if status >= 500 or code in TRANSIENT_SLACK_ERRORS:
            # Slack says such failures may have been carried out in part: on the posting call,
            # look before posting again.
            ambiguous = posting and method in POSTING_METHODS
            detail = f"Slack answered HTTP {status}" if status >= 500 else slack_error(code)
            return policy.retry(code if status < 500 else f"http_{status}", detail,
                                retry_after=_retry_after(response), maybe_sent=ambiguous)
        return policy.failed(code, slack_error(code), fallback=True)
    if isinstance(exc, UploadFailed):  # before anything is posted
        return _upload_outcome(exc)
    if isinstance(exc, SlackRequestError):  # slack_sdk refused to build the request: nothing was sent
        return policy.retry("request_failed", "the request to Slack could not be made")
    if _refused(exc):
        return policy.retry("connection_refused", "Slack could not be reached")
    if isinstance(exc, (SlackClientError, OSError, urllib.error.URLError, socket.timeout)):
        return policy.retry(type(exc).__name__, "Slack could not be reached", maybe_sent=posting)
    raise exc


def _upload_outcome(exc: UploadFailed) -> policy.SendOutcome:
    if exc.status == 429:
        return policy.retry("ratelimited", slack_error("ratelimited"), retry_after=exc.retry_after)
    if exc.status is None:
        return policy.retry("upload_unreachable", "Slack's file upload server could not be reached")
    if exc.status >= 500:
        return policy.retry(f"upload_http_{exc.status}", "Slack's file upload server had an error",
                            retry_after=exc.retry_after)
    return policy.retry(f"upload_http_{exc.status}", "Slack's file upload server refused the file",
                        retry_after=exc.retry_after)


def _refused(exc: BaseException) -> bool:
    reason = getattr(exc, "reason", None)
    return isinstance(exc, ConnectionRefusedError) or isinstance(reason, ConnectionRefusedError)


def _retry_after(response) -> float | None:
    headers = getattr(response, "headers", None) or {}
    return policy.retry_after_seconds(next((v for k, v in headers.items() if k.lower() == "retry-after"), None))


def find_evidence(client: WebClient, channel_id: str, delivery_id: int, since: dt.datetime) -> str | None:
    """Return the ts of this delivery's message if it is in the channel, None if it is not, or
    UNKNOWN when history cannot tell (no access, Slack down, too many messages since)."""
    wanted = marker(delivery_id)
    oldest = f"{(since - dt.timedelta(minutes=2)).timestamp():.6f}"
    cursor = None
    try:
        for _ in range(HISTORY_PAGES):
            page = client.conversations_history(channel=channel_id, oldest=oldest, limit=200, cursor=cursor)
            for message in page.get("messages") or []:
                if any(block.get("block_id") == wanted for block in message.get("blocks") or []):
                    return message.get("ts") or UNKNOWN
            cursor = (page.get("response_metadata") or {}).get("next_cursor")
            if not cursor:
                return None
    except SlackApiError as exc:
        if (exc.response or {}).get("error") == "channel_not_found":
            return None  # no conversation, no earlier post in it
        log.warning("delivery %s: could not read %s history to check for an earlier post: %s",
                    delivery_id, channel_id, (exc.response or {}).get("error"))
        return UNKNOWN
    except Exception as exc:
        log.warning("delivery %s: could not read %s history to check for an earlier post: %s",
                    delivery_id, channel_id, type(exc).__name__)
        return UNKNOWN
    return UNKNOWN
