"""Benchmark delivery pacing: a burst of reports to one workspace against Slack's tier limits.

Prints one JSON line: {"reports", "drain_s", "allowed_s", "throughput_ratio", "ratelimited_429",
"failed_deliveries", ...}. The local Slack emulator enforces the tiers (files.getUploadURLExternal
and files.completeUploadExternal: Tier 4, 100 per minute per workspace), with time scaled by
--scale so the run is short (the pacer is told the same scale); `allowed_s` is the least time the
tier allows for the burst, `throughput_ratio` = allowed_s / drain_s (1.0 = the whole budget used).

    python bench/slack_burst.py --reports 500 --scale 10 --threads 8
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.seeding import clear_schedules  # noqa: E402
from jobs.cadence import parse  # noqa: E402
from jobs.context import AdjustableClock, JobContext  # noqa: E402
from jobs.delivery.deliver import deliver  # noqa: E402
from jobs.generate import generate  # noqa: E402
from jobs.settings import JobSettings, SlackSettings  # noqa: E402
from jobs.tick import tick  # noqa: E402
from slack_emulator import SlackEmulator  # noqa: E402
from storage import schedules as schedule_repo  # noqa: E402
from storage.db import Database  # noqa: E402
from storage.filestore import ArtifactStore  # noqa: E402
from storage.migrate import upgrade  # noqa: E402
from storage.models import DeliveryStatus, DestinationKind, Run  # noqa: E402
from storage.schedules import NewDestination  # noqa: E402

TIER4_PER_MINUTE = 100


class Collect:
    def __init__(self) -> None:
        self.calls: list[tuple[int, str, int]] = []

    def __call__(self, run_id: int, phase: str, delay: int) -> None:
        self.calls.append((run_id, phase, delay))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--reports", type=int, default=500)
    parser.add_argument("--scale", type=float, default=10.0, help="emulated minutes last 60/scale seconds")
    parser.add_argument("--threads", type=int, default=8, help="delivery worker threads")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp())
    db = Database(os.environ.get("DATABASE_URL") or f"sqlite:///{folder}/burst.db")
    upgrade(db)
    clear_schedules(db)
    with SlackEmulator(enforce_rate_limits=True, rate_limit_scale=args.scale) as emulator:
        emulator.add_user("U0BURST01", "owner")
        emulator.add_channel("C0BURST01", "reports", members=["U0BURST01"])
        env = {"SLACK_RATE_MULTIPLIER": str(args.scale)}
        if os.environ.get("REDIS_URL"):
            env["REDIS_URL"] = os.environ["REDIS_URL"]
        ctx = JobContext(database=db, artifacts=ArtifactStore(folder / "artifacts"), settings=JobSettings.from_env(env),
                         slack_settings=SlackSettings(emulator.bot_token(), emulator.base_url), now=AdjustableClock())
        cadence = parse("every day at 9am", "UTC")
        slot = cadence.next_run(ctx.now())
        with db.session() as s:
            for i in range(args.reports):
                schedule_repo.create_schedule(
                    s, team_id=emulator.default_team_id, name=f"burst {i}", owner_user_id="U0BURST01",
                    report_type="demo_sales", cadence_text="every day at 9am", cadence=cadence.to_json(),
                    timezone="UTC", next_run_at=slot, formats=["csv"],
                    destinations=[NewDestination(DestinationKind.SLACK_CHANNEL, "C0BURST01", "#reports")])
        ctx.now.jump_to(slot)
        collect = Collect()
        run_ids = tick(ctx, collect).created
        for run_id in run_ids:
            generate(ctx, run_id, collect)
        emulator.reset_records()
        pending = list(run_ids)
        lock = threading.Lock()

        def worker() -> None:
            while True:
                with lock:
                    if not pending:
                        return
                    run_id = pending.pop()
                try:
                    deliver(ctx, run_id)
                except Exception:  # a retryable failure: counted below from the deliveries table
                    pass

        started = time.perf_counter()
        threads = [threading.Thread(target=worker) for _ in range(args.threads)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        drain = time.perf_counter() - started
        with db.session() as s:
            runs = list(s.query(Run))
            failed = sum(d.status != DeliveryStatus.SENT for r in runs for d in r.deliveries)
        allowed = args.reports / (TIER4_PER_MINUTE * args.scale) * 60
        print(json.dumps({
            "reports": args.reports, "scale": args.scale, "threads": args.threads,
            "pacer": "redis" if os.environ.get("REDIS_URL") else "local",
            "drain_s": round(drain, 2), "allowed_s": round(allowed, 2), "throughput_ratio": round(allowed / drain, 3),
            "ratelimited_429": emulator.ratelimited_count(), "failed_deliveries": failed,
            "uploads": len(emulator.uploads("C0BURST01")),
        }))


if __name__ == "__main__":
    main()
