"""Block Kit limits Slack enforces server-side but slack_sdk never checks for dict payloads."""

from __future__ import annotations

import json
import logging
from typing import Any

logger = logging.getLogger(__name__)

MAX_BLOCKS = {"message": 50, "modal": 100, "home": 100}
VIEW_MAX_BYTES = 250_000
MESSAGE_TEXT_MAX = 40_000
# Slack documents no exact cumulative limit; bolt-js#2509 reports ~12-13k characters
# of block text before msg_blocks_too_long, so sum the text strings against 12,000.
MESSAGE_BLOCK_TEXT_MAX = 12_000
MAX_ATTACHMENTS = 100

KNOWN_BLOCK_TYPES = frozenset({
    "actions", "context", "divider", "file", "header", "image", "input", "markdown", "rich_text",
    "section", "video", "table", "call", "context_actions",
})
_SELECTS = frozenset({"static_select", "multi_static_select"})
_PLACEHOLDER_ELEMENTS = frozenset({
    "static_select", "multi_static_select", "external_select", "multi_external_select", "users_select",
    "multi_users_select", "conversations_select", "multi_conversations_select", "channels_select",
    "multi_channels_select", "datepicker", "timepicker", "datetimepicker", "plain_text_input",
    "email_text_input", "url_text_input", "number_input",
})


class _Checker:
    """Walk blocks, collecting Slack-style "<problem> [json-pointer:/path]" strings."""

    def __init__(self) -> None:
        self.problems: list[str] = []

    def fail(self, message: str, pointer: str) -> None:
        self.problems.append(f"{message} [json-pointer:{pointer}]")

    def max_len(self, value: Any, limit: int, pointer: str) -> None:
        if isinstance(value, str) and len(value) > limit:
            self.fail(f"must be less than {limit + 1} characters", pointer)

    def items(self, value: Any, pointer: str, *, low: int = 0, high: int) -> list:
        if value is None:
            if low:
                self.fail(f"must provide at least {low} items", pointer)
            return []
        if not isinstance(value, list):
            self.fail("must be an array", pointer)
            return []
        if len(value) > high:
            self.fail(f"no more than {high} items allowed", pointer)
        elif len(value) < low:
            self.fail(f"must provide at least {low} items", pointer)
        return value

    def text(self, obj: Any, pointer: str, limit: int, *, plain_only: bool = False, required: bool = True) -> None:
        if obj is None:
            if required:
                self.fail("missing required field: text", pointer)
            return
        if not isinstance(obj, dict):
            self.fail("must be a text object", pointer)
            return
        allowed = ("plain_text",) if plain_only else ("plain_text", "mrkdwn")
        if obj.get("type") not in allowed:
            self.fail(f"must be one of {', '.join(allowed)}", pointer + "/type")
        value = obj.get("text")
        if not isinstance(value, str) or not value:
            self.fail("must be more than 0 characters", pointer + "/text")
            return
        self.max_len(value, limit, pointer + "/text")

    # --- blocks ---------------------------------------------------------------
    def blocks(self, blocks: Any, surface: str, pointer: str = "/blocks") -> None:
        for index, block in enumerate(self.items(blocks, pointer, high=MAX_BLOCKS[surface])):
            self.block(block, f"{pointer}/{index}")
        seen: set[str] = set()
        for index, block in enumerate(blocks if isinstance(blocks, list) else []):
            block_id = block.get("block_id") if isinstance(block, dict) else None
            if block_id is not None:
                if block_id in seen:
                    self.fail(f"duplicate block_id: {block_id}", f"{pointer}/{index}/block_id")
                seen.add(block_id)

    def block(self, block: Any, ptr: str) -> None:
        if not isinstance(block, dict) or not isinstance(block.get("type"), str):
            self.fail("must be an object with a type", ptr)
            return
        kind = block["type"]
        if kind not in KNOWN_BLOCK_TYPES:
            self.fail(f"unsupported type: {kind}", ptr + "/type")
            return
        self.max_len(block.get("block_id"), 255, ptr + "/block_id")
        if kind == "section":
            if block.get("text") is None and not block.get("fields"):
                self.fail("must provide either text or fields", ptr)
            self.text(block.get("text"), ptr + "/text", 3000, required=False)
            for i, item in enumerate(self.items(block.get("fields"), ptr + "/fields", high=10)):
                self.text(item, f"{ptr}/fields/{i}", 2000)
            if block.get("accessory") is not None:
                self.element(block["accessory"], ptr + "/accessory")
        elif kind == "header":
            self.text(block.get("text"), ptr + "/text", 150, plain_only=True)
        elif kind == "markdown":
            if not isinstance(block.get("text"), str) or not block["text"]:
                self.fail("must be more than 0 characters", ptr + "/text")
            self.max_len(block.get("text"), 12_000, ptr + "/text")
        elif kind == "context":
            for i, item in enumerate(self.items(block.get("elements"), ptr + "/elements", low=1, high=10)):
                if isinstance(item, dict) and item.get("type") == "image":
                    self.element(item, f"{ptr}/elements/{i}")
                else:
                    self.text(item, f"{ptr}/elements/{i}", 3000)
        elif kind == "actions":
            elements = self.items(block.get("elements"), ptr + "/elements", low=1, high=25)
            for i, item in enumerate(elements):
                self.element(item, f"{ptr}/elements/{i}")
            self._unique_action_ids(elements, ptr + "/elements")
        elif kind == "input":
            self.text(block.get("label"), ptr + "/label", 2000, plain_only=True)
            self.text(block.get("hint"), ptr + "/hint", 2000, plain_only=True, required=False)
            if not isinstance(block.get("element"), dict):
                self.fail("missing required field: element", ptr + "/element")
            else:
                self.element(block["element"], ptr + "/element")
        elif kind == "image":
            if not block.get("image_url") and not block.get("slack_file"):
                self.fail("missing required field: image_url", ptr)
            self.max_len(block.get("image_url"), 3000, ptr + "/image_url")
            if not block.get("alt_text"):
                self.fail("missing required field: alt_text", ptr + "/alt_text")
            self.max_len(block.get("alt_text"), 2000, ptr + "/alt_text")
            self.text(block.get("title"), ptr + "/title", 2000, plain_only=True, required=False)

    def _unique_action_ids(self, elements: list, ptr: str) -> None:
        seen: set[str] = set()
        for i, item in enumerate(elements):
            action_id = item.get("action_id") if isinstance(item, dict) else None
            if action_id is not None:
                if action_id in seen:
                    self.fail(f"duplicate action_id: {action_id}", f"{ptr}/{i}/action_id")
                seen.add(action_id)

    # --- elements -------------------------------------------------------------
    def element(self, element: Any, ptr: str) -> None:
        if not isinstance(element, dict) or not isinstance(element.get("type"), str):
            self.fail("must be an object with a type", ptr)
            return
        kind = element["type"]
        self.max_len(element.get("action_id"), 255, ptr + "/action_id")
        if kind in _PLACEHOLDER_ELEMENTS:
            self.text(element.get("placeholder"), ptr + "/placeholder", 150, plain_only=True, required=False)
        if element.get("confirm") is not None:
            self.confirm(element["confirm"], ptr + "/confirm")
        if kind == "button":
            self.text(element.get("text"), ptr + "/text", 75, plain_only=True)
            self.max_len(element.get("value"), 2000, ptr + "/value")
            self.max_len(element.get("url"), 3000, ptr + "/url")
            if element.get("style") not in (None, "primary", "danger"):
                self.fail("must be one of primary, danger", ptr + "/style")
        elif kind in _SELECTS:
            self.select_options(element, ptr)
        elif kind == "overflow":
            for i, option in enumerate(self.items(element.get("options"), ptr + "/options", low=1, high=5)):
                self.option(option, f"{ptr}/options/{i}")
        elif kind in ("radio_buttons", "checkboxes"):
            for i, option in enumerate(self.items(element.get("options"), ptr + "/options", low=1, high=10)):
                self.option(option, f"{ptr}/options/{i}", plain_only=False)
        elif kind == "plain_text_input":
            self._int_range(element.get("max_length"), 1, 3000, ptr + "/max_length")
            self._int_range(element.get("min_length"), 0, 3000, ptr + "/min_length")
        elif kind == "image":
            if not element.get("image_url") and not element.get("slack_file"):
                self.fail("missing required field: image_url", ptr)
            if not element.get("alt_text"):
                self.fail("missing required field: alt_text", ptr + "/alt_text")

    def select_options(self, element: dict, ptr: str) -> None:
        options, groups = element.get("options"), element.get("option_groups")
        if options is None and groups is None:
            self.fail("must provide either options or option_groups", ptr)
        for i, option in enumerate(self.items(options, ptr + "/options", high=100)):
            self.option(option, f"{ptr}/options/{i}")
        for g, group in enumerate(self.items(groups, ptr + "/option_groups", high=100)):
            gptr = f"{ptr}/option_groups/{g}"
            if not isinstance(group, dict):
                self.fail("must be an object", gptr)
                continue
            self.text(group.get("label"), gptr + "/label", 75, plain_only=True)
            for i, option in enumerate(self.items(group.get("options"), gptr + "/options", low=1, high=100)):
                self.option(option, f"{gptr}/options/{i}")

    def option(self, option: Any, ptr: str, *, plain_only: bool = True) -> None:
        if not isinstance(option, dict):
            self.fail("must be an option object", ptr)
            return
        self.text(option.get("text"), ptr + "/text", 75, plain_only=plain_only)
        if not isinstance(option.get("value"), str):
            self.fail("missing required field: value", ptr + "/value")
        self.max_len(option.get("value"), 150, ptr + "/value")
        self.text(option.get("description"), ptr + "/description", 75, plain_only=plain_only, required=False)
        self.max_len(option.get("url"), 3000, ptr + "/url")

    def confirm(self, confirm: Any, ptr: str) -> None:
        if not isinstance(confirm, dict):
            self.fail("must be a confirmation dialog object", ptr)
            return
        self.text(confirm.get("title"), ptr + "/title", 100, plain_only=True)
        self.text(confirm.get("text"), ptr + "/text", 300)
        self.text(confirm.get("confirm"), ptr + "/confirm", 30, plain_only=True)
        self.text(confirm.get("deny"), ptr + "/deny", 30, plain_only=True)

    def _int_range(self, value: Any, low: int, high: int, ptr: str) -> None:
        if value is None:
            return
        if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
            self.fail(f"must be an integer between {low} and {high}", ptr)


def validate_blocks(blocks: Any, surface: str = "message") -> list[str]:
    """Return the Block Kit problems Slack would reject these blocks for (empty if fine)."""
    if surface not in MAX_BLOCKS:
        raise ValueError(f"surface must be one of {sorted(MAX_BLOCKS)}")
    checker = _Checker()
    checker.blocks(blocks, surface)
    return checker.problems


def validate_view(view: Any, surface: str | None = None) -> list[str]:
    """Return the problems Slack would reject a modal or home view for (empty if fine)."""
    checker = _Checker()
    if not isinstance(view, dict):
        return ["must be a view object [json-pointer:/view]"]
    kind = view.get("type")
    if kind not in ("modal", "home"):
        checker.fail("must be one of modal, home", "/view/type")
        kind = surface or "modal"
    elif surface is not None and kind != surface:
        checker.fail(f"must be {surface}", "/view/type")
    if kind == "modal":
        checker.text(view.get("title"), "/view/title", 24, plain_only=True)
        checker.text(view.get("submit"), "/view/submit", 24, plain_only=True, required=False)
        checker.text(view.get("close"), "/view/close", 24, plain_only=True, required=False)
        has_input = any(isinstance(b, dict) and b.get("type") == "input" for b in view.get("blocks") or [])
        if has_input and view.get("submit") is None:
            checker.fail("submit is required when a modal has input blocks", "/view/submit")
    checker.max_len(view.get("private_metadata"), 3000, "/view/private_metadata")
    checker.max_len(view.get("callback_id"), 255, "/view/callback_id")
    checker.max_len(view.get("external_id"), 255, "/view/external_id")
    if view.get("blocks") is None:
        checker.fail("missing required field: blocks", "/view/blocks")
    else:
        checker.blocks(view.get("blocks"), kind, "/view/blocks")
    return checker.problems


def view_too_large(view: Any) -> bool:
    """Tell whether a view's JSON exceeds Slack's 250 kB limit."""
    return len(json.dumps(view, ensure_ascii=False).encode("utf-8")) > VIEW_MAX_BYTES


def block_text_length(blocks: Any) -> int:
    """Sum the lengths of every "text" string inside the blocks."""
    if isinstance(blocks, dict):
        own = len(blocks["text"]) if isinstance(blocks.get("text"), str) else 0
        return own + sum(block_text_length(v) for k, v in blocks.items() if k != "text" or not isinstance(v, str))
    if isinstance(blocks, list):
        return sum(block_text_length(item) for item in blocks)
    return 0
