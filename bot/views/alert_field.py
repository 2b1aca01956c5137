"""The create/edit modal's "Alert when…" field and its read-back. Pure: words and a status in, blocks out."""

from __future__ import annotations

from jobs.slack_ids import ModalActions, ModalBlocks
from jobs.views.blocks import context, plain_text

MAX_CONDITION_FIELD = 500
WAITING = "Press Enter to check the condition against the report's data now."


def condition_blocks(words: str, status: str | None) -> list[dict]:
    """The optional condition input (Enter reads it back) and, under it, its read-back or problem."""
    element = {"type": "plain_text_input", "action_id": ModalActions.CONDITION, "max_length": MAX_CONDITION_FIELD,
               "placeholder": plain_text("e.g. revenue < 10000, rows > 0, only if it changed", 150),
               "dispatch_action_config": {"trigger_actions_on": ["on_enter_pressed"]}}
    if words:
        element["initial_value"] = words[:MAX_CONDITION_FIELD]
    field = {"type": "input", "block_id": ModalBlocks.CONDITION, "label": plain_text("Alert when… (optional)"),
             "element": element, "optional": True, "dispatch_action": True,
             "hint": plain_text("Empty: a report at every run. A condition makes it an alert that tells its "
                                "destinations only when the answer changes.", 2000)}
    return [field, context(status or WAITING, ModalBlocks.CONDITION_PREVIEW)]
