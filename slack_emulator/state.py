"""Workspace model: teams, users, channels, messages, files, views and one-shot tokens."""

from __future__ import annotations

import itertools
import logging
import secrets
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

logger = logging.getLogger(__name__)

APP_ID = "A0EMUREPORT"
# The scopes of the app manifest in the platform notes, plus users:read.email.
DEFAULT_BOT_SCOPES = (
    "commands", "chat:write", "chat:write.public", "files:write", "im:write", "users:read",
    "users:read.email", "channels:read", "groups:read", "channels:history", "groups:history",
    "app_mentions:read", "im:history",
)
TRIGGER_TTL_SECONDS = 3.0


@dataclass
class User:
    """A workspace member (human or bot)."""

    id: str
    team_id: str
    name: str
    real_name: str
    tz: str = "UTC"
    email: str | None = None
    is_admin: bool = False
    is_bot: bool = False
    deleted: bool = False
    bot_id: str | None = None
    is_owner: bool = False
    guest: str | None = None  # "single" or "multi": a single- or multi-channel guest
    # A Slack Connect user: a member of another organisation's workspace, seen from this one.
    home_team_id: str | None = None
    locale: str = "en-US"

    def to_api(self, *, include_email: bool, include_locale: bool = False) -> dict[str, Any]:
        """Render the user as users.info does."""
        try:
            now = datetime.now(ZoneInfo(self.tz))
            offset = int(now.utcoffset().total_seconds())
            label = now.tzname() or self.tz
        except (ZoneInfoNotFoundError, ValueError):
            offset, label = 0, "UTC"
        profile: dict[str, Any] = {
            "real_name": self.real_name, "real_name_normalized": self.real_name,
            "display_name": self.name, "display_name_normalized": self.name, "team": self.team_id,
        }
        if include_email and self.email:
            profile["email"] = self.email
        if self.bot_id:
            profile.update(bot_id=self.bot_id, api_app_id=APP_ID, always_active=True)
        found = {
            "id": self.id, "team_id": self.home_team_id or self.team_id, "name": self.name, "deleted": self.deleted,
            "real_name": self.real_name, "tz": self.tz, "tz_label": label, "tz_offset": offset,
            "profile": profile, "is_admin": self.is_admin, "is_owner": self.is_owner, "is_primary_owner": False,
            "is_restricted": self.guest is not None, "is_ultra_restricted": self.guest == "single",
            "is_bot": self.is_bot,
            "is_app_user": False, "updated": 1700000000,
        }
        if include_locale:
            found["locale"] = self.locale
        return found


@dataclass
class Channel:
    """A public/private channel, IM or MPIM with its message history."""

    id: str
    team_id: str
    name: str
    is_private: bool = False
    is_im: bool = False
    is_mpim: bool = False
    is_archived: bool = False
    members: set[str] = field(default_factory=set)
    im_user: str | None = None
    created: int = field(default_factory=lambda: int(time.time()))
    messages: list[dict[str, Any]] = field(default_factory=list)

    @property
    def kind(self) -> str:
        """Return public_channel, private_channel, im or mpim."""
        if self.is_im:
            return "im"
        if self.is_mpim:
            return "mpim"
        return "private_channel" if self.is_private else "public_channel"

    def to_api(self, bot_user_id: str, *, num_members: bool = False) -> dict[str, Any]:
        """Render the channel as conversations.info does."""
        if self.is_im:
            data = {"id": self.id, "created": self.created, "is_im": True, "is_org_shared": False,
                    "user": self.im_user, "is_archived": False, "is_user_deleted": False, "priority": 0}
        else:
            data = {
                "id": self.id, "name": self.name, "name_normalized": self.name, "created": self.created,
                "is_channel": not self.is_private and not self.is_mpim, "is_group": self.is_private,
                "is_im": False, "is_mpim": self.is_mpim, "is_private": self.is_private or self.is_mpim,
                "is_archived": self.is_archived, "is_general": self.name == "general", "is_shared": False,
                "is_ext_shared": False, "is_org_shared": False, "is_member": bot_user_id in self.members,
                "context_team_id": self.team_id,
                "topic": {"value": "", "creator": "", "last_set": 0},
                "purpose": {"value": "", "creator": "", "last_set": 0},
            }
        if num_members:
            data["num_members"] = len(self.members)
        return data


@dataclass
class Team:
    """One installed workspace with its bot identity, scopes and data."""

    id: str
    name: str
    domain: str
    bot_user_id: str
    bot_id: str
    token: str
    scopes: list[str]
    home_tab_enabled: bool = True
    users: dict[str, User] = field(default_factory=dict)
    channels: dict[str, Channel] = field(default_factory=dict)
    files: dict[str, dict[str, Any]] = field(default_factory=dict)
    views: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def url(self) -> str:
        """Return the workspace URL auth.test reports."""
        return f"https://{self.domain}.slack.com/"


def _ts_key(ts: str) -> tuple[int, int]:
    secs, _, micros = ts.partition(".")
    return int(secs), int(micros or 0)


class Workspace:
    """All emulated teams plus id/ts generators; callers hold `lock` while mutating."""

    def __init__(self, lock: threading.RLock) -> None:
        self.lock = lock
        self.teams: dict[str, Team] = {}
        self.app_token = "xapp-test-emulator-not-a-real-token"
        self._tokens: dict[str, str] = {}
        self._ids = itertools.count(1)
        self._last_ts_us = 0
        self.triggers: dict[str, dict[str, Any]] = {}
        self.oauth_codes: dict[str, dict[str, Any]] = {}
        # upload ticket -> (team id, file id) for the raw /upload/v1/<ticket> endpoint
        self.upload_tickets: dict[str, tuple[str, str]] = {}

    # --- ids and timestamps -------------------------------------------------
    def new_id(self, prefix: str) -> str:
        """Return a fresh, obviously fake Slack-style id such as F0EMU000001."""
        return f"{prefix}0EMU{next(self._ids):06d}"

    def next_ts(self) -> str:
        """Return a message ts ("1712345678.000100") strictly greater than any before."""
        with self.lock:
            now_us = int(time.time() * 1_000_000)
            self._last_ts_us = max(now_us, self._last_ts_us + 1)
            secs, micros = divmod(self._last_ts_us, 1_000_000)
            return f"{secs}.{micros:06d}"

    # --- teams, tokens, users, channels -------------------------------------
    def add_team(self, team_id: str, name: str, domain: str | None = None) -> Team:
        """Create a team with its bot user and bot token."""
        with self.lock:
            if team_id in self.teams:
                raise ValueError(f"team {team_id} already exists")
            suffix = team_id[1:] if len(team_id) > 1 else team_id
            team = Team(
                id=team_id, name=name, domain=domain or name.lower().replace(" ", "-"),
                bot_user_id=f"UB{suffix}", bot_id=f"B{suffix}",
                token=f"xoxb-test-{team_id.lower()}-not-a-real-token", scopes=list(DEFAULT_BOT_SCOPES),
            )
            self.teams[team_id] = team
            self._tokens[team.token] = team_id
            team.users[team.bot_user_id] = User(team.bot_user_id, team_id, "reportbot", "Report Scheduler",
                                                is_bot=True, bot_id=team.bot_id)
            return team

    def team_for_token(self, token: str | None) -> Team | None:
        """Return the team a bot token belongs to."""
        if not token:
            return None
        team_id = self._tokens.get(token)
        return self.teams.get(team_id) if team_id else None

    def team(self, team_id: str) -> Team:
        """Return a team or raise KeyError with a readable message."""
        try:
            return self.teams[team_id]
        except KeyError:
            raise KeyError(f"unknown team {team_id!r}; add it with add_team()") from None

    def add_user(self, team: Team, user: User) -> None:
        """Register a user in a team."""
        with self.lock:
            team.users[user.id] = user

    def add_channel(self, team: Team, channel: Channel) -> None:
        """Register a channel in a team."""
        with self.lock:
            team.channels[channel.id] = channel

    def find_channel(self, team: Team, ref: str | None) -> Channel | None:
        """Resolve a channel id, "#name" or bare name within a team."""
        if not ref:
            return None
        if ref in team.channels:
            return team.channels[ref]
        name = ref.lstrip("#")
        for channel in team.channels.values():
            if not channel.is_im and channel.name == name:
                return channel
        return None

    def find_user_by_email(self, team: Team, email: str) -> User | None:
        """Return the (non-deleted) user with this email address."""
        wanted = email.strip().lower()
        for user in team.users.values():
            if user.email and user.email.lower() == wanted:
                return user
        return None

    def open_im(self, team: Team, user_id: str) -> tuple[Channel, bool]:
        """Return the bot's DM with a user, creating it (stable D id); flag if it already existed."""
        with self.lock:
            im_id = "D" + user_id[1:]
            existing = team.channels.get(im_id)
            if existing is not None:
                return existing, True
            channel = Channel(im_id, team.id, im_id, is_private=True, is_im=True,
                              members={user_id, team.bot_user_id}, im_user=user_id)
            team.channels[im_id] = channel
            return channel, False

    def open_mpim(self, team: Team, user_ids: list[str]) -> tuple[Channel, bool]:
        """Return the group DM for these users plus the bot, creating it if needed."""
        with self.lock:
            members = set(user_ids) | {team.bot_user_id}
            for channel in team.channels.values():
                if channel.is_mpim and channel.members == members:
                    return channel, True
            channel_id = self.new_id("G")
            name = "mpdm-" + "--".join(sorted(team.users[u].name for u in user_ids)) + "-1"
            channel = Channel(channel_id, team.id, name, is_private=True, is_mpim=True, members=members)
            team.channels[channel_id] = channel
            return channel, False

    # --- one-shot tokens ------------------------------------------------------
    def new_trigger_id(self) -> str:
        """Issue a trigger id in Slack's "123.456.hex" shape."""
        with self.lock:
            trigger = f"{int(time.time())}.{next(self._ids)}.{secrets.token_hex(12)}"
            self.triggers[trigger] = {"issued": time.monotonic(), "used": False}
            return trigger

    def exchange_trigger(self, trigger_id: str | None, ttl: float = TRIGGER_TTL_SECONDS) -> str | None:
        """Spend a trigger id; return an error code if it cannot be used."""
        with self.lock:
            entry = self.triggers.get(trigger_id or "")
            if entry is None:
                return "invalid_trigger_id"
            if entry["used"]:
                return "exchanged_trigger_id"
            if time.monotonic() - entry["issued"] > ttl:
                return "expired_trigger_id"
            entry["used"] = True
            return None

    def new_oauth_code(self, team_id: str, installer_user_id: str | None, scopes: list[str] | None) -> str:
        """Issue a single-use OAuth code that installs the app into a team."""
        with self.lock:
            self.team(team_id)
            code = f"emu-oauth-code-{next(self._ids)}-{secrets.token_hex(4)}"
            self.oauth_codes[code] = {"team_id": team_id, "user_id": installer_user_id, "scopes": scopes,
                                      "used": False}
            return code

    # --- messages -------------------------------------------------------------
    def append_message(self, channel: Channel, message: dict[str, Any]) -> dict[str, Any]:
        """Store a message (assigning ts) and keep thread reply counters current."""
        with self.lock:
            message.setdefault("type", "message")
            message["ts"] = message.get("ts") or self.next_ts()
            channel.messages.append(message)
            if len(channel.messages) > 1 and _ts_key(message["ts"]) < _ts_key(channel.messages[-2]["ts"]):
                # Seeded history may arrive out of order; keep the list sorted by ts.
                channel.messages.sort(key=lambda m: _ts_key(m["ts"]))
            thread_ts = message.get("thread_ts")
            if thread_ts and thread_ts != message["ts"]:
                parent = self.find_message(channel, thread_ts)
                if parent is not None:
                    parent["thread_ts"] = thread_ts
                    parent["reply_count"] = parent.get("reply_count", 0) + 1
                    parent["latest_reply"] = message["ts"]
                    users = parent.setdefault("reply_users", [])
                    author = message.get("user")
                    if author and author not in users:
                        users.append(author)
                    parent["reply_users_count"] = len(users)
            return message

    @staticmethod
    def find_message(channel: Channel, ts: str) -> dict[str, Any] | None:
        """Return the message with exactly this ts."""
        for message in channel.messages:
            if message.get("ts") == ts:
                return message
        return None
