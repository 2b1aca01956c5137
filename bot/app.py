"""Build the Bolt app from settings. No App exists at import time; each surface registers itself."""

from __future__ import annotations

import logging

from slack_bolt import App
from slack_sdk import WebClient

from bot import listeners
from bot.deps import BotDeps, provide_deps
from bot.error_reply import handle_errors
from bot.middleware import dedupe_events
from bot.web.install import client_for_team, oauth_settings
from jobs.context import slack_client

log = logging.getLogger(__name__)


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
        allowed = deps.jobs.settings.policy.allowed_teams
        app = App(client=client or WebClient(base_url=settings.slack.api_url), installation_store_bot_only=True,
                  oauth_settings=oauth_settings(settings.oauth, database, allowed),
                  user_facing_authorize_error_message=(
                      "reportbot isn't installed in this workspace (or its install was removed). Ask a workspace "
                      f"admin to install it from reportbot's {settings.oauth.install_path} page."), **common)
        if deps.jobs.client_for_team is None:  # background work finds each workspace's token the same way
            deps.jobs.client_for_team = client_for_team(settings.oauth, database, settings.slack.api_url, allowed)
    else:
        app = App(client=client or slack_client(settings.slack.bot_token, settings.slack.api_url), **common)
    app.use(provide_deps(deps))
    app.use(dedupe_events)
    listeners.register(app)
    app.error(handle_errors)
    return app
