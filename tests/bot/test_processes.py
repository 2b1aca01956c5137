"""The real processes start, serve, and stop cleanly on SIGTERM."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

from tests.conftest import REPO, SIGNING_SECRET
from tests.support.network import free_port, stop_process, wait_for_http


def test_serve_in_http_mode_answers_health_checks_and_stops_on_sigterm(tmp_path, emulator):
    port = free_port()
    env = {**os.environ, "SLACK_BOT_TOKEN": emulator.bot_token(), "SLACK_SIGNING_SECRET": SIGNING_SECRET,
           "SLACK_API_URL": emulator.base_url, "PORT": str(port), "DATABASE_URL": f"sqlite:///{tmp_path}/app.db",
           "ARTIFACT_DIR": str(tmp_path / "artifacts")}
    env.pop("REDIS_URL", None)
    env.pop("SLACK_APP_TOKEN", None)
    process = subprocess.Popen([sys.executable, "-m", "bot.cli.main", "serve"], cwd=REPO, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        assert wait_for_http(f"http://127.0.0.1:{port}/healthz") == b"ok"
        assert wait_for_http(f"http://127.0.0.1:{port}/readyz") == b"ready"
    finally:
        code, output = stop_process(process)
    assert code == 0, output[-3000:]
    assert emulator.bot_token() not in output and SIGNING_SECRET not in output


@pytest.mark.redis
def test_clock_ticks_through_redis_and_stops_on_sigterm(tmp_path, redis_url):
    import redis

    client = redis.Redis.from_url(redis_url)
    client.flushdb()
    env = {**os.environ, "REDIS_URL": redis_url, "TICK_INTERVAL": "0.2", "DATABASE_URL": f"sqlite:///{tmp_path}/c.db"}
    process = subprocess.Popen([sys.executable, "-m", "bot.cli.main", "clock"], cwd=REPO, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 20
        while client.llen("dramatiq:clock") < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert client.llen("dramatiq:clock") >= 2  # it only enqueues; workers do the tick
    finally:
        code, output = stop_process(process)
        client.flushdb()
    assert code == 0, output[-3000:]
