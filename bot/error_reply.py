"""The one error handler: say what went wrong where the person acted, never a traceback.

A `UserError` (storage.errors) is shown as written; anything else is logged with a short error id
and the person gets that id.
"""

from __future__ import annotations

import json
import logging
import uuid

from slack_bolt import BoltResponse
from slack_sdk import WebClient

from bot.respond import info_view, tell, where_from_body
from storage.errors import UserError

log = logging.getLogger(__name__)


def handle_errors(error: Exception, body: dict, client: WebClient) -> BoltResponse | None:
    """Bolt's `app.error` handler, also called for errors raised after a listener acked."""
    message = error_message(error)
    body = body or {}
    if body.get("type") == "view_submission":
        return _modal_error(body.get("view") or {}, message)
    try:
        tell(client, where_from_body(body), message, trigger_id=body.get("trigger_id"))
    except Exception:
        log.exception("could not tell the user about an error")
    return None


def error_message(error: Exception) -> str:
    """What the person is told: a UserError as written; anything else logged, with its short id."""
    if isinstance(error, UserError):
        return f"⚠️ {error}"
    error_id = uuid.uuid4().hex[:8]
    log.error("unhandled error %s: %s", error_id, error, exc_info=error)
    return f"Sorry, something went wrong on my side (error id `{error_id}`). Please try again."


def _modal_error(view: dict, message: str) -> BoltResponse:
    """An open modal shows the error next to its first field, or instead of its content."""
    inputs = [b.get("block_id") for b in view.get("blocks", []) if b.get("type") == "input" and b.get("block_id")]
    if inputs:
        body = {"response_action": "errors", "errors": {inputs[0]: message[:1900]}}
    else:
        body = {"response_action": "update", "view": info_view("Something went wrong", message)}
    return BoltResponse(status=200, body=json.dumps(body), headers={"content-type": "application/json;charset=utf-8"})
