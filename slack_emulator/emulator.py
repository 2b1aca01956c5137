"""SlackEmulator: the public facade tests and the demo code against."""

from __future__ import annotations

import copy
import json
import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, Self, TypeVar

from slack_emulator import methods
from slack_emulator.faults import FaultInjector
from slack_emulator.ratelimit import RateLimiter
from slack_emulator.records import Call, Recorder, UploadedFile
from slack_emulator.reference import MethodCatalog
from slack_emulator.server import EmulatorServer
from slack_emulator.state import TRIGGER_TTL_SECONDS, Channel, User, Workspace

logger = logging.getLogger(__name__)

T = TypeVar("T")
DEFAULT_TEAM_ID = "T0TEST01"
RESPONSE_URL_MAX_USES = 5


class SlackEmulator:
    """A local Slack Web API that the real WebClient and Bolt App can talk to."""

    def __init__(self, reference_dir: Path | str | None = None, enforce_rate_limits: bool = False, *,
                 rate_limit_scale: float = 1.0, port: int = 0) -> None:
        methods.load_all()
        self.lock = threading.RLock()
        self.catalog = MethodCatalog(reference_dir)
        self.workspace = Workspace(self.lock)
        self.recorder = Recorder(self.lock)
        self.faults = FaultInjector()
        self.enforce_rate_limits = enforce_rate_limits
        self.rate_limiter = RateLimiter(rate_limit_scale)
        self.trigger_ttl = TRIGGER_TTL_SECONDS
        self.oauth_client: tuple[str, str] | None = None
        self._response_urls: dict[str, int] = {}
        self._port = port
        self._server: EmulatorServer | None = None
        self.default_team_id = DEFAULT_TEAM_ID
        self.add_team(DEFAULT_TEAM_ID, "Acme", "acme")

    # --- lifecycle ------------------------------------------------------------
    def start(self) -> SlackEmulator:
        """Bind 127.0.0.1 and serve in a daemon thread."""
        if self._server is None:
            self._server = EmulatorServer(self, self._port)
            self._server.start()
            logger.info("Slack emulator listening on %s", self.url)
        return self

    def stop(self) -> None:
        """Stop serving."""
        if self._server is not None:
            self._server.stop()
            self._server = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        """Return "http://127.0.0.1:PORT"."""
        if self._server is None:
            raise RuntimeError("SlackEmulator is not started; call start() first")
        return f"http://127.0.0.1:{self._server.port}"

    @property
    def base_url(self) -> str:
        """Return the WebClient base_url, "http://127.0.0.1:PORT/api/"."""
        return f"{self.url}/api/"

    # --- workspace setup ------------------------------------------------------
    def add_team(self, team_id: str, name: str, domain: str | None = None) -> str:
        """Create a workspace with the app installed; return its id."""
        return self.workspace.add_team(team_id, name, domain).id

    def _team(self, team_id: str | None):
        return self.workspace.team(team_id or self.default_team_id)

    def bot_token(self, team_id: str | None = None) -> str:
        """Return the (fake) xoxb- token of a team's bot."""
        return self._team(team_id).token

    def bot_user_id(self, team_id: str | None = None) -> str:
        """Return the bot's user id in a team."""
        return self._team(team_id).bot_user_id

    def bot_id(self, team_id: str | None = None) -> str:
        """Return the bot's B… id in a team."""
        return self._team(team_id).bot_id

    def app_token(self) -> str:
        """Return the fake xapp- token apps.connections.open accepts."""
        return self.workspace.app_token

    def add_user(self, user_id: str, name: str, *, team_id: str | None = None, real_name: str | None = None,
                 tz: str = "UTC", email: str | None = None, is_admin: bool = False, is_bot: bool = False,
                 deleted: bool = False, is_owner: bool = False, guest: str | None = None,
                 home_team_id: str | None = None) -> str:
        """Add a workspace member; return its id. `guest` is "single" or "multi" (a single- or
        multi-channel guest); `home_team_id` makes them a Slack Connect user from another organisation."""
        team = self._team(team_id)
        self.workspace.add_user(team, User(user_id, team.id, name, real_name or name.title(), tz, email, is_admin,
                                           is_bot, deleted, is_owner=is_owner, guest=guest,
                                           home_team_id=home_team_id))
        return user_id

    def add_channel(self, channel_id: str, name: str, *, team_id: str | None = None, is_private: bool = False,
                    members: tuple[str, ...] | list[str] = (), bot_is_member: bool = True,
                    is_archived: bool = False) -> str:
        """Add a channel (C… public or G…/C… private); return its id."""
        team = self._team(team_id)
        member_set = set(members) | ({team.bot_user_id} if bot_is_member else set())
        self.workspace.add_channel(team, Channel(channel_id, team.id, name, is_private=is_private,
                                                 is_archived=is_archived, members=member_set))
        return channel_id

    def add_message(self, channel_id: str, text: str, *, user_id: str, ts: str | None = None,
                    thread_ts: str | None = None, team_id: str | None = None, **fields: Any) -> str:
        """Seed a human message into channel history (for history/activity tests); return its ts."""
        team = self._team(team_id)
        message = {"type": "message", "user": user_id, "text": text, "team": team.id, **fields}
        if ts:
            message["ts"] = ts
        if thread_ts:
            message["thread_ts"] = thread_ts
        channel = team.channels[channel_id]
        return self.workspace.append_message(channel, message)["ts"]

    def set_bot_scopes(self, scopes: list[str], team_id: str | None = None) -> None:
        """Replace the scopes the bot token carries."""
        with self.lock:
            self._team(team_id).scopes = list(scopes)

    def set_home_tab_enabled(self, enabled: bool, team_id: str | None = None) -> None:
        """Turn the App Home tab on or off (off makes views.publish fail with not_enabled)."""
        with self.lock:
            self._team(team_id).home_tab_enabled = enabled

    def set_oauth_client(self, client_id: str, client_secret: str) -> None:
        """Require these client credentials on oauth.v2.access (default: accept any)."""
        self.oauth_client = (client_id, client_secret)

    def new_oauth_code(self, team_id: str | None = None, *, installer_user_id: str | None = None,
                       scopes: list[str] | None = None) -> str:
        """Issue a single-use code that oauth.v2.access exchanges for the team's bot token."""
        return self.workspace.new_oauth_code(team_id or self.default_team_id, installer_user_id, scopes)

    # --- interactivity helpers ------------------------------------------------
    def new_trigger_id(self) -> str:
        """Issue a trigger id: single use, expires after trigger_ttl (3 s)."""
        return self.workspace.new_trigger_id()

    def new_response_url(self) -> str:
        """Issue a response_url sink usable RESPONSE_URL_MAX_USES times."""
        with self.lock:
            response_id = self.workspace.new_id("R")
            self._response_urls[response_id] = 0
        return f"{self.url}/response/{response_id}"

    def receive_response(self, response_id: str, body: bytes) -> tuple[int, str]:
        """Record a JSON body POSTed to a response_url."""
        with self.lock:
            uses = self._response_urls.get(response_id)
            if uses is None:
                return 404, "no_service"
            if uses >= RESPONSE_URL_MAX_USES:
                return 404, "used_url"
            try:
                payload = json.loads(body.decode("utf-8"))
            except (ValueError, UnicodeDecodeError):
                return 400, "invalid_payload"
            self._response_urls[response_id] = uses + 1
            self.recorder.add("responses", (response_id, payload))
        return 200, "ok"

    def file_content(self, file_id: str, token: str) -> bytes | None:
        """Return an uploaded file's bytes for a token of the owning team."""
        with self.lock:
            team = self.workspace.team_for_token(token)
            entry = team.files.get(file_id) if team else None
            return entry["content"] if entry and entry["completed"] else None

    # --- recordings -----------------------------------------------------------
    def calls(self, method: str | None = None) -> list[Call]:
        """Return recorded API calls, optionally for one method."""
        calls = self.recorder.snapshot("calls")
        return [c for c in calls if method is None or c.method == method]

    def uploads(self, channel_id: str | None = None) -> list[UploadedFile]:
        """Return completed uploads, optionally those shared into one channel."""
        uploads = self.recorder.snapshot("uploads")
        return [u for u in uploads if channel_id is None or channel_id in u.channels]

    def messages(self, channel_id: str, team_id: str | None = None) -> list[dict[str, Any]]:
        """Return a channel's history (oldest first), thread replies included."""
        with self.lock:
            for team in ([self._team(team_id)] if team_id else self.workspace.teams.values()):
                if channel_id in team.channels:
                    return copy.deepcopy(team.channels[channel_id].messages)
        raise KeyError(f"unknown channel {channel_id!r}")

    def ephemerals(self, channel_id: str | None = None, user_id: str | None = None) -> list[dict[str, Any]]:
        """Return recorded chat.postEphemeral messages."""
        return [e for e in self.recorder.snapshot("ephemerals")
                if (channel_id is None or e["channel"] == channel_id) and (user_id is None or e["user"] == user_id)]

    def responses(self, response_id: str | None = None) -> list[dict[str, Any]]:
        """Return JSON bodies POSTed to response_url sinks (id or full URL filters)."""
        wanted = response_id.rstrip("/").rsplit("/", 1)[-1] if response_id else None
        return [body for rid, body in self.recorder.snapshot("responses") if wanted is None or rid == wanted]

    def home_view(self, user_id: str) -> dict[str, Any] | None:
        """Return the latest Home tab view published for a user."""
        with self.lock:
            view = self.recorder.home_views.get(user_id)
            return copy.deepcopy(view) if view else None

    def opened_views(self) -> list[dict[str, Any]]:
        """Return views from views.open/push/update, in order."""
        return self.recorder.snapshot("opened_views")

    def ratelimited_count(self) -> int:
        """Return how many 429s the emulator has sent."""
        with self.lock:
            return self.recorder.ratelimited

    def undocumented_errors(self) -> list[tuple[str, str]]:
        """Return (method, error) pairs the method reference does not list; should stay empty."""
        return self.recorder.snapshot("undocumented")

    def server_errors(self) -> list[str]:
        """Return methods whose handler crashed (emulator bugs)."""
        return self.recorder.snapshot("server_errors")

    def reset_records(self) -> None:
        """Forget recorded calls, uploads, ephemerals, responses, views and 429 counts."""
        self.recorder.reset()
        self.rate_limiter.reset()

    def wait_for(self, predicate: Callable[[], T], timeout: float = 5.0, interval: float = 0.02) -> T:
        """Poll until predicate() is truthy and return it; raise AssertionError on timeout."""
        deadline = time.monotonic() + timeout
        value: Any = None
        while True:
            try:
                value = predicate()
            except (KeyError, IndexError, LookupError) as error:
                value = error
            if value and not isinstance(value, Exception):
                return value
            if time.monotonic() >= deadline:
                break
            time.sleep(interval)
        recent = ", ".join(f"{c.method}:{c.error or 'ok'}" for c in self.calls()[-10:]) or "none"
        name = getattr(predicate, "__name__", repr(predicate))
        raise AssertionError(f"condition {name} not met within {timeout}s (last value: {value!r}); "
                             f"last API calls: {recent}")

    # --- faults ---------------------------------------------------------------
    def fail(self, method: str, *, error: str = "internal_error", status: int = 200, retry_after: int | None = None,
             times: int | None = 1) -> None:
        """Make the next `times` calls of a method fail ("*" = any API method, "upload", "response")."""
        self.faults.add(method, error=error, status=status, retry_after=retry_after, times=times)

    def clear_faults(self) -> None:
        """Disarm every injected fault."""
        self.faults.clear()
