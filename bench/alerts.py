"""Benchmark alert checks: N alert schedules checked every minute against a real PostgreSQL source.

Prints one JSON line: {"alerts", "minutes", "checks", "checks_per_s", "lateness_p50_s",
"lateness_p99_s", "lateness_max_s", "within_30s_pct", "worker_cpu_ms_per_check", "fired",
"rendered_runs", ...}.

`checks_per_s` is the alerts of a slot over the time from the slot to its last check (the mean over
the measured slots). The real processes run: one `reportbot clock` and the `dramatiq` workers of the Procfile (two
processes of eight threads, every queue). Each alert is a `sql` report on a data source of its
own database on the same PostgreSQL server (one shop's revenue, an indexed lookup) with the
condition `revenue < threshold`; about one in a hundred finds its shop below the line and fires
(to the local Slack emulator, pacing lifted), the rest are quiet. Lateness is each check's
`evaluated_at` minus its slot; worker CPU is the worker processes' user+system time during the
measured minutes divided by the checks. Rendering is counted from the artifacts: only the runs
that notified may have any.

    DATABASE_URL=postgresql+psycopg://… REDIS_URL=redis://… python bench/alerts.py --alerts 10000 --minutes 2
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

from sqlalchemy import func, insert, select, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from bench.seeding import clear_schedules  # noqa: E402
from jobs.cadence import parse  # noqa: E402
from reports.conditions import parse_condition  # noqa: E402
from slack_emulator import SlackEmulator  # noqa: E402
from storage.db import Database  # noqa: E402
from storage.migrate import upgrade  # noqa: E402
from storage.models import (  # noqa: E402
    FINAL_RUN_STATUSES,
    AlertEvaluation,
    AlertState,
    Artifact,
    Destination,
    Run,
    Schedule,
)

UTC = dt.UTC
SOURCE_DB = "reportbot_bench_source"
FIRING_EVERY = 100  # one shop in a hundred is below its line
QUERY = "select revenue, orders from shop_metrics where shop_id = {shop}"


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def source_url(app_url: str) -> str:
    """A database of its own for the data the alerts read, on the same server as the app's."""
    import psycopg

    url = make_url(app_url)
    plain = url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(plain, autocommit=True) as conn:
        if not conn.execute("select 1 from pg_database where datname = %s", (SOURCE_DB,)).fetchone():
            conn.execute(f'create database "{SOURCE_DB}"')
    return url.set(database=SOURCE_DB).render_as_string(hide_password=False)


def seed_source(url: str, shops: int) -> None:
    source = Database(url)
    with source.session() as s:
        s.execute(text("drop table if exists shop_metrics"))
        s.execute(text("create table shop_metrics (shop_id integer primary key, revenue numeric, orders integer)"))
        s.execute(text("insert into shop_metrics select i, 20000 + (i % 97) * 10, 40 + i % 13 "
                       "from generate_series(0, :n) as i"), {"n": shops - 1})
        s.execute(text("update shop_metrics set revenue = 5000 where shop_id % :every = 0"), {"every": FIRING_EVERY})
    source.dispose()


def seed_alerts(db: Database, count: int, first_slot: dt.datetime, channel: str) -> None:
    clear_schedules(db)
    cadence = parse("every minute", "UTC").to_json()
    condition = parse_condition("revenue < 10000").to_json()
    rows = [dict(team_id="T0TEST01", name=f"alert {i}", name_key=f"alert {i}", owner_user_id="U0BENCH01",
                 report_type="sql", params={"source": "bench", "query": QUERY.format(shop=i)}, formats=["csv"],
                 cadence_text="every minute", cadence=cadence, timezone="UTC", status="active", skip_if_empty=False,
                 condition=condition, next_run_at=first_slot, consecutive_failures=0, run_count=0, success_count=0,
                 failure_count=0, created_at=first_slot, updated_at=first_slot) for i in range(count)]
    with db.session() as s:
        s.execute(text("delete from alert_states"))
        ids = []
        for start in range(0, len(rows), 5000):
            ids += s.scalars(insert(Schedule).returning(Schedule.id), rows[start:start + 5000]).all()
        s.execute(insert(Destination), [dict(schedule_id=i, kind="slack_channel", target=channel, label="#bench")
                                        for i in ids])
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        for table in ("schedules", "runs", "alert_states", "alert_evaluations"):
            conn.execute(text(f"vacuum analyze {table}"))


def process_tree_cpu(root_pids: list[int]) -> float:
    """User + system seconds of these processes and all their descendants (from /proc)."""
    ticks = os.sysconf("SC_CLK_TCK")
    parents: dict[int, int] = {}
    times: dict[int, float] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents[int(entry.name)] = int(fields[1])
        times[int(entry.name)] = (int(fields[11]) + int(fields[12])) / ticks
    wanted, frontier = set(root_pids), list(root_pids)
    while frontier:
        pid = frontier.pop()
        for child, parent in parents.items():
            if parent == pid and child not in wanted:
                wanted.add(child)
                frontier.append(child)
    return sum(times.get(pid, 0.0) for pid in wanted)


def machine_busy() -> tuple[float, float]:
    """(busy, total) jiffies of the whole machine: the benchmark shares it with everything else."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = values[3] + values[4]
    return sum(values) - idle, sum(values)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--alerts", type=int, default=10_000)
    parser.add_argument("--minutes", type=int, default=2, help="slots measured (every alert is checked once a minute)")
    parser.add_argument("--processes", type=int, default=2, help="worker processes (the Procfile runs 2)")
    parser.add_argument("--threads", type=int, default=8, help="threads per worker process (the Procfile runs 8)")
    args = parser.parse_args()
    app_url = os.environ.get("DATABASE_URL") or ""
    if not os.environ.get("REDIS_URL") or not app_url.startswith("postgresql"):
        raise SystemExit("set DATABASE_URL (PostgreSQL) and REDIS_URL: this measures the production setup")
    import redis

    db = Database(app_url)
    upgrade(db)
    source = source_url(app_url)
    seed_source(source, args.alerts)
    redis.Redis.from_url(os.environ["REDIS_URL"]).flushdb()
    now = dt.datetime.now(UTC)
    first_slot = (now + dt.timedelta(seconds=75)).replace(second=0, microsecond=0)  # imports done before it
    seed_alerts(db, args.alerts, first_slot, "C0BENCH01")
    slots = [first_slot + dt.timedelta(minutes=m) for m in range(args.minutes)]
    with SlackEmulator() as emulator:
        emulator.add_user("U0BENCH01", "bench")
        emulator.add_channel("C0BENCH01", "bench", members=["U0BENCH01"])
        env = {**os.environ, "DATABASE_URL": app_url, "SLACK_BOT_TOKEN": emulator.bot_token(),
               "SLACK_API_URL": emulator.base_url, "ARTIFACT_DIR": tempfile.mkdtemp(), "SLACK_RATE_MULTIPLIER": "1000",
               "REPORTBOT_SOURCE_BENCH": source, "REPORTBOT_SOURCE_BENCH__USERS": "*",
               "dramatiq_worker_timeout": "100", "LOG_LEVEL": "WARNING", "HOME_REFRESH_SECONDS": "5"}
        clock = subprocess.Popen([sys.executable, "-m", "bot.cli", "clock"], cwd=ROOT, env=env,
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        workers = subprocess.Popen([sys.executable, "-m", "dramatiq", "jobs.broker", "jobs.actors", "--processes",
                                    str(args.processes), "--threads", str(args.threads)], cwd=ROOT, env=env,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            while dt.datetime.now(UTC) < first_slot - dt.timedelta(seconds=2):
                time.sleep(0.2)
            cpu_before, clock_before = process_tree_cpu([workers.pid]), process_tree_cpu([clock.pid])
            busy_before = machine_busy()
            want = args.alerts * args.minutes
            deadline = slots[-1] + dt.timedelta(minutes=5)
            while dt.datetime.now(UTC) < deadline:
                with db.session() as s:
                    done = s.scalar(select(func.count()).select_from(AlertEvaluation)
                                    .where(AlertEvaluation.slot <= slots[-1])) or 0
                if done >= want:
                    break
                time.sleep(0.5)
            cpu_after, clock_after = process_tree_cpu([workers.pid]), process_tree_cpu([clock.pid])
            busy_after = machine_busy()
            time.sleep(3)  # let the last notifications be delivered
        finally:
            for proc in (clock, workers):
                proc.send_signal(signal.SIGTERM)
            for proc in (clock, workers):
                proc.wait(timeout=120)
        with db.session() as s:
            checked = s.execute(select(AlertEvaluation.slot, AlertEvaluation.evaluated_at, AlertEvaluation.notice)
                                .where(AlertEvaluation.slot <= slots[-1])).all()
            per_slot = s.execute(select(Run.schedule_id, Run.scheduled_for, func.count())
                                 .group_by(Run.schedule_id, Run.scheduled_for).having(func.count() > 1)).all()
            rendered = s.scalar(select(func.count(func.distinct(Artifact.run_id)))) or 0
            unfinished = s.scalar(select(func.count()).select_from(Run).where(
                Run.scheduled_for <= slots[-1], Run.status.not_in(list(FINAL_RUN_STATUSES)))) or 0
            firing = s.scalar(select(func.count()).select_from(AlertState).where(AlertState.state == "firing")) or 0
        posts = len([m for m in emulator.messages("C0BENCH01")])
    lateness = [(at - slot).total_seconds() for slot, at, _ in checked]
    fired = sum(1 for *_, notice in checked if notice)
    drains = [max(((at - slot).total_seconds() for slot, at, _ in checked if slot == wanted), default=0.0)
              for wanted in slots]
    busy = (busy_after[0] - busy_before[0]) / max(1, busy_after[1] - busy_before[1]) * 100
    figures = {
        "alerts": args.alerts, "minutes": args.minutes, "checks": len(checked),
        "workers": f"{args.processes}x{args.threads}",
        "drain_s_per_slot": [round(d, 1) for d in drains],  # slot -> its last check
        "checks_per_s": round(args.alerts / max(sum(drains) / len(drains), 1e-9), 1),
        "lateness_p50_s": round(percentile(lateness, 0.5), 2) if lateness else None,
        "lateness_p99_s": round(percentile(lateness, 0.99), 2) if lateness else None,
        "lateness_max_s": round(max(lateness), 2) if lateness else None,
        "within_30s_pct": round(100 * sum(1 for v in lateness if v <= 30) / max(1, len(lateness)), 2),
        "worker_cpu_ms_per_check": round((cpu_after - cpu_before) * 1000 / max(1, len(checked)), 2),
        "clock_cpu_ms_per_check": round((clock_after - clock_before) * 1000 / max(1, len(checked)), 3),
        "machine_busy_pct": round(busy, 1),
        "fired": fired, "firing_alerts": firing, "rendered_runs": rendered, "slack_posts": posts,
        "duplicate_slots": len(per_slot), "unfinished": unfinished,
    }
    clear_schedules(db)
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
