"""App Home: publish the person's Home when they open it; its toolbar (new report, refresh, admins'
switch to all schedules) and paging."""

from __future__ import annotations

from slack_bolt import App, BoltContext
from slack_sdk import WebClient

from bot.after_ack import after_ack
from bot.app_home import refresh_home
from bot.deps import deps_of
from bot.people import person
from bot.schedule_modal import open_schedule_modal
from jobs.slack_ids import HomeActions
from storage.errors import PermissionDenied
from storage.models import HomeScope


def _page(value: str | None) -> int:
    return int(value) if value and value.isdigit() and len(value) < 6 else 0


def _is_admin(context: BoltContext, client: WebClient, team_id: str, user_id: str) -> bool:
    try:
        return person(deps_of(context), client, team_id, user_id).is_admin
    except PermissionDenied:  # Slack could not say who they are: their own schedules only
        return False


def handle_app_home_opened(event: dict, context: BoltContext, client: WebClient) -> None:
    if event.get("tab", "home") != "home":
        return
    team_id = context.team_id or (event.get("view") or {}).get("team_id", "")
    admin = _is_admin(context, client, team_id, event["user"])
    choices = {"is_admin": admin} if admin else {"is_admin": False, "scope": HomeScope.MINE}
    refresh_home(deps_of(context), client, team_id, event["user"], **choices)


def handle_home_create(ack, body: dict, client: WebClient, context: BoltContext) -> None:
    ack()
    open_schedule_modal(deps_of(context), client, trigger_id=body["trigger_id"], team_id=body["team"]["id"],
                        user_id=body["user"]["id"])


def handle_home_refresh(ack, body: dict, client: WebClient, context: BoltContext) -> None:
    ack()
    refresh_home(deps_of(context), client, body["team"]["id"], body["user"]["id"])


def handle_home_scope(ack, body: dict, client: WebClient, action: dict, context: BoltContext) -> None:
    ack()
    team_id, user_id = body["team"]["id"], body["user"]["id"]
    admin = _is_admin(context, client, team_id, user_id)
    wanted = HomeScope.ALL if action.get("value") == HomeScope.ALL and admin else HomeScope.MINE
    refresh_home(deps_of(context), client, team_id, user_id, scope=wanted, page=0, is_admin=admin)


def handle_home_page(ack, body: dict, client: WebClient, action: dict, context: BoltContext) -> None:
    ack()
    refresh_home(deps_of(context), client, body["team"]["id"], body["user"]["id"], page=_page(action.get("value")))


def register(app: App) -> None:
    app.event("app_home_opened")(handle_app_home_opened)
    app.action(HomeActions.CREATE)(after_ack(handle_home_create))
    app.action(HomeActions.REFRESH)(after_ack(handle_home_refresh))
    app.action(HomeActions.SCOPE)(after_ack(handle_home_scope))
    app.action(HomeActions.PAGE_PREV)(after_ack(handle_home_page))
    app.action(HomeActions.PAGE_NEXT)(after_ack(handle_home_page))
