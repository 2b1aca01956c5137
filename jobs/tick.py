"""The tick: find due schedules, create each slot's run exactly once, and release the work.

Safe with several clocks at once: schedules are claimed with `FOR UPDATE SKIP LOCKED` on
PostgreSQL (SQLite serialises writers), and the unique (schedule_id, scheduled_for) constraint makes
creating a run idempotent: only the tick that inserted a run enqueues it.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from concurrent.futures import ThreadPoolExecutor
from collections.abc import Callable
from dataclasses import dataclass, field

from jobs.context import JobContext
from jobs.lease import recover_expired
from jobs.slots import compiled_cadence_text, plan_slots, release_offset
from storage import runs as run_repo
from storage import schedules as schedule_repo
from storage.audit import record
from storage.models import RunStatus, RunTrigger

log = logging.getLogger(__name__)

# (run id, phase, delay in ms) -> None; phase is "generate" or "deliver".
Enqueue = Callable[[int, str, int], None]


@dataclass
class TickResult:
    claimed: int = 0
    created: list[int] = field(default_factory=list)
    skipped: int = 0
    requeued: list[int] = field(default_factory=list)
    database_seconds: float = 0.0  # claim, plan, insert runs, move schedules, commit
    enqueue_seconds: float = 0.0


def tick(ctx: JobContext, enqueue: Enqueue, *, now: dt.datetime | None = None, batch_size: int = 2000) -> TickResult:
    """Run one tick as of `now` (default: the context's clock).

    Per batch: one claim query, cadences compiled once and cached, one bulk insert of the runs,
    one statement moving every schedule to its next slot, then one bulk enqueue after commit.
    """
    now_given, now = now, now or ctx.now()
    horizon = now + dt.timedelta(seconds=ctx.settings.lookahead)
    result = TickResult()
    # Enqueueing a batch (CPU: building and encoding messages) overlaps the next batch's database
    # round trips; each batch is still enqueued only after its own commit.
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="tick-enqueue") as sender:
        sending = []
        while True:
            started = time.perf_counter()
            with ctx.database.session() as session:
                due = schedule_repo.claim_due_schedules(session, horizon, batch_size)
                created, slots = _create_runs(session, ctx, due, now, result)
            result.database_seconds += time.perf_counter() - started
            sent_at = ctx.now() if now_given is None else now
            released = [(run_id, "generate", max(0, int((slots[schedule_id] - sent_at).total_seconds() * 1000)))
                        for run_id, schedule_id in created]
            sending.append(sender.submit(_timed_send, enqueue, released))
            result.claimed += len(due)
            result.created.extend(run_id for run_id, _, _ in released)
            if len(due) < batch_size:
                break
        for future in sending:
            result.enqueue_seconds += future.result()
    result.requeued = requeue_expired(ctx, enqueue, now=now)
    return result


def _create_runs(session, ctx: JobContext, due, now: dt.datetime, result: TickResult):
    """Plan each claimed schedule, insert its run and move it to its next slot; return the created
    (run id, schedule id) pairs and each schedule's release time."""
    settings = ctx.settings
    grace = dt.timedelta(seconds=settings.missed_grace)
    dispatch = dt.timedelta(seconds=settings.dispatch_timeout)
    new_runs: list[run_repo.NewRun] = []
    slots: dict[int, dt.datetime] = {}
    next_runs: list[tuple[int, dt.datetime | None]] = []
    for schedule in due:
        plan = plan_slots(compiled_cadence_text(schedule.cadence_json), schedule.next_run_at, now, grace)
        if plan.skipped_total:
            result.skipped += plan.skipped_total
            _record_missed(session, schedule, plan)
        if plan.run_slot is not None:
            spread = settings.spread_seconds if schedule.spread_seconds is None else schedule.spread_seconds
            release = plan.run_slot + dt.timedelta(
                seconds=release_offset(schedule.id, spread, plan.run_slot, plan.next_run_at))
            new_runs.append(run_repo.NewRun(schedule.id, plan.run_slot, max(release, now) + dispatch))
            slots[schedule.id] = release
        next_runs.append((schedule.id, plan.next_run_at))
    created = run_repo.insert_runs(session, new_runs)
    schedule_repo.set_next_runs(session, next_runs)
    return created, slots


def _timed_send(enqueue: Enqueue, items: list[tuple[int, str, int]]) -> float:
    started = time.perf_counter()
    _send(enqueue, items)
    return time.perf_counter() - started


def _send(enqueue: Enqueue, items: list[tuple[int, str, int]]) -> None:
    """Hand messages over in one call when the enqueuer can batch (Redis pipeline), else one by one."""
    many = getattr(enqueue, "many", None)
    if many is not None:
        many(items)
        return
    for item in items:
        enqueue(*item)


def _record_missed(session, schedule, plan) -> None:
    """Record missed slots as skipped runs (rare: only after downtime) and say so in the audit log."""
    for slot in plan.skipped:
        run_repo.insert_run(
            session, schedule_id=schedule.id, scheduled_for=slot, trigger=RunTrigger.SCHEDULE,
            status=RunStatus.SKIPPED, error="Missed while the service was down; older than the grace period.",
        )
    record(session, team_id=schedule.team_id, schedule_id=schedule.id, actor="system", action="slots_missed",
           surface="clock", details={"count": plan.skipped_total, "catch_up": plan.run_slot is not None})


def requeue_expired(ctx: JobContext, enqueue: Enqueue, *, now: dt.datetime) -> list[int]:
    """Enqueue again the runs whose message was lost or whose worker died; fail the hopeless ones."""
    return recover_expired(ctx, enqueue, now=now)


def requeue_unfinished(ctx: JobContext, enqueue: Enqueue) -> list[int]:
    """Enqueue every unfinished run again (embedded default at start: its queue lived in memory)."""
    now = ctx.now()
    again: list[tuple[int, str, int]] = []
    with ctx.database.session() as session:
        for run in run_repo.unfinished_runs(session):
            run.lease_token = None
            run.lease_until = max(run.scheduled_for, now) + dt.timedelta(seconds=ctx.settings.dispatch_timeout)
            phase = "deliver" if run.status == RunStatus.DELIVERING else "generate"
            delay = max(0, int((run.scheduled_for - now).total_seconds() * 1000)) if phase == "generate" else 0
            again.append((run.id, phase, delay))
    for run_id, phase, delay in again:
        enqueue(run_id, phase, delay)
    return [run_id for run_id, _, _ in again]
