"""`reportbot` settings errors are one clear line; the demo runs offline end to end."""

from __future__ import annotations

import subprocess
import sys

import pytest

from bot.cli.main import main
from tests.conftest import REPO


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"SLACK_BOT_TOKEN": "xoxb-test-1"}, "SLACK_SIGNING_SECRET is not set"),
        ({"SLACK_BOT_TOKEN": "xoxp-test-1", "SLACK_SIGNING_SECRET": "s"}, "must be a bot token starting with xoxb-"),
        ({"SLACK_BOT_TOKEN": "xoxb-test-1", "SLACK_APP_TOKEN": "nope"}, "SLACK_APP_TOKEN must be an app-level token"),
        ({"SLACK_BOT_TOKEN": "xoxb-test-1", "SLACK_SIGNING_SECRET": "s", "PORT": "http"}, "PORT must be a TCP port"),
        ({"SLACK_BOT_TOKEN": "xoxb-test-1", "SLACK_SIGNING_SECRET": "s", "SLACK_API_URL": "slack.com"},
         "SLACK_API_URL must be an http(s) URL"),
    ],
)
def test_missing_or_malformed_settings_say_what_to_set(monkeypatch, capsys, env, expected):
    for name in ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN", "PORT", "SLACK_API_URL"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert main(["serve"]) == 2
    err = capsys.readouterr().err
    assert expected in err and "Traceback" not in err


def test_clock_without_redis_explains_itself(monkeypatch, capsys):
    monkeypatch.delenv("REDIS_URL", raising=False)
    from jobs import context

    previous = context.set_context(None)
    try:
        assert main(["clock"]) == 2
    finally:
        context.set_context(previous)
    assert "set REDIS_URL" in capsys.readouterr().err


def test_offline_demo_posts_the_report_and_writes_its_files(tmp_path):
    out = tmp_path / "demo"
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    done = subprocess.run([sys.executable, "-m", "bot.cli.main", "demo", "--out", str(out)], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=240)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    transcript = done.stdout
    for expected in ('/report new "Daily sales"', "Scheduled *Daily sales*", "reportbot posts in #sales",
                     "delivered", "App Home", "Daily sales"):
        assert expected in transcript, expected
    files = sorted(p.suffix for p in (out / "files").iterdir())
    assert ".csv" in files
    assert "Traceback" not in done.stderr
