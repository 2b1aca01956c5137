"""`reportbot` settings errors are one clear line; the demo runs offline end to end; `reportbot run`
waits for the outcome and says it in words; an unreachable database is one line, not a traceback."""

from __future__ import annotations

import socket
import subprocess
import sys

import pytest

from bot.cli.main import main
from storage.models import DestinationKind, Run, RunStatus
from storage.schedules import NewDestination
from tests.conftest import REPO
from tests.factories import make_schedule
from tests.support.people import ALICE, OTHER_TEAM, SALES, TEAM


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


def _reportbot(*args: str, env: dict, timeout: float = 120) -> subprocess.CompletedProcess:
    base = {"PATH": "/usr/bin:/bin", "HOME": env.get("HOME", "/tmp")}
    return subprocess.run([sys.executable, "-m", "bot.cli.main", *args], cwd=REPO, env={**base, **env},
                          capture_output=True, text=True, timeout=timeout, check=False)


def test_status_with_an_unreachable_database_says_so_in_one_line(tmp_path):
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"postgresql+psycopg://reportbot:hunter2-not-real@127.0.0.1:{port}/reports"
    done = _reportbot("status", env={"DATABASE_URL": url, "HOME": str(tmp_path)})
    assert done.returncode == 1
    assert done.stderr.startswith(f"reportbot: cannot use the database at postgresql+psycopg://reportbot:***@127.0.0.1:"
                                  f"{port}/reports: connection failed")
    assert "Check DATABASE_URL" in done.stderr and len(done.stderr.strip().splitlines()) == 1
    assert "Traceback" not in done.stderr and "hunter2" not in done.stderr + done.stdout


@pytest.fixture
def cli_env(fast_sqlite, emulator, tmp_path) -> dict:
    """The environment of a `reportbot run` against the emulator, on a migrated SQLite file."""
    return {"DATABASE_URL": fast_sqlite.url, "ARTIFACT_DIR": str(tmp_path / "artifacts"), "HOME": str(tmp_path),
            "SLACK_BOT_TOKEN": emulator.bot_token(), "SLACK_API_URL": emulator.base_url,
            "DELIVERY_MAX_ATTEMPTS": "1"}


def _no_worker_noise(stderr: str) -> None:
    assert "dramatiq" not in stderr.lower() and "Shutting down" not in stderr and "Traceback" not in stderr


def test_run_by_name_waits_and_says_it_was_delivered(fast_sqlite, cli_env, emulator):
    with fast_sqlite.session() as s:
        make_schedule(s, name="Daily sales")
    done = _reportbot("run", "daily SALES", env=cli_env)
    assert done.returncode == 0, done.stdout + done.stderr
    started, outcome = done.stdout.strip().splitlines()
    assert started == "started run 1 of “Daily sales” (schedule 1)"
    assert outcome.startswith("delivered: run 1 of “Daily sales” reached #sales")
    assert [u.channel_id for u in emulator.uploads()] == [SALES]
    _no_worker_noise(done.stderr)


def test_a_failed_run_says_why_in_words_and_exits_non_zero(fast_sqlite, cli_env):
    with fast_sqlite.session() as s:
        make_schedule(s, name="Gone",
                      destinations=[NewDestination(DestinationKind.SLACK_CHANNEL, "C0GONE001", "#gone")])
    done = _reportbot("run", "1", env=cli_env)
    assert done.returncode == 1, done.stdout + done.stderr
    outcome = done.stdout.strip().splitlines()[1]
    assert outcome.startswith("failed: run 1 of “Gone” failed:") and "the channel no longer exists" in outcome
    _no_worker_noise(done.stderr)


def test_run_no_wait_returns_once_started(fast_sqlite, cli_env):
    with fast_sqlite.session() as s:
        make_schedule(s, name="Daily sales")
    done = _reportbot("run", "Daily sales", "--no-wait", env=cli_env)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("started run 1 of “Daily sales”") and "reportbot serve" in done.stdout
    with fast_sqlite.session() as s:
        assert s.get(Run, 1).status == RunStatus.PENDING  # left to the workers: nothing ran it here


def test_run_gives_up_waiting_after_the_timeout(fast_sqlite, cli_env, emulator):
    with fast_sqlite.session() as s:
        make_schedule(s, name="Daily sales")
    emulator.fail("files.getUploadURLExternal", status=429, retry_after=120, times=None)  # delivery waits 2 min
    done = _reportbot("run", "Daily sales", "--timeout", "3", env={**cli_env, "DELIVERY_MAX_ATTEMPTS": "3"})
    assert done.returncode == 3, done.stdout + done.stderr
    assert "run 1 is still delivering after 3 s" in done.stderr
    _no_worker_noise(done.stderr)


def test_run_names_what_it_cannot_find_or_tell_apart(fast_sqlite, cli_env):
    with fast_sqlite.session() as s:
        make_schedule(s, name="Weekly", team_id=TEAM)
        make_schedule(s, name="weekly", team_id=OTHER_TEAM)
    missing = _reportbot("run", "monthly", env=cli_env)
    assert missing.returncode == 2 and missing.stderr.strip() == "reportbot: no schedule called or numbered “monthly”."
    both = _reportbot("run", "weekly", "--no-wait", env=cli_env)
    assert both.returncode == 2 and "(2 in T0OTHER01, 1 in T0TEST01)" in both.stderr and "--team" in both.stderr
    one = _reportbot("run", "weekly", "--team", OTHER_TEAM, "--no-wait", env=cli_env)
    assert one.returncode == 0 and "(schedule 2)" in one.stdout


def test_api_tokens_are_made_listed_and_revoked_one_by_one(fast_sqlite, cli_env):
    made = _reportbot("token", "create", TEAM, "--scopes", "read,run", "--as", ALICE, "--label", "ci",
                      env=cli_env)
    assert made.returncode == 0, made.stderr
    assert "scopes read,run, acting as U0ALICE01" in made.stdout
    assert made.stdout.strip().splitlines()[-1].startswith("rbt_")
    assert _reportbot("token", "create", TEAM, env=cli_env).returncode == 0  # a workspace run token
    listed = _reportbot("token", "list", TEAM, env=cli_env).stdout.strip().splitlines()
    assert [line.split("\t")[1:4] for line in listed] == [["ci", "read,run", ALICE], ["-", "run", "workspace"]]
    first_id = listed[0].split("\t")[0]
    assert _reportbot("token", "revoke", TEAM, "--id", first_id, env=cli_env).stdout.startswith("revoked 1 ")
    assert len(_reportbot("token", "list", TEAM, env=cli_env).stdout.strip().splitlines()) == 1
    bad = _reportbot("token", "create", TEAM, "--scopes", "admin", env=cli_env)
    assert bad.returncode == 2 and "Scopes are read, write, run" in bad.stderr and "Traceback" not in bad.stderr
