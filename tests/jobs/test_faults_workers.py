"""Fault tests with real processes on PostgreSQL + Redis: two clocks and two workers at once while
the Slack emulator answers 429 bursts, 500s and permanent errors and the SMTP server is down then
up; workers SIGKILLed during generation and during delivery. Each checks the invariants: every
due slot ends in exactly one run with a final status and a reason; each destination receives a
run at most once; no schedule or run is lost. Loopback only, bounded in time."""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections import Counter

import pytest
from sqlalchemy import func, select

from storage.models import (
    Delivery,
    DeliveryStatus,
    Run,
    RunStatus,
    Schedule,
)
from tests.factories import make_schedule
from tests.jobs.delivery_support import (
    LINK_SECRET,
    SMTP_PASSWORD,
    SmtpServer,
    check_invariants,
    emails_by_run,
    slack_posts_by_run,
)
from tests.jobs.fault_support import (
    Processes,
    final_runs,
    kill_worker_after_post,
    lateness,
    report_figures,
    throwaway_redis,  # noqa: F401  (a fixture)
    worker_env,
)
from tests.support.people import TO_BOB, TO_CLIENT, TO_GONE, TO_SALES
from tests.support.waiting import wait_until

pytestmark = [pytest.mark.slow, pytest.mark.postgres, pytest.mark.redis]

def _schedules(db, count: int, *, start: dt.datetime, gone_every: int = 0, formats=("csv",)) -> int:
    """`count` schedules due once each, a tenth of a second apart, from `start` (real time)."""
    with db.session() as s:
        for i in range(count):
            destinations = [TO_SALES, TO_BOB, TO_CLIENT]
            if gone_every and i % gone_every == 0:
                destinations = [TO_GONE, TO_SALES]
            make_schedule(s, name=f"fault report {i}", next_run_at=start + dt.timedelta(seconds=0.1 * i),
                          destinations=destinations, formats=list(formats))
    return count


def _secrets(emulator) -> list[str]:
    return [emulator.bot_token(), SMTP_PASSWORD, LINK_SECRET]


@pytest.fixture
def cluster(postgres_database, throwaway_redis, emulator, tmp_path):  # noqa: F811
    smtp = SmtpServer().start()
    logs = tmp_path / "logs"
    logs.mkdir()
    env = worker_env(database_url=postgres_database.url, redis_url=throwaway_redis.url, emulator=emulator,
                     smtp_port=smtp.port, artifacts=tmp_path / "artifacts")
    processes = Processes(env, logs)
    yield postgres_database, processes, smtp
    processes.stop_all()
    smtp.stop()


def test_two_clocks_two_workers_through_slack_and_smtp_faults(cluster, emulator):
    db, processes, smtp = cluster
    count = _schedules(db, 30, start=dt.datetime.now(dt.UTC) + dt.timedelta(seconds=4), gone_every=6)
    faults = Counter()
    emulator.fail("*", status=429, retry_after=1, times=8)
    faults["slack_429"] += 8
    emulator.fail("files.completeUploadExternal", status=500, times=4)
    faults["slack_500_while_posting"] += 4
    emulator.fail("conversations.open", status=503, times=3)
    faults["slack_503"] += 3
    smtp.stop()  # the mail server is down when the batch starts
    faults["smtp_down_seconds"] = 6
    for name in ("clock-1", "clock-2"):
        processes.clock(name)
    for name in ("worker-1", "worker-2"):
        processes.worker(name)
    threading.Timer(6, smtp.start).start()
    started = time.monotonic()
    wait_until(lambda: final_runs(db) == count, timeout=90, what=f"{count} final runs")
    elapsed = time.monotonic() - started
    processes.stop_all()  # every worker done: nothing more can arrive, so the counts are final
    posts, mails = slack_posts_by_run(emulator, db), emails_by_run(smtp)
    found = check_invariants(db, schedules=count, slack_posts=posts, emails=mails)
    found.assert_hold()
    assert found.runs == count
    assert found.statuses == Counter({RunStatus.DELIVERED: 25, RunStatus.PARTIAL: 5})
    with db.session() as s:
        fallbacks = s.scalar(select(func.count()).select_from(Delivery).where(
            Delivery.fallback_for.is_not(None), Delivery.status == DeliveryStatus.SENT))
        retried = s.scalar(select(func.count()).select_from(Delivery).where(Delivery.attempts > 1))
        assert s.scalar(select(func.count()).select_from(Schedule).where(Schedule.next_run_at < func.now())) == 0
    assert fallbacks == 5  # each #gone run reached its owner by email instead
    output = processes.output()
    assert "Traceback" not in output, output[-3000:]
    assert not [secret for secret in _secrets(emulator) if secret in output]
    report_figures("two_clocks_two_workers", {
        "runs": found.runs, "statuses": dict(found.statuses), "faults": dict(faults),
        "emulator_429s_sent": emulator.ratelimited_count(), "deliveries_retried": retried,
        "runs_requeued_after_lease_expiry": output.count("lease expired, enqueuing"),
        "fallback_emails": fallbacks, "slack_posts": sum(posts.values()), "emails": sum(mails.values()),
        "duplicates": len(found.duplicate_deliveries), "lost_runs": count - found.runs,
        "lost_schedules": found.lost_schedules, "seconds": round(elapsed, 1)})


def test_workers_killed_during_generation_and_during_delivery(cluster, emulator):
    db, processes, smtp = cluster
    count = _schedules(db, 6, start=dt.datetime.now(dt.UTC) + dt.timedelta(seconds=3),
                       formats=("csv", "xlsx", "png", "pdf"))
    processes.clock("clock-1")
    processes.worker("worker-1", threads=2)

    def generating() -> bool:
        with db.session() as s:
            return bool(s.scalar(select(func.count()).select_from(Run).where(Run.status == RunStatus.RUNNING)))

    wait_until(generating, timeout=30, interval=0.02, what="a run being generated")
    processes.kill("worker-1")  # SIGKILL mid-generation
    with db.session() as s:
        killed_in_generation = [r.id for r in s.scalars(select(Run).where(Run.status == RunStatus.RUNNING))]
    assert killed_in_generation

    # Next: die in the worst place of delivery, after Slack posted and before the worker heard back.
    kill_worker_after_post(processes, "worker-2")
    processes.worker("worker-3", threads=2)
    processes.worker("worker-4", threads=2)
    wait_until(lambda: final_runs(db) == count, timeout=60, what=f"{count} final runs")
    processes.stop_all()  # every worker done: nothing more can arrive, so the counts are final
    posts, mails = slack_posts_by_run(emulator, db), emails_by_run(smtp)
    found = check_invariants(db, schedules=count, slack_posts=posts, emails=mails)
    found.assert_hold()
    with db.session() as s:
        errors = [(r.id, r.error) for r in s.scalars(select(Run).where(Run.status != RunStatus.DELIVERED))]
    assert found.statuses == Counter({RunStatus.DELIVERED: count}), errors
    with db.session() as s:
        recovered = s.scalar(select(func.count()).select_from(Delivery).where(Delivery.confirmed_by == "history"))
        crashed_runs = [r.attempt for r in s.scalars(select(Run).where(Run.id.in_(killed_in_generation)))]
    assert recovered >= 1  # the post that reached Slack was found, not sent again
    output = processes.output()
    assert not [secret for secret in _secrets(emulator) if secret in output]
    report_figures("workers_killed", {
        "runs": found.runs, "statuses": dict(found.statuses),
        "faults": {"sigkill_during_generation": 1, "sigkill_after_slack_posted": 1},
        "runs_interrupted_in_generation": len(killed_in_generation),
        "deliveries_recovered_from_slack_history": recovered,
        "runs_requeued_after_lease_expiry": output.count("lease expired, enqueuing"),
        "slot_to_delivered_short_timing": lateness(db),
        "slack_posts": sum(posts.values()),
        "emails": sum(mails.values()), "duplicates": len(found.duplicate_deliveries),
        "lost_runs": count - found.runs, "lost_schedules": found.lost_schedules,
        "attempts_left_on_interrupted_runs": crashed_runs})
