"""Small builders for interactivity payloads, shaped like Slack's (see payload-shapes samples)."""

from __future__ import annotations

import logging
import secrets
import time
from typing import Any

from slack_emulator.state import APP_ID

logger = logging.getLogger(__name__)


def _team_user(team_id: str, user_id: str, user_name: str) -> dict[str, Any]:
    return {
        "team": {"id": team_id, "domain": "acme"},
        "user": {"id": user_id, "username": user_name, "name": user_name, "team_id": team_id},
    }


def block_actions_payload(*, action_id: str, user_id: str, value: str | None = None, block_id: str = "actions",
                          action_type: str = "button", selected_option: dict | None = None,
                          channel_id: str | None = None, message: dict | None = None, view: dict | None = None,
                          trigger_id: str = "", response_url: str = "", team_id: str = "T0TEST01",
                          user_name: str = "alice", api_app_id: str = APP_ID) -> dict[str, Any]:
    """Build a block_actions payload for a button/select click in a message or a view.

    Pass `message` (with its ts) and `channel_id` for message clicks, or `view` (a stored
    view, e.g. from emu.opened_views()) for clicks inside a modal or Home tab.
    """
    now = f"{time.time():.6f}"
    action: dict[str, Any] = {"type": action_type, "action_id": action_id, "block_id": block_id, "action_ts": now}
    if value is not None:
        action["value"] = value
    if selected_option is not None:
        action["selected_option"] = selected_option
    payload: dict[str, Any] = {
        "type": "block_actions", **_team_user(team_id, user_id, user_name), "api_app_id": api_app_id,
        "token": "legacy-verification-token-unused", "trigger_id": trigger_id, "actions": [action],
        "is_enterprise_install": False, "enterprise": None,
    }
    if view is not None:
        payload["container"] = {"type": "view", "view_id": view.get("id", "")}
        payload["view"] = view
    else:
        ts = (message or {}).get("ts", now)
        payload["container"] = {"type": "message", "message_ts": ts, "channel_id": channel_id, "is_ephemeral": False}
        payload["channel"] = {"id": channel_id, "name": ""}
        payload["message"] = message or {"type": "message", "ts": ts, "text": ""}
    if response_url:
        payload["response_url"] = response_url
    return payload


def view_submission_payload(*, view: dict, values: dict, user_id: str, trigger_id: str = "",
                            team_id: str = "T0TEST01", user_name: str = "alice",
                            api_app_id: str = APP_ID) -> dict[str, Any]:
    """Build a view_submission payload for a modal with these input values.

    `values` maps block_id -> action_id -> either a full state value dict (e.g.
    {"type": "static_select", "selected_option": {...}}) or a plain string, which becomes
    {"type": "plain_text_input", "value": <string>}.
    """
    state = {
        block_id: {
            action_id: value if isinstance(value, dict) else {"type": "plain_text_input", "value": value}
            for action_id, value in actions.items()
        }
        for block_id, actions in values.items()
    }
    submitted = {
        "id": view.get("id") or f"V0EMU{secrets.token_hex(3).upper()}", "team_id": team_id, "type": "modal",
        "private_metadata": "", "callback_id": "", "external_id": "", "hash": f"{int(time.time())}.emu",
        "root_view_id": None, "previous_view_id": None, "app_id": api_app_id, "app_installed_team_id": team_id,
        **view, "state": {"values": state},
    }
    submitted.setdefault("bot_id", "")
    return {
        "type": "view_submission", **_team_user(team_id, user_id, user_name), "api_app_id": api_app_id,
        "token": "legacy-verification-token-unused", "trigger_id": trigger_id, "view": submitted,
        "response_urls": [], "is_enterprise_install": False, "enterprise": None,
    }
