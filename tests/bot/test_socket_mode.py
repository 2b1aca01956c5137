"""Socket Mode: the same app handles envelopes without signatures (Slack authenticates the socket)."""

from __future__ import annotations

from slack_bolt import BoltRequest

from bot.app import create_app
from bot.deps import BotDeps
from bot.settings import BotSettings


def test_slash_command_over_socket_mode_needs_no_signature(job_context, emulator, recording_enqueue):
    settings = BotSettings(slack=job_context.slack_settings, signing_secret=None, app_token="xapp-test-1", port=0)
    app = create_app(BotDeps(jobs=job_context, enqueue=recording_enqueue, settings=settings))
    response_url = emulator.new_response_url()
    body = {"command": "/report", "text": "help", "user_id": "U0ALICE01", "team_id": emulator.default_team_id,
            "channel_id": "C0SALES01", "response_url": response_url, "trigger_id": emulator.new_trigger_id()}
    response = app.dispatch(BoltRequest(body=body, mode="socket_mode"))
    assert response.status == 200
    reply = emulator.wait_for(lambda: emulator.responses(response_url.rsplit("/", 1)[1]))
    assert "/report new" in reply[-1]["text"]
