"""Method metadata (required args, scopes, tiers, error codes) from the Slack method reference."""

from __future__ import annotations

import json
import logging
import re
import threading
from dataclasses import dataclass
from pathlib import Path

from slack_emulator.errors import GENERIC_ERRORS

logger = logging.getLogger(__name__)

_METHOD_NAME = re.compile(r"^[A-Za-z0-9_]+(\.[A-Za-z0-9_]+)+$")


@dataclass(frozen=True)
class MethodSpec:
    """Describe one Web API method as far as the emulator needs it."""

    name: str
    required: tuple[str, ...]
    bot_scopes: tuple[str, ...]
    tier: str | None
    errors: frozenset[str]


_CONV_READ = ("groups:read", "im:read", "mpim:read", "channels:read")
_CONV_HISTORY = ("groups:history", "im:history", "mpim:history", "channels:history")

# Offline fallback: a subset of the reference, kept honest by a test that compares
# it with the real files whenever they are present.
_BUILTIN: dict[str, tuple[tuple[str, ...], tuple[str, ...], str, frozenset[str]]] = {
    "auth.test": ((), (), "t5", frozenset({"invalid_auth", "internal_error"})),
    "api.test": ((), (), "t4", frozenset()),
    "chat.postMessage": (
        ("channel",),
        ("chat:write",),
        "t5",
        frozenset({"channel_not_found", "not_in_channel", "is_archived", "no_text", "invalid_blocks",
                   "invalid_blocks_format", "msg_blocks_too_long", "too_many_attachments"}),
    ),
    "chat.postEphemeral": (
        ("user", "channel"),
        ("chat:write",),
        "t4",
        frozenset({"channel_not_found", "not_in_channel", "is_archived", "no_text", "invalid_blocks",
                   "invalid_blocks_format", "user_not_in_channel", "msg_too_long", "too_many_attachments"}),
    ),
    "chat.update": (
        ("ts", "channel"),
        ("chat:write",),
        "t3",
        frozenset({"channel_not_found", "message_not_found", "cant_update_message", "no_text",
                   "invalid_blocks", "invalid_blocks_format", "msg_too_long", "too_many_attachments"}),
    ),
    "views.open": (
        ("view",),
        (),
        "t4",
        frozenset({"exchanged_trigger_id", "expired_trigger_id", "invalid_trigger_id", "view_too_large",
                   "duplicate_external_id"}),
    ),
    "views.update": (("view",), (), "t4",
                     frozenset({"not_found", "hash_conflict", "view_too_large", "duplicate_external_id"})),
    "views.push": (
        ("view",),
        (),
        "t4",
        frozenset({"exchanged_trigger_id", "expired_trigger_id", "invalid_trigger_id", "not_found",
                   "push_limit_reached", "view_too_large", "duplicate_external_id"}),
    ),
    "views.publish": (("user_id", "view"), (), "t4",
                      frozenset({"hash_conflict", "not_enabled", "view_too_large", "duplicate_external_id"})),
    "users.info": (("user",), ("users:read",), "t4", frozenset({"user_not_found"})),
    "users.list": ((), ("users:read",), "t2", frozenset({"invalid_cursor", "missing_argument"})),
    "users.lookupByEmail": (("email",), ("users:read.email",), "t3", frozenset({"users_not_found"})),
    "conversations.open": (
        (),
        ("channels:manage", "groups:write", "im:write", "mpim:write"),
        "t3",
        frozenset({"channel_not_found", "user_not_found", "user_disabled", "users_list_not_supplied",
                   "too_many_users", "not_enough_users", "method_not_supported_for_channel_type",
                   "missing_scope"}),
    ),
    "conversations.info": (("channel",), _CONV_READ, "t3", frozenset({"channel_not_found", "missing_scope"})),
    "conversations.members": (
        ("channel",),
        _CONV_READ,
        "t4",
        frozenset({"channel_not_found", "invalid_cursor", "invalid_limit", "missing_scope"}),
    ),
    "conversations.list": ((), _CONV_READ, "t2",
                           frozenset({"invalid_cursor", "invalid_limit", "invalid_types", "missing_scope"})),
    "conversations.join": (
        ("channel",),
        ("channels:join",),
        "t3",
        frozenset({"channel_not_found", "is_archived", "method_not_supported_for_channel_type",
                   "missing_scope"}),
    ),
    "conversations.history": (
        ("channel",),
        _CONV_HISTORY,
        "t3",
        frozenset({"channel_not_found", "invalid_cursor", "invalid_ts_latest", "invalid_ts_oldest",
                   "not_in_channel"}),
    ),
    "conversations.replies": (
        ("channel", "ts"),
        _CONV_HISTORY,
        "t3",
        frozenset({"channel_not_found", "invalid_cursor", "invalid_ts_latest", "invalid_ts_oldest",
                   "thread_not_found", "missing_scope"}),
    ),
    "files.getUploadURLExternal": (
        ("length", "filename"),
        ("files:write",),
        "t4",
        frozenset({"missing_argument", "alt_txt_too_large", "snippet_too_large"}),
    ),
    "files.completeUploadExternal": (
        ("files",),
        ("files:write",),
        "t4",
        frozenset({"channel_not_found", "file_not_found", "invalid_blocks", "invalid_channel",
                   "not_in_channel", "channels_limit_exceeded"}),
    ),
    "files.info": (("file",), ("files:read",), "t4", frozenset({"file_not_found"})),
    "files.upload": ((), ("files:write",), "t2", frozenset({"method_deprecated"})),
    "oauth.v2.access": ((), (), "t5", frozenset({"invalid_code", "invalid_client_id", "bad_client_secret"})),
    "apps.connections.open": ((), (), "t3", frozenset({"invalid_auth", "internal_error"})),
}

# When a required argument is missing Slack often answers with a specific code
# rather than missing_argument; the first candidate the method documents wins.
_MISSING_ARG_CODES: dict[str, tuple[str, ...]] = {
    "channel": ("channel_not_found",),
    "user": ("user_not_found",),
    "email": ("users_not_found",),
    "ts": ("message_not_found", "thread_not_found"),
    "file": ("file_not_found",),
    "trigger_id": ("invalid_trigger_id",),
    "code": ("invalid_code",),
    "client_id": ("invalid_client_id",),
}


def builtin_spec(method: str) -> MethodSpec | None:
    """Return the built-in spec for an emulated method, if any."""
    row = _BUILTIN.get(method)
    if row is None:
        return None
    required, scopes, tier, errors = row
    return MethodSpec(method, required, scopes, tier, errors)


def builtin_methods() -> list[str]:
    """List the methods the built-in table describes."""
    return sorted(_BUILTIN)


class MethodCatalog:
    """Answer spec questions from the reference folder, else from the built-in table."""

    def __init__(self, reference_dir: Path | str | None = None) -> None:
        self.reference_dir: Path | None = None
        if reference_dir is not None:
            root = Path(reference_dir)
            # Accept the method-reference folder itself or its methods/ subfolder.
            methods = root / "methods" if (root / "methods").is_dir() else root
            if (methods / "chat.postMessage.json").is_file():
                self.reference_dir = methods
            else:
                logger.warning("%s holds no Slack method reference; using the built-in table",
                               reference_dir)
        self._cache: dict[str, MethodSpec | None] = {}
        self._lock = threading.Lock()

    @property
    def has_reference(self) -> bool:
        """Tell whether the real method reference backs this catalog."""
        return self.reference_dir is not None

    def spec(self, method: str) -> MethodSpec | None:
        """Return the spec of a method, or None when Slack has no such method."""
        with self._lock:
            if method not in self._cache:
                self._cache[method] = self._load(method)
            return self._cache[method]

    def _load(self, method: str) -> MethodSpec | None:
        if self.reference_dir is None or not _METHOD_NAME.match(method):
            return builtin_spec(method) if self.reference_dir is None else None
        path = self.reference_dir / f"{method}.json"
        if not path.is_file():
            return None
        data = json.loads(path.read_text(encoding="utf-8"))
        args = data.get("args") or {}
        required = tuple(a for a in args.get("required") or () if a != "token")
        scope = data.get("scope") or {}
        return MethodSpec(
            name=method,
            required=required,
            bot_scopes=tuple(scope.get("bot") or ()),
            tier=data.get("rate_limits"),
            errors=frozenset((data.get("errors") or {}).keys()),
        )

    def is_documented(self, method: str, code: str) -> bool:
        """Tell whether Slack may return this error code from this method."""
        if code in GENERIC_ERRORS:
            return True
        spec = self.spec(method)
        return spec is not None and code in spec.errors

    def missing_argument_error(self, method: str, arg: str) -> str:
        """Choose the code Slack returns when a required argument is missing."""
        spec = self.spec(method)
        documented = spec.errors if spec else frozenset()
        for code in _MISSING_ARG_CODES.get(arg, ()):
            if code in documented:
                return code
        if "missing_argument" in documented:
            return "missing_argument"
        return "invalid_arguments"
