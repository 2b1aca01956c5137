"""The controls on alert notifications: the Snooze menu (1 hour, 1 day, until resolved) and Unsnooze.

Pause and Edit are the schedule's own buttons (bot.listeners.actions)."""

from __future__ import annotations

import logging

from slack_bolt import App, BoltContext
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.after_ack import after_ack
from bot.alert_snooze import (
    snooze_alert,
    snoozed_reply,
    unsnooze_alert,
    unsnoozed_reply,
)
from bot.deps import deps_of
from bot.metadata import STALE, schedule_id_from
from bot.respond import answer, where_from_action
from jobs.alerts.messages import snoozed_block, with_snooze
from jobs.alerts.snooze import parse_menu_value
from jobs.slack_ids import AlertActions
from storage.errors import BadInput

log = logging.getLogger(__name__)


def _show_on_message(client: WebClient, body: dict, schedule_id: int, snoozed: dict | None) -> None:
    """Say on the notification itself that it is snoozed (or not any more), for everyone who sees it."""
    message = body.get("message") or {}
    channel = (body.get("channel") or {}).get("id") or (body.get("container") or {}).get("channel_id")
    ts = (body.get("container") or {}).get("message_ts") or message.get("ts")
    if not (message.get("blocks") and channel and ts):
        return
    # A notification posted with its files may carry no text of its own: its first section says it.
    text = message.get("text") or next((b["text"].get("text") for b in message["blocks"]
                                         if b.get("type") == "section" and b.get("text")), "") or "Alert"
    try:
        client.chat_update(channel=channel, ts=ts, text=text,
                           blocks=with_snooze(message["blocks"], schedule_id, snoozed))
    except SlackApiError as exc:  # an old or foreign message: the reply below still says it
        log.info("could not update the notification: %s", exc.response.get("error"))


def handle_snooze_menu(ack, body: dict, client: WebClient, action: dict, context: BoltContext) -> None:
    ack()
    chosen = parse_menu_value((action.get("selected_option") or {}).get("value") or "")
    if chosen is None:
        raise BadInput(STALE)
    where = where_from_action(body)
    alert, done = snooze_alert(deps_of(context), client, where, chosen[0], chosen[1], surface=where.surface)
    # Who snoozed it is for its owner and admins (they are told); the channel sees that it is snoozed.
    _show_on_message(client, body, alert.id, snoozed_block(done.until, done.until_resolved, None, alert.timezone))
    answer(client, where, snoozed_reply(alert, done))


def handle_unsnooze(ack, body: dict, client: WebClient, action: dict, context: BoltContext) -> None:
    ack()
    where = where_from_action(body)
    alert, was = unsnooze_alert(deps_of(context), client, where, schedule_id_from(action.get("value")),
                                surface=where.surface)
    _show_on_message(client, body, alert.id, None)
    answer(client, where, unsnoozed_reply(alert, was))


def register(app: App) -> None:
    app.action(AlertActions.SNOOZE)(after_ack(handle_snooze_menu))
    app.action(AlertActions.UNSNOOZE)(after_ack(handle_unsnooze))
