"""auth.test, api.test, oauth.v2.access and apps.connections.open."""

from __future__ import annotations

import logging
from typing import Any

from slack_emulator.errors import SlackError
from slack_emulator.methods import Context, method
from slack_emulator.state import APP_ID

logger = logging.getLogger(__name__)


@method("auth.test")
def auth_test(ctx: Context) -> dict[str, Any]:
    """Identify the bot; Bolt reads bot_id/user_id and the x-oauth-scopes header."""
    team = ctx.team
    ctx.response_headers["x-oauth-scopes"] = ",".join(team.scopes)
    return {
        "url": team.url, "team": team.name, "user": "reportbot", "team_id": team.id,
        "user_id": team.bot_user_id, "bot_id": team.bot_id, "app_id": APP_ID, "is_enterprise_install": False,
    }


@method("api.test")
def api_test(ctx: Context) -> dict[str, Any]:
    """Echo the arguments back, as Slack does."""
    return {"args": {k: v for k, v in ctx.params.items() if k not in ("client_id", "client_secret")}}


@method("oauth.v2.access")
def oauth_v2_access(ctx: Context) -> dict[str, Any]:
    """Exchange a code from emu.new_oauth_code() for the team's canned install response."""
    expected = ctx.emu.oauth_client
    client_id, secret = ctx.arg("client_id"), ctx.arg("client_secret")
    if not client_id or (expected and client_id != expected[0]):
        raise SlackError("invalid_client_id")
    if expected and secret != expected[1]:
        raise SlackError("bad_client_secret")
    code = ctx.arg("code")
    entry = ctx.ws.oauth_codes.get(code or "")
    if entry is None or entry["used"]:
        raise SlackError("invalid_code")
    entry["used"] = True
    team = ctx.ws.team(entry["team_id"])
    if entry["scopes"] is not None:
        team.scopes = list(entry["scopes"])
    installer = entry["user_id"]
    return {
        "app_id": APP_ID,
        "authed_user": {"id": installer} if installer else {},
        "scope": ",".join(team.scopes),
        "token_type": "bot",
        "access_token": team.token,
        "bot_user_id": team.bot_user_id,
        "team": {"id": team.id, "name": team.name},
        "enterprise": None,
        "is_enterprise_install": False,
    }


@method("apps.connections.open")
def apps_connections_open(ctx: Context) -> dict[str, Any]:
    """Hand out a Socket Mode URL; the WebSocket side is not emulated."""
    if ctx.token != ctx.ws.app_token:
        # Only app-level (xapp-) tokens may open connections.
        raise SlackError("invalid_auth")
    return {"url": ctx.emu.url.replace("http://", "ws://", 1) + "/socket-mode/not-emulated"}
