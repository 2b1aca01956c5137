"""Read-only answers about one schedule: its details with buttons, and its history per destination."""

from __future__ import annotations

from slack_sdk import WebClient

from bot.deps import BotDeps
from bot.views.replies import Reply, history, schedule_detail
from jobs.progress import link_base, outcome_of
from jobs.slots import compiled_cadence
from storage import email as email_repo
from storage.models import Schedule, ScheduleStatus
from storage.runs import recent_runs_of_live_schedules

HISTORY_RUNS = 10


def detail_reply(deps: BotDeps, client: WebClient, schedule: Schedule) -> Reply:
    now = deps.jobs.now()
    try:
        next_runs = compiled_cadence(schedule.cadence).next_runs(now, 5) if schedule.status == ScheduleStatus.ACTIVE \
            else []
    except Exception:  # an unreadable stored cadence still gets its details shown
        next_runs = []
    with deps.jobs.database.session() as session:
        runs = recent_runs_of_live_schedules(session, schedule.team_id, schedule_id=schedule.id, limit=1)
        email = email_repo.email_options(session, schedule.id)
    last = outcome_of(runs[0], schedule, None) if runs else None
    last_at = (runs[0].finished_at or runs[0].scheduled_for) if runs else None
    return schedule_detail(schedule, next_runs, last, last_at, now, email)


def history_text(deps: BotDeps, client: WebClient, schedule: Schedule) -> str:
    with deps.jobs.database.session() as session:
        runs = recent_runs_of_live_schedules(session, schedule.team_id, schedule_id=schedule.id, limit=HISTORY_RUNS)
    links = link_base(client) if any(d.slack_file_ids for r in runs for d in r.deliveries) else None
    outcomes = [(outcome_of(r, schedule, links), r.finished_at or r.scheduled_for) for r in runs]
    return history(schedule, outcomes, deps.jobs.now())
