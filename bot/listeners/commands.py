"""`/report` and its subcommands. The listener acks at once; each subcommand is one small handler
that returns the reply (or answers itself, like `run`'s progress message and the modal openers)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from slack_bolt import App, BoltContext
from slack_sdk import WebClient

from bot.acting import Need, acting_on_named
from bot.after_ack import after_ack
from bot.alert_snooze import (
    snooze_alert,
    snoozed_reply,
    split_snooze_words,
    unsnooze_alert,
    unsnoozed_reply,
)
from bot.app_home import refresh_home
from bot.create_flow import create_from_words
from bot.deps import BotDeps, deps_of
from bot.forms import ScheduleForm
from bot.listeners.admin import handle_admin
from bot.lookup import user_date_order, user_timezone
from bot.metadata import ModalMeta
from bot.muting import mute_everything, mute_schedule, unmute
from bot.people import person
from bot.readback import read_back
from bot.respond import Where, answer, where_from_command
from bot.run_requests import run_schedule
from bot.schedule_info import detail_reply, history_text
from bot.schedule_modal import open_edit_modal, open_schedule_modal
from bot.schedules import (
    find_or_explain,
    find_schedule_named,
    list_for,
    set_paused,
    split_period,
    split_tag_filter,
)
from bot.validation import clean_text
from bot.views import replies
from bot.views.replies import Reply
from jobs.periods import Period
from jobs.views.blocks import escape
from jobs.views.period_words import period_sentence

log = logging.getLogger(__name__)
MAX_TEXT = 3000
EVERYTHING = ("all", "everything", "everyone", "all reports")


@dataclass(frozen=True)
class Invocation:
    """One `/report …` as a handler sees it."""

    deps: BotDeps
    client: WebClient
    where: Where
    trigger_id: str | None
    rest: str  # the text after the subcommand word

    def acting(self, verb: str, need: Need):
        return acting_on_named(self.deps, self.client, self.where, self.rest, need,
                               example=f"/report {verb} daily sales")


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
    words, tag = split_tag_filter(inv.rest)
    everyone = words.lower() in ("all", "everyone", "workspace")
    if everyone and not person(inv.deps, inv.client, inv.where.team_id, inv.where.user_id).is_admin:
        return Reply("Only workspace admins can list everyone's schedules. Here are yours:\n"
                     + replies.schedule_list(list_for(inv.deps, inv.where.team_id, inv.where.user_id, tag=tag),
                                             tag=tag))
    owner = None if everyone else inv.where.user_id
    return Reply(replies.schedule_list(list_for(inv.deps, inv.where.team_id, owner, tag=tag), everyone=everyone,
                                       tag=tag))


def _show(inv: Invocation) -> Reply:
    acting = inv.acting("show", Need.READ)
    return detail_reply(inv.deps, acting.schedule, acting.access)


def _edit(inv: Invocation) -> Reply | None:
    schedule = inv.acting("edit", Need.CHANGE).schedule
    if inv.trigger_id and open_edit_modal(inv.deps, inv.client, inv.where, schedule.id, inv.trigger_id):
        return None
    return Reply(f"I couldn't open the form just now; try `/report edit {escape(schedule.name)}` again.")


def _run(inv: Invocation) -> Reply | None:
    """`/report run weekly sales` (the period it last covered) or `… for last month` (another)."""
    ref, period = split_period(inv.rest, lambda name: find_schedule_named(inv.deps, inv.where.team_id, name))
    schedule = find_or_explain(inv.deps, inv.where.team_id, ref, example="/report run daily sales")
    refusal = run_schedule(inv.deps, inv.client, inv.where, schedule, period=period)
    return Reply(refusal) if refusal else None


def _pause_or_resume(paused: bool) -> Handler:
    def handle(inv: Invocation) -> Reply:
        schedule = inv.acting("pause" if paused else "resume", Need.CHANGE).schedule
        text = set_paused(inv.deps, schedule.id, inv.where.user_id, paused=paused, surface="slash_command")
        refresh_home(inv.deps, inv.client, inv.where.team_id, inv.where.user_id, schedule.owner_user_id)
        return Reply(text)

    return handle


def _delete(inv: Invocation) -> Reply:
    return replies.delete_confirmation(inv.acting("delete", Need.CHANGE).schedule)


def _history(inv: Invocation) -> Reply:
    acting = inv.acting("history", Need.READ)
    return Reply(history_text(inv.deps, inv.client, acting.schedule, acting.access))


def _preview(inv: Invocation) -> Reply:
    if not inv.rest:
        return Reply("Tell me a schedule to read back, e.g. `/report preview every monday at 9am`.")
    zone = user_timezone(inv.client, inv.where.user_id)
    order = user_date_order(inv.client, inv.where.user_id)
    now = inv.deps.jobs.now()
    result = read_back(inv.rest, zone, now, date_order=order)
    period = period_sentence(Period(), result.cadence, now, week_start=inv.deps.policy(inv.where.team_id).week_start) \
        if result.ok else ""
    return Reply(replies.readback(result, period))


def _mute(inv: Invocation) -> Reply:
    if not inv.rest:
        return Reply("Which report should I stop sending you? e.g. `/report mute weekly sales`, or "
                     "`/report mute all` for every report someone else owns.")
    if inv.rest.lower() in EVERYTHING:
        return Reply(mute_everything(inv.deps, inv.client, inv.where.team_id, inv.where.user_id,
                                     surface="slash_command"))
    schedule = find_or_explain(inv.deps, inv.where.team_id, inv.rest, example="/report mute weekly sales")
    return Reply(mute_schedule(inv.deps, inv.client, schedule, inv.where.user_id, surface="slash_command"))


def _unmute(inv: Invocation) -> Reply:
    everything = inv.rest.lower() in EVERYTHING
    schedule = None if everything else find_or_explain(inv.deps, inv.where.team_id, inv.rest,
                                                       example="/report unmute weekly sales")
    return Reply(unmute(inv.deps, inv.where.team_id, inv.where.user_id, schedule))


def _snooze(inv: Invocation) -> Reply:
    name, request = split_snooze_words(inv.rest)
    alert = find_or_explain(inv.deps, inv.where.team_id, name, example="/report snooze low revenue 1h")
    alert, done = snooze_alert(inv.deps, inv.client, inv.where, alert, request, surface="slash_command")
    return Reply(snoozed_reply(alert, done))


def _unsnooze(inv: Invocation) -> Reply:
    alert = find_or_explain(inv.deps, inv.where.team_id, inv.rest, example="/report unsnooze low revenue")
    alert, was = unsnooze_alert(inv.deps, inv.client, inv.where, alert, surface="slash_command")
    return Reply(unsnoozed_reply(alert, was))


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
    "mute": _mute, "unsubscribe": _mute, "unmute": _unmute,
    "snooze": _snooze, "unsnooze": _unsnooze,
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


def handle_report_command(ack, command: dict, client: WebClient, context: BoltContext) -> None:
    """`/report …`: ack, then answer the subcommand where it was typed."""
    ack()
    where = where_from_command(command)
    raw = command.get("text") or ""
    text = clean_text(raw, len(raw))  # the whole text, so "too long" says its real length
    inv = Invocation(deps_of(context), client, where, command.get("trigger_id") or None, "")
    reply = dispatch(inv, text)
    if reply is not None:
        answer(client, where, reply.text, reply.blocks or None)


def register(app: App) -> None:
    app.command("/report")(after_ack(handle_report_command))
