"""The hourly cleanup: stale runs stopped and reported, untold failures retold, artifacts and old
runs removed after their retention periods, orphan files swept; one clock triggers it per hour."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from sqlalchemy import func, select

from jobs.cleanup import cleanup, cleanup_due
from jobs.delivery.deliver import deliver
from jobs.generate import generate
from storage.models import (
    Artifact,
    AuditEvent,
    Delivery,
    MaintenanceTask,
    Run,
    RunStatus,
    Schedule,
)
from tests.conftest import make_context
from tests.jobs.delivery_support import due_run, load_run
from tests.s3_support import store_of_kind
from tests.support.people import TEAM, TO_GONE


@pytest.fixture
def ctx(database, tmp_path, emulator):
    return make_context(database, tmp_path, emulator, slack_rate_multiplier=100, stale_run_seconds=3600)


@pytest.fixture(params=["local", "s3"])
def files_ctx(request, database, tmp_path, emulator):
    """A context whose files are in a local directory, or in S3 (moto's server on loopback)."""
    return make_context(database, tmp_path, emulator, artifacts=store_of_kind(request.param, request, tmp_path),
                        slack_rate_multiplier=100)


def _delivered(ctx, enqueue, **kwargs) -> int:
    run_id = due_run(ctx, enqueue, **kwargs)
    generate(ctx, run_id, enqueue)
    assert deliver(ctx, run_id) in (RunStatus.DELIVERED, RunStatus.FAILED)
    return run_id


def test_only_one_clock_per_interval_triggers_the_cleanup(ctx):
    now = ctx.now()
    results: list[bool] = []
    barrier = threading.Barrier(4)

    def clock() -> None:
        barrier.wait()
        results.append(cleanup_due(ctx, now=now))

    threads = [threading.Thread(target=clock) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(results) == [False, False, False, True]
    assert not cleanup_due(ctx, now=now + dt.timedelta(minutes=59))
    assert cleanup_due(ctx, now=now + dt.timedelta(minutes=61))


def test_stale_run_is_failed_reported_and_its_owner_told(ctx, recording_enqueue, emulator):
    run_id = due_run(ctx, recording_enqueue)
    with ctx.database.session() as s:  # a hung worker: still renewing its lease, two hours on
        run = s.get(Run, run_id)
        run.status, run.lease_token, run.started_at = RunStatus.RUNNING, "hung-worker", ctx.now()
    ctx.now.jump_to(ctx.now() + dt.timedelta(hours=2))
    with ctx.database.session() as s:
        s.get(Run, run_id).lease_until = ctx.now() + dt.timedelta(minutes=1)
    result = cleanup(ctx)
    assert result.stale_runs == [run_id]
    run = load_run(ctx, run_id)
    assert run.status == RunStatus.FAILED and "stuck in “running” for 2.0 hours" in run.error
    with ctx.database.session() as s:
        assert s.scalar(select(AuditEvent.details).where(AuditEvent.action == "run_stale")) == {
            "run_id": run_id, "hours": 2.0}
        assert s.get(MaintenanceTask, "cleanup").last_result["stale_runs"] == [run_id]
    assert run.notified_at is not None
    assert cleanup(ctx).stale_runs == []  # idempotent


def test_untold_failure_is_retold_by_the_sweep(ctx, recording_enqueue, emulator):
    emulator.fail("conversations.open", error="fatal_error")  # the first DM attempt fails
    run_id = _delivered(ctx, recording_enqueue, destinations=[TO_GONE])
    assert load_run(ctx, run_id).notified_at is None
    assert cleanup(ctx).owners_told == 0  # too fresh: the settling worker may still be at it
    ctx.now.jump_to(ctx.now() + dt.timedelta(minutes=10))
    assert cleanup(ctx).owners_told == 1
    assert cleanup(ctx).owners_told == 0


def test_artifacts_go_after_30_days_and_runs_after_90(files_ctx, recording_enqueue):
    ctx = files_ctx
    run_id = _delivered(ctx, recording_enqueue, formats=("csv", "xlsx"))
    keys = [a.storage_key for a in load_run(ctx, run_id).artifacts]
    assert all(ctx.artifacts.exists(k) for k in keys)
    start = ctx.now()

    ctx.now.jump_to(start + dt.timedelta(days=29))
    assert cleanup(ctx).artifacts_deleted == 0
    ctx.now.jump_to(start + dt.timedelta(days=31))
    result = cleanup(ctx)
    assert result.artifacts_deleted == 2 and result.bytes_freed > 0 and result.runs_deleted == 0
    assert not any(ctx.artifacts.exists(k) for k in keys)
    assert list(ctx.artifacts.run_files()) == []
    run = load_run(ctx, run_id)
    assert run.artifacts == [] and run.summary["row_count"] == 16 and run.deliveries  # history stays

    ctx.now.jump_to(start + dt.timedelta(days=91))
    assert cleanup(ctx).runs_deleted == 1
    with ctx.database.session() as s:
        assert s.scalar(select(func.count()).select_from(Run)) == 0
        assert s.scalar(select(func.count()).select_from(Delivery)) == 0
        assert s.scalar(select(func.count()).select_from(Schedule)) == 1  # the schedule stays


def test_unfinished_runs_are_never_removed_by_retention(ctx, recording_enqueue):
    run_id = due_run(ctx, recording_enqueue)
    with ctx.database.session() as s:
        s.get(Run, run_id).status = RunStatus.DELIVERING
        s.get(Run, run_id).started_at = ctx.now()
    ctx.now.jump_to(ctx.now() + dt.timedelta(days=100))
    result = cleanup(ctx)
    assert result.runs_deleted == 0 and result.stale_runs == [run_id]  # stopped and reported instead
    assert load_run(ctx, run_id).status == RunStatus.FAILED


def test_orphan_files_are_swept_after_a_day(files_ctx, recording_enqueue):
    ctx = files_ctx
    run_id = _delivered(ctx, recording_enqueue)
    kept = load_run(ctx, run_id).artifacts[0].storage_key
    unfinished = due_run(ctx, recording_enqueue, name="Still running")  # its files are not recorded yet
    now = ctx.now()
    ctx.now.jump_to(now - dt.timedelta(days=2))  # written two days ago, on the context's clock
    orphan = ctx.artifacts.write_bytes(f"runs/{run_id}/left-behind.csv", b"a,b\n").key
    ghost = ctx.artifacts.write_bytes("runs/99999/ghost.csv", b"a,b\n").key
    in_progress = ctx.artifacts.write_bytes(f"runs/{unfinished}/being-made.csv", b"a,b\n").key
    ctx.now.jump_to(now)
    fresh = ctx.artifacts.write_bytes("runs/99998/just-written.csv", b"a,b\n").key
    assert cleanup(ctx).orphan_files_deleted == 2
    assert ctx.artifacts.exists(kept) and ctx.artifacts.exists(fresh) and ctx.artifacts.exists(in_progress)
    assert not ctx.artifacts.exists(orphan) and not ctx.artifacts.exists(ghost)
    if ctx.artifacts.root is not None:  # the emptied run folder goes with its last file
        assert not (ctx.artifacts.root / "runs" / "99999").exists()


def test_cleanup_survives_files_already_gone(ctx, recording_enqueue):
    run_id = _delivered(ctx, recording_enqueue)
    for artifact in load_run(ctx, run_id).artifacts:
        ctx.artifacts.delete(artifact.storage_key)
    ctx.now.jump_to(ctx.now() + dt.timedelta(days=31))
    assert cleanup(ctx).artifacts_deleted == 1
    with ctx.database.session() as s:
        assert s.scalar(select(func.count()).select_from(Artifact)) == 0


def test_api_idempotency_keys_are_forgotten_after_a_day(ctx):
    from storage.models import ApiIdempotencyKey
    from storage.tokens import claim_idempotency_key, create_token, token_row

    with ctx.database.session() as s:
        token_id = token_row(s, create_token(s, TEAM), ctx.now()).id
        assert claim_idempotency_key(s, token_id, "k1", "hash") is None
    assert cleanup(ctx, now=ctx.now() + dt.timedelta(hours=23)).idempotency_keys_deleted == 0
    assert cleanup(ctx, now=ctx.now() + dt.timedelta(hours=25)).idempotency_keys_deleted == 1
    with ctx.database.session() as s:
        assert s.scalar(select(func.count()).select_from(ApiIdempotencyKey)) == 0
