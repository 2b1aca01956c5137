"""Typed metadata carried by Slack: modal private_metadata and button values, parsed in one place.

Everything here arrives from Slack and could have been tampered with or come from an older
version of the app, so parsing never trusts it: a bad value becomes a BadInput the user can act on.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any

from storage.errors import BadInput
from storage.ids import row_id

STALE = "That button is from an older message I can't read any more. Please start again."
MAX_BUTTON_VALUE = 2000
MAX_PRIVATE_METADATA = 3000


def schedule_id_from(value: str | None) -> int:
    """A schedule id carried as a button value ("12")."""
    schedule_id = row_id(value)
    if schedule_id is None:
        raise BadInput(STALE)
    return schedule_id


def _loads(raw: str | None, limit: int) -> dict[str, Any]:
    if not raw or len(raw) > limit:
        raise BadInput(STALE)
    try:
        data = json.loads(raw)
    except ValueError:
        raise BadInput(STALE) from None
    if not isinstance(data, dict):
        raise BadInput(STALE)
    return data


def _dumps(data: dict[str, Any]) -> str:
    return json.dumps({k: v for k, v in data.items() if v not in (None, "", [], {})}, separators=(",", ":"),
                      ensure_ascii=False)


@dataclass(frozen=True)
class ModalMeta:
    """The create/edit modal's private_metadata: what it edits and where it was opened."""

    mode: str = "create"  # create | edit
    schedule_id: int | None = None
    channel_id: str | None = None  # the conversation it was opened from, to answer there

    def dumps(self) -> str:
        return _dumps(asdict(self))

    @classmethod
    def loads(cls, raw: str | None) -> ModalMeta:
        if not raw:
            return cls()
        data = _loads(raw, MAX_PRIVATE_METADATA)
        mode = data.get("mode", "create")
        schedule_id = data.get("schedule_id")
        channel_id = data.get("channel_id")
        if mode not in ("create", "edit") or (schedule_id is not None and not isinstance(schedule_id, int)) \
                or (channel_id is not None and not isinstance(channel_id, str)) \
                or (mode == "edit" and schedule_id is None):
            raise BadInput(STALE)
        return cls(mode, schedule_id, channel_id)


@dataclass(frozen=True)
class ChatRequest:
    """What a plain-words request was understood as, carried by its Confirm / Open form buttons."""

    op: str  # create | pause | resume | run | delete | mute | mute_all
    schedule_id: int | None = None
    draft: dict[str, Any] = field(default_factory=dict)  # ScheduleForm fields, for create

    OPS = ("create", "pause", "resume", "run", "delete", "mute", "mute_all")

    def dumps(self) -> str | None:
        """The button value, or None when it would not fit in one (then only the form is offered)."""
        text = _dumps({"op": self.op, "schedule_id": self.schedule_id, "draft": self.draft})
        return text if len(text) <= MAX_BUTTON_VALUE else None

    @classmethod
    def loads(cls, raw: str | None) -> ChatRequest:
        data = _loads(raw, MAX_BUTTON_VALUE)
        op, schedule_id, draft = data.get("op"), data.get("schedule_id"), data.get("draft") or {}
        if op not in cls.OPS or (schedule_id is not None and not isinstance(schedule_id, int)) \
                or not isinstance(draft, dict):
            raise BadInput(STALE)
        return cls(op, schedule_id, draft)
