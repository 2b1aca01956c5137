"""App Home: publish the user's schedules and latest runs when they open the tab."""

from __future__ import annotations

from slack_bolt import App

from bot.deps import BotDeps
from jobs.home import publish_home


def register(app: App, deps: BotDeps) -> None:
    @app.event("app_home_opened")
    def handle_app_home_opened(event, context) -> None:
        if event.get("tab", "home") != "home":
            return
        publish_home(deps.jobs, context.team_id or event.get("view", {}).get("team_id", ""), event["user"])
