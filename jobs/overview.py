"""What an operator wants to know at a glance: schedules, what is due soon, running, failing, queued."""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import asdict, dataclass, field

import dramatiq

from jobs.broker import QUEUES
from jobs.context import JobContext
from reports.sources.checks import SourceHealth, format_health
from reports.types.sql import data_source_health
from storage import deliveries as delivery_repo
from storage import runs as run_repo
from storage import schedules as schedule_repo
from storage.models import (
    RunStatus,
)

ACTIVE_RUN_STATUSES = (RunStatus.PENDING, RunStatus.RUNNING, RunStatus.DELIVERING)


@dataclass
class Status:
    schedules: dict[str, int] = field(default_factory=dict)
    due_next_10_min: int = 0
    runs_in_flight: dict[str, int] = field(default_factory=dict)
    runs_last_24h: dict[str, int] = field(default_factory=dict)
    failed_recently: list[dict] = field(default_factory=list)
    deliveries_last_24h: dict[str, int] = field(default_factory=dict)
    queue_depth: dict[str, int] = field(default_factory=dict)
    data_sources: list[dict] = field(default_factory=list)  # health of each SQL data source, when asked

    def to_json(self) -> dict:
        return asdict(self)


def queue_depth(broker: dramatiq.Broker) -> dict[str, int]:
    """Messages waiting per queue (delayed ones included), for Redis and the in-memory broker."""
    depth: dict[str, int] = {}
    for queue in QUEUES:
        total = 0
        for name in (queue, f"{queue}.DQ"):
            client = getattr(broker, "client", None)
            if client is not None:
                total += client.llen(f"{broker.namespace}:{name}")
            elif name in getattr(broker, "queues", {}):
                total += broker.queues[name].qsize()
        depth[queue] = total
    return depth


def collect_status(ctx: JobContext, broker: dramatiq.Broker | None = None, *, data_sources: bool = False) -> Status:
    """The overview; `data_sources` also connects to every configured data source to check it (the
    CLI asks for that, a metrics scrape does not)."""
    now = ctx.now()
    day_ago = now - dt.timedelta(hours=24)
    status = Status()
    with ctx.database.session() as session:
        status.schedules = schedule_repo.schedule_counts_by_status(session)
        status.due_next_10_min = schedule_repo.count_due_before(session, now + dt.timedelta(minutes=10))
        status.runs_in_flight = run_repo.run_counts_by_status(session, statuses=ACTIVE_RUN_STATUSES)
        status.runs_last_24h = run_repo.run_counts_by_status(session, created_since=day_ago)
        status.failed_recently = [{"run": run_id, "schedule": name, "error": (error or "")[:200],
                                   "at": finished.isoformat() if finished else None}
                                  for run_id, name, error, finished in run_repo.recent_failures(session, since=day_ago)]
        status.deliveries_last_24h = delivery_repo.delivery_counts_since(session, day_ago)
    status.queue_depth = queue_depth(broker or dramatiq.get_broker())
    if data_sources:
        status.data_sources = [dataclasses.asdict(h) for h in data_source_health()]
    return status


def format_status(status: Status) -> str:
    lines = ["Schedules: " + (", ".join(f"{k} {v}" for k, v in sorted(status.schedules.items())) or "none"),
             f"Due in the next 10 minutes: {status.due_next_10_min}",
             "Runs in flight: " + (", ".join(f"{k} {v}" for k, v in sorted(status.runs_in_flight.items()))
                                   or "none"),
             "Runs in the last 24 h: " + (", ".join(f"{k} {v}" for k, v in sorted(status.runs_last_24h.items()))
                                          or "none"),
             "Deliveries in the last 24 h: " + (", ".join(f"{k} {v}"
                                                          for k, v in sorted(status.deliveries_last_24h.items()))
                                                 or "none"),
             "Queue depth: " + ", ".join(f"{k} {v}" for k, v in status.queue_depth.items())]
    if status.failed_recently:
        lines.append("Failed recently:")
        lines += [f"  run {f['run']} ({f['schedule']}): {f['error']}" for f in status.failed_recently]
    if status.data_sources:
        lines.append("Data sources:")
        lines += format_health([SourceHealth(**h) for h in status.data_sources])
    return "\n".join(lines)
