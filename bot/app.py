"""Build the Bolt app from settings. No App exists at import time; each surface registers itself."""

from __future__ import annotations

import json
import logging
import uuid

from slack_bolt import App, BoltResponse
from slack_sdk import WebClient

from bot.deps import BotDeps
from bot.listeners import actions, commands, conversation, home, modals
from bot.middleware import dedupe_events
from bot.respond import info_view, tell, where_from_body
from bot.web.install import client_for_team, oauth_settings
from jobs.context import slack_client
from storage.errors import UserError

log = logging.getLogger(__name__)
SURFACES = (commands, modals, home, actions, conversation)


def create_app(deps: BotDeps, *, client: WebClient | None = None) -> App:
    """Return a Bolt App wired to every surface; `client` overrides the Web API client (tests).

    One workspace with a bot token, or many through OAuth install (SLACK_CLIENT_ID); HTTP mode
    checks every request's signature, Socket Mode has none to check.
    """
    settings = deps.settings
    settings.require_credentials()
    common = dict(signing_secret=settings.signing_secret or "", request_verification_enabled=not settings.socket_mode,
                  raise_error_for_unhandled_request=False)
    if settings.oauth is not None:
        database = deps.jobs.database
        app = App(client=client or WebClient(base_url=settings.slack.api_url), installation_store_bot_only=True,
                  oauth_settings=oauth_settings(settings.oauth, database), user_facing_authorize_error_message=(
                      "reportbot isn't installed in this workspace (or its install was removed). Ask a workspace "
                      f"admin to install it from reportbot's {settings.oauth.install_path} page."), **common)
        if deps.jobs.client_for_team is None:  # background work finds each workspace's token the same way
            deps.jobs.client_for_team = client_for_team(settings.oauth, database, settings.slack.api_url)
    else:
        app = App(client=client or slack_client(settings.slack.bot_token, settings.slack.api_url), **common)
    app.use(dedupe_events(deps))
    for surface in SURFACES:
        surface.register(app, deps)
    app.error(handle_errors)
    return app


def handle_errors(error: Exception, body: dict, client: WebClient) -> BoltResponse | None:
    """The one error handler: say what went wrong where the person acted, never a traceback."""
    if isinstance(error, UserError):
        message = f"⚠️ {error}"
    else:
        error_id = uuid.uuid4().hex[:8]
        log.error("unhandled error %s: %s", error_id, error, exc_info=error)
        message = f"Sorry, something went wrong on my side (error id `{error_id}`). Please try again."
    body = body or {}
    if body.get("type") == "view_submission":
        return _modal_error(body.get("view") or {}, message)
    try:
        tell(client, where_from_body(body), message, trigger_id=body.get("trigger_id"))
    except Exception:
        log.exception("could not tell the user about an error")
    return None


def _modal_error(view: dict, message: str) -> BoltResponse:
    """An open modal shows the error next to its first field, or instead of its content."""
    inputs = [b.get("block_id") for b in view.get("blocks", []) if b.get("type") == "input" and b.get("block_id")]
    if inputs:
        body = {"response_action": "errors", "errors": {inputs[0]: message[:1900]}}
    else:
        body = {"response_action": "update", "view": info_view("Something went wrong", message)}
    return BoltResponse(status=200, body=json.dumps(body), headers={"content-type": "application/json;charset=utf-8"})
