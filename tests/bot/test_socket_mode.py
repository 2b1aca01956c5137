"""Socket Mode: the same app handles envelopes without signatures (Slack authenticates the socket),
and `reportbot serve` still serves health, metrics, the trigger API and the links in emails on PORT."""

from __future__ import annotations

import os
import subprocess
import sys
import urllib.error
import urllib.request

from slack_bolt import BoltRequest

from bot.app import create_app
from bot.deps import BotDeps
from bot.settings import BotSettings
from tests.conftest import REPO
from tests.support.network import free_port, stop_process
from tests.support.network import wait_for_http as wait_for
from tests.support.people import ALICE, SALES

NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def test_slash_command_over_socket_mode_needs_no_signature(job_context, emulator, recording_enqueue):
    settings = BotSettings(slack=job_context.slack_settings, signing_secret=None, app_token="xapp-test-1", port=0)
    app = create_app(BotDeps(jobs=job_context, enqueue=recording_enqueue, settings=settings))
    response_url = emulator.new_response_url()
    body = {"command": "/report", "text": "help", "user_id": ALICE, "team_id": emulator.default_team_id,
            "channel_id": SALES, "response_url": response_url, "trigger_id": emulator.new_trigger_id()}
    response = app.dispatch(BoltRequest(body=body, mode="socket_mode"))
    assert response.status == 200
    reply = emulator.wait_for(lambda: emulator.responses(response_url.rsplit("/", 1)[1]))
    assert "/report new" in reply[-1]["text"]


def _status(url: str, data: bytes | None = None) -> tuple[int, bytes]:
    try:
        with NO_PROXY.open(urllib.request.Request(url, data=data), timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def test_serve_in_socket_mode_still_serves_the_web_routes(tmp_path, emulator):
    port = free_port()
    env = {**os.environ, "SLACK_BOT_TOKEN": emulator.bot_token(), "SLACK_APP_TOKEN": emulator.app_token(),
           "SLACK_API_URL": emulator.base_url, "PORT": str(port), "DATABASE_URL": f"sqlite:///{tmp_path}/app.db",
           "ARTIFACT_DIR": str(tmp_path / "artifacts"), "REPORTBOT_PUBLIC_URL": f"http://127.0.0.1:{port}",
           "REPORTBOT_LINK_SECRET": "socket-mode-link-secret-not-real"}
    for name in ("REDIS_URL", "SLACK_SIGNING_SECRET"):
        env.pop(name, None)
    process = subprocess.Popen([sys.executable, "-m", "bot.cli.main", "serve"], cwd=REPO, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        assert wait_for(f"{base}/healthz") == b"ok"
        assert _status(f"{base}/readyz") == (200, b"ready")
        status, metrics = _status(f"{base}/metrics")
        assert status == 200 and b"# TYPE" in metrics
        assert _status(f"{base}/files/not-a-real-token")[0] == 404
        assert _status(f"{base}/unsubscribe/not-a-real-token")[0] == 404
        status, answer = _status(f"{base}/api/v1/runs", data=b'{"schedule": "daily sales"}')
        assert status == 401 and b"token" in answer
        assert _status(f"{base}/slack/events", data=b"command=/report")[0] == 404  # Slack talks over the socket
    finally:
        code, output = stop_process(process)
    assert code == 0, output[-3000:]
    assert emulator.bot_token() not in output and emulator.app_token() not in output
