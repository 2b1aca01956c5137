"""App Home: the person's schedules (admins: the whole workspace's), a page at a time, and the
recent deliveries with per-destination status, file links and errors in plain words.

Published by the worker after every run and by the bot when the tab is opened or something
changes. What the person last chose (scope, page) is stored, so a worker's refresh keeps it. The
view builder is pure so it can be tested without Slack; the page size keeps the view far below
Slack's 100-block limit.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from jobs.context import JobContext
from jobs.messages import STATUS_ICONS, RunOutcome, destination_lines, plain_error
from jobs.progress import link_base, outcome_of
from jobs.slack_ids import HomeActions, HomeBlocks, OverflowChoices, ScheduleActions
from jobs.slots import compiled_cadence
from storage import schedules as schedule_repo
from storage.models import HomeScope, Run, Schedule, ScheduleStatus
from storage.runs import latest_runs, recent_runs_of_live_schedules
from storage.schedules import count_live_schedules
from storage.workspace import get_home_preference, set_home_preference

log = logging.getLogger(__name__)

PAGE_SIZE = 10  # 3 blocks each
MAX_RUNS = 8
STATE_WORDS = {"active": "🟢 active", "paused": "⏸️ paused", "error": "🔴 paused after repeated failures"}


def relative(when: dt.datetime, now: dt.datetime) -> str:
    """Say how far `when` is from `now` in the coarsest unit that fits ("in 5 h", "3 min ago")."""
    seconds = (when - now).total_seconds()
    future, seconds = seconds >= 0, abs(seconds)
    for size, unit in ((86400, "d"), (3600, "h"), (60, "min")):
        if seconds >= size:
            amount = f"{int(seconds // size)} {unit}"
            break
    else:
        amount = "moments"
    return f"in {amount}" if future else f"{amount} ago"


def local_time(when: dt.datetime, timezone: str, now: dt.datetime | None = None) -> str:
    """"Mon 09:00 CET" within the coming week, with the date beyond it."""
    local = when.astimezone(ZoneInfo(timezone))
    if now is not None and dt.timedelta(0) <= when - now < dt.timedelta(days=6):
        return local.strftime("%a %H:%M %Z")
    return local.strftime("%a %d %b %H:%M %Z")


def describe_cadence(schedule: Schedule) -> str:
    """The schedule's cadence as a sentence (what the user typed if it can't be read any more)."""
    try:
        return compiled_cadence(schedule.cadence).describe()
    except Exception:  # a cadence stored by an older version still shows what the user typed
        return schedule.cadence_text


@dataclass(frozen=True)
class ScheduleCard:
    id: int
    name: str
    sentence: str
    destinations: tuple[str, ...]
    status: str
    owner_user_id: str
    timezone: str
    next_run_at: dt.datetime | None
    last_status: str | None = None
    last_at: dt.datetime | None = None
    last_error: str | None = None


@dataclass(frozen=True)
class HomeData:
    user_id: str
    scope: str
    is_admin: bool
    page: int
    total: int
    cards: tuple[ScheduleCard, ...]
    runs: tuple[tuple[RunOutcome, dt.datetime], ...]  # the outcome and when it happened
    now: dt.datetime


def _text(text: str) -> dict:
    return {"type": "plain_text", "text": text[:75]}


def _card_blocks(card: ScheduleCard, data: HomeData) -> list[dict]:
    where = ", ".join(card.destinations) or "no destination"
    if card.status == ScheduleStatus.ACTIVE and card.next_run_at:
        next_run = f"{relative(card.next_run_at, data.now)} · {local_time(card.next_run_at, card.timezone, data.now)}"
    else:
        next_run = "not scheduled while paused" if card.status != ScheduleStatus.ACTIVE else "never (it has ended)"
    lines = [f"*{card.name}*  `#{card.id}`", f"{card.sentence} → {where}",
             f"Status: {STATE_WORDS.get(card.status, card.status)} · Next run: {next_run}"]
    if card.last_status:
        last = f"Last result: {STATUS_ICONS.get(card.last_status, '•')} {card.last_status}"
        if card.last_at:
            last += f" {relative(card.last_at, data.now)}"
        if card.last_error and card.last_status in ("failed", "partial"):
            last += f" — {plain_error(card.last_error)}"
        lines.append(last)
    if data.scope == HomeScope.ALL:
        lines.append(f"Owner: <@{card.owner_user_id}>")
    value = str(card.id)
    toggle = (ScheduleActions.PAUSE, "Pause") if card.status == ScheduleStatus.ACTIVE else (ScheduleActions.RESUME,
                                                                                            "Resume")
    return [
        {"type": "section", "block_id": f"{HomeBlocks.SCHEDULE_PREFIX}{card.id}",
         "text": {"type": "mrkdwn", "text": "\n".join(lines)[:3000]},
         "accessory": {"type": "overflow", "action_id": ScheduleActions.OVERFLOW, "options": [
             {"text": _text("History"), "value": f"{OverflowChoices.HISTORY}:{card.id}"},
             {"text": _text("Delete…"), "value": f"{OverflowChoices.DELETE}:{card.id}"},
         ]}},
        {"type": "actions", "block_id": f"{HomeBlocks.ACTIONS_PREFIX}{card.id}", "elements": [
            {"type": "button", "action_id": ScheduleActions.RUN_NOW, "text": _text("Run now"), "value": value,
             "style": "primary"},
            {"type": "button", "action_id": toggle[0], "text": _text(toggle[1]), "value": value},
            {"type": "button", "action_id": ScheduleActions.EDIT, "text": _text("Edit"), "value": value},
        ]},
        {"type": "divider"},
    ]


def _run_block(outcome: RunOutcome, when: dt.datetime, now: dt.datetime) -> dict:
    icon = STATUS_ICONS.get(outcome.status, "•")
    line = f"{icon} *{outcome.name}* — {outcome.status} {relative(when, now)}"
    if outcome.row_count is not None:
        line += f" · {outcome.row_count:,} rows"
    if outcome.destinations:
        sent = sum(1 for d in outcome.destinations if d.status == "sent")
        line += f" · {sent}/{len(outcome.destinations)} destinations"
    lines = [line] + [f"    {d}" for d in destination_lines(outcome, limit=5)]
    if outcome.error and outcome.status in ("failed", "skipped") and not outcome.destinations:
        lines.append(f"    {plain_error(outcome.error)}")
    return {"type": "section", "text": {"type": "mrkdwn", "text": "\n".join(lines)[:3000]}}


def build_home_view(data: HomeData) -> dict:
    """Build the Home tab view from plain data."""
    everyone = data.scope == HomeScope.ALL
    title = "All scheduled reports in this workspace" if everyone else "Your scheduled reports"
    toolbar = [
        {"type": "button", "action_id": HomeActions.CREATE, "style": "primary", "text": _text("New report")},
        {"type": "button", "action_id": HomeActions.REFRESH, "text": _text("Refresh"), "value": str(data.page)},
    ]
    if data.is_admin:
        toolbar.append({"type": "button", "action_id": HomeActions.SCOPE,
                        "text": _text("Show only mine" if everyone else "Show all schedules (admin)"),
                        "value": HomeScope.MINE if everyone else HomeScope.ALL})
    blocks: list[dict] = [
        {"type": "header", "block_id": HomeBlocks.HEADER, "text": {"type": "plain_text", "text": title}},
        {"type": "actions", "block_id": HomeBlocks.TOOLBAR, "elements": toolbar},
    ]
    if not data.cards:
        empty = ("There are no scheduled reports in this workspace yet." if everyone else
                 "You have no scheduled reports yet. Click *New report*, or type "
                 "`/report new \"Daily sales\" every day at 9am in #sales`.")
        blocks.append({"type": "section", "block_id": HomeBlocks.SCHEDULES, "text": {"type": "mrkdwn", "text": empty}})
    for card in data.cards:
        blocks.extend(_card_blocks(card, data))
    pages = max(1, -(-data.total // PAGE_SIZE))
    if pages > 1:
        pager = []
        if data.page > 0:
            pager.append({"type": "button", "action_id": HomeActions.PAGE_PREV, "text": _text("← Previous"),
                          "value": str(data.page - 1)})
        if data.page + 1 < pages:
            pager.append({"type": "button", "action_id": HomeActions.PAGE_NEXT, "text": _text("Next →"),
                          "value": str(data.page + 1)})
        blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": (
            f"Page {data.page + 1} of {pages} · {data.total} schedules")}]})
        blocks.append({"type": "actions", "block_id": HomeBlocks.PAGER, "elements": pager})
    blocks.append({"type": "header", "block_id": HomeBlocks.RUNS,
                   "text": {"type": "plain_text", "text": "Recent deliveries"}})
    if not data.runs:
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": "No runs yet."}})
    for outcome, when in data.runs[:MAX_RUNS]:
        blocks.append(_run_block(outcome, when, data.now))
    return {"type": "home", "blocks": blocks}


def _card(schedule: Schedule, last: Run | None) -> ScheduleCard:
    return ScheduleCard(
        id=schedule.id, name=schedule.name, sentence=describe_cadence(schedule),
        destinations=tuple(d.label or d.target for d in schedule.destinations), status=schedule.status,
        owner_user_id=schedule.owner_user_id, timezone=schedule.timezone, next_run_at=schedule.next_run_at,
        last_status=last.status if last else None,
        last_at=(last.finished_at or last.scheduled_for) if last else None,
        last_error=last.error if last else None,
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
        runs = recent_runs_of_live_schedules(session, team_id, owner_user_id=owner, limit=MAX_RUNS)
        owners = {s.id: s for s in schedules}
        for run in runs:
            if run.schedule_id not in owners:
                owners[run.schedule_id] = session.get(Schedule, run.schedule_id)
        cards = tuple(_card(s, last.get(s.id)) for s in schedules)
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
