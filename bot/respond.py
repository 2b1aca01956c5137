"""Answer the person who acted, on whatever surface they acted: a slash command, a button in a
message (ephemeral or not), a button on App Home, a DM or a mention.

`answer` returns where the answer landed when it can be updated later (a real message, or an
ephemeral one through its response_url), which is what progress messages are built on.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.webhook import WebhookClient

from jobs.manual_runs import ProgressTarget
from jobs.slack_ids import ViewCallbacks

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Where:
    """Where a person acted, and so where and how to answer them."""

    team_id: str
    user_id: str
    surface: str  # slash_command | button | home | chat | modal
    channel_id: str | None = None
    response_url: str | None = None
    message_ts: str | None = None  # the bot message clicked, when it may be replaced
    ephemeral: bool = False  # the clicked message was ephemeral: only its response_url reaches it
    is_dm: bool = False
    thread_ts: str | None = None

    @property
    def replaceable(self) -> bool:
        """Whether the clicked message is the bot's own answer to this person (safe to replace)."""
        return (self.ephemeral and bool(self.response_url)) or (self.is_dm and bool(self.message_ts))


def where_from_command(command: dict) -> Where:
    channel = command.get("channel_id") or None
    return Where(team_id=command.get("team_id", ""), user_id=command.get("user_id", ""), surface="slash_command",
                 channel_id=channel, response_url=command.get("response_url") or None,
                 is_dm=bool(channel and channel.startswith("D")))


def where_from_action(body: dict) -> Where:
    container = body.get("container") or {}
    team_id = (body.get("team") or {}).get("id") or (body.get("user") or {}).get("team_id", "")
    user_id = (body.get("user") or {}).get("id", "")
    if container.get("type") == "view" or body.get("view"):
        surface = "home" if (body.get("view") or {}).get("type") == "home" else "modal"
        return Where(team_id=team_id, user_id=user_id, surface=surface)
    channel = (body.get("channel") or {}).get("id") or container.get("channel_id")
    is_dm = bool(channel and channel.startswith("D"))
    message = body.get("message") or {}
    own_dm_message = is_dm and bool(message.get("bot_id"))
    return Where(team_id=team_id, user_id=user_id, surface="button", channel_id=channel,
                 response_url=body.get("response_url") or None,
                 message_ts=container.get("message_ts") if own_dm_message else None,
                 ephemeral=bool(container.get("is_ephemeral")), is_dm=is_dm,
                 thread_ts=message.get("thread_ts"))


def where_from_event(event: dict, team_id: str) -> Where:
    channel = event.get("channel")
    is_dm = event.get("channel_type") == "im" or bool(channel and channel.startswith("D"))
    return Where(team_id=team_id, user_id=event.get("user", ""), surface="chat", channel_id=channel, is_dm=is_dm,
                 thread_ts=event.get("thread_ts"))


def where_from_body(body: dict) -> Where:
    """Where for any request body: slash command, interaction or event."""
    if body.get("command"):
        return where_from_command(body)
    if body.get("type") == "event_callback":
        return where_from_event(body.get("event") or {}, body.get("team_id", ""))
    return where_from_action(body)


def info_view(title: str, text: str) -> dict:
    """A read-only modal: how Home (which has no channel to answer in) shows a longer answer."""
    text = text or " "
    return {"type": "modal", "callback_id": ViewCallbacks.INFO_MODAL,
            "title": {"type": "plain_text", "text": title[:24]},
            "close": {"type": "plain_text", "text": "Close"},
            "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": text[:2990]}}]}


def tell(client: WebClient, where: Where, text: str, *, trigger_id: str | None = None, title: str = "reportbot",
         replace_clicked: bool = False) -> None:
    """Answer; on Home (no channel) in a small modal when a trigger is at hand, else in a DM."""
    if where.surface == "home" and trigger_id:
        try:
            client.views_open(trigger_id=trigger_id, view=info_view(title, text))
            return
        except SlackApiError as exc:
            log.info("info modal failed: %s", exc.response.get("error"))
    answer(client, where, text, replace_clicked=replace_clicked)


def answer(client: WebClient, where: Where, text: str, blocks: list[dict] | None = None, *,
           replace_clicked: bool = False) -> ProgressTarget | None:
    """Tell the person; replace the clicked bot message when asked and allowed. Return where the
    answer is if it can be updated later."""
    text = text[:3900]
    if replace_clicked and where.replaceable:
        if where.ephemeral and where.response_url:
            if _post_response(where.response_url, text, blocks, replace_original=True):
                return ProgressTarget(where.user_id, response_url=where.response_url)
        elif where.channel_id and where.message_ts:
            try:
                client.chat_update(channel=where.channel_id, ts=where.message_ts, text=text, blocks=blocks or [])
                return ProgressTarget(where.user_id, channel_id=where.channel_id, message_ts=where.message_ts)
            except SlackApiError as exc:
                log.info("could not replace message: %s", exc.response.get("error"))
    if where.response_url and where.surface in ("slash_command", "button"):
        # A new ephemeral message, even where the bot is not a member. Only a slash command's own
        # reply can be replaced through its response_url later (a button's would replace the
        # message that was clicked), so only that one is returned as updatable.
        if _post_response(where.response_url, text, blocks, replace_original=False):
            return ProgressTarget(where.user_id, response_url=where.response_url) \
                if where.surface == "slash_command" else None
    if where.is_dm and where.channel_id:
        return _post(client, where.channel_id, where.user_id, text, blocks, where.thread_ts)
    if where.channel_id:
        try:
            client.chat_postEphemeral(channel=where.channel_id, user=where.user_id, text=text, blocks=blocks,
                                      thread_ts=where.thread_ts)
            return None
        except SlackApiError as exc:  # e.g. a private channel the bot is not in: fall back to a DM
            log.info("ephemeral answer failed: %s", exc.response.get("error"))
    return direct_message(client, where.user_id, text, blocks)


def direct_message(client: WebClient, user_id: str, text: str,
                   blocks: list[dict] | None = None) -> ProgressTarget | None:
    """Post in the person's DM with the app (its Messages tab)."""
    try:
        channel = client.conversations_open(users=user_id)["channel"]["id"]
    except SlackApiError as exc:
        log.warning("could not open a DM with %s: %s", user_id, exc.response.get("error"))
        return None
    return _post(client, channel, user_id, text, blocks, None)


def _post(client: WebClient, channel: str, user_id: str, text: str, blocks: list[dict] | None,
          thread_ts: str | None) -> ProgressTarget | None:
    try:
        response = client.chat_postMessage(channel=channel, text=text, blocks=blocks, thread_ts=thread_ts)
    except SlackApiError as exc:
        log.warning("could not answer in %s: %s", channel, exc.response.get("error"))
        return None
    return ProgressTarget(user_id, channel_id=response["channel"], message_ts=response["ts"])


def _post_response(url: str, text: str, blocks: list[dict] | None, *, replace_original: bool) -> bool:
    body = {"text": text, "response_type": "ephemeral", "replace_original": replace_original}
    if blocks:
        body["blocks"] = blocks
    try:
        status = WebhookClient(url, timeout=10).send_dict(body).status_code
    except OSError as exc:
        log.warning("response_url failed: %s", exc)
        return False
    if status != 200:
        log.info("response_url answered %s", status)
    return status == 200
