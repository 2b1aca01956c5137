"""How late a fault makes reports, with the shipped timing (DISPATCH_TIMEOUT 600 s, RUN_LEASE_SECONDS
120 s, TICK_INTERVAL 2 s, the 10 s worker heartbeat timeout): real `reportbot clock` and `dramatiq`
processes, a Redis and (for its restart) a PostgreSQL of the test's own. The goal is that every run a
fault touched is delivered within 30 s of the server coming back (or of the worker's death); each
test prints its slot → delivered lateness as a FAULT-FIGURES line, and checks that nothing was sent
twice."""

from __future__ import annotations

import datetime as dt
import threading
import time

import dramatiq
import pytest
import redis as redis_client
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from slack_emulator.methods import HANDLERS
from storage.models import DeliveryStatus, Run, RunStatus
from tests.factories import make_schedule
from tests.jobs.delivery_support import SmtpServer, check_invariants, slack_posts_by_run
from tests.jobs.fault_support import (
    Processes,
    lateness,
    report_figures,
    throwaway_postgres,  # noqa: F401  (a fixture)
    throwaway_redis,  # noqa: F401  (a fixture)
    with_default_timing,
    worker_env,
)
from tests.support.people import TO_SALES
from tests.support.waiting import wait_until

pytestmark = [pytest.mark.slow, pytest.mark.postgres, pytest.mark.redis]

GOAL = 30  # seconds from the server's return (or the worker's death) to delivery: the goal


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _schedules(db, count: int, slot: dt.datetime, formats=("csv",)) -> None:
    with db.session() as s:
        for i in range(count):
            make_schedule(s, name=f"recovery report {i}", next_run_at=slot, destinations=[TO_SALES],
                          formats=list(formats))


def _delivered(db, run_ids=None) -> set[int]:
    try:
        with db.session() as s:
            return {r.id for r in s.scalars(select(Run).where(Run.status == RunStatus.DELIVERED))
                    if run_ids is None or r.id in run_ids}
    except SQLAlchemyError:  # the database is restarting
        return set()


@pytest.fixture
def cluster(tmp_path, emulator):
    """Start clock and worker processes with the shipped timing on the given servers."""
    smtp = SmtpServer().start()
    logs = tmp_path / "logs"
    logs.mkdir()
    started: list[Processes] = []

    def start(database_url: str, redis_url: str) -> Processes:
        env = with_default_timing(worker_env(database_url=database_url, redis_url=redis_url, emulator=emulator,
                                             smtp_port=smtp.port, artifacts=tmp_path / "artifacts"))
        started.append(Processes(env, logs))
        return started[-1]

    yield start
    for processes in started:
        processes.stop_all()
    smtp.stop()


def _no_duplicates(db, emulator, processes, count: int):
    processes.stop_all()  # every worker done: nothing more can arrive, so the counts are final
    found = check_invariants(db, schedules=count, slack_posts=slack_posts_by_run(emulator, db))
    assert found.duplicate_deliveries == {} and found.duplicate_slots == 0
    return found


def test_redis_restarted_empty_with_the_next_slots_parked(postgres_database, throwaway_redis, cluster,  # noqa: F811
                                                          emulator):
    """The tick claims slots TICK_LOOKAHEAD ahead and parks their messages in Redis; a restart wipes
    them. Those runs once waited for DISPATCH_TIMEOUT (600 s)."""
    db, count = postgres_database, 6
    slot = _now() + dt.timedelta(seconds=12)
    _schedules(db, count, slot)
    processes = cluster(db.url, throwaway_redis.url)
    processes.clock("clock-1")
    processes.worker("worker-1")
    redis = redis_client.Redis.from_url(throwaway_redis.url)
    wait_until(lambda: redis.zcard("dramatiq:reportbot.parked") == count, timeout=20, interval=0.05,
               what="the slot's runs parked")
    restarted_at = _now()
    assert restarted_at < slot - dt.timedelta(seconds=1), "the runs were released before Redis could lose them"
    throwaway_redis.restart()
    back_at = _now()
    wait_until(lambda: len(_delivered(db)) == count, timeout=60, what=f"{count} runs delivered")
    found = _no_duplicates(db, emulator, processes, count)
    figures = lateness(db)
    assert figures["max_s"] <= GOAL
    report_figures("redis_restarted_empty_default_timing", {
        "runs": found.runs, "parked_when_restarted": count,
        "seconds_before_slot_when_restarted": round((slot - restarted_at).total_seconds(), 1),
        "slot_to_delivered": figures, "redis_back_to_delivered": lateness(db, since=back_at),
        "duplicates": len(found.duplicate_deliveries)})


def test_postgres_restarted_while_a_delivery_was_recording_what_slack_did(throwaway_postgres, throwaway_redis,  # noqa: F811
                                                                          cluster, emulator):
    """PostgreSQL crashes after Slack posted and before the worker recorded it; other runs are being
    generated and delivered meanwhile. Their messages once were dropped (max_retries=0) and waited
    for RUN_LEASE_SECONDS or DISPATCH_TIMEOUT."""
    server, db = throwaway_postgres
    count = 4
    slot = _now() + dt.timedelta(seconds=5)
    _schedules(db, count, slot)
    back: list[dt.datetime] = []

    def restart_later() -> None:
        time.sleep(5)
        server.start()
        back.append(_now())

    original = HANDLERS["files.completeUploadExternal"]

    def post_then_crash(call):
        answer = original(call)
        if not back and not getattr(post_then_crash, "crashed", False):
            post_then_crash.crashed = True
            server.crash()
            threading.Thread(target=restart_later, daemon=True).start()
        return answer

    HANDLERS["files.completeUploadExternal"] = post_then_crash
    try:
        processes = cluster(db.url, throwaway_redis.url)
        processes.clock("clock-1")
        processes.worker("worker-1")
        wait_until(lambda: back, timeout=40, what="PostgreSQL crashed and back")
        wait_until(lambda: len(_delivered(db)) == count, timeout=60, what=f"{count} runs delivered")
    finally:
        HANDLERS["files.completeUploadExternal"] = original
    found = _no_duplicates(db, emulator, processes, count)
    with db.session() as s:
        confirmed = [d.confirmed_by for r in s.scalars(select(Run)) for d in r.deliveries
                     if d.status == DeliveryStatus.SENT]
    assert "history" in confirmed  # the post made before the crash was found, not made again
    after_return = lateness(db, since=back[0])
    assert after_return["max_s"] <= GOAL
    output = processes.output()
    report_figures("postgres_restarted_default_timing", {
        "runs": found.runs, "outage_seconds": 5, "slot_to_delivered": lateness(db),
        "postgres_back_to_delivered": after_return,
        "messages_retried_during_outage": output.count("the database could not be reached"),
        "deliveries_confirmed_from_history": confirmed.count("history"),
        "duplicates": len(found.duplicate_deliveries)})


def _fetched_by_workers(redis) -> dict[int, str]:
    """Run ids of the generate messages workers have fetched and not acked, by message id."""
    fetched = {}
    for acks in redis.scan_iter("dramatiq:__acks__.*.reports"):
        for message_id in redis.smembers(acks):
            data = redis.hget("dramatiq:reports.msgs", message_id)
            if data is not None:
                fetched[dramatiq.Message.decode(data).args[0]] = message_id
    return fetched


def test_worker_killed_with_messages_it_had_fetched_but_not_started(postgres_database, throwaway_redis,  # noqa: F811
                                                                    cluster, emulator):
    """A worker fetches more messages than it runs at once (Dramatiq's prefetch); SIGKILLed, those
    stayed invisible until Dramatiq's 60 s heartbeat timeout and a random maintenance pass, which
    could take longer than DISPATCH_TIMEOUT. The run it was generating keeps its lease: nobody can
    tell a dead worker from a stalled one, so that run waits for RUN_LEASE_SECONDS."""
    db, count = postgres_database, 5
    _schedules(db, count, _now() + dt.timedelta(seconds=3), formats=("csv", "xlsx", "png", "pdf"))
    processes = cluster(db.url, throwaway_redis.url)
    processes.clock("clock-1")
    processes.worker("worker-1", threads=1)  # runs one message, holds one more (prefetch = 2 × threads)
    redis = redis_client.Redis.from_url(throwaway_redis.url)

    def one_running_one_waiting():
        with db.session() as s:
            running = {r.id for r in s.scalars(select(Run).where(Run.status == RunStatus.RUNNING))}
        waiting = set(_fetched_by_workers(redis)) - running
        return (running, waiting) if running and waiting else None

    running, prefetched = wait_until(one_running_one_waiting, timeout=30, interval=0.02,
                                     what="a worker generating one run and holding another")
    processes.kill("worker-1")
    killed_at = _now()
    with db.session() as s:
        assert all(s.get(Run, run_id).status == RunStatus.PENDING for run_id in prefetched)
    processes.worker("worker-2", threads=2)  # the supervisor starts another
    with db.session() as s:
        rest = {r.id for r in s.scalars(select(Run))} - running
    assert len(rest) == count - len(running)
    wait_until(lambda: _delivered(db, rest) == rest, timeout=60, what="every run but the interrupted one delivered")
    figures = lateness(db, prefetched, since=killed_at)
    assert figures["runs"] == len(prefetched) and figures["max_s"] <= GOAL
    with db.session() as s:
        interrupted = [s.get(Run, run_id) for run_id in running]
        assert all(r.status == RunStatus.RUNNING and r.lease_token for r in interrupted)  # still its lease
    found = _no_duplicates(db, emulator, processes, count)
    report_figures("worker_killed_default_timing", {
        "runs": found.runs, "prefetched_when_killed": len(prefetched), "generating_when_killed": len(running),
        "killed_to_delivered_prefetched": figures, "slot_to_delivered_others": lateness(db, rest),
        "generating_run_waits_for_lease_s": 120, "duplicates": len(found.duplicate_deliveries)})
