"""Start a run outside the schedule: run-now buttons, `/report run`, and the CLI."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select

from jobs.context import JobContext
from storage import runs as run_repo
from storage.audit import record
from storage.models import FINAL_RUN_STATUSES, Run, RunTrigger, Schedule

Enqueue = Callable[[int, str, int], None]


@dataclass(frozen=True)
class RunStarted:
    run_id: int


@dataclass(frozen=True)
class AlreadyRunning:
    run_id: int
    status: str


def run_now(ctx: JobContext, schedule: Schedule, *, user_id: str, surface: str, enqueue: Enqueue,
            trigger: str = RunTrigger.MANUAL) -> RunStarted | AlreadyRunning:
    """Create a manual run of `schedule` and queue it on the interactive queue.

    At most one run of a schedule is in flight: a second request while one runs says so instead
    of piling up.
    """
    now = ctx.now()
    with ctx.database.session() as session:
        busy = session.scalar(
            select(Run).where(Run.schedule_id == schedule.id, Run.status.not_in(list(FINAL_RUN_STATUSES)))
            .order_by(Run.id.desc()).limit(1)
        )
        if busy is not None:
            return AlreadyRunning(busy.id, busy.status)
        run_id = run_repo.insert_run(
            session, schedule_id=schedule.id, scheduled_for=now, trigger=trigger, triggered_by=user_id,
            lease_until=now + dt.timedelta(seconds=ctx.settings.dispatch_timeout),
        )
        record(session, team_id=schedule.team_id, schedule_id=schedule.id, actor=user_id, action="run_now",
               surface=surface, details={"run_id": run_id})
    enqueue(run_id, "generate_now", 0)
    return RunStarted(run_id)
