"""Hourly housekeeping: stop stale runs and say so, retell untold failures, remove artifacts and old
runs after their retention periods (30 and 90 days by default) and API idempotency keys after a day.

The tick asks `cleanup_due()` every time; one clock per interval gets True (a conditional UPDATE
on `maintenance_tasks`) and sends the `cleanup` message. Every step is idempotent and works in
bounded batches, so a cleanup that dies halfway is simply finished by the next one.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field

from jobs.context import JobContext
from jobs.lease import close_open_deliveries
from jobs.manual_runs import PREVIEW_PREFIX
from jobs.notify import notify_owner
from jobs.settle import after_settle, settle_run
from storage import alerts as alert_repo
from storage import deliveries as delivery_repo
from storage import maintenance
from storage import runs as run_repo
from storage import schedules as schedule_repo
from storage import tokens as token_repo
from storage.audit import record
from storage.db import Session
from storage.models import RunStatus

log = logging.getLogger(__name__)

TASK = "cleanup"
BATCH = 500
QUIET_CHECK_BATCH = 2000
TOLD_WITHIN = dt.timedelta(days=2)  # untold failures older than this are not worth a DM any more
TELL_AFTER = dt.timedelta(minutes=5)  # the settling worker tells first; the sweep only catches misses
ORPHAN_AGE = dt.timedelta(days=1)
PREVIEW_KEPT = dt.timedelta(days=1)  # a preview's run stays in its maker's history for a day
IDEMPOTENCY_KEPT = dt.timedelta(hours=24)  # an API POST's Idempotency-Key replays its answer this long


@dataclass
class CleanupResult:
    stale_runs: list[int] = field(default_factory=list)
    owners_told: int = 0
    artifacts_deleted: int = 0
    bytes_freed: int = 0
    runs_deleted: int = 0
    previews_deleted: int = 0
    quiet_alert_checks_deleted: int = 0
    orphan_files_deleted: int = 0
    abandoned_writes_removed: int = 0
    idempotency_keys_deleted: int = 0

    def as_dict(self) -> dict:
        return asdict(self)


def cleanup_due(ctx: JobContext, *, now: dt.datetime | None = None) -> bool:
    """True for exactly one caller per CLEANUP_INTERVAL, however many clocks ask."""
    with ctx.database.session() as session:
        return maintenance.claim_due(session, TASK, now=now or ctx.now(),
                                     interval=dt.timedelta(seconds=ctx.settings.cleanup_interval))


def cleanup(ctx: JobContext, *, now: dt.datetime | None = None) -> CleanupResult:
    """Run every housekeeping step once; return what was done."""
    now = now or ctx.now()
    result = CleanupResult()
    result.stale_runs = stop_stale_runs(ctx, now=now)
    result.owners_told = retell_failures(ctx, now=now)
    result.artifacts_deleted, result.bytes_freed = delete_expired_artifacts(ctx, now=now)
    result.runs_deleted = delete_old_runs(ctx, now=now)
    result.previews_deleted = delete_settled_previews(ctx, now=now)
    result.quiet_alert_checks_deleted = delete_quiet_checks(ctx, now=now)
    result.orphan_files_deleted = delete_orphan_files(ctx, now=now)
    result.abandoned_writes_removed = ctx.artifacts.remove_abandoned_writes(ORPHAN_AGE, now=now)
    with ctx.database.session() as session:
        result.idempotency_keys_deleted = token_repo.delete_idempotency_keys(session,
                                                                            created_before=now - IDEMPOTENCY_KEPT)
        maintenance.record_result(session, TASK, {"at": now.isoformat(), **result.as_dict()}, now=now)
    log.info("cleanup: %s", result.as_dict())
    return result


def stop_stale_runs(ctx: JobContext, *, now: dt.datetime) -> list[int]:
    """Fail runs unfinished for longer than any healthy run takes, and report each one.

    A hung worker (stuck in a data source, say) keeps renewing its lease, so the tick never sees
    such a run as abandoned; only its age gives it away.
    """
    limit = dt.timedelta(seconds=ctx.settings.stale_run_seconds)
    stopped: list[tuple[int, str, str]] = []
    with ctx.database.session() as session:
        for run in run_repo.stuck_runs(session, started_before=now - limit):
            since = run.started_at or run.created_at
            hours = (now - since).total_seconds() / 3600
            error = (f"Stopped by the hourly cleanup: the run was stuck in “{run.status}” for {hours:.1f} hours "
                     f"(more than {limit.total_seconds() / 3600:g}). Press Retry to run it again.")
            sent = close_open_deliveries(
                run, "the run was stopped as stale",
                mid_send="the run was stopped while this was being sent; it may or may not have arrived")
            schedule = settle_run(session, run, RunStatus.PARTIAL if sent else RunStatus.FAILED, now=now, error=error,
                                  failures_before_pause=ctx.settings.failures_before_pause)
            if schedule is None:
                continue
            record(session, team_id=schedule.team_id, schedule_id=schedule.id, actor="system", action="run_stale",
                   surface="clock", details={"run_id": run.id, "hours": round(hours, 1)})
            stopped.append((run.id, schedule.team_id, schedule.owner_user_id))
    for run_id, team_id, owner in stopped:
        log.warning("cleanup: run %s was stale and has been failed", run_id)
        after_settle(ctx, team_id, owner, run_id=run_id)
    return [run_id for run_id, _, _ in stopped]


def retell_failures(ctx: JobContext, *, now: dt.datetime) -> int:
    """DM owners about failed runs they were not told of (the worker died, or Slack was down)."""
    with ctx.database.session() as session:
        runs = [r.id for r in run_repo.unnotified_failures(session, since=now - TOLD_WITHIN)
                if r.finished_at is not None and r.finished_at <= now - TELL_AFTER]
    return sum(notify_owner(ctx, run_id) == "sent" for run_id in runs)


def delete_expired_artifacts(ctx: JobContext, *, now: dt.datetime) -> tuple[int, int]:
    """Remove files older than ARTIFACT_RETENTION_DAYS; the runs and their summaries stay."""
    cutoff = now - dt.timedelta(days=ctx.settings.artifact_retention_days)
    deleted = freed = 0
    while True:
        with ctx.database.session() as session:
            batch = delivery_repo.expired_artifacts(session, created_before=cutoff, limit=BATCH)
            for artifact in batch:
                ctx.artifacts.delete(artifact.storage_key)  # missing files are fine: a rerun of this step
                freed += artifact.size
            delivery_repo.delete_artifacts(session, [a.id for a in batch])
        deleted += len(batch)
        if len(batch) < BATCH:
            return deleted, freed


def _until_done(ctx: JobContext, delete_batch: Callable[[Session], int], batch: int = BATCH) -> int:
    """Call `delete_batch` (one bounded batch, in a transaction of its own) until a batch comes back
    short; return how many rows went in all."""
    deleted = 0
    while True:
        with ctx.database.session() as session:
            count = delete_batch(session)
        deleted += count
        if count < batch:
            return deleted


def delete_old_runs(ctx: JobContext, *, now: dt.datetime) -> int:
    """Remove finished runs older than RUN_RETENTION_DAYS, with their deliveries and any files."""
    cutoff = now - dt.timedelta(days=ctx.settings.run_retention_days)

    def batch(session: Session) -> int:
        ids = run_repo.old_finished_run_ids(session, finished_before=cutoff, limit=BATCH)
        for key in delivery_repo.artifact_keys_of_runs(session, ids):
            ctx.artifacts.delete(key)
        run_repo.delete_runs(session, ids)
        return len(ids)

    return _until_done(ctx, batch)


def delete_settled_previews(ctx: JobContext, *, now: dt.datetime) -> int:
    """Remove the hidden schedules previews ran on, a day after they were made, with their files."""

    def batch(session: Session) -> int:
        ids = schedule_repo.settled_preview_ids(session, name_prefix=PREVIEW_PREFIX,
                                                created_before=now - PREVIEW_KEPT, limit=BATCH)
        for key in delivery_repo.artifact_keys_of_runs(session, run_repo.run_ids_of_schedules(session, ids)):
            ctx.artifacts.delete(key)
        schedule_repo.delete_schedules(session, ids)
        return len(ids)

    return _until_done(ctx, batch)


def delete_quiet_checks(ctx: JobContext, *, now: dt.datetime) -> int:
    """Remove alert checks that told nobody after ALERT_CHECK_RETENTION_DAYS, not RUN_RETENTION_DAYS: ten
    thousand alerts checked every minute are fourteen million runs a day. A check that notified, or
    failed, stays as long as any run; an alert's trend needs only its latest checks. (They have no files,
    so the batches are larger.)"""
    cutoff = now - dt.timedelta(days=ctx.settings.alert_check_retention_days)
    return _until_done(ctx, lambda session: len(alert_repo.delete_quiet_checks(
        session, finished_before=cutoff, limit=QUIET_CHECK_BATCH)), QUIET_CHECK_BATCH)


def delete_orphan_files(ctx: JobContext, *, now: dt.datetime) -> int:
    """Remove files no row points at (a worker died between writing a file and recording it).

    The store is listed page by page and each page checked against the database, so neither the
    listing nor the known keys are ever held whole; a file's age is its written time on the
    context clock (file time locally, object metadata on S3), only asked for the few candidates.
    """
    old = now - ORPHAN_AGE
    removed = 0
    for page in _pages(ctx.artifacts.run_files(), BATCH):
        with ctx.database.session() as session:
            known = delivery_repo.known_artifact_keys(session, [key for _, key in page])
            run_ids = {int(run_id) for run_id, _ in page if run_id.isdigit() and len(run_id) < 19}
            live = {str(i) for i in run_repo.unfinished_among(session, run_ids)}
        for run_id, key in page:
            if run_id in live or key in known:
                continue
            written = ctx.artifacts.written_at(key)
            if written is not None and written < old:
                ctx.artifacts.delete(key)
                removed += 1
    return removed


def _pages(items: Iterator[tuple[str, str]], size: int) -> Iterator[list[tuple[str, str]]]:
    page: list[tuple[str, str]] = []
    for item in items:
        page.append(item)
        if len(page) == size:
            yield page
            page = []
    if page:
        yield page
