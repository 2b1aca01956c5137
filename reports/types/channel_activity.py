"""`channel_activity`: how busy chosen Slack channels were over the window.

Three views of the same reading: messages and replies per day per channel (`per_day`), the most
active members (`members`), and the busiest threads (`threads`). Everything comes from
conversations.history (top-level messages, with each thread's reply counters) plus
conversations.replies for the `top` busiest threads only — replies are the expensive part under
Slack's history limits, so they are read for the threads that matter and counted from the
parent's counters for the rest. Threads are those started in the window; replies posted in the
window to older threads are not seen (that would mean reading history before the window).

Private channels are reported only to their members: the schedule's owner must be in them.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from reports.errors import ReportError
from reports.registry import Param, ReportRequest, report_type
from reports.table import Column, ColumnType, Table
from reports.types.slack_history import HistorySettings, SlackReader, from_ts

VIEWS = ("per_day", "members", "threads")
MAX_CHANNELS = 20
# Joins, topic changes and the like are not conversation.
_NOISE = {"channel_join", "channel_leave", "channel_topic", "channel_purpose", "channel_name", "channel_archive",
          "channel_unarchive", "group_join", "group_leave", "group_topic", "group_purpose", "group_name",
          "pinned_item", "unpinned_item", "bot_add", "bot_remove", "channel_convert_to_private",
          "channel_posting_permissions", "reminder_add", "huddle_thread"}


@dataclass
class _Thread:
    channel: str
    ts: str
    user: str
    text: str
    reply_count: int
    reply_users_count: int
    latest_reply: str | None
    replies_in_window: int | None = None  # None: not read in full
    participants: set[str] = field(default_factory=set)


@dataclass
class _Member:
    messages: int = 0
    replies: int = 0
    threads: int = 0
    days: set[dt.date] = field(default_factory=set)
    channels: set[str] = field(default_factory=set)


class _Activity:
    """Counters folded from messages as they stream past; no message is kept."""

    def __init__(self, window, include_bots: bool) -> None:
        self.window = window
        self.zone = window.zone  # built once: add() runs for every message
        self.include_bots = include_bots
        self.per_day: dict[tuple[dt.date, str], list] = defaultdict(lambda: [0, 0, set()])
        self.members: dict[str, _Member] = defaultdict(_Member)
        self.threads: list[_Thread] = []

    def author(self, message: dict[str, Any]) -> str | None:
        if message.get("subtype") in _NOISE:
            return None
        is_bot = bool(message.get("bot_id")) or message.get("subtype") == "bot_message"
        if is_bot and not self.include_bots:
            return None
        return message.get("user") or message.get("bot_id") or None

    def add(self, channel: str, message: dict[str, Any], *, reply: bool) -> str | None:
        user = self.author(message)
        if user is None:
            return None
        day = from_ts(message["ts"]).astimezone(self.zone).date()
        counters = self.per_day[(day, channel)]
        counters[1 if reply else 0] += 1
        counters[2].add(user)
        member = self.members[user]
        member.days.add(day)
        member.channels.add(channel)
        if reply:
            member.replies += 1
            return user
        member.messages += 1
        if message.get("reply_count") and message.get("thread_ts", message["ts"]) == message["ts"]:
            member.threads += 1
            self.threads.append(_Thread(
                channel, message["ts"], user, " ".join(str(message.get("text") or "").split())[:100],
                int(message.get("reply_count") or 0), int(message.get("reply_users_count") or 0),
                message.get("latest_reply"), participants=set(message.get("reply_users") or [])))
        return user


@report_type(
    "channel_activity",
    title="Channel activity",
    description="Messages per day, most active members and busiest threads of chosen Slack channels.",
    params=(
        Param("channels", "Channels", type="channels", required=True, max=MAX_CHANNELS,
              help="The channels to report on; I must be a member of each."),
        Param("view", "View", type="choice", choices=VIEWS, default="per_day",
              help="per_day: messages, replies and active members per day; members: the most active people; "
                   "threads: the busiest threads."),
        Param("top", "Busiest threads to read", type="integer", min=0, max=100, default=10,
              help="Replies are counted in full for this many of the busiest threads (each costs Slack calls); "
                   "also the number of threads the threads view lists."),
        Param("include_bots", "Include bots", type="boolean", default=False,
              help="Count messages posted by bots and apps."),
    ),
    default_formats=("csv", "png"),
)
def fetch_channel_activity(request: ReportRequest) -> Table:
    make_client = request.services.get("slack")
    if make_client is None:
        raise ReportError("Channel activity needs access to Slack, which this run does not have.")
    settings = request.services.get("slack_history_settings") or HistorySettings.from_env()
    reader = SlackReader(make_client(), settings, **({"sleep": request.services["sleep"]}
                                                     if "sleep" in request.services else {}))
    params = request.params
    window = request.window
    channels = _resolve_channels(reader, params["channels"], request.owner_user_id)
    activity = _Activity(window, bool(params.get("include_bots")))
    for channel_id in channels:
        for message in reader.history(channel_id, window.start, window.end):
            activity.add(channel_id, message, reply=False)
    top = params.get("top")
    top = 10 if top is None else top
    busiest = sorted(activity.threads, key=lambda t: (-t.reply_count, t.ts))[:top]
    for thread in busiest:
        thread.replies_in_window = 0
        thread.participants = set()
        for reply in reader.replies(thread.channel, thread.ts, window.start, window.end):
            if reply.get("subtype") == "thread_broadcast":
                continue  # already counted from the channel's history
            user = activity.add(thread.channel, reply, reply=True)
            if user is not None:
                thread.replies_in_window += 1
                thread.participants.add(user)
    view = params.get("view") or "per_day"
    columns, rows, meta = _VIEWS[view](activity, channels, reader, busiest)
    skipped = len(activity.threads) - len(busiest)
    meta["notes"] = []
    if skipped > 0:
        meta["notes"].append(f"Replies counted in full for the {len(busiest)} busiest threads; {skipped} more "
                             f"thread{'s' if skipped != 1 else ''} counted from Slack's reply totals.")
    meta["slack_calls"] = reader.calls
    meta["rate_limited"] = reader.ratelimited
    names = ", ".join(channels.values())
    return Table.from_rows(columns, rows, title=f"Channel activity · {names}", window_label=window.label, meta=meta)


def _resolve_channels(reader: SlackReader, refs: tuple[str, ...], owner: str | None) -> dict[str, str]:
    """Map the requested channels to {id: "#name"}; private ones only for their members."""
    wanted_names = {r[1:] for r in refs if r.startswith("#")}
    by_name: dict[str, str] = {}
    if wanted_names:
        for page in reader.pages("conversations.list", types="public_channel,private_channel", limit=200,
                                 exclude_archived=False):
            for channel in page.get("channels") or []:
                if channel.get("name") in wanted_names:
                    by_name[channel["name"]] = channel["id"]
            if wanted_names <= set(by_name):
                break
    resolved: dict[str, str] = {}
    for ref in refs:
        channel_id = by_name.get(ref[1:]) if ref.startswith("#") else ref
        if channel_id is None:
            raise ReportError(f"I can't find a channel called {ref}. If it is private, invite me to it first.")
        info = reader.call("conversations.info", channel=channel_id).get("channel") or {}
        if info.get("is_private") and not _is_member(reader, channel_id, owner):
            raise ReportError(f"#{info.get('name', channel_id)} is private, and only its members can get "
                              "reports on it.")
        resolved[channel_id] = f"#{info.get('name') or channel_id}"
    return resolved


def _is_member(reader: SlackReader, channel_id: str, user_id: str | None) -> bool:
    if not user_id:
        return False
    for page in reader.pages("conversations.members", channel=channel_id, limit=200):
        if user_id in (page.get("members") or []):
            return True
    return False


def _per_day(activity: _Activity, channels: dict[str, str], reader: SlackReader, busiest) -> tuple:
    window = activity.window
    first = window.local_start.date()
    last = (window.end - dt.timedelta(microseconds=1)).astimezone(window.zone).date()
    rows = []
    day = first
    while day <= last:  # every day, zeros included, so a chart has no misleading gaps
        for channel_id, name in channels.items():
            messages, replies, users = activity.per_day.get((day, channel_id), (0, 0, ()))
            rows.append((day, name, messages, replies, len(users)))
        day += dt.timedelta(days=1)
    columns = [Column("date", ColumnType.DATE), Column("channel"), Column("messages", ColumnType.INTEGER),
               Column("replies", ColumnType.INTEGER), Column("active_members", ColumnType.INTEGER)]
    return columns, rows, {"chart": {"x": "date", "y": ["messages", "replies"], "kind": "line"},
                           "key_columns": ["messages", "replies"]}


def _members(activity: _Activity, channels: dict[str, str], reader: SlackReader, busiest) -> tuple:
    ranked = sorted(activity.members.items(), key=lambda kv: (-(kv[1].messages + kv[1].replies), kv[0]))
    rows = [(reader.user_name(user), user, m.messages, m.replies, m.threads, len(m.channels), len(m.days))
            for user, m in ranked]
    columns = [Column("member"), Column("user_id"), Column("messages", ColumnType.INTEGER),
               Column("replies", ColumnType.INTEGER), Column("threads_started", ColumnType.INTEGER),
               Column("channels", ColumnType.INTEGER), Column("active_days", ColumnType.INTEGER)]
    return columns, rows, {"chart": {"x": "member", "y": ["messages", "replies"], "kind": "bar"},
                           "key_columns": ["messages", "replies"]}


def _threads(activity: _Activity, channels: dict[str, str], reader: SlackReader, busiest) -> tuple:
    zone = activity.window.zone
    link_base = _link_base(reader)
    ranked = sorted(busiest, key=lambda t: (-(t.replies_in_window or 0), -t.reply_count, t.ts))
    rows = [(channels[t.channel], from_ts(t.ts).astimezone(zone), reader.user_name(t.user), t.replies_in_window,
             t.reply_count, len(t.participants), from_ts(t.latest_reply).astimezone(zone) if t.latest_reply else None,
             t.text, f"{link_base}archives/{t.channel}/p{t.ts.replace('.', '')}" if link_base else "")
            for t in ranked]
    columns = [Column("channel"), Column("started", ColumnType.DATETIME), Column("author"),
               Column("replies", ColumnType.INTEGER), Column("replies_all_time", ColumnType.INTEGER),
               Column("participants", ColumnType.INTEGER), Column("last_reply", ColumnType.DATETIME),
               Column("text"), Column("link")]
    return columns, rows, {"key_columns": ["replies"]}


def _link_base(reader: SlackReader) -> str:
    try:
        url = str(reader.call("auth.test").get("url") or "")
    except ReportError:
        return ""
    return url if url.endswith("/") or not url else url + "/"


_VIEWS = {"per_day": _per_day, "members": _members, "threads": _threads}
