"""Read Slack channel history politely: cursor paging, small pages, Retry-After honoured.

Since 2025, commercially distributed apps outside the Marketplace get conversations.history and
conversations.replies at 1 request a minute with at most 15 messages a page (see
shared/docs/slack-platform.md §4). So this reader asks for 15 by default, follows `next_cursor`,
waits exactly as long as a 429's Retry-After says, and gives up with a clear message once it has
waited `max_wait_seconds` in total or made `max_calls` calls, rather than holding a worker forever.
Internal apps, which keep the old limits, can raise the page size.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from slack_sdk.errors import SlackApiError

from reports.env import env_number
from reports.errors import ReportError

log = logging.getLogger(__name__)

_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


@dataclass(frozen=True)
class HistorySettings:
    """How hard a report may lean on Slack's history methods."""

    page_size: int = 15
    max_wait_seconds: float = 900.0
    max_calls: int = 2_000
    max_user_lookups: int = 200

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> HistorySettings:
        env = os.environ if env is None else env

        def number(key: str, default: float) -> float:
            return env_number(env, key, default)

        return cls(
            page_size=max(1, min(999, int(number("REPORTBOT_SLACK_HISTORY_PAGE_SIZE", cls.page_size)))),
            max_wait_seconds=max(0.0, number("REPORTBOT_SLACK_HISTORY_MAX_WAIT", cls.max_wait_seconds)),
            max_calls=max(1, int(number("REPORTBOT_SLACK_HISTORY_MAX_CALLS", cls.max_calls))),
        )


def to_ts(instant: dt.datetime) -> str:
    """An aware datetime as a Slack ts ("1732345678.123456"), exactly (no float rounding)."""
    micros = (instant - _EPOCH) // dt.timedelta(microseconds=1)
    return f"{micros // 1_000_000}.{micros % 1_000_000:06d}"


def from_ts(ts: str) -> dt.datetime:
    seconds, _, fraction = str(ts).partition(".")
    return _EPOCH + dt.timedelta(seconds=int(seconds), microseconds=int((fraction + "000000")[:6]))


class SlackReader:
    """Slack Web API calls with rate-limit handling and errors a schedule's owner can act on."""

    def __init__(self, client: Any, settings: HistorySettings | None = None, *,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.client = client
        self.settings = settings or HistorySettings()
        self.sleep = sleep
        self.calls = 0
        self.waited = 0.0
        self.ratelimited = 0
        self._users: dict[str, str] = {}

    def call(self, method: str, **params: Any) -> dict[str, Any]:
        """Call `method` (e.g. "conversations.history"), waiting out 429s within the budget."""
        api = getattr(self.client, method.replace(".", "_"))
        while True:
            if self.calls >= self.settings.max_calls:
                raise ReportError(f"Reading this much Slack history needs more than {self.settings.max_calls:,} "
                                  "Slack calls; choose fewer channels or a shorter window.")
            self.calls += 1
            try:
                return api(**params).data
            except SlackApiError as exc:
                delay = _retry_after(exc)
                if delay is None:
                    raise _explain(method, params, exc) from None
                if self.waited + delay > self.settings.max_wait_seconds:
                    raise ReportError(
                        f"Slack's rate limit for {method} kept me waiting more than "
                        f"{self.settings.max_wait_seconds:g} seconds; choose fewer channels or a shorter window, "
                        "or ask an admin to raise REPORTBOT_SLACK_HISTORY_MAX_WAIT.") from None
                self.ratelimited += 1
                self.waited += delay
                log.info("%s rate limited; waiting %.1f s as Slack asks", method, delay)
                self.sleep(delay)

    def pages(self, method: str, **params: Any) -> Iterator[dict[str, Any]]:
        """Yield each page of a cursor-paged method."""
        cursor = None
        while True:
            page = self.call(method, **params, **({"cursor": cursor} if cursor else {}))
            yield page
            cursor = (page.get("response_metadata") or {}).get("next_cursor")
            if not cursor:
                return

    def history(self, channel: str, start: dt.datetime, end: dt.datetime) -> Iterator[dict[str, Any]]:
        """Top-level messages of a channel with start <= ts < end."""
        for page in self.pages("conversations.history", channel=channel, limit=self.settings.page_size,
                               **_range(start, end)):
            yield from page.get("messages") or []

    def replies(self, channel: str, thread_ts: str, start: dt.datetime, end: dt.datetime) -> Iterator[dict[str, Any]]:
        """Replies of one thread with start <= ts < end (the parent left out)."""
        for page in self.pages("conversations.replies", channel=channel, ts=thread_ts,
                               limit=self.settings.page_size, **_range(start, end)):
            for message in page.get("messages") or []:
                if message.get("ts") != thread_ts:
                    yield message

    def user_name(self, user_id: str) -> str:
        """A person's display name (cached; ids beyond the lookup budget stay ids)."""
        if user_id in self._users:
            return self._users[user_id]
        name = user_id
        if len(self._users) < self.settings.max_user_lookups and user_id.startswith(("U", "W")):
            try:
                user = self.call("users.info", user=user_id).get("user") or {}
                profile = user.get("profile") or {}
                name = profile.get("display_name") or user.get("real_name") or user.get("name") or user_id
            except ReportError:
                pass  # a name is a nicety; the id is still correct
        self._users[user_id] = name
        return name


def _range(start: dt.datetime, end: dt.datetime) -> dict[str, Any]:
    # Slack's `inclusive` applies to both ends; the window is half-open, so end one microsecond early.
    return {"oldest": to_ts(start), "latest": to_ts(end - dt.timedelta(microseconds=1)), "inclusive": True}


def _retry_after(exc: SlackApiError) -> float | None:
    response = exc.response
    status = getattr(response, "status_code", None)
    if status != 429 and (response.get("error") if response is not None else None) != "ratelimited":
        return None
    headers = getattr(response, "headers", None) or {}
    raw = headers.get("Retry-After") or headers.get("retry-after")
    try:
        return max(0.0, float(raw[0] if isinstance(raw, list) else raw))
    except (TypeError, ValueError):
        return 1.0  # Slack always sends it; if a proxy ate it, a second is the documented minimum


def _explain(method: str, params: Mapping[str, Any], exc: SlackApiError) -> ReportError:
    error = (exc.response.get("error") if exc.response is not None else None) or "unknown_error"
    channel = params.get("channel")
    where = f"<#{channel}>" if channel else "the channel"
    if error == "not_in_channel":
        return ReportError(f"I'm not a member of {where}. Invite me with `/invite @reportbot`, then run it again.")
    if error == "channel_not_found":
        return ReportError(f"I can't see {where}. If it is private, invite me to it first.")
    if error == "missing_scope":
        needed = exc.response.get("needed") or "a history scope"
        return ReportError(f"reportbot lacks the Slack permission “{needed}”; "
                           "a workspace admin must reinstall the app.")
    if error in ("invalid_auth", "not_authed", "account_inactive", "token_revoked", "token_expired"):
        return ReportError("reportbot's Slack token is no longer valid for this workspace; reinstall the app.")
    return ReportError(f"Slack refused {method} ({error}).")
