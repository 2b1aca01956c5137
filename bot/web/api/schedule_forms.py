"""An API body as the schedule form the Slack surfaces fill in (bot.forms.ScheduleForm), so it is
checked by the same validation (bot.validation) and saved by the same services (bot.schedules)."""

from __future__ import annotations

from dataclasses import replace

from bot.forms import ScheduleForm
from bot.web.api.models import ScheduleUpdate

# API field -> form field, where the names differ.
_RENAMED = {"cadence": "cadence_text", "condition": "condition_text"}
_PLAIN = ("name", "timezone", "report_type", "params", "formats", "description", "tags", "skip_if_empty",
          "cadence", "condition")


def apply_body(form: ScheduleForm, body: ScheduleUpdate) -> ScheduleForm:
    """The form with the fields the body sets (a create starts from an empty form, an update from the
    schedule's own)."""
    given = body.model_dump(exclude_unset=True)
    changes = {}
    for name in _PLAIN:
        if name in given:
            value = given[name]
            changes[_RENAMED.get(name, name)] = value if value is not None else _empty(form, _RENAMED.get(name, name))
    if "params" in given and given["params"] is not None:
        changes["params"] = {k: v for k, v in given["params"].items() if v is not None}
    if given.get("destinations") is not None:
        for kind in ("channels", "people", "emails", "webhooks"):
            if kind in given["destinations"]:
                changes[kind] = list(given["destinations"][kind])
    if given.get("email") is not None:
        for name, value in given["email"].items():
            changes[f"email_{name}"] = value if value is not None else _empty(form, f"email_{name}")
    return replace(form, **changes)


def _empty(form: ScheduleForm, name: str):
    """What `null` sets a field to: its empty value."""
    current = getattr(form, name)
    return [] if isinstance(current, list) else {} if isinstance(current, dict) else False \
        if isinstance(current, bool) else ""
