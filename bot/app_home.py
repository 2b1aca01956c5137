"""Republish people's App Home after something changed; a Slack hiccup here must not undo the change."""

from __future__ import annotations

import logging

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from bot.deps import BotDeps
from jobs.home import publish_home

log = logging.getLogger(__name__)


def refresh_home(deps: BotDeps, client: WebClient, team_id: str, *user_ids: str, **choices) -> None:
    """Republish these people's Home tabs (`choices`: scope, page, is_admin, as jobs.home takes them)."""
    for user_id in dict.fromkeys(u for u in user_ids if u):
        try:
            publish_home(deps.jobs, team_id, user_id, **choices)
        except (SlackApiError, SlackClientError, OSError) as exc:  # Slack said no, or was unreachable
            log.warning("could not refresh App Home for %s: %s", user_id, exc)
        except Exception:
            log.exception("could not refresh App Home for %s", user_id)
