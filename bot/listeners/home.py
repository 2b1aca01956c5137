"""App Home: publish the person's Home when they open it and after every change; its toolbar
(new report, refresh, admins' switch to all schedules) and paging."""

from __future__ import annotations

import logging

from slack_bolt import App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from bot.after_ack import after_ack
from bot.deps import BotDeps
from bot.listeners.modals import open_schedule_modal
from bot.permissions import is_admin
from jobs.home import publish_home
from jobs.slack_ids import HomeActions
from storage.models import HomeScope

log = logging.getLogger(__name__)


def refresh_home(deps: BotDeps, client: WebClient, team_id: str, *user_ids: str, **choices) -> None:
    """Republish these people's Home tabs; a Slack hiccup here must not undo what changed."""
    for user_id in dict.fromkeys(u for u in user_ids if u):
        try:
            publish_home(deps.jobs, team_id, user_id, **choices)
        except (SlackApiError, SlackClientError, OSError) as exc:  # Slack said no, or was unreachable
            log.warning("could not refresh App Home for %s: %s", user_id, exc)
        except Exception:
            log.exception("could not refresh App Home for %s", user_id)


def _page(value: str | None) -> int:
    return int(value) if value and value.isdigit() and len(value) < 6 else 0


def register(app: App, deps: BotDeps) -> None:
    @app.event("app_home_opened")
    def handle_app_home_opened(event, context, client) -> None:
        if event.get("tab", "home") != "home":
            return
        team_id = context.team_id or (event.get("view") or {}).get("team_id", "")
        admin = is_admin(deps, client, event["user"])
        choices = {"is_admin": admin} if admin else {"is_admin": False, "scope": HomeScope.MINE}
        refresh_home(deps, client, team_id, event["user"], **choices)

    @app.action(HomeActions.CREATE)
    @after_ack
    def handle_home_create(ack, body, client) -> None:
        ack()
        open_schedule_modal(deps, client, trigger_id=body["trigger_id"], team_id=body["team"]["id"],
                            user_id=body["user"]["id"])

    @app.action(HomeActions.REFRESH)
    @after_ack
    def handle_home_refresh(ack, body, client) -> None:
        ack()
        refresh_home(deps, client, body["team"]["id"], body["user"]["id"])

    @app.action(HomeActions.SCOPE)
    @after_ack
    def handle_home_scope(ack, body, client, action) -> None:
        ack()
        user_id = body["user"]["id"]
        admin = is_admin(deps, client, user_id)
        wanted = HomeScope.ALL if action.get("value") == HomeScope.ALL and admin else HomeScope.MINE
        refresh_home(deps, client, body["team"]["id"], user_id, scope=wanted, page=0, is_admin=admin)

    @app.action(HomeActions.PAGE_PREV)
    @app.action(HomeActions.PAGE_NEXT)
    @after_ack
    def handle_home_page(ack, body, client, action) -> None:
        ack()
        refresh_home(deps, client, body["team"]["id"], body["user"]["id"], page=_page(action.get("value")))
