"""Read-only answers about one schedule: its details with buttons, and its history per destination.

What is shown depends on the reader's access (jobs.access): its owner and admins see everything;
someone it is sent to sees when it runs and how runs went, not its query, parameters or who else
gets it.
"""

from __future__ import annotations

from slack_sdk import WebClient

from bot.deps import BotDeps
from bot.views.replies import Reply, history, schedule_detail
from jobs.access import Access
from jobs.alerts.messages import alert_line
from jobs.progress import link_base, outcome_of
from jobs.slots import compiled_cadence
from jobs.views.period_words import schedule_period
from jobs.views.time_words import NEXT_RUNS_SHOWN
from storage import email as email_repo
from storage.alerts import overviews
from storage.models import Schedule, ScheduleStatus
from storage.runs import recent_runs_of_live_schedules

HISTORY_RUNS = 10


def detail_reply(deps: BotDeps, schedule: Schedule, access: Access) -> Reply:
    now = deps.jobs.now()
    try:
        next_runs = compiled_cadence(schedule.cadence).next_runs(now, NEXT_RUNS_SHOWN) \
            if schedule.status == ScheduleStatus.ACTIVE else []
    except Exception:  # an unreadable stored cadence still gets its details shown
        next_runs = []
    with deps.jobs.database.session() as session:
        runs = recent_runs_of_live_schedules(session, schedule.team_id, schedule_id=schedule.id, limit=1)
        email = email_repo.email_options(session, schedule.id) if access == Access.FULL else None
        line = _alert_line(session, schedule, access)
    last = outcome_of(runs[0], schedule, None) if runs else None
    last_at = (runs[0].finished_at or runs[0].scheduled_for) if runs else None
    active = schedule.status == ScheduleStatus.ACTIVE  # a paused schedule has no next report to date
    period = schedule_period(schedule, now, week_start=deps.policy(schedule.team_id).week_start, sentence=active)
    period = period if active or not period else f"Covers {period}."
    return schedule_detail(schedule, next_runs, last, last_at, now, email, access=access, period=period,
                           alert_line=line)


def _alert_line(session, schedule: Schedule, access: Access) -> str | None:
    """An alert's rule and state; who snoozed it is for its owner and admins."""
    if schedule.condition is None:
        return None
    overview = overviews(session, [schedule.id]).get(schedule.id)
    return alert_line(schedule.condition, overview, schedule.timezone, show_snoozer=access == Access.FULL)


def history_text(deps: BotDeps, client: WebClient, schedule: Schedule, access: Access) -> str:
    with deps.jobs.database.session() as session:
        runs = recent_runs_of_live_schedules(session, schedule.team_id, schedule_id=schedule.id, limit=HISTORY_RUNS)
        line = _alert_line(session, schedule, access)
    full = access == Access.FULL
    links = link_base(client) if full and any(d.slack_file_ids for r in runs for d in r.deliveries) else None
    outcomes = [(outcome_of(r, schedule, links), r.finished_at or r.scheduled_for) for r in runs]
    return history(schedule, outcomes, deps.jobs.now(), access=access, alert_line=line)
