"""`/report` and its subcommands. Listeners ack at once and answer through `respond`."""

from __future__ import annotations

import logging

from slack_bolt import App

from bot import replies
from bot.deps import BotDeps
from bot.errors import UserFacingError
from bot.schedules import create_from_one_liner, find_or_explain, list_for, set_paused, start_run

log = logging.getLogger(__name__)
MAX_TEXT = 3000


def register(app: App, deps: BotDeps) -> None:
    @app.command("/report")
    def handle_report_command(ack, command, respond, client) -> None:
        ack()
        text = (command.get("text") or "").strip()
        team_id, user_id = command.get("team_id", ""), command.get("user_id", "")
        try:
            reply = dispatch(deps, client, team_id=team_id, user_id=user_id, text=text)
        except UserFacingError as exc:
            reply = f"⚠️ {exc}"
        respond(text=reply, response_type="ephemeral", replace_original=False)


def dispatch(deps: BotDeps, client, *, team_id: str, user_id: str, text: str) -> str:
    """Run one `/report` subcommand and return the reply text."""
    if len(text) > MAX_TEXT:
        return f"That is too long for me ({len(text):,} characters); keep it under {MAX_TEXT:,}."
    word, _, rest = text.partition(" ")
    word, rest = word.lower(), rest.strip()
    if word in ("", "help", "?"):
        return replies.HELP
    if word in ("new", "create", "add"):
        created = create_from_one_liner(deps, client, team_id=team_id, user_id=user_id, text=rest)
        _refresh_home(deps, team_id, user_id)
        return replies.created(created)
    if word in ("list", "ls"):
        return replies.schedule_list(list_for(deps, team_id, user_id), deps.jobs.now())
    if word in ("run", "send"):
        return start_run(deps, find_or_explain(deps, team_id, rest), user_id, "slash_command")
    if word in ("pause", "resume"):
        message = set_paused(deps, find_or_explain(deps, team_id, rest), user_id, paused=word == "pause",
                             surface="slash_command")
        _refresh_home(deps, team_id, user_id)
        return message
    return replies.unknown_subcommand(word)


def _refresh_home(deps: BotDeps, team_id: str, user_id: str) -> None:
    from jobs.outcome import after_settle

    after_settle(deps.jobs, team_id, user_id)
