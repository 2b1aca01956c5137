"""From a signed `/report new …` to a CSV in the channel and the run on App Home, on both stacks:
SQLite with the in-process worker, and PostgreSQL + Redis with the real `dramatiq` worker process."""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import subprocess
import sys
import time

import pytest
from sqlalchemy import select

from jobs import actors
from jobs import broker as broker_module
from jobs.context import set_context
from jobs.inprocess import start_worker
from jobs.tick import tick
from reports.types.demo_sales import sales_rows
from slack_emulator import SlackRequestSigner
from storage.models import FINAL_RUN_STATUSES, Run, RunStatus, Schedule
from tests.bot.conftest import SlackClientSide, serve_app
from tests.conftest import REPO, SIGNING_SECRET, make_context
from tests.support.people import ALICE, SALES

UTC = dt.UTC


def _wait_for_final_run(db, timeout: float = 60) -> Run:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with db.session() as s:
            run = s.scalar(select(Run).order_by(Run.id.desc()).limit(1))
            if run is not None and run.status in FINAL_RUN_STATUSES:
                return run
        time.sleep(0.05)
    raise AssertionError("no run finished in time")


def _scenario(ctx, emulator) -> None:
    url, server = serve_app(ctx, emulator, actors.enqueue)
    slack = SlackClientSide(url, emulator, SlackRequestSigner(SIGNING_SECRET, team_id=emulator.default_team_id))
    try:
        reply = slack.command('new "Daily sales" every day at 9am in <#C0SALES01|sales>')
        assert "Scheduled *Daily sales*" in reply and "#sales" in reply
        # Alice's zone, five runs with UTC beside them, and the day each report covers.
        assert "Next runs (Europe/Berlin, with UTC)" in reply and reply.count(" CET  (") == 5
        assert "📅 Covers the previous day — the next report: Sun 22 Nov 2026, Europe/Berlin" in reply

        with ctx.database.session() as s:
            schedule = s.scalar(select(Schedule))
            slot = schedule.next_run_at
            assert [(d.kind, d.target) for d in schedule.destinations] == [("slack_channel", SALES)]
            assert schedule.cadence_text == "every day at 9am" and schedule.timezone == "Europe/Berlin"

        ctx.now.jump_to(slot)  # the clock reaches the slot: no real waiting
        result = tick(ctx, actors.enqueue)
        assert len(result.created) == 1

        run = _wait_for_final_run(ctx.database)
        assert run.status == RunStatus.DELIVERED, run.error
        assert [d.status for d in run.deliveries] == ["sent"]

        uploads = emulator.uploads(SALES)
        assert len(uploads) == 1 and uploads[0].filename.endswith(".csv")
        day = (slot.astimezone(dt.timezone(dt.timedelta(hours=1))) - dt.timedelta(days=1)).date()
        got = list(csv.reader(io.StringIO(uploads[0].content.decode("utf-8"))))
        expected = [[d.isoformat(), region, product, str(units), f"{revenue}"]
                    for d, region, product, units, revenue in sales_rows(day, day + dt.timedelta(days=1))]
        assert got[0] == ["date", "region", "product", "units", "revenue"]
        assert [row[:4] for row in got[1:]] == [row[:4] for row in expected]
        assert [float(row[4]) for row in got[1:]] == [float(row[4]) for row in expected]

        # the worker refreshes the owner's App Home once the run is settled
        home = emulator.wait_for(lambda: "delivered" in str(emulator.home_view(ALICE)) and
                                 emulator.home_view(ALICE))
        assert "Daily sales" in str(home["blocks"]) and "delivered moments ago · scheduled" in str(home["blocks"])
        assert "📅 Sun 22 Nov 2026, Europe/Berlin\\n      ✅ #sales" in str(home["blocks"])
    finally:
        server.stop()


def test_end_to_end_on_sqlite_with_the_in_process_worker(sqlite_database, tmp_path, emulator):
    ctx = make_context(sqlite_database, tmp_path, emulator)
    previous_broker = broker_module.use_broker(broker_module.build_broker(None))
    previous_context = set_context(ctx)
    worker = start_worker(broker_module.broker, threads=2)
    try:
        _scenario(ctx, emulator)
    finally:
        worker.stop()
        set_context(previous_context)
        broker_module.use_broker(previous_broker)


@pytest.mark.postgres
@pytest.mark.redis
def test_end_to_end_on_postgres_and_redis_with_a_dramatiq_worker_process(postgres_database, redis_url, tmp_path,
                                                                          emulator):
    import redis

    redis.Redis.from_url(redis_url).flushdb()
    ctx = make_context(postgres_database, tmp_path, emulator)
    env = {
        **os.environ,
        "DATABASE_URL": postgres_database.url,
        "REDIS_URL": redis_url,
        "SLACK_BOT_TOKEN": emulator.bot_token(),
        "SLACK_API_URL": emulator.base_url,
        "ARTIFACT_DIR": str(tmp_path / "artifacts"),
    }
    worker = subprocess.Popen(
        [sys.executable, "-m", "dramatiq", "jobs.broker", "jobs.actors", "--processes", "1", "--threads", "2"],
        cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    previous_broker = broker_module.use_broker(broker_module.build_broker(redis_url))
    try:
        _scenario(ctx, emulator)
    finally:
        broker_module.use_broker(previous_broker)
        worker.terminate()
        try:
            output, _ = worker.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()
            output, _ = worker.communicate()
        assert "Traceback" not in output, output[-4000:]
