"""`/report` and its subcommands. The listener acks at once; each subcommand is one small handler
that returns the reply (or answers itself, like `run`'s progress message and the modal openers)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from slack_bolt import App
from slack_sdk import WebClient

from bot.after_ack import after_ack
from bot.create_flow import create_from_words
from bot.deps import BotDeps
from bot.forms import ScheduleForm
from bot.listeners.admin import handle_admin
from bot.listeners.home import refresh_home
from bot.listeners.modals import open_edit_modal, open_schedule_modal
from bot.lookup import user_timezone
from bot.metadata import ModalMeta
from bot.permissions import ensure_can_change, is_admin
from bot.readback import read_back
from bot.respond import Where, answer, where_from_command
from bot.run_requests import run_schedule
from bot.schedule_info import detail_reply, history_text
from bot.schedules import find_or_explain, list_for, set_paused
from bot.validation import clean_text
from bot.views import replies
from bot.views.replies import Reply

log = logging.getLogger(__name__)
MAX_TEXT = 3000


@dataclass(frozen=True)
class Invocation:
    """One `/report …` as a handler sees it."""

    deps: BotDeps
    client: WebClient
    where: Where
    trigger_id: str | None
    rest: str  # the text after the subcommand word


Handler = Callable[[Invocation], Reply | None]


def _open_form(inv: Invocation) -> Reply | None:
    """The create modal, posting by default to the channel the command was typed in."""
    channel = inv.where.channel_id or ""
    form = ScheduleForm(channels=[channel] if channel[:1] in ("C", "G") else [])
    if inv.trigger_id and open_schedule_modal(inv.deps, inv.client, trigger_id=inv.trigger_id,
                                              team_id=inv.where.team_id, user_id=inv.where.user_id, form=form,
                                              meta=ModalMeta(channel_id=inv.where.channel_id)):
        return None
    return Reply("I couldn't open the form just now.\n" + replies.HELP)


def _new(inv: Invocation) -> Reply:
    if not inv.rest:
        return _open_form(inv) or Reply(replies.HELP)
    reply = create_from_words(inv.deps, inv.client, inv.where, inv.rest, trigger_id=inv.trigger_id,
                              surface="slash_command")
    refresh_home(inv.deps, inv.client, inv.where.team_id, inv.where.user_id)
    return reply


def _list(inv: Invocation) -> Reply:
    everyone = inv.rest.lower() in ("all", "everyone", "workspace")
    if everyone and not is_admin(inv.deps, inv.client, inv.where.user_id):
        return Reply("Only workspace admins can list everyone's schedules. Here are yours:\n"
                     + replies.schedule_list(list_for(inv.deps, inv.where.team_id, inv.where.user_id)))
    owner = None if everyone else inv.where.user_id
    return Reply(replies.schedule_list(list_for(inv.deps, inv.where.team_id, owner), everyone=everyone))


def _find(inv: Invocation, verb: str):
    return find_or_explain(inv.deps, inv.where.team_id, inv.rest, example=f"/report {verb} daily sales")


def _show(inv: Invocation) -> Reply:
    return detail_reply(inv.deps, inv.client, _find(inv, "show"))


def _edit(inv: Invocation) -> Reply | None:
    schedule = _find(inv, "edit")
    if inv.trigger_id and open_edit_modal(inv.deps, inv.client, trigger_id=inv.trigger_id, team_id=inv.where.team_id,
                                          user_id=inv.where.user_id, schedule_id=schedule.id,
                                          channel_id=inv.where.channel_id):
        return None
    return Reply(f"I couldn't open the form just now; try `/report edit {schedule.name}` again.")


def _run(inv: Invocation) -> Reply | None:
    refusal = run_schedule(inv.deps, inv.client, inv.where, _find(inv, "run"))
    return Reply(refusal) if refusal else None


def _pause_or_resume(paused: bool) -> Handler:
    def handle(inv: Invocation) -> Reply:
        schedule = _find(inv, "pause" if paused else "resume")
        ensure_can_change(inv.deps, inv.client, schedule, inv.where.user_id)
        text = set_paused(inv.deps, schedule.id, inv.where.user_id, paused=paused, surface="slash_command")
        refresh_home(inv.deps, inv.client, inv.where.team_id, inv.where.user_id, schedule.owner_user_id)
        return Reply(text)

    return handle


def _delete(inv: Invocation) -> Reply:
    schedule = _find(inv, "delete")
    ensure_can_change(inv.deps, inv.client, schedule, inv.where.user_id)
    return replies.delete_confirmation(schedule)


def _history(inv: Invocation) -> Reply:
    return Reply(history_text(inv.deps, inv.client, _find(inv, "history")))


def _preview(inv: Invocation) -> Reply:
    if not inv.rest:
        return Reply("Tell me a schedule to read back, e.g. `/report preview every monday at 9am`.")
    zone = user_timezone(inv.client, inv.where.user_id)
    return Reply(replies.readback(read_back(inv.rest, zone, inv.deps.jobs.now(), count=5)))


def _admin(inv: Invocation) -> Reply:
    return handle_admin(inv.deps, inv.client, team_id=inv.where.team_id, user_id=inv.where.user_id, text=inv.rest)


SUBCOMMANDS: dict[str, Handler] = {
    "new": _new, "create": _new, "add": _new,
    "list": _list, "ls": _list,
    "show": _show, "info": _show, "details": _show, "status": _show,
    "edit": _edit, "change": _edit,
    "run": _run, "send": _run,
    "pause": _pause_or_resume(True), "stop": _pause_or_resume(True),
    "resume": _pause_or_resume(False), "unpause": _pause_or_resume(False), "start": _pause_or_resume(False),
    "delete": _delete, "remove": _delete, "rm": _delete,
    "history": _history, "runs": _history, "log": _history,
    "preview": _preview, "check": _preview, "when": _preview,
    "help": lambda inv: Reply(replies.HELP), "?": lambda inv: Reply(replies.HELP),
    "admin": _admin, "settings": _admin,
}


def dispatch(inv: Invocation, text: str) -> Reply | None:
    """Run one `/report` subcommand; return the reply, or None when the handler answered itself."""
    if len(text) > MAX_TEXT:
        return Reply(f"That is too long for me ({len(text):,} characters); keep it under {MAX_TEXT:,}.")
    if not text:
        return _open_form(inv)
    word, rest = (text.split(None, 1) + [""])[:2]
    handler = SUBCOMMANDS.get(word.lower())
    if handler is None:
        return Reply(replies.unknown_subcommand(word, SUBCOMMANDS))
    return handler(Invocation(inv.deps, inv.client, inv.where, inv.trigger_id, rest.strip()))


def register(app: App, deps: BotDeps) -> None:
    @app.command("/report")
    @after_ack
    def handle_report_command(ack, command, client) -> None:
        ack()
        where = where_from_command(command)
        text = clean_text(command.get("text") or "", MAX_TEXT + 1)
        inv = Invocation(deps, client, where, command.get("trigger_id") or None, "")
        reply = dispatch(inv, text)
        if reply is not None:
            answer(client, where, reply.text, reply.blocks or None)
