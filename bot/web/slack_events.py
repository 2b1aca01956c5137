"""HTTP mode's Slack routes: `POST /slack/events`, and Bolt's OAuth install pages when configured.

A request to the events endpoint is checked before anything parses it: its body is read within
MAX_SLACK_BODY bytes (413 above), then Slack's signature is verified over those raw bytes
(constant-time, timestamp within five minutes). Only a signed body reaches Bolt. A refused
request is logged with its sender and size, never its body or signature.
"""

from __future__ import annotations

import io
import json
import logging
import re
from collections.abc import Callable, Iterable, Sequence
from urllib.parse import parse_qsl

from slack_bolt import App, BoltRequest, BoltResponse
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_bolt.context import BoltContext
from slack_bolt.request.internals import build_context
from slack_sdk.signature import SignatureVerifier

from bot.web.client_address import client_address
from bot.web.request_body import MAX_SLACK_BODY, RequestBodyError, read_body
from bot.web.responses import json_response
from storage.errors import SettingsError

log = logging.getLogger(__name__)
EVENTS_PATH = "/slack/events"
SIGNATURE_WINDOW = 5 * 60  # Slack's own rule: an older timestamp may be a replay
_TIMESTAMP = re.compile(r"[0-9]{1,12}")


def bolt_request(raw_body: str, query: str, headers: dict) -> BoltRequest:
    """Build the BoltRequest, fixing Bolt's reading of slash commands whose text contains "payload".

    Bolt treats any form body containing the substring "payload" as an interactivity payload, so
    `/report show payload` would parse to {} and be dropped. A slash command has a `command` field
    and no `payload` field; read it as the plain form it is.
    """
    request = BoltRequest(body=raw_body, query=query, headers=headers)
    if not request.body and raw_body and not raw_body.lstrip().startswith("{"):
        fields = dict(parse_qsl(raw_body, keep_blank_values=True))
        if "command" in fields and "payload" not in fields:
            request.body = fields
            request.context = build_context(BoltContext({}), fields)
    return request


class _Handler(SlackRequestHandler):
    def dispatch(self, request) -> BoltResponse:
        try:
            bolt = bolt_request(request.get_body(), request.query_string, request.get_headers())
        except (ValueError, json.JSONDecodeError):
            return _malformed()
        try:
            return self.app.dispatch(bolt)
        except (TypeError, AttributeError, KeyError) as exc:
            # A well-formed body of the wrong shape (an event_callback whose "event" is null) breaks
            # Bolt's own error handler; answer 400 rather than a 500 with a traceback.
            log.warning("malformed Slack request body: %s", type(exc).__name__)
            return _malformed()


def _malformed() -> BoltResponse:
    return BoltResponse(status=400, body='{"error": "malformed request body"}',
                        headers={"content-type": "application/json"})


class _WithoutRefusedBodies(logging.Filter):
    """Drop Bolt's own refusal line: it carries the refused body and signature (ours says who and why)."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith("Invalid request signature")


def _quiet_bolt_refusals() -> None:
    bolt_verification = logging.getLogger("slack_bolt.RequestVerification")
    if not any(isinstance(f, _WithoutRefusedBodies) for f in bolt_verification.filters):
        bolt_verification.addFilter(_WithoutRefusedBodies())


class SlackEvents:
    """The WSGI app of the Slack routes; every events request is size-capped and signature-checked first."""

    def __init__(self, app: App, signing_secret: str | None, *, trusted_proxies: Sequence[str] = (),
                 max_bytes: int = MAX_SLACK_BODY) -> None:
        if not signing_secret:
            raise SettingsError("SLACK_SIGNING_SECRET is not set. HTTP mode needs it to verify requests from Slack.")
        self._verifier = SignatureVerifier(signing_secret)
        self._bolt = _Handler(app, path=EVENTS_PATH)
        self._trusted_proxies = tuple(trusted_proxies)
        self.max_bytes = max_bytes
        _quiet_bolt_refusals()

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == EVENTS_PATH and environ.get("REQUEST_METHOD") == "POST":
            try:
                raw = read_body(environ, self.max_bytes)
            except RequestBodyError as exc:
                log.warning("refused a request to %s from %s: %s", EVENTS_PATH, self._sender(environ), exc)
                return json_response(start_response, exc.status, {"error": str(exc)})
            refusal = self.refusal(raw, environ)
            if refusal is not None:
                log.warning("refused a request to %s from %s: %s (%d bytes)", EVENTS_PATH, self._sender(environ),
                            refusal, len(raw))
                return json_response(start_response, 401, {"error": "invalid request"})
            environ = {**environ, "wsgi.input": io.BytesIO(raw), "CONTENT_LENGTH": str(len(raw))}
        return self._bolt(environ, start_response)

    def refusal(self, raw: bytes, environ: dict) -> str | None:
        """Why the request is not Slack's (in words for the log), or None when its signature holds."""
        timestamp = environ.get("HTTP_X_SLACK_REQUEST_TIMESTAMP", "")
        signature = environ.get("HTTP_X_SLACK_SIGNATURE", "")
        if not timestamp or not signature:
            return "no Slack signature"
        if not _TIMESTAMP.fullmatch(timestamp):
            return "the signature's timestamp is not a number"
        if abs(self._verifier.clock.now() - int(timestamp)) > SIGNATURE_WINDOW:
            return "the signature's timestamp is more than 5 minutes away (a replay, or a wrong clock here)"
        if not self._verifier.is_valid(raw, timestamp, signature):  # hmac.compare_digest inside
            return "the signature does not match (a forged request, or the wrong SLACK_SIGNING_SECRET)"
        return None

    def _sender(self, environ: dict) -> str:
        return client_address(environ, self._trusted_proxies) or "an unknown address"
