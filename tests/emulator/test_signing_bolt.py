"""Signed inbound requests accepted by a real Bolt App whose WebClient talks to the emulator."""

from __future__ import annotations

import json
import time

import pytest
from slack_bolt import App, BoltRequest
from slack_sdk import WebClient

from slack_emulator import (
    SlackRequestSigner,
    block_actions_payload,
    post,
    view_submission_payload,
)

from .conftest import ALICE, GENERAL

SIGNING_SECRET = "emulator-test-signing-secret"
MODAL = {
    "type": "modal", "callback_id": "new_report", "title": {"type": "plain_text", "text": "New report"},
    "submit": {"type": "plain_text", "text": "Save"},
    "blocks": [{"type": "input", "block_id": "name", "label": {"type": "plain_text", "text": "Name"},
                "element": {"type": "plain_text_input", "action_id": "value"}}],
}


@pytest.fixture
def signer() -> SlackRequestSigner:
    return SlackRequestSigner(SIGNING_SECRET)


@pytest.fixture
def app(emu) -> App:
    """A Bolt app wired to the emulator; token goes on the WebClient (Bolt ignores token= with client=)."""
    bolt = App(signing_secret=SIGNING_SECRET, client=WebClient(token=emu.bot_token(), base_url=emu.base_url))
    seen: dict = {}
    bolt.seen = seen  # type: ignore[attr-defined]

    @bolt.command("/report")
    def report(ack, respond, command, client):
        ack()
        if command["text"] == "new":
            client.views_open(trigger_id=command["trigger_id"], view=MODAL)
            return
        respond(text=f"got: {command['text']}")
        client.chat_postMessage(channel=command["channel_id"], text="posted from /report")

    @bolt.action("approve")
    def approve(ack, body, client):
        ack()
        value = body["actions"][0]["value"]
        client.chat_update(channel=body["channel"]["id"], ts=body["message"]["ts"], text=f"approved {value}")

    @bolt.view("new_report")
    def submit(ack, view):
        name = view["state"]["values"]["name"]["value"]["value"]
        if not name:
            ack(response_action="errors", errors={"name": "Give the report a name"})
            return
        seen["saved"] = name
        ack()

    @bolt.event("app_mention")
    def mention(event, client, request):
        # Bolt keeps header values as lists.
        seen["retry"] = (request.headers.get("x-slack-retry-num") or [None])[0]
        client.chat_postMessage(channel=event["channel"], text="you rang?")

    @bolt.event("app_home_opened")
    def home(event, client):
        client.views_publish(user_id=event["user"], view={"type": "home", "blocks": [
            {"type": "section", "text": {"type": "mrkdwn", "text": "*Your reports*"}}]})

    return bolt


def dispatch(app: App, signed: tuple[str, dict]):
    body, headers = signed
    return app.dispatch(BoltRequest(body=body, headers=headers))


def test_app_construction_calls_auth_test(emu, app):
    assert len(emu.calls("auth.test")) == 1


def test_slash_command_is_accepted_and_responds(emu, app, signer):
    response_url = emu.new_response_url()
    response = dispatch(app, signer.slash_command("weekly sales", user_id=ALICE, channel_id=GENERAL,
                                                  response_url=response_url, trigger_id=emu.new_trigger_id()))
    assert response.status == 200
    assert emu.wait_for(lambda: emu.responses(response_url))[0]["text"] == "got: weekly sales"
    emu.wait_for(lambda: emu.messages(GENERAL))
    assert emu.messages(GENERAL)[0]["text"] == "posted from /report"


def test_slash_command_opens_modal_with_trigger(emu, app, signer):
    response = dispatch(app, signer.slash_command("new", user_id=ALICE, channel_id=GENERAL,
                                                  trigger_id=emu.new_trigger_id()))
    assert response.status == 200
    assert emu.wait_for(emu.opened_views)[0]["callback_id"] == "new_report"


def test_tampered_body_and_stale_timestamp_are_rejected(app, signer):
    body, headers = signer.slash_command("hello", user_id=ALICE, channel_id=GENERAL)
    tampered = app.dispatch(BoltRequest(body=body.replace("hello", "h4ck"), headers=headers))
    assert tampered.status == 401 and json.loads(tampered.body) == {"error": "invalid request"}
    stale = dispatch(app, signer.slash_command("hello", user_id=ALICE, channel_id=GENERAL,
                                               timestamp=int(time.time()) - 600))
    assert stale.status == 401
    wrong_secret = dispatch(app, SlackRequestSigner("other-secret").slash_command("x", user_id=ALICE,
                                                                                  channel_id=GENERAL))
    assert wrong_secret.status == 401


def test_block_action_updates_message(emu, app, signer, client):
    posted = client.chat_postMessage(channel=GENERAL, text="approve?")
    payload = block_actions_payload(action_id="approve", value="r-42", user_id=ALICE, channel_id=GENERAL,
                                    message=posted["message"], trigger_id=emu.new_trigger_id())
    assert dispatch(app, signer.interaction(payload)).status == 200
    emu.wait_for(lambda: emu.calls("chat.update"))
    assert emu.messages(GENERAL)[0]["text"] == "approved r-42"


def test_view_submission_errors_and_success(emu, app, signer):
    invalid = dispatch(app, signer.interaction(view_submission_payload(view=MODAL, values={"name": {"value": ""}},
                                                                       user_id=ALICE)))
    assert invalid.status == 200
    assert json.loads(invalid.body) == {"response_action": "errors", "errors": {"name": "Give the report a name"}}
    ok = dispatch(app, signer.interaction(view_submission_payload(view=MODAL, values={"name": {"value": "Sales"}},
                                                                  user_id=ALICE)))
    assert ok.status == 200 and app.seen["saved"] == "Sales"


def test_events_with_retry_header(emu, app, signer):
    mention = {"type": "app_mention", "user": ALICE, "text": f"<@{emu.bot_user_id()}> hi", "channel": GENERAL,
               "ts": "1700000000.000100", "event_ts": "1700000000.000100"}
    assert dispatch(app, signer.event(mention, retry_num=1)).status == 200
    emu.wait_for(lambda: emu.messages(GENERAL))
    assert app.seen["retry"] == "1" and emu.messages(GENERAL)[0]["text"] == "you rang?"
    opened = {"type": "app_home_opened", "user": ALICE, "channel": "D0ALICE01", "tab": "home",
              "event_ts": "1700000000.000200"}
    assert dispatch(app, signer.event(opened)).status == 200
    assert emu.wait_for(lambda: emu.home_view(ALICE))["blocks"][0]["text"]["text"] == "*Your reports*"


def test_url_verification(app, signer):
    response = dispatch(app, signer.url_verification("abc"))
    assert response.status == 200 and json.loads(response.body) == {"challenge": "abc"}


def test_response_url_allows_five_uses(emu):
    url = emu.new_response_url()
    for i in range(5):
        assert post(url, json.dumps({"text": str(i)}), {"Content-Type": "application/json"}) == (200, "ok")
    assert post(url, json.dumps({"text": "6"}), {"Content-Type": "application/json"})[0] == 404
    assert [r["text"] for r in emu.responses(url)] == ["0", "1", "2", "3", "4"]
    assert post(f"{emu.url}/response/R0NOPE", "{}", {})[0] == 404
