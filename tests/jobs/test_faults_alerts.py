"""Alert checks under faults, with real `reportbot clock` and `dramatiq` worker processes on
PostgreSQL and Redis: a worker SIGKILLed after its check decided to notify and before it handed
the notice to delivery, another killed after Slack took the post and before it heard back, and —
on throwaway servers of the test's own — Redis and PostgreSQL restarted mid-batch.

Invariants: every slot has exactly one check (one run, one evaluation) with a final status;
every alert that fired told its channel exactly once; the quiet ones told nobody and made no file."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
from sqlalchemy import func, select

from reports.conditions import parse_condition
from storage.models import AlertEvaluation, Artifact, Delivery, Run, RunStatus
from tests.factories import make_schedule
from tests.jobs.alert_support import make_warehouse
from tests.jobs.delivery_support import check_invariants, slack_posts_by_run
from tests.jobs.fault_support import (
    Processes,
    final_runs,
    kill_worker_after_post,
    report_figures,
    restart_postgres_until,
    servers,  # noqa: F401  (a fixture)
    throwaway_redis,  # noqa: F401  (a fixture)
    worker_env,
)
from tests.support.people import TO_OPS
from tests.support.waiting import wait_until

pytestmark = [pytest.mark.slow, pytest.mark.postgres, pytest.mark.redis]


def _alerts(db, warehouse, count: int, *, start: dt.datetime, formats=("csv",)) -> set[int]:
    """`count` alerts, one region each, due a fifth of a second apart; even ones find low revenue."""
    warehouse.set(*[(f"R{i:03d}", 9000 if i % 2 == 0 else 12000, 40, 1) for i in range(count)])
    firing = set()
    with db.session() as s:
        for i in range(count):
            schedule = make_schedule(
                s, name=f"alert {i}", cadence_text="every hour", report_type="sql", formats=list(formats),
                params={"source": "warehouse",
                        "query": f"select region, revenue from metrics where region = 'R{i:03d}'"},
                destinations=[TO_OPS], condition=parse_condition("revenue < 10000").to_json(),
                next_run_at=start + dt.timedelta(seconds=0.2 * i))
            if i % 2 == 0:
                firing.add(schedule.id)
    return firing


def _check_alert_invariants(db, emulator, *, count: int, firing: set[int]) -> dict:
    posts = slack_posts_by_run(emulator, db)
    found = check_invariants(db, schedules=count, slack_posts=posts)
    found.assert_hold()
    assert found.runs == count
    with db.session() as s:
        runs = {r.id: r for r in s.scalars(select(Run))}
        per_run = Counter(e.run_id for e in s.scalars(select(AlertEvaluation)))
        notices = Counter(e.notice for e in s.scalars(select(AlertEvaluation)))
        with_files = {a.run_id for a in s.scalars(select(Artifact))}
    assert set(per_run) == set(runs) and set(per_run.values()) == {1}, "one recorded check per run"
    told = Counter(runs[run_id].schedule_id for run_id, _ in posts)
    assert set(told) == firing and set(told.values()) == {1}, "each firing alert told its channel exactly once"
    assert {runs[r].schedule_id for r in with_files} <= firing, "files only for notifications"
    assert notices == Counter({"firing": len(firing), None: count - len(firing)})
    return {"checks": len(per_run), "notices": len(firing), "slack_posts": sum(posts.values()),
            "duplicates": len(found.duplicate_deliveries), "statuses": dict(found.statuses)}


@pytest.fixture
def cluster(postgres_database, throwaway_redis, emulator, tmp_path, monkeypatch):  # noqa: F811
    warehouse = make_warehouse(tmp_path, monkeypatch)
    logs = tmp_path / "logs"
    logs.mkdir()
    env = worker_env(database_url=postgres_database.url, redis_url=throwaway_redis.url, emulator=emulator,
                     smtp_port=9, artifacts=tmp_path / "artifacts",
                     REPORTBOT_SOURCE_WAREHOUSE=f"sqlite:///{warehouse.path}", REPORTBOT_SOURCE_WAREHOUSE__USERS="*")
    processes = Processes(env, logs)
    yield postgres_database, processes, warehouse
    processes.stop_all()


def test_workers_killed_after_deciding_and_after_posting_notify_exactly_once(cluster, emulator):
    db, processes, warehouse = cluster
    count = 12
    firing = _alerts(db, warehouse, count, start=dt.datetime.now(dt.UTC) + dt.timedelta(seconds=3),
                     formats=("csv", "pdf"))
    processes.clock("clock-1")
    processes.clock("clock-2")
    processes.worker("worker-1", threads=2)

    def decided_not_handed_over() -> list[int]:
        with db.session() as s:
            return list(s.scalars(select(Run.id).join(AlertEvaluation, AlertEvaluation.run_id == Run.id).where(
                AlertEvaluation.notice.is_not(None), Run.status == RunStatus.RUNNING)))

    caught = wait_until(decided_not_handed_over, timeout=40, interval=0.01, what="a notice decided, not yet handed on")
    processes.kill("worker-1")  # SIGKILL: the decision is recorded, the notice not yet on its way

    kill_worker_after_post(processes, "worker-2")  # and then right after Slack took a post
    processes.worker("worker-3", threads=2)
    processes.worker("worker-4", threads=2)
    wait_until(lambda: final_runs(db) == count, timeout=60, what=f"{count} final checks")
    processes.stop_all()  # every worker done: nothing more can arrive, so the counts are final
    figures = _check_alert_invariants(db, emulator, count=count, firing=firing)
    with db.session() as s:
        recovered = [r.status for r in s.scalars(select(Run).where(Run.id.in_(caught)))]
        from_history = s.scalar(select(func.count()).select_from(Delivery).where(Delivery.confirmed_by == "history"))
    assert recovered == [RunStatus.DELIVERED] * len(caught)
    assert from_history >= 1  # the post Slack took before the kill was found, not sent again
    output = processes.output()
    assert emulator.bot_token() not in output
    report_figures("alerts_workers_killed", {**figures, "faults": {"sigkill_after_deciding": 1,
                                                                    "sigkill_after_slack_posted": 1},
                                             "decided_runs_recovered": len(caught),
                                             "deliveries_recovered_from_slack_history": from_history,
                                             "runs_requeued_after_lease_expiry": output.count("lease expired")})


def test_alert_checks_survive_redis_and_postgres_restarts(servers, emulator, tmp_path, monkeypatch):  # noqa: F811
    postgres, redis_server, db = servers
    warehouse = make_warehouse(tmp_path, monkeypatch)
    count = 30
    firing = _alerts(db, warehouse, count, start=dt.datetime.now(dt.UTC) + dt.timedelta(seconds=4))
    logs = tmp_path / "logs"
    logs.mkdir()
    processes = Processes(worker_env(database_url=postgres.url, redis_url=redis_server.url, emulator=emulator,
                                     smtp_port=9, artifacts=tmp_path / "artifacts",
                                     REPORTBOT_SOURCE_WAREHOUSE=f"sqlite:///{warehouse.path}",
                                     REPORTBOT_SOURCE_WAREHOUSE__USERS="*"), logs)
    try:
        for name in ("clock-1", "clock-2"):
            processes.clock(name)
        for name in ("worker-1", "worker-2"):
            processes.worker(name)
        wait_until(lambda: final_runs(db) >= count // 4, timeout=40, what="a quarter of the checks done")
        redis_server.restart()  # every queued and parked message is gone
        wait_until(lambda: final_runs(db) >= count // 2, timeout=40, what="half the checks done")
        restarted = restart_postgres_until(postgres, processes, db, count)
        processes.stop_all()  # every worker done: nothing more can arrive, so the counts are final
        figures = _check_alert_invariants(db, emulator, count=count, firing=firing)
        report_figures("alerts_redis_and_postgres_restarts", {
            **figures, "faults": {"redis_restarts": 1, "postgres_restarts": 1},
            "processes_restarted_by_supervisor": restarted})
    finally:
        processes.stop_all()
