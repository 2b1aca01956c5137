"""Benchmark several processes at once: clocks and dramatiq workers sharing PostgreSQL and Redis.

Prints one JSON line with both configurations (each `{"clocks", "workers", "runs", "drain_s",
"runs_per_s", "duplicate_runs", "uploads", ...}`) and the speedup: N schedules share one slot; the real
`reportbot clock` and `dramatiq` processes are started, and the time from the slot to the last run settled
is measured.
Delivery goes to the local Slack emulator with pacing lifted (SLACK_RATE_MULTIPLIER), so the figure
is the processes' own throughput, not Slack's budget.

    DATABASE_URL=postgresql+psycopg://… REDIS_URL=redis://… python bench/processes.py --runs 600
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

from sqlalchemy import func, select  # noqa: E402

from bench.seeding import seed_due_schedules  # noqa: E402
from slack_emulator import SlackEmulator  # noqa: E402
from storage.db import Database  # noqa: E402
from storage.migrate import upgrade  # noqa: E402
from storage.models import FINAL_RUN_STATUSES, Run  # noqa: E402

UTC = dt.UTC


def run_config(db: Database, emulator: SlackEmulator, clocks: int, workers: int, count: int, lead: float) -> dict:
    import redis

    redis.Redis.from_url(os.environ["REDIS_URL"]).flushdb()
    emulator.reset_records()
    slot = (dt.datetime.now(UTC) + dt.timedelta(seconds=lead)).replace(microsecond=0)
    seed_due_schedules(db, count, slot, "C0BENCH01", "proc")
    env = {**os.environ, "DATABASE_URL": db.url, "SLACK_BOT_TOKEN": emulator.bot_token(),
           "SLACK_API_URL": emulator.base_url, "ARTIFACT_DIR": tempfile.mkdtemp(), "SLACK_RATE_MULTIPLIER": "1000",
           "dramatiq_worker_timeout": "100", "TICK_INTERVAL": "1", "LOG_LEVEL": "WARNING"}
    procs = [subprocess.Popen([sys.executable, "-m", "bot.cli.main", "clock"], cwd=ROOT, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) for _ in range(clocks)]
    procs += [subprocess.Popen([sys.executable, "-m", "dramatiq", "jobs.broker", "jobs.actors", "--processes", "1",
                                "--threads", "8"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL) for _ in range(workers)]
    try:
        deadline = time.time() + lead + 600
        while time.time() < deadline:
            with db.session() as s:
                settled = s.scalar(select(func.count()).select_from(Run)
                                   .where(Run.status.in_(list(FINAL_RUN_STATUSES))))
                last = s.scalar(select(func.max(Run.finished_at)))
            if settled >= count:
                break
            time.sleep(0.2)
    finally:
        for p in procs:
            p.send_signal(signal.SIGTERM)
        for p in procs:
            p.wait(timeout=60)
    with db.session() as s:
        per_schedule = s.execute(select(Run.schedule_id, func.count()).group_by(Run.schedule_id)).all()
        statuses = dict(s.execute(select(Run.status, func.count()).group_by(Run.status)).all())
    drain = (last - slot).total_seconds()
    return {"clocks": clocks, "workers": workers, "runs": count, "drain_s": round(drain, 2),
            "runs_per_s": round(count / drain, 1), "duplicate_runs": sum(c - 1 for _, c in per_schedule),
            "statuses": statuses, "uploads": len(emulator.uploads("C0BENCH01"))}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=600)
    parser.add_argument("--lead", type=float, default=12.0)
    args = parser.parse_args()
    if not os.environ.get("REDIS_URL") or not (os.environ.get("DATABASE_URL") or "").startswith("postgresql"):
        raise SystemExit("set DATABASE_URL (PostgreSQL) and REDIS_URL: this measures the production setup")
    db = Database(os.environ["DATABASE_URL"])
    upgrade(db)
    with SlackEmulator() as emulator:
        emulator.add_user("U0BENCH01", "bench")
        emulator.add_channel("C0BENCH01", "bench", members=["U0BENCH01"])
        single = run_config(db, emulator, 1, 1, args.runs, args.lead)
        several = run_config(db, emulator, 2, 3, args.runs, args.lead)
    print(json.dumps({"runs": args.runs, "one_clock_one_worker": single, "two_clocks_three_workers": several,
                      "speedup": round(several["runs_per_s"] / single["runs_per_s"], 2)}))


if __name__ == "__main__":
    main()
