"""Redis restarted and PostgreSQL restarted in the middle of a batch of runs, on throwaway servers
of the test's own (initdb into a temporary folder, redis-server on a free port): queued messages
are lost and connections break, yet every slot ends in exactly one final run, nothing is sent
twice, nothing is lost."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
from sqlalchemy import select

from storage.models import Run
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
    lateness,
    report_figures,
    restart_postgres_until,
    servers,  # noqa: F401  (a fixture)
    worker_env,
)
from tests.support.people import TO_CLIENT, TO_SALES
from tests.support.waiting import wait_until

pytestmark = [pytest.mark.slow, pytest.mark.postgres, pytest.mark.redis]

COUNT = 36


def test_redis_and_postgres_restarted_in_the_middle_of_a_batch(servers, emulator, tmp_path):  # noqa: F811
    postgres, redis_server, db = servers
    start = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=4)
    with db.session() as s:
        for i in range(COUNT):
            make_schedule(s, name=f"restart report {i}", next_run_at=start + dt.timedelta(seconds=0.25 * i),
                          destinations=[TO_SALES, TO_CLIENT])
    smtp = SmtpServer().start()
    logs = tmp_path / "logs"
    logs.mkdir()
    processes = Processes(worker_env(database_url=postgres.url, redis_url=redis_server.url, emulator=emulator,
                                     smtp_port=smtp.port, artifacts=tmp_path / "artifacts"), logs)
    faults = Counter()
    try:
        processes.clock("clock-1")
        processes.clock("clock-2")
        processes.worker("worker-1")
        processes.worker("worker-2")
        wait_until(lambda: final_runs(db) >= COUNT // 4, timeout=40, what="a quarter of the batch done")
        redis_server.restart()  # every queued and parked message is gone
        faults["redis_restarts"] += 1
        faults["finished_before_redis_restart"] = final_runs(db)
        wait_until(lambda: final_runs(db) >= COUNT // 2, timeout=40, what="half the batch done")
        faults["finished_before_postgres_restart"] = final_runs(db)
        restarted = restart_postgres_until(postgres, processes, db, COUNT)
        faults["postgres_restarts"] += 1
        processes.stop_all()  # every worker done: nothing more can arrive, so the counts are final
        posts, mails = slack_posts_by_run(emulator, db), emails_by_run(smtp)
        found = check_invariants(db, schedules=COUNT, slack_posts=posts, emails=mails)
        found.assert_hold()
        assert found.runs == COUNT
        output = processes.output()
        assert not [secret for secret in (emulator.bot_token(), SMTP_PASSWORD, LINK_SECRET) if secret in output]
        with db.session() as s:
            attempts = Counter(r.attempt for r in s.scalars(select(Run)))
        report_figures("redis_and_postgres_restarts", {
            "runs": found.runs, "statuses": dict(found.statuses), "faults": dict(faults),
            "processes_restarted_by_supervisor": restarted,
            "runs_requeued_after_lost_message_or_crash": output.count("lease expired, enqueuing"),
            "redis_restarts_noticed_by_the_tick": output.count("Redis has no record") - 1,  # less the first start
            "slot_to_delivered_short_timing": lateness(db),
            "slack_posts": sum(posts.values()),
            "emails": sum(mails.values()), "duplicates": len(found.duplicate_deliveries),
            "lost_runs": COUNT - found.runs, "lost_schedules": found.lost_schedules,
            "run_attempt_histogram": dict(attempts)})
    finally:
        processes.stop_all()
        smtp.stop()
