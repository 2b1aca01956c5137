"""Benchmark the tick: N active schedules (varied cadences and zones), D of them due.

Prints one JSON line: {"schedules", "due", "tick_s", "idle_tick_s", "apscheduler_s", "ratio", ...}.
Uses DATABASE_URL / REDIS_URL when set (PostgreSQL + Redis is the figure that matters), else a
SQLite file and the in-memory broker. `--apscheduler` runs the same workload through APScheduler 3
with its SQLAlchemyJobStore on the same database, side by side.

    python bench/tick.py --schedules 100000 --due 10000 --apscheduler
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import delete, insert, text  # noqa: E402

from bench.seeding import clear_schedules  # noqa: E402
from jobs.cadence import parse  # noqa: E402
from jobs.context import JobContext  # noqa: E402
from jobs.settings import JobSettings, SlackSettings  # noqa: E402
from storage.db import Database  # noqa: E402
from storage.filestore import ArtifactStore  # noqa: E402
from storage.migrate import upgrade  # noqa: E402
from storage.models import Run, Schedule  # noqa: E402

PHRASES = ["every day at {h}:{m:02d}", "every weekday at {h}:{m:02d}", "every monday at {h}:{m:02d}",
           "every 2 weeks on tuesday and thursday at {h}:{m:02d}", "on the 1st and 15th at {h}:{m:02d}",
           "last friday of the month at {h}:{m:02d}", "{m} {h} * * 1-5", "every hour", "every 15 minutes"]
ZONES = ["Europe/Berlin", "America/New_York", "Asia/Kolkata", "Australia/Sydney", "UTC", "America/Los_Angeles",
         "Asia/Tokyo", "Europe/London"]
UTC = dt.UTC


def cadences(count: int, seed: int = 7) -> list[tuple[str, str, dict]]:
    """`count` varied cadences (many distinct rules, as real users type them)."""
    rng = random.Random(seed)
    seen: dict[tuple[str, str], dict] = {}
    out = []
    for _ in range(count):
        phrase = rng.choice(PHRASES).format(h=rng.randint(6, 19), m=rng.choice(range(0, 60, 5)))
        zone = rng.choice(ZONES)
        key = (phrase, zone)
        if key not in seen:
            seen[key] = parse(phrase, zone).anchored(dt.datetime.now(UTC)).to_json()
        out.append((phrase, zone, seen[key]))
    return out


def seed(db: Database, schedules: int, due: int, now: dt.datetime) -> None:
    clear_schedules(db)
    rows = []
    for i, (phrase, zone, cadence) in enumerate(cadences(schedules)):
        # the first `due` are due within the last minute; the rest later today or beyond
        next_run = now - dt.timedelta(seconds=i % 60) if i < due else now + dt.timedelta(minutes=5 + i % 5000)
        rows.append(dict(team_id=f"T{i % 50:04d}", name=f"bench {i}", name_key=f"bench {i}", owner_user_id="U0BENCH01",
                         report_type="demo_sales", params={}, formats=["csv"], cadence_text=phrase, cadence=cadence,
                         timezone=zone, status="active", skip_if_empty=False, next_run_at=next_run,
                         consecutive_failures=0, run_count=0, success_count=0, failure_count=0, created_at=now,
                         updated_at=now))
    for start in range(0, len(rows), 5000):
        with db.session() as s:
            s.execute(insert(Schedule), rows[start:start + 5000])
    if db.dialect == "postgresql":
        # Let the database settle after the bulk load (in production the table is not freshly
        # loaded at 09:00): fresh statistics, and the load's checkpoint done before the clock starts.
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("vacuum analyze schedules"))
            conn.execute(text("vacuum analyze runs"))
            conn.execute(text("checkpoint"))


def bench_tick(db: Database, args) -> dict:
    from jobs import actors
    from jobs import broker as broker_module
    from jobs.tick import tick

    redis_url = os.environ.get("REDIS_URL")
    broker = broker_module.build_broker(redis_url)
    broker_module.use_broker(broker)
    if redis_url:
        broker.client.flushdb()
    ctx = JobContext(database=db, artifacts=ArtifactStore(Path(tempfile.mkdtemp())),
                     settings=JobSettings.from_env({"TICK_LOOKAHEAD": "0"}),
                     slack_settings=SlackSettings(None, "http://127.0.0.1:9/api/"))
    now = dt.datetime.now(UTC).replace(microsecond=0)
    seed(db, args.schedules, args.due, now)
    started, cpu_started = time.perf_counter(), time.process_time()
    result = tick(ctx, actors.enqueue, now=now, batch_size=args.batch)
    tick_s, tick_cpu_s = time.perf_counter() - started, time.process_time() - cpu_started
    # The clock runs for days: by 09:00 it has compiled these cadences at their previous runs.
    # Put the same schedules back to due and tick again with the compile cache warm.
    with db.session() as s:
        s.execute(delete(Run))
        s.execute(text("update schedules set next_run_at = :now where id in "
                       "(select id from schedules order by id limit :due)"), {"now": now, "due": args.due})
    if db.dialect == "postgresql":
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("vacuum analyze schedules"))
            conn.execute(text("checkpoint"))
    started = time.perf_counter()
    warm = tick(ctx, actors.enqueue, now=now, batch_size=args.batch)
    warm_s = time.perf_counter() - started
    idle = []
    for _ in range(5):
        started = time.perf_counter()
        tick(ctx, actors.enqueue, now=now)
        idle.append(time.perf_counter() - started)
    enqueued = sum(broker.client.hlen(f"{broker.namespace}:{q}.msgs") for q in ("reports", "reports.DQ")) \
        if redis_url else len(broker.queues.get("reports", [])) if hasattr(broker, "queues") else None
    return {"tick_s": round(tick_s, 3), "tick_cpu_s": round(tick_cpu_s, 3), "idle_tick_s": round(min(idle), 4),
            "created": len(result.created),
            "tick_planning_s": round(result.planning_seconds, 3), "tick_writing_s": round(result.writing_seconds, 3),
            "tick_enqueue_s": round(result.enqueue_seconds, 3),
            "warm_tick_s": round(warm_s, 3), "warm_created": len(warm.created),
            "enqueued": enqueued}


_APS: dict = {"fired": 0, "target": 0}
_APS_DONE = threading.Event()
_APS_LOCK = threading.Lock()


def _aps_job(i: int) -> None:
    """The job APScheduler fires (module level: its job store keeps a textual reference)."""
    with _APS_LOCK:
        _APS["fired"] += 1
        if _APS["fired"] >= _APS["target"]:
            _APS_DONE.set()


def bench_apscheduler(db_url: str, args) -> float:
    """Time APScheduler 3 (SQLAlchemyJobStore) to fire the same due jobs out of the same total."""
    from apscheduler.executors.pool import ThreadPoolExecutor
    from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
    from apscheduler.schedulers.background import BackgroundScheduler
    from apscheduler.triggers.cron import CronTrigger
    from apscheduler.triggers.date import DateTrigger

    store = SQLAlchemyJobStore(url=db_url, tablename="apscheduler_bench_jobs")
    scheduler = BackgroundScheduler(jobstores={"default": store}, executors={"default": ThreadPoolExecutor(20)},
                                    job_defaults={"misfire_grace_time": 3600, "coalesce": True})
    _APS["target"] = args.due
    scheduler.start(paused=True)
    scheduler.remove_all_jobs()
    start_at = dt.datetime.now(UTC) + dt.timedelta(seconds=5)
    for i in range(args.schedules):
        trigger = DateTrigger(run_date=start_at) if i < args.due else CronTrigger(hour=(i % 12) + 6, minute=i % 60)
        scheduler.add_job(_aps_job, trigger, args=[i], id=f"j{i}", replace_existing=True)
    wait = (start_at - dt.datetime.now(UTC)).total_seconds()
    if wait > 0:
        time.sleep(wait)
    started = time.perf_counter()
    scheduler.resume()
    _APS_DONE.wait(timeout=600)
    elapsed = time.perf_counter() - started
    scheduler.shutdown(wait=False)
    store.remove_all_jobs()
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--schedules", type=int, default=100_000)
    parser.add_argument("--due", type=int, default=10_000)
    parser.add_argument("--batch", type=int, default=2000, help="schedules claimed per database round")
    parser.add_argument("--apscheduler", action="store_true", help="also run the APScheduler 3 comparison")
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{tempfile.mkdtemp()}/bench.db"
    db = Database(url)
    upgrade(db)
    figures = {"schedules": args.schedules, "due": args.due, "database": db.dialect,
               "broker": "redis" if os.environ.get("REDIS_URL") else "stub"}
    figures.update(bench_tick(db, args))
    if args.apscheduler:
        figures["apscheduler_s"] = round(bench_apscheduler(url, args), 2)
        figures["ratio"] = round(figures["apscheduler_s"] / figures["tick_s"], 1)
    clear_schedules(db)
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
