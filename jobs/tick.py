"""The tick: find due schedules, create each slot's run exactly once, and release the work.

Safe with several clocks at once: schedules are claimed with `FOR UPDATE SKIP LOCKED` on
PostgreSQL (SQLite serialises writers), and the unique (schedule_id, scheduled_for) constraint makes
creating a run idempotent: only the tick that inserted a run enqueues it.
"""

from __future__ import annotations

import datetime as dt
import gc
import logging
import sys
import time
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import wait as wait_for
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field

from jobs.alerts.dispatch import in_check_batches
from jobs.context import JobContext
from jobs.lease import recover_expired
from jobs.lost_messages import resend_unfinished
from jobs.phases import Enqueue, Phase, enqueue_all
from jobs.slots import compiled_cadence_text, plan_slots, release_offset
from storage import runs as run_repo
from storage import schedules as schedule_repo
from storage.audit import record
from storage.db import Session
from storage.models import RunStatus, RunTrigger

log = logging.getLogger(__name__)



@dataclass
class TickResult:
    claimed: int = 0
    created: list[int] = field(default_factory=list)
    skipped: int = 0
    requeued: list[int] = field(default_factory=list)
    planning_seconds: float = 0.0  # claim queries and next-run computation (this thread)
    writing_seconds: float = 0.0  # run inserts, next-run updates, commits (writer thread)
    enqueue_seconds: float = 0.0  # message building and the Redis transactions (sender thread)


@dataclass
class _Batch:
    """One claimed batch: its open transaction (holding the claimed rows) and what to write."""

    transaction: ExitStack
    session: Session
    new_runs: list[run_repo.NewRun]
    next_runs: list[tuple[int, dt.datetime | None]]
    releases: dict[int, dt.datetime]  # schedule id -> when its run is released
    alerts: set[int] = field(default_factory=set)  # schedule ids whose runs are alert checks


def tick(ctx: JobContext, enqueue: Enqueue, *, now: dt.datetime | None = None, batch_size: int = 2000) -> TickResult:
    """Run one tick as of `now` (default: the context's clock).

    Per batch: one claim query, cadences compiled once and cached, one bulk insert of the runs,
    one statement moving every schedule to its next slot, then one bulk enqueue after commit.
    Three stages overlap: this thread claims and plans batch N+1 in a transaction of its own while
    a writer thread writes and commits batch N and a sender thread enqueues batch N-1. Batch N's
    rows stay locked until its commit, so the next claim skips them (SQLite: the next claim waits
    for that commit). At most two transactions are open at a time.
    """
    now_given, now = now, now or ctx.now()
    horizon = now + dt.timedelta(seconds=ctx.settings.lookahead)
    result = TickResult()
    with _collector_paused(), ThreadPoolExecutor(1, "tick-writer") as writer, \
            ThreadPoolExecutor(1, "tick-sender") as sender:
        writing: Future | None = None
        sending: list[Future] = []
        try:
            while True:
                started = time.perf_counter()
                batch, claimed = _claim_and_plan(ctx, horizon, batch_size, now, result)
                try:  # until the writer has it, this thread owns the batch's open transaction
                    result.planning_seconds += time.perf_counter() - started
                    if writing is not None:
                        writing.result()
                except BaseException:  # the previous batch failed (or this thread was interrupted)
                    batch.transaction.__exit__(*sys.exc_info())  # rolls back: the claimed rows are free again
                    raise
                writing = writer.submit(_write, batch, result)
                sending.append(sender.submit(_release, ctx, enqueue, writing, batch, now_given, result))
                result.claimed += claimed
                if claimed < batch_size:
                    break
        finally:
            wait_for(sending)  # never leave a batch half-handled behind, even on error
        for future in sending:
            future.result()
    result.requeued = recover_expired(ctx, enqueue, now=now)  # worker died or message lost
    return result


def _claim_and_plan(ctx: JobContext, horizon: dt.datetime, limit: int, now: dt.datetime,
                    result: TickResult) -> tuple[_Batch, int]:
    """Claim up to `limit` due schedules in a new transaction, left open, and plan their runs."""
    transaction = ExitStack()
    session = transaction.enter_context(ctx.database.session())
    try:
        due = schedule_repo.claim_due_schedules(session, horizon, limit)
        batch = _plan(session, transaction, ctx, due, now, result)
    except BaseException:
        transaction.__exit__(*sys.exc_info())
        raise
    return batch, len(due)


def _plan(session, transaction: ExitStack, ctx: JobContext, due, now: dt.datetime, result: TickResult) -> _Batch:
    """Plan each claimed schedule: its run (if a slot is to run) and its next slot."""
    settings = ctx.settings
    grace = dt.timedelta(seconds=settings.missed_grace)
    dispatch = dt.timedelta(seconds=settings.dispatch_timeout)
    batch = _Batch(transaction, session, [], [], {})
    for schedule in due:
        plan = plan_slots(compiled_cadence_text(schedule.cadence_json), schedule.next_run_at, now, grace)
        if plan.skipped_total:
            result.skipped += plan.skipped_total
            _record_missed(session, schedule, plan)
        if plan.run_slot is not None:
            spread = settings.spread_seconds if schedule.spread_seconds is None else schedule.spread_seconds
            release = plan.run_slot + dt.timedelta(
                seconds=release_offset(schedule.id, spread, plan.run_slot, plan.next_run_at))
            batch.new_runs.append(run_repo.NewRun(schedule.id, plan.run_slot, max(release, now) + dispatch,
                                                  RunTrigger.CATCH_UP if plan.catch_up else RunTrigger.SCHEDULE))
            batch.releases[schedule.id] = release
            if schedule.is_alert:
                batch.alerts.add(schedule.id)
        batch.next_runs.append((schedule.id, plan.next_run_at))
    return batch


def _write(batch: _Batch, result: TickResult) -> list[tuple[int, int]]:
    """Insert the batch's runs and move its schedules on, then commit; return the created runs."""
    started = time.perf_counter()
    with batch.transaction:  # commits, or rolls back (and unlocks the rows) on error
        created = run_repo.insert_runs(batch.session, batch.new_runs)
        schedule_repo.set_next_runs(batch.session, batch.next_runs)
    result.writing_seconds += time.perf_counter() - started
    return created


def _release(ctx: JobContext, enqueue: Enqueue, writing: Future, batch: _Batch, now_given: dt.datetime | None,
             result: TickResult) -> None:
    """Once the batch is committed, enqueue the runs it created (while the next batch is written)."""
    created = writing.result()
    started = time.perf_counter()
    sent_at = ctx.now() if now_given is None else now_given
    released = [(run_id, Phase.GENERATE, max(0, int((batch.releases[schedule_id] - sent_at).total_seconds() * 1000)))
                for run_id, schedule_id in created]
    checks = {run_id for run_id, schedule_id in created if schedule_id in batch.alerts}
    enqueue_all(enqueue, in_check_batches(released, checks))  # alert checks travel many to a message
    result.created.extend(run_id for run_id, _, _ in released)
    result.enqueue_seconds += time.perf_counter() - started


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Hold off Python's cyclic garbage collector for the tick.

    10,000 due schedules allocate about a million short-lived objects, freed by reference counting;
    meanwhile the collector would sweep the whole heap some 200 times, a sixth of the tick.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _record_missed(session, schedule, plan) -> None:
    """Record missed slots as skipped runs (rare: only after downtime) and say so in the audit log."""
    for slot in plan.skipped:
        run_repo.insert_run(
            session, schedule_id=schedule.id, scheduled_for=slot, trigger=RunTrigger.SCHEDULE,
            status=RunStatus.SKIPPED, error="Missed while the service was down; older than the grace period.",
        )
    record(session, team_id=schedule.team_id, schedule_id=schedule.id, actor="system", action="slots_missed",
           surface="clock", details={"count": plan.skipped_total, "catch_up": plan.run_slot is not None})


def requeue_unfinished(ctx: JobContext, enqueue: Enqueue) -> list[int]:
    """Enqueue every unfinished run again (embedded default at start: its queue lived in memory)."""
    return resend_unfinished(ctx, enqueue, taking_over=True)
