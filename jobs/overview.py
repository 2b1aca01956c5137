"""What an operator wants to know at a glance: schedules, what is due soon, running, failing, queued."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field

import dramatiq
from sqlalchemy import case, func, select

from jobs.broker import QUEUES
from jobs.context import JobContext
from storage.models import Delivery, DestinationKind, Run, RunStatus, Schedule, ScheduleStatus

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


def collect_status(ctx: JobContext, broker: dramatiq.Broker | None = None) -> Status:
    now = ctx.now()
    day_ago = now - dt.timedelta(hours=24)
    status = Status()
    with ctx.database.session() as session:
        status.schedules = dict(session.execute(
            select(Schedule.status, func.count()).group_by(Schedule.status)).all())
        status.due_next_10_min = session.scalar(
            select(func.count()).select_from(Schedule).where(
                Schedule.status == ScheduleStatus.ACTIVE, Schedule.next_run_at <= now + dt.timedelta(minutes=10))) or 0
        status.runs_in_flight = dict(session.execute(
            select(Run.status, func.count()).where(Run.status.in_(ACTIVE_RUN_STATUSES)).group_by(Run.status)).all())
        status.runs_last_24h = dict(session.execute(
            select(Run.status, func.count()).where(Run.created_at >= day_ago).group_by(Run.status)).all())
        failed = session.execute(
            select(Run.id, Schedule.name, Run.error, Run.finished_at).join(Schedule, Schedule.id == Run.schedule_id)
            .where(Run.status == RunStatus.FAILED, Run.created_at >= day_ago)
            .order_by(Run.id.desc()).limit(10)).all()
        status.failed_recently = [{"run": r.id, "schedule": r.name, "error": (r.error or "")[:200],
                                   "at": r.finished_at.isoformat() if r.finished_at else None} for r in failed]
        # A delivery's destination key starts with its kind ("slack_channel:C…"), so no join is
        # needed, and fallback emails (not among the schedule's destinations) are counted too.
        kind = case(*((Delivery.destination.like(f"{k}:%"), k.value) for k in DestinationKind), else_="other")
        status.deliveries_last_24h = {f"{k}:{state}": count for k, state, count in session.execute(
            select(kind, Delivery.status, func.count())
            .where(Delivery.created_at >= day_ago).group_by(kind, Delivery.status)).all()}
    status.queue_depth = queue_depth(broker or dramatiq.get_broker())
    return status


def format_status(status: Status) -> str:
    lines = ["Schedules: " + (", ".join(f"{k} {v}" for k, v in sorted(status.schedules.items())) or "none"),
             f"Due in the next 10 minutes: {status.due_next_10_min}",
             "Runs in flight: " + (", ".join(f"{k} {v}" for k, v in sorted(status.runs_in_flight.items())) or "none"),
             "Runs in the last 24 h: " + (", ".join(f"{k} {v}" for k, v in sorted(status.runs_last_24h.items())) or "none"),
             "Deliveries in the last 24 h: " + (", ".join(f"{k} {v}" for k, v in sorted(status.deliveries_last_24h.items()))
                                                 or "none"),
             "Queue depth: " + ", ".join(f"{k} {v}" for k, v in status.queue_depth.items())]
    if status.failed_recently:
        lines.append("Failed recently:")
        lines += [f"  run {f['run']} ({f['schedule']}): {f['error']}" for f in status.failed_recently]
    return "\n".join(lines)
