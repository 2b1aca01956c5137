"""Processes for the fault tests: real `reportbot clock` and `dramatiq` worker processes, and
throwaway PostgreSQL and Redis servers of the tests' own on free loopback ports (the machine's
shared servers are never restarted). Every process writes to a log file, scanned afterwards."""

from __future__ import annotations

import datetime as dt
import glob
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError

from storage.db import Database
from storage.migrate import upgrade
from storage.models import FINAL_RUN_STATUSES, Run, RunStatus
from tests.conftest import REPO, unavailable
from tests.jobs.delivery_support import LINK_SECRET, SMTP_PASSWORD, SMTP_USER
from tests.support.network import free_port

FIGURES_FILE = os.environ.get("REPORTBOT_FAULT_FIGURES")


def report_figures(name: str, figures: dict) -> None:
    """Print the figures of a fault run (and append them to $REPORTBOT_FAULT_FIGURES when set)."""
    line = json.dumps({"test": name, **figures}, sort_keys=True, default=str)
    print(f"\nFAULT-FIGURES {line}")
    if FIGURES_FILE:
        with open(FIGURES_FILE, "a") as out:
            out.write(line + "\n")


def worker_env(*, database_url: str, redis_url: str, emulator, smtp_port: int, artifacts: Path, **extra) -> dict:
    """The environment of every clock and worker process of a fault test: short leases and backoff."""
    env = {
        **os.environ,
        "DATABASE_URL": database_url, "REDIS_URL": redis_url,
        "SLACK_BOT_TOKEN": emulator.bot_token(), "SLACK_API_URL": emulator.base_url,
        "ARTIFACT_DIR": str(artifacts),
        "SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(smtp_port), "SMTP_SECURITY": "none", "SMTP_TIMEOUT": "5",
        "SMTP_USER": SMTP_USER, "SMTP_PASSWORD": SMTP_PASSWORD, "EMAIL_FROM": "Reports <reports@example.com>",
        "REPORTBOT_EMAIL_DOMAINS": "example.com", "REPORTBOT_PUBLIC_URL": "http://127.0.0.1:9",
        "REPORTBOT_LINK_SECRET": LINK_SECRET,
        "TICK_INTERVAL": "0.25", "TICK_LOOKAHEAD": "2", "RUN_LEASE_SECONDS": "2", "DISPATCH_TIMEOUT": "4",
        "MAX_ATTEMPTS": "4", "DELIVERY_BACKOFF_BASE": "0.4", "DELIVERY_BACKOFF_CAP": "2",
        "DELIVERY_MAX_ATTEMPTS": "10", "SLACK_RATE_MULTIPLIER": "200", "LOG_LEVEL": "INFO",
        "dramatiq_worker_timeout": "100",
    }
    env.update({k: str(v) for k, v in extra.items()})
    return env


# What worker_env shortens to make the other fault tests quick, and what decides how late a run
# gets after a fault: the recovery tests measure with the shipped values instead.
TIMING = ("TICK_INTERVAL", "TICK_LOOKAHEAD", "RUN_LEASE_SECONDS", "DISPATCH_TIMEOUT", "MAX_ATTEMPTS",
          "DELIVERY_BACKOFF_BASE", "DELIVERY_BACKOFF_CAP", "DELIVERY_MAX_ATTEMPTS", "SLACK_RATE_MULTIPLIER")


def with_default_timing(env: dict) -> dict:
    """The same environment with every timing setting left at its default."""
    return {key: value for key, value in env.items() if key not in TIMING}


def lateness(db, run_ids=None, *, since: dt.datetime | None = None) -> dict:
    """Seconds from each delivered run's slot (or from `since`, e.g. when a server came back) to its
    delivery: max, median and how many runs, for the fault figures."""
    with db.session() as s:
        runs = [r for r in s.scalars(select(Run).where(Run.status == RunStatus.DELIVERED))
                if run_ids is None or r.id in run_ids]
    late = sorted((r.finished_at - (since or r.scheduled_for)).total_seconds() for r in runs)
    if not late:
        return {"runs": 0}
    return {"runs": len(late), "max_s": round(late[-1], 1), "median_s": round(late[len(late) // 2], 1)}


@dataclass
class Processes:
    """Clock and worker processes, each in its own process group so a SIGKILL takes all of it."""

    env: dict
    logs: Path
    procs: dict[str, subprocess.Popen] = field(default_factory=dict)

    def _start(self, name: str, argv: list[str]) -> subprocess.Popen:
        out = open(self.logs / f"{name}.log", "ab")
        proc = subprocess.Popen(argv, cwd=REPO, env=self.env, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True)
        out.close()
        self.procs[name] = proc
        return proc

    def clock(self, name: str) -> subprocess.Popen:
        return self._start(name, [sys.executable, "-m", "bot.cli.main", "clock"])

    def worker(self, name: str, threads: int = 4) -> subprocess.Popen:
        return self._start(name, [sys.executable, "-m", "dramatiq", "jobs.broker", "jobs.actors", "--processes", "1",
                                  "--threads", str(threads), "--worker-shutdown-timeout", "2000"])

    def kill(self, name: str) -> None:
        """SIGKILL the whole process group: the worker gets no chance to clean up."""
        proc = self.procs.pop(name)
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait(10)

    def stop_all(self) -> None:
        for proc in list(self.procs.values()):
            try:
                os.killpg(proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                continue
        deadline = time.monotonic() + 8
        for proc in list(self.procs.values()):
            try:
                proc.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(5)
        self.procs.clear()

    def output(self) -> str:
        return "\n".join(p.read_text(errors="replace") for p in sorted(self.logs.glob("*.log")))


def kill_worker_after_post(processes: Processes, name: str, *, timeout: float = 40) -> str:
    """Start worker `name` and SIGKILL it in the worst place of delivery: Slack has taken the post
    (files.completeUploadExternal answered) and the worker has not heard back. Return the channel."""
    from slack_emulator.methods import HANDLERS
    from tests.support.waiting import wait_until

    original = HANDLERS["files.completeUploadExternal"]
    killed: list[str] = []

    def post_then_kill(ctx):
        answer = original(ctx)
        if not killed:
            killed.append(str(ctx.params.get("channel_id")))
            processes.kill(name)
        return answer

    HANDLERS["files.completeUploadExternal"] = post_then_kill
    try:
        processes.worker(name, threads=2)
        wait_until(lambda: killed, timeout=timeout, what="a worker killed right after Slack took the post")
    finally:
        HANDLERS["files.completeUploadExternal"] = original
    return killed[0]


class ThrowawayRedis:
    """A redis-server of our own with no persistence: a restart loses every queued message."""

    def __init__(self, folder: Path) -> None:
        self.port = free_port()
        self.folder = folder
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> ThrowawayRedis:
        log = open(self.folder / f"redis-{self.port}.log", "ab")
        self.proc = subprocess.Popen(["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
                                      "--appendonly", "no", "--dir", str(self.folder)], stdout=log,
                                     stderr=subprocess.STDOUT)
        log.close()
        _wait_port(self.port)
        return self

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait(10)
            self.proc = None

    def restart(self) -> None:
        self.stop()
        self.start()


def _pg_bin(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    if found:
        return found[-1]
    path = shutil.which(name)
    if path is None:
        raise FileNotFoundError(f"{name} (PostgreSQL server binaries) not found")
    return path


class ThrowawayPostgres:
    """initdb into a temporary folder and run it on a free port, as the `postgres` user when root."""

    def __init__(self) -> None:
        self.port = free_port()
        self.folder = Path(tempfile.mkdtemp(prefix="reportbot-pg-"))
        self.data = self.folder / "data"

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, argv: list[str]) -> None:
        if os.geteuid() == 0:  # PostgreSQL refuses to run as root
            shutil.chown(self.folder, "postgres")
            argv = ["su", "postgres", "-s", "/bin/sh", "-c", " ".join(f"'{a}'" for a in argv)]
        subprocess.run(argv, check=True, capture_output=True, timeout=60)

    def init(self) -> ThrowawayPostgres:
        self._run([_pg_bin("initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8"])
        return self

    def start(self) -> None:
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200"
        self._run([_pg_bin("pg_ctl"), "-D", str(self.data), "-o", options, "-l", str(self.folder / "server.log"),
                   "-w", "start"])

    def crash(self) -> None:
        """Stop without a clean shutdown (what a power cut or OOM kill does)."""
        self._run([_pg_bin("pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "stop"])

    def destroy(self) -> None:
        try:
            self._run([_pg_bin("pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "stop"])
        except subprocess.CalledProcessError:
            pass
        shutil.rmtree(self.folder, ignore_errors=True)


def _wait_port(port: int, timeout: float = 10) -> None:
    import socket

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise RuntimeError(f"nothing listens on 127.0.0.1:{port}")


@pytest.fixture
def throwaway_redis(tmp_path):
    """A Redis of the test's own: the shared one (db 9) is flushed by other test runs on this machine."""
    if shutil.which("redis-server") is None:
        unavailable("redis-server", "not installed")
    server = ThrowawayRedis(tmp_path).start()
    yield server
    server.stop()


@pytest.fixture
def throwaway_postgres():
    """A PostgreSQL server of the test's own, migrated, that the test may crash and start again."""
    try:
        server = ThrowawayPostgres().init()
        server.start()
    except (FileNotFoundError, OSError, subprocess.CalledProcessError) as exc:
        unavailable("PostgreSQL server binaries (initdb, pg_ctl)", exc)
    from storage.db import Database
    from storage.migrate import upgrade

    db = Database(server.url)
    upgrade(db)
    yield server, db
    db.dispose()
    server.destroy()


def final_runs(db) -> int:
    """How many runs have ended (0 while the database is restarting)."""
    try:
        with db.session() as s:
            return s.scalar(select(func.count()).select_from(Run).where(Run.status.in_(list(FINAL_RUN_STATUSES)))) or 0
    except SQLAlchemyError:
        return 0


def keep_alive(processes: Processes) -> int:
    """Restart clocks or workers that exited, as the process supervisor (systemd, Heroku) would."""
    restarted = 0
    for name, proc in list(processes.procs.items()):
        if proc.poll() is not None:
            processes.procs.pop(name)
            (processes.clock if name.startswith("clock") else processes.worker)(name)
            restarted += 1
    return restarted


def restart_postgres_until(postgres, processes: Processes, db, count: int, *, timeout: float = 90) -> int:
    """Crash PostgreSQL (connections break mid-transaction), bring it back 1.5 s later, and supervise the
    processes until `count` runs have ended; return how many processes had to be restarted."""
    postgres.crash()
    time.sleep(1.5)  # the outage's length
    postgres.start()
    restarted, deadline = 0, time.monotonic() + timeout
    while final_runs(db) < count and time.monotonic() < deadline:
        restarted += keep_alive(processes)
        time.sleep(0.25)
    assert final_runs(db) == count, f"{final_runs(db)} of {count} runs final"
    return restarted


@pytest.fixture
def servers(tmp_path):
    """A throwaway PostgreSQL (migrated) and Redis of the test's own, to crash and restart."""
    try:
        postgres = ThrowawayPostgres().init()
        postgres.start()
    except (FileNotFoundError, OSError) as exc:
        unavailable("PostgreSQL server binaries (initdb, pg_ctl)", exc)
    if shutil.which("redis-server") is None:
        postgres.destroy()
        unavailable("redis-server", "not installed")
    redis_server = ThrowawayRedis(tmp_path).start()
    db = Database(postgres.url)
    upgrade(db)
    yield postgres, redis_server, db
    db.dispose()
    redis_server.stop()
    postgres.destroy()
