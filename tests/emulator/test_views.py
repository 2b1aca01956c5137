"""views.* methods: trigger ids, modal stacks, hashes and the Home tab."""

from __future__ import annotations

import json

import pytest
from slack_sdk.errors import SlackApiError

from slack_emulator.blockkit import validate_view

from .conftest import ALICE, VIEW_SAMPLES


def error_of(call) -> str:
    with pytest.raises(SlackApiError) as info:
        call()
    return info.value.response["error"]


def modal(title: str = "New report", **extra) -> dict:
    return {
        "type": "modal", "callback_id": "new_report", "title": {"type": "plain_text", "text": title},
        "submit": {"type": "plain_text", "text": "Save"},
        "blocks": [{"type": "input", "block_id": "name", "label": {"type": "plain_text", "text": "Name"},
                    "element": {"type": "plain_text_input", "action_id": "value"}}],
        **extra,
    }


def home() -> dict:
    return {"type": "home", "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "*Reports*"}}]}


def test_trigger_id_is_single_use(emu, client):
    trigger = emu.new_trigger_id()
    opened = client.views_open(trigger_id=trigger, view=modal())["view"]
    assert opened["id"].startswith("V") and opened["callback_id"] == "new_report"
    assert error_of(lambda: client.views_open(trigger_id=trigger, view=modal())) == "exchanged_trigger_id"
    assert error_of(lambda: client.views_open(trigger_id="1.2.abc", view=modal())) == "invalid_trigger_id"
    assert [v["id"] for v in emu.opened_views()] == [opened["id"]]


def test_trigger_id_expires(emu, client):
    emu.trigger_ttl = 0  # any time between issuing and using it is too long
    trigger = emu.new_trigger_id()
    assert error_of(lambda: client.views_open(trigger_id=trigger, view=modal())) == "expired_trigger_id"


def test_invalid_view_does_not_burn_trigger(emu, client):
    trigger = emu.new_trigger_id()
    with pytest.raises(SlackApiError) as info:
        client.views_open(trigger_id=trigger, view=modal(title="x" * 25))
    assert info.value.response["error"] == "invalid_arguments"
    assert "/view/title/text" in info.value.response["response_metadata"]["messages"][0]
    assert client.views_open(trigger_id=trigger, view=modal())["ok"]


def test_view_too_large(emu, client):
    big = modal(private_metadata="")
    big["blocks"] += [{"type": "section", "text": {"type": "mrkdwn", "text": "y" * 2900}} for _ in range(90)]
    assert error_of(lambda: client.views_open(trigger_id=emu.new_trigger_id(), view=big)) == "view_too_large"


def test_push_update_and_hash(emu, client):
    root = client.views_open(trigger_id=emu.new_trigger_id(), view=modal())["view"]
    pushed = client.views_push(trigger_id=emu.new_trigger_id(), view=modal("Step 2"))["view"]
    assert pushed["root_view_id"] == root["id"] and pushed["previous_view_id"] == root["id"]
    client.views_push(trigger_id=emu.new_trigger_id(), view=modal("Step 3"))
    assert error_of(lambda: client.views_push(trigger_id=emu.new_trigger_id(), view=modal("Step 4"))) \
        == "push_limit_reached"
    updated = client.views_update(view_id=root["id"], hash=root["hash"], view=modal("Renamed"))["view"]
    assert updated["id"] == root["id"] and updated["title"]["text"] == "Renamed"
    assert error_of(lambda: client.views_update(view_id=root["id"], hash=root["hash"], view=modal())) \
        == "hash_conflict"
    assert error_of(lambda: client.views_update(view_id="V0NOPE", view=modal())) == "not_found"
    assert [v["title"]["text"] for v in emu.opened_views()] == ["New report", "Step 2", "Step 3", "Renamed"]


def test_external_id_must_be_unique(emu, client):
    client.views_open(trigger_id=emu.new_trigger_id(), view=modal(external_id="report-1"))
    assert error_of(lambda: client.views_open(trigger_id=emu.new_trigger_id(), view=modal(external_id="report-1"))) \
        == "duplicate_external_id"
    updated = client.views_update(external_id="report-1", view=modal("Via external", external_id="report-1"))
    assert updated["view"]["title"]["text"] == "Via external"


def test_publish_home(emu, client):
    assert emu.home_view(ALICE) is None
    first = client.views_publish(user_id=ALICE, view=home())["view"]
    again = client.views_publish(user_id=ALICE, view=home(), hash=first["hash"])["view"]
    assert again["id"] == first["id"] and emu.home_view(ALICE)["hash"] == again["hash"]
    assert error_of(lambda: client.views_publish(user_id=ALICE, view=home(), hash=first["hash"])) == "hash_conflict"
    assert error_of(lambda: client.views_publish(user_id=ALICE, view=modal())) == "invalid_arguments"
    emu.set_home_tab_enabled(False)
    assert error_of(lambda: client.views_publish(user_id=ALICE, view=home())) == "not_enabled"


@pytest.mark.skipif(not VIEW_SAMPLES.is_dir(), reason="view samples absent")
def test_realistic_sample_views_pass_validation():
    for path in sorted(VIEW_SAMPLES.glob("view_*.json")):
        view = json.loads(path.read_text())
        assert validate_view(view) == [], path.name
