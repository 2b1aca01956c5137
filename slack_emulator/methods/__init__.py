"""Registry of emulated Web API methods and the helpers their handlers share."""

from __future__ import annotations

import base64
import binascii
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from slack_emulator.errors import SlackError
from slack_emulator.state import Channel, Team

if TYPE_CHECKING:
    from slack_emulator.emulator import SlackEmulator

logger = logging.getLogger(__name__)

Handler = Callable[["Context"], dict[str, Any]]
HANDLERS: dict[str, Handler] = {}
# Methods callable without a bot token (they authenticate some other way).
NO_AUTH_METHODS = frozenset({"api.test", "oauth.v2.access", "apps.connections.open"})


def method(name: str) -> Callable[[Handler], Handler]:
    """Register a handler for a Web API method name."""
    def register(func: Handler) -> Handler:
        HANDLERS[name] = func
        return func
    return register


@dataclass
class Context:
    """Everything a handler needs for one request."""

    method: str
    params: dict[str, Any]
    team: Team | None
    token: str | None
    emu: SlackEmulator
    response_headers: dict[str, str] = field(default_factory=dict)

    @property
    def ws(self):
        """Return the workspace model."""
        return self.emu.workspace

    @property
    def rec(self):
        """Return the recorder."""
        return self.emu.recorder

    def has_scope(self, scope: str) -> bool:
        """Tell whether the bot token carries a scope."""
        return self.team is not None and scope in self.team.scopes

    def require_scope(self, scope: str) -> None:
        """Raise missing_scope unless the bot has this scope."""
        if not self.has_scope(scope):
            raise SlackError("missing_scope", needed=scope, provided=",".join(self.team.scopes if self.team else []))

    def arg(self, name: str, default: Any = None) -> Any:
        """Return a parameter, treating empty strings as absent."""
        value = self.params.get(name)
        return default if value is None or value == "" else value

    def channel(self, name: str = "channel") -> Channel:
        """Resolve a channel parameter or raise channel_not_found."""
        channel = self.ws.find_channel(self.team, self.arg(name))
        if channel is None:
            raise SlackError("channel_not_found")
        return channel


def as_bool(value: Any, default: bool = False) -> bool:
    """Parse Slack's boolean spellings (true/false/1/0)."""
    if value is None or value == "":
        return default
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in ("1", "true", "yes")


def as_int(value: Any, name: str, default: int | None = None) -> int | None:
    """Parse an integer parameter or raise invalid_arguments."""
    if value is None or value == "":
        return default
    try:
        return int(value)
    except (TypeError, ValueError):
        raise SlackError("invalid_arguments", f"{name} must be an integer") from None


def as_list(value: Any) -> list[str]:
    """Split a comma-joined string (form body) or accept a JSON list."""
    if value is None or value == "":
        return []
    if isinstance(value, (list, tuple)):
        return [str(v).strip() for v in value if str(v).strip()]
    return [part.strip() for part in str(value).split(",") if part.strip()]


def _encode_cursor(kind: str, offset: int) -> str:
    return base64.b64encode(f"{kind}:{offset}".encode()).decode()


def paginate(items: list, params: dict[str, Any], kind: str, *, default_limit: int, max_limit: int,
             limit_error: str = "invalid_limit") -> tuple[list, str]:
    """Slice one cursor page; return (page, next_cursor) with "" on the last page."""
    limit = params.get("limit")
    try:
        limit = default_limit if limit in (None, "") else int(limit)
    except (TypeError, ValueError):
        raise SlackError(limit_error, "limit must be an integer") from None
    if limit < 0:
        raise SlackError(limit_error, "limit must be >= 0")
    if limit == 0:
        limit = default_limit or len(items) or 1
    limit = min(limit, max_limit)
    offset = 0
    cursor = params.get("cursor")
    if cursor:
        try:
            prefix, _, number = base64.b64decode(str(cursor), validate=True).decode().partition(":")
            offset = int(number)
        except (binascii.Error, UnicodeDecodeError, ValueError):
            raise SlackError("invalid_cursor") from None
        if prefix != kind or offset < 0 or offset > len(items):
            raise SlackError("invalid_cursor")
    page = items[offset:offset + limit]
    more = offset + limit < len(items)
    return page, _encode_cursor(kind, offset + limit) if more else ""


def load_all() -> None:
    """Import every handler module so they register themselves."""
    from slack_emulator.methods import chat, conversations, files, misc, users, views  # noqa: F401
