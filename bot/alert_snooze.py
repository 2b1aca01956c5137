"""Snooze and unsnooze an alert from Slack: the notification's menu and button, `/report snooze|unsnooze`.

Who may is one rule (jobs.access.ensure_may_snooze, through bot.acting); when someone else does it,
the owner is told who."""

from __future__ import annotations

from slack_sdk import WebClient

from bot.acting import Need, acting_on
from bot.deps import BotDeps
from bot.respond import Where, direct_message
from jobs.alerts.snooze import (
    Snoozed,
    SnoozeError,
    SnoozeRequest,
    parse_snooze,
    snooze,
    snooze_words,
    unsnooze,
)
from jobs.views.blocks import escape
from storage.errors import BadInput
from storage.models import Schedule

HOW = "e.g. `/report snooze low revenue 1h`, `… 1d` or `… until resolved`"
MAX_DURATION_WORDS = 4  # "until it is resolved"


def split_snooze_words(text: str) -> tuple[str, SnoozeRequest]:
    """"low revenue for 2 hours" → ("low revenue", 2 hours): the alert's name, then how long."""
    words = text.split()
    too_long: SnoozeError | None = None
    for count in range(min(MAX_DURATION_WORDS, len(words) - 1), 0, -1):
        try:
            return " ".join(words[:-count]), parse_snooze(" ".join(words[-count:]))
        except SnoozeError as exc:
            if not str(exc).startswith("I couldn't read"):
                too_long = too_long or exc  # a time, but not one a snooze can last
    if too_long is not None:
        raise too_long
    raise BadInput(f"Which alert, and for how long? {HOW}.")


def snooze_alert(deps: BotDeps, client: WebClient, where: Where, schedule: Schedule | int, request: SnoozeRequest, *,
                 surface: str) -> tuple[Schedule, Snoozed]:
    """Hold the alert's notices back, if the person may; its checks go on."""
    acting = acting_on(deps, client, where, schedule, Need.SNOOZE)
    with deps.jobs.database.session() as session:
        live = session.get(Schedule, acting.schedule.id)
        done = snooze(session, live, request, by=where.user_id, now=deps.jobs.now(), surface=surface)
    alert = acting.schedule
    if where.user_id != alert.owner_user_id:
        line = snooze_words(done.until, done.until_resolved, None, alert.timezone).removeprefix("😴 Snoozed ")
        direct_message(client, alert.owner_user_id,
                       f"😴 <@{where.user_id}> snoozed your alert *{escape(alert.name)}* {line}. "
                       f"`/report unsnooze {escape(alert.name)}` ends it now.")
    return alert, done


def unsnooze_alert(deps: BotDeps, client: WebClient, where: Where, schedule: Schedule | int, *,
                   surface: str) -> tuple[Schedule, bool]:
    """Let the alert's notices through again; return whether it was snoozed."""
    acting = acting_on(deps, client, where, schedule, Need.SNOOZE)
    with deps.jobs.database.session() as session:
        was = unsnooze(session, session.get(Schedule, acting.schedule.id), by=where.user_id, surface=surface)
    return acting.schedule, was


def snoozed_reply(alert: Schedule, done: Snoozed) -> str:
    line = snooze_words(done.until, done.until_resolved, None, alert.timezone).removeprefix("😴 Snoozed ")
    return (f"😴 Snoozed *{escape(alert.name)}* {line}. Its checks go on; its destinations hear of it again after "
            f"that, about whatever changed meanwhile. `/report unsnooze {escape(alert.name)}` ends it now.")


def unsnoozed_reply(alert: Schedule, was: bool) -> str:
    if not was:
        return f"*{escape(alert.name)}* wasn't snoozed."
    return (f"🔔 *{escape(alert.name)}* is no longer snoozed: its next check tells its destinations whatever they "
            "have not heard yet.")
