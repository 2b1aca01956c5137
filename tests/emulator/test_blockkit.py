"""Block Kit limits, both as a library check and as emulator rejections."""

from __future__ import annotations

import pytest
from slack_sdk.errors import SlackApiError

from slack_emulator import validate_blocks

from .conftest import GENERAL


def section(text: str = "hi", **extra) -> dict:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}, **extra}


def button(text: str = "Go", value: str = "v", action_id: str = "go") -> dict:
    return {"type": "button", "text": {"type": "plain_text", "text": text}, "value": value, "action_id": action_id}


def option(text: str = "o", value: str = "v") -> dict:
    return {"text": {"type": "plain_text", "text": text}, "value": value}


def select(options: list) -> dict:
    return {"type": "actions", "elements": [{"type": "static_select", "action_id": "pick", "options": options}]}


@pytest.mark.parametrize(
    ("blocks", "surface", "fragment"),
    [
        ([section()] * 51, "message", "no more than 50 items allowed [json-pointer:/blocks]"),
        ([section()] * 101, "modal", "no more than 100 items allowed"),
        ([section("x" * 3001)], "message", "/blocks/0/text/text"),
        ([{"type": "header", "text": {"type": "plain_text", "text": "h" * 151}}], "message", "/blocks/0/text/text"),
        ([{"type": "header", "text": {"type": "mrkdwn", "text": "h"}}], "message", "/blocks/0/text/type"),
        ([{"type": "actions", "elements": [button(text="b" * 76)]}], "message", "/blocks/0/elements/0/text/text"),
        ([{"type": "actions", "elements": [button(value="v" * 2001)]}], "message", "/elements/0/value"),
        ([{"type": "actions", "elements": [button(action_id="a" * 256)]}], "message", "/action_id"),
        ([section(block_id="b" * 256)], "message", "/blocks/0/block_id"),
        ([section(block_id="same"), section(block_id="same")], "message", "duplicate block_id"),
        ([select([option()] * 101)], "modal", "no more than 100 items allowed"),
        ([select([option(text="t" * 76)])], "modal", "/options/0/text/text"),
        ([select([option(value="v" * 151)])], "modal", "/options/0/value"),
        ([{"type": "context", "elements": [{"type": "mrkdwn", "text": "c"}] * 11}], "message", "no more than 10"),
        ([{"type": "actions", "elements": [button(action_id=f"a{i}") for i in range(26)]}], "message",
         "no more than 25"),
        ([{"type": "actions", "elements": [{"type": "overflow", "action_id": "o", "options": [option()] * 6}]}],
         "message", "no more than 5"),
        ([{"type": "actions", "elements": [button(), button()]}], "message", "duplicate action_id"),
        ([{"type": "sektion", "text": {"type": "mrkdwn", "text": "x"}}], "message", "unsupported type"),
        ([section("")], "message", "must be more than 0 characters"),
    ],
)
def test_validate_blocks_finds_problem(blocks, surface, fragment):
    problems = validate_blocks(blocks, surface)
    assert any(fragment in p for p in problems), problems


def test_validate_blocks_accepts_limits_exactly():
    blocks = [section("x" * 3000), {"type": "header", "text": {"type": "plain_text", "text": "h" * 150}},
              {"type": "actions", "elements": [button(text="b" * 75, value="v" * 2000, action_id="a" * 255)]},
              select([option(text="t" * 75, value="v" * 150)] * 100), {"type": "divider"}]
    blocks += [section(f"s{i}") for i in range(50 - len(blocks))]
    assert validate_blocks(blocks, "message") == []
    assert validate_blocks([section()] * 100, "home") == []


def test_emulator_rejects_invalid_blocks(emu, client):
    with pytest.raises(SlackApiError) as info:
        client.chat_postMessage(channel=GENERAL, text="t", blocks=[section()] * 51)
    assert info.value.response["error"] == "invalid_blocks"
    assert info.value.response["errors"] == ["no more than 50 items allowed [json-pointer:/blocks]"]
    with pytest.raises(SlackApiError) as info:
        client.chat_postMessage(channel=GENERAL, text="t", blocks=[section("x" * 2999)] * 5)
    assert info.value.response["error"] == "msg_blocks_too_long"
    assert emu.messages(GENERAL) == []


def test_long_text_is_truncated_not_rejected(emu, client):
    client.chat_postMessage(channel=GENERAL, text="z" * 45_000)
    assert len(emu.messages(GENERAL)[0]["text"]) == 40_000


def test_private_metadata_limit_in_views(emu, client):
    view = {"type": "modal", "title": {"type": "plain_text", "text": "T"}, "private_metadata": "m" * 3001,
            "blocks": [section()]}
    with pytest.raises(SlackApiError) as info:
        client.views_open(trigger_id=emu.new_trigger_id(), view=view)
    assert info.value.response["error"] == "invalid_arguments"
    assert "/view/private_metadata" in info.value.response["errors"][0]
