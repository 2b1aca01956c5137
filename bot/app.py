"""Build the Bolt app from settings. No App exists at import time; each surface registers itself."""

from __future__ import annotations

import logging
import uuid

from slack_bolt import App, BoltResponse
from slack_sdk import WebClient

from bot import actions, commands, home
from bot.deps import BotDeps
from bot.errors import UserFacingError
from jobs.context import slack_client

log = logging.getLogger(__name__)
SURFACES = (commands, home, actions)


def create_app(deps: BotDeps, *, client: WebClient | None = None) -> App:
    """Return a Bolt App wired to every surface; `client` overrides the Web API client (tests)."""
    settings = deps.settings
    settings.require_credentials()
    client = client or slack_client(settings.slack.bot_token, settings.slack.api_url)
    app = App(
        client=client,
        signing_secret=settings.signing_secret or "",
        # Socket Mode has no signatures to check; HTTP mode always checks them.
        request_verification_enabled=not settings.socket_mode,
        raise_error_for_unhandled_request=False,
    )
    for surface in SURFACES:
        surface.register(app, deps)

    @app.error
    def handle_errors(error, body, respond, logger) -> BoltResponse | None:
        if isinstance(error, UserFacingError):
            message = f"⚠️ {error}"
        else:
            error_id = uuid.uuid4().hex[:8]
            log.error("unhandled error %s: %s", error_id, error, exc_info=error)
            message = f"Sorry, something went wrong on my side (error id `{error_id}`). Please try again."
        if respond is not None and (body or {}).get("response_url"):
            try:
                respond(text=message, response_type="ephemeral", replace_original=False)
            except Exception:
                log.exception("could not tell the user about error")
        return None

    return app
