"""views.open, views.push, views.update and views.publish."""

from __future__ import annotations

import copy
import logging
import secrets
import time
from typing import Any

from slack_emulator import blockkit
from slack_emulator.errors import SlackError
from slack_emulator.methods import Context, method
from slack_emulator.state import APP_ID

logger = logging.getLogger(__name__)

MODAL_STACK_MAX = 3


def _new_hash() -> str:
    return f"{int(time.time())}.{secrets.token_hex(4)}"


def _checked_view(ctx: Context, surface: str | None, view_id: str | None = None) -> dict[str, Any]:
    """Return the view parameter after size, Block Kit and external_id checks."""
    view = ctx.params.get("view")
    if not isinstance(view, dict):
        raise SlackError("invalid_arguments", "view must be a JSON object")
    if blockkit.view_too_large(view):
        raise SlackError("view_too_large")
    problems = blockkit.validate_view(view, surface)
    if problems:
        error = SlackError("invalid_arguments", *problems)
        error.extra["errors"] = problems
        raise error
    external_id = view.get("external_id")
    if external_id:
        for other in ctx.team.views.values():
            if other.get("external_id") == external_id and other["id"] != view_id:
                raise SlackError("duplicate_external_id")
    return view


def _store(ctx: Context, view: dict[str, Any], *, view_id: str | None = None, root: str | None = None,
           previous: str | None = None) -> dict[str, Any]:
    """Build the stored view object Slack echoes back and remember it."""
    team = ctx.team
    view_id = view_id or ctx.ws.new_id("V")
    stored = {
        "id": view_id, "team_id": team.id, "type": view.get("type"), "blocks": view.get("blocks", []),
        "private_metadata": view.get("private_metadata", ""), "callback_id": view.get("callback_id", ""),
        "state": {"values": {}}, "hash": _new_hash(), "title": view.get("title"), "close": view.get("close"),
        "submit": view.get("submit"), "clear_on_close": bool(view.get("clear_on_close", False)),
        "notify_on_close": bool(view.get("notify_on_close", False)), "external_id": view.get("external_id", ""),
        "previous_view_id": previous, "root_view_id": root or view_id, "app_id": APP_ID,
        "app_installed_team_id": team.id, "bot_id": team.bot_id,
    }
    team.views[view_id] = stored
    return copy.deepcopy(stored)


def _exchange_trigger(ctx: Context) -> None:
    trigger = ctx.arg("trigger_id") or ctx.arg("interactivity_pointer")
    if not trigger:
        raise SlackError(ctx.emu.catalog.missing_argument_error(ctx.method, "trigger_id"),
                         "missing required field: trigger_id")
    error = ctx.ws.exchange_trigger(str(trigger), ctx.emu.trigger_ttl)
    if error:
        raise SlackError(error)


@method("views.open")
def open_view(ctx: Context) -> dict[str, Any]:
    """Open a modal with a fresh, single-use trigger id."""
    view = _checked_view(ctx, "modal")
    _exchange_trigger(ctx)
    stored = _store(ctx, view)
    ctx.rec.add("opened_views", stored)
    return {"view": stored}


@method("views.push")
def push_view(ctx: Context) -> dict[str, Any]:
    """Push a modal onto the most recently opened modal stack (at most 3 deep)."""
    view = _checked_view(ctx, "modal")
    modals = [v for v in ctx.team.views.values() if v["type"] == "modal"]
    if not modals:
        raise SlackError("not_found")
    root = modals[-1]["root_view_id"]
    stack = [v for v in modals if v["root_view_id"] == root]
    if len(stack) >= MODAL_STACK_MAX:
        raise SlackError("push_limit_reached")
    _exchange_trigger(ctx)
    stored = _store(ctx, view, root=root, previous=stack[-1]["id"])
    ctx.rec.add("opened_views", stored)
    return {"view": stored}


@method("views.update")
def update_view(ctx: Context) -> dict[str, Any]:
    """Replace an open view found by view_id or external_id, honouring hash."""
    view_id, external_id = ctx.arg("view_id"), ctx.arg("external_id")
    existing = ctx.team.views.get(str(view_id)) if view_id else None
    if existing is None and external_id:
        existing = next((v for v in ctx.team.views.values() if v.get("external_id") == external_id), None)
    if existing is None:
        raise SlackError("not_found")
    view = _checked_view(ctx, existing["type"], existing["id"])
    if ctx.arg("hash") and ctx.arg("hash") != existing["hash"]:
        raise SlackError("hash_conflict")
    stored = _store(ctx, view, view_id=existing["id"], root=existing["root_view_id"],
                    previous=existing["previous_view_id"])
    ctx.rec.add("opened_views", stored)
    if stored["type"] == "home":
        for user_id, home in list(ctx.rec.home_views.items()):
            if home["id"] == stored["id"]:
                ctx.rec.home_views[user_id] = copy.deepcopy(stored)
    return {"view": stored}


@method("views.publish")
def publish_view(ctx: Context) -> dict[str, Any]:
    """Publish a user's Home tab view."""
    if not ctx.team.home_tab_enabled:
        raise SlackError("not_enabled")
    user_id = str(ctx.arg("user_id"))
    if user_id not in ctx.team.users:
        raise SlackError("invalid_arguments", f"user_id {user_id} is not a member of this workspace")
    current = ctx.rec.home_views.get(user_id)
    view = _checked_view(ctx, "home", current["id"] if current else None)
    if ctx.arg("hash") and (current is None or ctx.arg("hash") != current["hash"]):
        raise SlackError("hash_conflict")
    stored = _store(ctx, view, view_id=current["id"] if current else None)
    ctx.rec.home_views[user_id] = copy.deepcopy(stored)
    return {"view": stored}
