"""Build signed inbound Slack requests (slash commands, interactivity, events) for tests and the demo."""

from __future__ import annotations

import json
import logging
import secrets
import time
import urllib.error
import urllib.request
from urllib.parse import quote, urlencode

from slack_sdk.signature import SignatureVerifier

from slack_emulator.payloads import block_actions_payload, view_submission_payload
from slack_emulator.state import APP_ID

logger = logging.getLogger(__name__)

__all__ = ["SlackRequestSigner", "block_actions_payload", "post", "view_submission_payload"]

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"
# Slack still sends the legacy verification token field; Bolt ignores it.
LEGACY_TOKEN = "legacy-verification-token-unused"


class SlackRequestSigner:
    """Sign request bodies exactly as Slack does (v0 HMAC-SHA256 over "v0:ts:body")."""

    def __init__(self, signing_secret: str, team_id: str = "T0TEST01", *, api_app_id: str = APP_ID,
                 team_domain: str = "acme") -> None:
        self._verifier = SignatureVerifier(signing_secret)
        self.team_id = team_id
        self.api_app_id = api_app_id
        self.team_domain = team_domain

    def sign(self, body: str, content_type: str = JSON, timestamp: int | str | None = None) -> tuple[str, dict]:
        """Return (body, headers) with Content-Type and the two signature headers."""
        ts = str(int(time.time()) if timestamp is None else timestamp)
        signature = self._verifier.generate_signature(timestamp=ts, body=body)
        return body, {"Content-Type": content_type, "X-Slack-Request-Timestamp": ts, "X-Slack-Signature": signature}

    def slash_command(self, text: str, *, user_id: str, channel_id: str, command: str = "/report",
                      user_name: str = "alice", channel_name: str = "general", response_url: str = "",
                      trigger_id: str = "", team_id: str | None = None,
                      timestamp: int | str | None = None) -> tuple[str, dict]:
        """Return a signed form-encoded slash command body and headers."""
        fields = {
            "token": LEGACY_TOKEN, "team_id": team_id or self.team_id, "team_domain": self.team_domain,
            "channel_id": channel_id, "channel_name": channel_name, "user_id": user_id, "user_name": user_name,
            "command": command, "text": text, "api_app_id": self.api_app_id, "is_enterprise_install": "false",
            "response_url": response_url, "trigger_id": trigger_id,
        }
        return self.sign(urlencode(fields), FORM, timestamp)

    def interaction(self, payload: dict, timestamp: int | str | None = None) -> tuple[str, dict]:
        """Return a signed interactivity body (payload=<urlencoded JSON>) and headers."""
        return self.sign("payload=" + quote(json.dumps(payload), safe=""), FORM, timestamp)

    def event(self, event: dict, *, event_id: str | None = None, team_id: str | None = None,
              timestamp: int | str | None = None, retry_num: int | None = None,
              retry_reason: str = "http_timeout", authorized_user_id: str | None = None) -> tuple[str, dict]:
        """Return a signed event_callback envelope; retry_num adds X-Slack-Retry-Num/Reason."""
        team = team_id or self.team_id
        now = int(time.time())
        envelope = {
            "token": LEGACY_TOKEN, "team_id": team, "api_app_id": self.api_app_id, "event": event,
            "type": "event_callback", "event_id": event_id or f"Ev{secrets.token_hex(5).upper()}",
            "event_time": int(timestamp) if timestamp is not None else now,
            "authorizations": [{"enterprise_id": None, "team_id": team,
                                "user_id": authorized_user_id or f"UB{team[1:]}", "is_bot": True,
                                "is_enterprise_install": False}],
            "is_ext_shared_channel": False, "event_context": f"4-emulator-{secrets.token_hex(6)}",
        }
        body, headers = self.sign(json.dumps(envelope), JSON, timestamp)
        if retry_num is not None:
            headers["X-Slack-Retry-Num"] = str(retry_num)
            headers["X-Slack-Retry-Reason"] = retry_reason
        return body, headers

    def url_verification(self, challenge: str = "emulator-challenge",
                         timestamp: int | str | None = None) -> tuple[str, dict]:
        """Return a signed url_verification handshake."""
        body = json.dumps({"token": LEGACY_TOKEN, "challenge": challenge, "type": "url_verification"})
        return self.sign(body, JSON, timestamp)


def post(url: str, body: str, headers: dict, timeout: float = 10) -> tuple[int, str]:
    """POST a body with urllib (no proxies); return (status, text) for 4xx/5xx too."""
    request = urllib.request.Request(url, data=body.encode("utf-8"), headers=dict(headers), method="POST")
    # Local test traffic must never go through an HTTP(S)_PROXY from the environment.
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(request, timeout=timeout) as response:
            return response.status, response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8", "replace")
