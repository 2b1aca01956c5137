"""App Home: the person's schedules (admins: the whole workspace's), a page at a time, and the
recent deliveries with per-destination status, file links and errors in plain words.

Published by the worker after every run and by the bot when the tab is opened or something
changes. What the person last chose (scope, page) is stored, so a worker's refresh keeps it. The
view builder is pure so it can be tested without Slack; the page size keeps the view far below
Slack's 100-block limit.
"""

from __future__ import annotations

import logging
import threading

from jobs.alerts.messages import alert_line
from jobs.context import JobContext
from jobs.home_refresh import HomeRefresher
from jobs.policy import policy_for
from jobs.progress import link_base, outcome_of
from jobs.views.cadence_words import describe_cadence
from jobs.views.home import MAX_RUNS, PAGE_SIZE, HomeData, ScheduleCard, build_home_view
from jobs.views.period_words import schedule_period
from storage import schedules as schedule_repo
from storage.alerts import Overview, overviews
from storage.models import HomeScope, Run, Schedule
from storage.runs import latest_runs, recent_runs_of_live_schedules
from storage.schedules import count_live_schedules
from storage.workspace import get_home_preference, set_home_preference

log = logging.getLogger(__name__)


def _card(schedule: Schedule, last: Run | None, period: str, alerts: dict[int, Overview]) -> ScheduleCard:
    return ScheduleCard(
        id=schedule.id, name=schedule.name, sentence=describe_cadence(schedule),
        destinations=tuple(d.label or d.target for d in schedule.destinations), status=schedule.status,
        owner_user_id=schedule.owner_user_id, timezone=schedule.timezone, next_run_at=schedule.next_run_at,
        last_status=last.status if last else None,
        last_at=(last.finished_at or last.scheduled_for) if last else None,
        last_error=last.error if last else None, period=period, description=schedule.description or "",
        tags=tuple(schedule.tags or ()),
        # Home shows a person's own schedules, or an admin everyone's: both may see who snoozed an alert.
        alert_line=alert_line(schedule.condition, alerts.get(schedule.id), schedule.timezone, show_snoozer=True)
        if schedule.condition is not None else None,
    )


def home_data_for(ctx: JobContext, team_id: str, user_id: str, *, scope: str | None = None, page: int | None = None,
                  is_admin: bool | None = None) -> HomeData:
    """Load what the person's Home shows, storing any new choice of scope or page first."""
    client = ctx.slack(team_id)
    with ctx.database.session() as session:
        if scope is not None or page is not None or is_admin is not None:
            pref = set_home_preference(session, team_id, user_id, scope=scope, page=page, is_admin=is_admin)
        else:
            pref = get_home_preference(session, team_id, user_id)
        everyone = pref.scope == HomeScope.ALL and pref.is_admin
        owner = None if everyone else user_id
        total = count_live_schedules(session, team_id, owner_user_id=owner)
        page_number = min(pref.page, max(0, (total - 1) // PAGE_SIZE))
        schedules = schedule_repo.list_schedules(session, team_id, owner_user_id=owner, limit=PAGE_SIZE,
                                                 offset=page_number * PAGE_SIZE)
        last = latest_runs(session, [s.id for s in schedules])
        alerts = overviews(session, [s.id for s in schedules if s.condition is not None])
        runs = recent_runs_of_live_schedules(session, team_id, owner_user_id=owner, limit=MAX_RUNS)
        owners = {s.id: s for s in schedules}
        for run in runs:
            if run.schedule_id not in owners:
                owners[run.schedule_id] = session.get(Schedule, run.schedule_id)
        week_start = policy_for(session, ctx.settings.policy, team_id).week_start
        now = ctx.now()
        cards = tuple(_card(s, last.get(s.id), schedule_period(s, now, week_start=week_start), alerts)
                      for s in schedules)
        scope_name, admin = (HomeScope.ALL if everyone else HomeScope.MINE), pref.is_admin
    links = link_base(client) if any(d.slack_file_ids for r in runs for d in r.deliveries) else None
    outcomes = tuple((outcome_of(run, owners[run.schedule_id], links), run.finished_at or run.scheduled_for)
                     for run in runs)
    return HomeData(user_id=user_id, scope=scope_name, is_admin=admin, page=page_number, total=total, cards=cards,
                    runs=outcomes, now=ctx.now())


def home_view_for(ctx: JobContext, team_id: str, user_id: str, **choices) -> dict:
    return build_home_view(home_data_for(ctx, team_id, user_id, **choices))


def publish_home(ctx: JobContext, team_id: str, user_id: str, **choices) -> dict:
    """Build and publish `user_id`'s Home tab (optionally with a new scope, page or admin flag)."""
    view = home_view_for(ctx, team_id, user_id, **choices)
    ctx.slack(team_id).views_publish(user_id=user_id, view=view)
    return view


_refresher_lock = threading.Lock()


def request_home_refresh(ctx: JobContext, team_id: str, user_id: str) -> None:
    """Refresh the person's App Home soon, once for every run of theirs settling meanwhile (jobs.home_refresh)."""
    with _refresher_lock:
        if ctx.home_refresher is None:
            ctx.home_refresher = HomeRefresher(lambda team, user: publish_home(ctx, team, user),
                                               ctx.settings.home_refresh_seconds)
    ctx.home_refresher.request(team_id, user_id)
