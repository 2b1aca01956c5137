"""Answer one Web API call: auth, faults, rate limits, scopes, required args, handler, record."""

from __future__ import annotations

import base64
import binascii
import logging
import time
from typing import TYPE_CHECKING, Any

from slack_emulator.errors import SlackError
from slack_emulator.methods import HANDLERS, NO_AUTH_METHODS, Context
from slack_emulator.records import Call

if TYPE_CHECKING:
    from slack_emulator.emulator import SlackEmulator

logger = logging.getLogger(__name__)

Result = tuple[int, dict[str, Any], dict[str, str]]


class _Injected(Exception):
    """Carry an injected fault's response past the documented-error check."""

    def __init__(self, result: Result) -> None:
        super().__init__(result[1].get("error"))
        self.result = result


def _credentials(params: dict[str, Any], headers: dict[str, str]) -> str | None:
    """Pull the token (or OAuth client credentials) out of headers and params."""
    token = params.pop("token", None) or None
    auth = headers.get("authorization", "")
    scheme, _, value = auth.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        token = value.strip()
    elif scheme.lower() == "basic" and value.strip():
        # oauth.v2.access sends client_id/client_secret as HTTP Basic auth.
        try:
            client_id, _, secret = base64.b64decode(value.strip()).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            client_id, secret = "", ""
        params.setdefault("client_id", client_id)
        params.setdefault("client_secret", secret)
    return token


def _redacted(headers: dict[str, str]) -> dict[str, str]:
    safe = dict(headers)
    if "authorization" in safe:
        scheme = safe["authorization"].partition(" ")[0]
        safe["authorization"] = f"{scheme} <redacted>"
    return safe


def _run(emu: SlackEmulator, method: str, params: dict[str, Any], token: str | None, team) -> Result:
    handler = HANDLERS.get(method)
    spec = emu.catalog.spec(method)
    if handler is None:
        detail = ("this method exists in Slack but is not emulated" if spec is not None
                  else f"unknown method {method}")
        raise SlackError("unknown_method", detail, req_method=method)
    if method not in NO_AUTH_METHODS:
        if not token:
            raise SlackError("not_authed")
        if team is None:
            raise SlackError("invalid_auth")
    fault = emu.faults.take(method)
    if fault is not None:
        raise _Injected(fault.response())
    if emu.enforce_rate_limits and team is not None:
        channel = params.get("channel") if isinstance(params.get("channel"), str) else None
        buckets = emu.rate_limiter.limits_for(method, spec.tier if spec else None, team.id, channel)
        retry_after = emu.rate_limiter.check(buckets)
        if retry_after is not None:
            return 429, {"ok": False, "error": "ratelimited"}, {"Retry-After": str(retry_after)}
    if spec and spec.bot_scopes and team and not any(s in team.scopes for s in spec.bot_scopes):
        raise SlackError("missing_scope", needed=",".join(spec.bot_scopes), provided=",".join(team.scopes))
    for arg in spec.required if spec else ():
        if params.get(arg) is None or params.get(arg) == "":
            raise SlackError(emu.catalog.missing_argument_error(method, arg), f"missing required field: {arg}")
    ctx = Context(method=method, params=params, team=team, token=token, emu=emu)
    body = handler(ctx)
    return 200, {"ok": True, **body}, ctx.response_headers


def handle_api_call(emu: SlackEmulator, method: str, params: dict[str, Any], headers: dict[str, str]) -> Result:
    """Answer a call to /api/<method> and record it."""
    params = dict(params)
    token = _credentials(params, headers)
    recorded_params = {k: v for k, v in params.items() if k != "client_secret"}
    with emu.lock:
        team = emu.workspace.team_for_token(token)
        injected = False
        try:
            status, body, extra = _run(emu, method, params, token, team)
        except _Injected as fault:
            # Tests choose injected codes deliberately, so they are not checked against the reference.
            (status, body, extra), injected = fault.result, True
        except SlackError as error:
            status, body, extra = error.status, error.body(), {}
        except Exception:  # a handler bug must not kill the server thread
            logger.exception("emulator handler for %s crashed", method)
            emu.recorder.server_errors.append(method)
            status, body, extra = 500, {"ok": False, "error": "internal_error"}, {}
        if status == 429:
            emu.recorder.ratelimited += 1
        code = body.get("error")
        if code and not injected and not emu.catalog.is_documented(method, code):
            logger.warning("emulator returned %s from %s, which the method reference does not list", code, method)
            emu.recorder.undocumented.append((method, code))
        emu.recorder.add("calls", Call(
            method=method, params=recorded_params, headers=_redacted(headers), token=token,
            team_id=team.id if team else None, status=status, response=body, at=time.time(),
        ))
    logger.debug("%s -> %s %s", method, status, code or "ok")
    return status, body, extra
