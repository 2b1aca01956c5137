"""Thread-safe records of what the app sent, for test assertions."""

from __future__ import annotations

import copy
import logging
import threading
from dataclasses import dataclass, field
from typing import Any

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Call:
    """One Web API request as the emulator saw and answered it."""

    method: str
    params: dict[str, Any]
    headers: dict[str, str]
    token: str | None
    team_id: str | None
    status: int
    response: dict[str, Any]
    at: float

    @property
    def ok(self) -> bool:
        """Tell whether the emulator answered ok: true."""
        return bool(self.response.get("ok"))

    @property
    def error(self) -> str | None:
        """Return the error code, if any."""
        return self.response.get("error")


@dataclass
class UploadedFile:
    """A file completed through files.completeUploadExternal."""

    id: str
    filename: str
    title: str
    content: bytes
    length: int
    channel_id: str | None
    initial_comment: str | None = None
    thread_ts: str | None = None
    alt_txt: str | None = None
    blocks: list[dict[str, Any]] | None = None
    channels: tuple[str, ...] = ()
    team_id: str | None = None
    snippet_type: str | None = None


@dataclass
class Recorder:
    """Collect calls, uploads, ephemerals, response_url posts and views under one lock."""

    lock: threading.RLock
    calls: list[Call] = field(default_factory=list)
    uploads: list[UploadedFile] = field(default_factory=list)
    ephemerals: list[dict[str, Any]] = field(default_factory=list)
    responses: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    opened_views: list[dict[str, Any]] = field(default_factory=list)
    home_views: dict[str, dict[str, Any]] = field(default_factory=dict)
    undocumented: list[tuple[str, str]] = field(default_factory=list)
    server_errors: list[str] = field(default_factory=list)
    ratelimited: int = 0

    def add(self, attr: str, item: Any) -> None:
        """Append a deep copy to one of the record lists."""
        with self.lock:
            getattr(self, attr).append(copy.deepcopy(item))

    def snapshot(self, attr: str) -> list[Any]:
        """Return a deep copy of a record list."""
        with self.lock:
            return copy.deepcopy(getattr(self, attr))

    def reset(self) -> None:
        """Forget every record; published home views are workspace state and stay."""
        with self.lock:
            for name in ("calls", "uploads", "ephemerals", "responses", "opened_views", "undocumented",
                         "server_errors"):
                getattr(self, name).clear()
            self.ratelimited = 0
