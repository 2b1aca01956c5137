"""The schedule form: one shape for what the modal holds, what a one-liner or a chat message says,
and what an existing schedule is; modal state is flattened into it in one place."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field, fields
from typing import Any

from jobs.slack_ids import ModalBlocks, ModalOptions
from storage.models import DestinationKind, EmailOptions, Schedule

ANY_CHOICE = "__any__"  # the "no filter" option of an optional choice parameter
_LIST_FIELDS = ("channels", "people", "emails", "webhooks", "email_cc", "email_bcc", "formats", "tags")


@dataclass
class ScheduleForm:
    name: str = ""
    description: str = ""
    tags: list[str] = field(default_factory=list)
    report_type: str = ""
    params: dict[str, Any] = field(default_factory=dict)
    cadence_text: str = ""
    timezone: str = ""
    channels: list[str] = field(default_factory=list)  # channel ids
    people: list[str] = field(default_factory=list)  # user ids
    emails: list[str] = field(default_factory=list)
    webhooks: list[str] = field(default_factory=list)  # https URLs
    formats: list[str] = field(default_factory=list)
    skip_if_empty: bool = False
    # How the emails look (storage.models.EmailOptions); empty means the defaults.
    email_subject: str = ""
    email_cc: list[str] = field(default_factory=list)
    email_bcc: list[str] = field(default_factory=list)
    email_files: str = ""  # an AttachMode value
    condition_text: str = ""  # "revenue < 10000": an alert (bot.alert_condition); empty for a report

    def to_dict(self) -> dict[str, Any]:
        """Compact data for a button value (empty fields left out)."""
        return {k: v for k, v in asdict(self).items() if v not in ("", [], {}, False, None)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ScheduleForm:
        """Rebuild from `to_dict` data that came back through Slack: keep only well-typed fields."""
        form = cls()
        for f in fields(cls):
            value = data.get(f.name)
            if value is None:
                continue
            if f.name in _LIST_FIELDS and isinstance(value, list):
                setattr(form, f.name, [str(v)[:320] for v in value if isinstance(v, str)][:50])
            elif f.name == "params" and isinstance(value, dict):
                form.params = {str(k)[:64]: v for k, v in value.items()
                               if isinstance(v, (str, int, float, bool)) or
                               (isinstance(v, list) and all(isinstance(i, str) for i in v))}
            elif f.name == "skip_if_empty":
                form.skip_if_empty = value is True
            elif isinstance(value, str):
                setattr(form, f.name, value[:3000])
        return form


def form_from_schedule(schedule: Schedule, email: EmailOptions | None = None) -> ScheduleForm:
    """The form that edits an existing schedule (and its email options, if it has any)."""
    by_kind: dict[str, list[str]] = {kind: [] for kind in DestinationKind}
    for destination in schedule.destinations:
        by_kind.setdefault(destination.kind, []).append(destination.target)
    return ScheduleForm(
        name=schedule.name, description=schedule.description or "", tags=list(schedule.tags or []),
        report_type=schedule.report_type,
        params={k: v for k, v in (schedule.params or {}).items() if v is not None},
        cadence_text=schedule.cadence_text, timezone=schedule.timezone,
        channels=by_kind[DestinationKind.SLACK_CHANNEL], people=by_kind[DestinationKind.SLACK_USER],
        emails=by_kind[DestinationKind.EMAIL], webhooks=by_kind[DestinationKind.WEBHOOK],
        formats=list(schedule.formats), skip_if_empty=schedule.skip_if_empty,
        email_subject=(email.subject_template or "") if email else "", email_cc=list(email.cc) if email else [],
        email_bcc=list(email.bcc) if email else [], email_files=email.attach_mode if email else "",
        condition_text=str((schedule.condition or {}).get("text") or ""),
    )


def _value(state: dict[str, Any]) -> Any:
    """One input's value, whatever element holds it."""
    kind = state.get("type")
    if kind in ("static_select", "external_select", "radio_buttons"):
        return ((state.get("selected_option") or {}).get("value")) or ""
    if kind == "multi_conversations_select":
        return list(state.get("selected_conversations") or [])
    if kind == "multi_channels_select":
        return list(state.get("selected_channels") or [])
    if kind == "multi_users_select":
        return list(state.get("selected_users") or [])
    if kind in ("checkboxes", "multi_static_select"):
        return [o.get("value") for o in state.get("selected_options") or [] if isinstance(o, dict)]
    if kind == "conversations_select":
        return state.get("selected_conversation") or ""
    value = state.get("value")
    return "" if value is None else str(value)


def flatten_state(values: dict[str, Any]) -> dict[str, Any]:
    """Modal state (block id -> action id -> element state) as block id -> value."""
    flat = {}
    for block_id, actions in (values or {}).items():
        if isinstance(actions, dict):
            for state in actions.values():
                if isinstance(state, dict):
                    flat[block_id] = _value(state)
    return flat


def split_emails(text: str) -> list[str]:
    return [part for part in re.split(r"[\s,;]+", text or "") if part]


def split_tags(text: str) -> list[str]:
    """"finance, #weekly Board" -> ["finance", "#weekly", "Board"] (validation normalises them)."""
    return [part for part in re.split(r"[\s,;]+", text or "") if part]


def form_from_state(values: dict[str, Any]) -> ScheduleForm:
    """Read the modal's state into a form."""
    flat = flatten_state(values)

    def text(block: str) -> str:
        value = flat.get(block, "")
        return value.strip() if isinstance(value, str) else ""

    def items(block: str) -> list[str]:
        value = flat.get(block, [])
        return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []

    # Raw as the elements hold them (a boolean's checkbox is a list); validation reads them by type.
    params: dict[str, Any] = {}
    for block_id, value in flat.items():
        if block_id.startswith(ModalBlocks.PARAM_PREFIX) and value not in ("", [], ANY_CHOICE):
            params[block_id[len(ModalBlocks.PARAM_PREFIX):]] = value.strip() if isinstance(value, str) else value
    return ScheduleForm(
        name=text(ModalBlocks.NAME), description=text(ModalBlocks.DESCRIPTION), tags=split_tags(text(ModalBlocks.TAGS)),
        report_type=text(ModalBlocks.REPORT_TYPE), params=params,
        cadence_text=text(ModalBlocks.CADENCE), timezone=text(ModalBlocks.TIMEZONE),
        channels=items(ModalBlocks.CHANNELS), people=items(ModalBlocks.PEOPLE),
        emails=split_emails(text(ModalBlocks.EMAILS)), webhooks=split_emails(text(ModalBlocks.WEBHOOKS)),
        formats=items(ModalBlocks.FORMATS),
        skip_if_empty=ModalOptions.SKIP_IF_EMPTY in items(ModalBlocks.OPTIONS),
        email_subject=text(ModalBlocks.EMAIL_SUBJECT), email_cc=split_emails(text(ModalBlocks.EMAIL_CC)),
        email_bcc=split_emails(text(ModalBlocks.EMAIL_BCC)), email_files=text(ModalBlocks.EMAIL_FILES),
        condition_text=text(ModalBlocks.CONDITION),
    )
