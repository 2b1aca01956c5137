"""Benchmark punctuality: how late work is released and started relative to its slot.

Prints one JSON line: {"slots", "dispatch_p50_s", "dispatch_p99_s", "start_slots", "start_p50_s",
"start_p99_s", ...}.

- dispatch: N schedules share one slot; what `reportbot clock` runs (tick every TICK_INTERVAL with
  lookahead TICK_LOOKAHEAD, plus the release loop) parks their runs ahead of time; lateness is
  the moment each generate message is on the work queue, available to workers, minus the slot.
  The generate actor is swapped for a no-op here so 10,000 reports are not rendered.
- start: M light demo_sales reports share one slot and run for real (worker with the default
  settings, delivery to the local Slack emulator); lateness is runs.started_at − scheduled_for.

Uses DATABASE_URL and REDIS_URL (PostgreSQL + Redis is the figure that matters).

    python bench/lateness.py --slots 10000 --start-slots 100
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import dramatiq  # noqa: E402
from sqlalchemy import select  # noqa: E402

from bench.seeding import seed_due_schedules  # noqa: E402
from jobs import actors  # noqa: E402
from jobs import broker as broker_module  # noqa: E402
from jobs.context import JobContext, set_context  # noqa: E402
from jobs.inprocess import ClockThread  # noqa: E402
from jobs.release import ReleaseLoop  # noqa: E402
from jobs.settings import JobSettings, SlackSettings  # noqa: E402
from jobs.tick import tick  # noqa: E402
from slack_emulator import SlackEmulator  # noqa: E402
from storage.db import Database  # noqa: E402
from storage.filestore import ArtifactStore  # noqa: E402
from storage.migrate import upgrade  # noqa: E402
from storage.models import Run  # noqa: E402

UTC = dt.UTC


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def context(db: Database, emulator: SlackEmulator | None) -> JobContext:
    env = {k: v for k, v in os.environ.items() if k in ("REDIS_URL", "TICK_INTERVAL", "TICK_LOOKAHEAD")}
    slack = SlackSettings(emulator.bot_token() if emulator else None,
                          emulator.base_url if emulator else "http://127.0.0.1:9/api/")
    return JobContext(database=db, artifacts=ArtifactStore(Path(tempfile.mkdtemp())),
                      settings=JobSettings.from_env(env), slack_settings=slack)


def run_clock_until(ctx: JobContext, done, on_release=None) -> None:
    """Run what `reportbot clock` runs (ticks + the release loop) until `done()`."""
    clock = ClockThread(lambda: tick(ctx, actors.enqueue), ctx.settings.tick_interval)
    release = ReleaseLoop(broker_module.broker, on_release=on_release)
    clock.start()
    release.start()
    try:
        while not done():
            time.sleep(0.1)
    finally:
        clock.stop()
        release.stop()
        clock.join()
        release.join()


def bench_dispatch(db: Database, slots: int, lead: float) -> dict:
    ctx = context(db, None)
    set_context(ctx)
    slot = (dt.datetime.now(UTC) + dt.timedelta(seconds=lead)).replace(microsecond=0)
    seed_due_schedules(db, slots, slot, None, "lateness")
    released: dict[str, float] = {}

    def record(ids: list[str]) -> None:
        at = time.time()  # after the script returned: the messages are on the work queue
        released.update((i, at) for i in ids)

    broker = broker_module.broker
    original = actors.generate.fn
    actors.generate.fn = lambda run_id: None  # measure dispatch, not rendering
    worker = dramatiq.Worker(broker, worker_threads=8,
                             worker_timeout=int(os.environ.get("dramatiq_worker_timeout", 100)))
    worker.start()
    try:
        deadline = time.time() + lead + 120
        run_clock_until(ctx, lambda: len(released) >= slots or time.time() > deadline, record)
    finally:
        worker.stop()
        actors.generate.fn = original
    late = [at - slot.timestamp() for at in released.values()]
    return {"slots": slots, "released": len(late), "dispatch_p50_s": round(percentile(late, 0.5), 3),
            "dispatch_p99_s": round(percentile(late, 0.99), 3), "dispatch_max_s": round(max(late), 3)}


def bench_start(db: Database, count: int, lead: float) -> dict:
    if hasattr(broker_module.broker, "client"):
        broker_module.broker.client.flushdb()  # nothing left over from the dispatch part
    with SlackEmulator() as emulator:
        emulator.add_user("U0BENCH01", "bench")
        emulator.add_channel("C0BENCH01", "bench", members=["U0BENCH01"])
        ctx = context(db, emulator)
        set_context(ctx)
        slot = (dt.datetime.now(UTC) + dt.timedelta(seconds=lead)).replace(microsecond=0)
        seed_due_schedules(db, count, slot, "C0BENCH01", "lateness")
        # As the Procfile deploys it, with the dramatiq CLI's defaults (a process per core, 8
        # threads each): one pool generates, another delivers (delivery waits for Slack's
        # per-workspace budget and must not hold generation threads).
        env = {**os.environ, "DATABASE_URL": db.url, "SLACK_BOT_TOKEN": emulator.bot_token(),
               "SLACK_API_URL": emulator.base_url, "ARTIFACT_DIR": str(ctx.artifacts.root),
               "dramatiq_worker_timeout": os.environ.get("dramatiq_worker_timeout", "100")}
        pools = [subprocess.Popen([sys.executable, "-m", "dramatiq", "jobs.broker", "jobs.actors", "--queues", *queues],
                                  cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                 for queues in (("reports", "interactive"), ("deliveries",))]
        def finished() -> bool:
            with db.session() as s:
                return s.scalar(select(Run).where(Run.finished_at.is_(None)).limit(1)) is None and \
                    len(s.scalars(select(Run.id)).all()) >= count

        try:
            run_clock_until(ctx, lambda: time.time() > slot.timestamp() + 1 and finished())
        finally:
            for pool in pools:
                pool.send_signal(signal.SIGTERM)
            for pool in pools:
                pool.wait(timeout=60)
        with db.session() as s:
            late = [(r.started_at - r.scheduled_for).total_seconds() for r in s.scalars(select(Run))]
            statuses = {r.status for r in s.scalars(select(Run))}
            errors = {r.error for r in s.scalars(select(Run)) if r.error}
    return {"start_slots": count, "start_p50_s": round(percentile(late, 0.5), 3),
            "start_p99_s": round(percentile(late, 0.99), 3), "start_statuses": sorted(statuses),
            "start_errors": sorted(errors)[:3]}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--slots", type=int, default=10_000)
    parser.add_argument("--start-slots", type=int, default=100)
    parser.add_argument("--lead", type=float, default=15.0, help="seconds from now to the shared slot")
    args = parser.parse_args()
    db = Database(os.environ.get("DATABASE_URL") or f"sqlite:///{tempfile.mkdtemp()}/lateness.db")
    upgrade(db)
    broker_module.use_broker(broker_module.build_broker(os.environ.get("REDIS_URL")))
    if hasattr(broker_module.broker, "client"):
        broker_module.broker.client.flushdb()
    figures = {"database": db.dialect, "broker": type(broker_module.broker).__name__,
               "tick_interval": JobSettings.from_env().tick_interval, "lookahead": JobSettings.from_env().lookahead}
    figures.update(bench_dispatch(db, args.slots, args.lead))
    figures.update(bench_start(db, args.start_slots, args.lead))
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
