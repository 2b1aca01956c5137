"""Start a run outside the schedule: run-now buttons, `/report run`, previews, and the CLI."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from jobs.context import JobContext
from jobs.periods import (
    Period,
    period_unit,
    run_now_period,
    schedule_setting,
    window_for,
)
from jobs.phases import Enqueue, Phase
from jobs.slots import compiled_cadence
from jobs.views.period_words import covers
from reports.window import SCHEDULE_WINDOW
from reports.window_words import window_phrase
from storage import runs as run_repo
from storage.audit import record
from storage.db import serialize_on
from storage.models import (
    FINAL_RUN_STATUSES,
    Destination,
    DestinationKind,
    RunTrigger,
    Schedule,
    ScheduleStatus,
)
from storage.progress import add_progress_message
from storage.runs import last_manual_run_at, run_in_flight

# A preview rides the normal pipeline on a hidden schedule: status `deleted` (so no list, quota, tick
# or name check ever sees it) whose only destination is the DM of the person who asked.
PREVIEW_PREFIX = "Preview · "


@dataclass(frozen=True)
class RunStarted:
    run_id: int


@dataclass(frozen=True)
class AlreadyRunning:
    run_id: int
    status: str


@dataclass(frozen=True)
class CoolingDown:
    seconds_left: int


@dataclass(frozen=True)
class TooManyPreviews:
    per_hour: int


@dataclass(frozen=True)
class ProgressTarget:
    """The "Generating…" message to update when the run settles: a real message or a response_url."""

    user_id: str
    channel_id: str | None = None
    message_ts: str | None = None
    response_url: str | None = None


@dataclass(frozen=True)
class PreviewRequest:
    """What the create/edit modal holds when its "send me a preview now" button is pressed."""

    team_id: str
    user_id: str
    name: str
    report_type: str
    params: dict[str, Any]
    formats: list[str]
    cadence_text: str
    cadence: dict[str, Any]
    timezone: str
    condition: dict[str, Any] | None = None  # an alert's, bound: the preview is a check, told only to them


def is_preview(schedule: Schedule) -> bool:
    return schedule.status == ScheduleStatus.DELETED and schedule.name.startswith(PREVIEW_PREFIX)


def start_refusal(session, schedule_id: int, *, cooldown_seconds: float,
                  now: dt.datetime) -> AlreadyRunning | CoolingDown | None:
    """Why a manual run cannot start now: one is in flight, or the last one was too recent."""
    busy = run_in_flight(session, schedule_id)
    if busy is not None:
        return AlreadyRunning(busy.id, busy.status)
    if cooldown_seconds > 0:
        last = last_manual_run_at(session, schedule_id)
        if last is not None and (now - last).total_seconds() < cooldown_seconds:
            return CoolingDown(max(1, int(cooldown_seconds - (now - last).total_seconds() + 0.999)))
    return None


def manual_period(schedule: Schedule, now: dt.datetime, chosen: Period | None = None) -> Period:
    """What a run started by hand covers: the period the person chose (taken now), or else the
    period of the schedule's most recent slot — what it last sent, with today's data."""
    if chosen is not None:
        return chosen
    try:
        cadence = compiled_cadence(schedule.cadence)
    except Exception:  # an unreadable stored cadence: the period as of now
        cadence = None
    return run_now_period(schedule_setting(schedule.report_type, schedule.params), cadence, now)


def manual_covers(schedule: Schedule, now: dt.datetime, chosen: Period | None, week_start: int) -> str:
    """What a run started by hand now will cover, in words, for the "Generating…" message."""
    period = manual_period(schedule, now, chosen)
    try:
        cadence = compiled_cadence(schedule.cadence)
    except Exception:
        cadence = None
    window = window_for(period, slot=now, cadence=cadence, timezone=schedule.timezone, week_start=week_start)
    # Periods counted from the previous run depend on runs not known here: said in words only.
    if period.kind == "since_previous_run" or (period.kind == SCHEDULE_WINDOW and cadence is not None
                                               and period_unit(cadence) == "elapsed"):
        return window_phrase(window)
    return covers(window)


def run_now(ctx: JobContext, schedule: Schedule, *, user_id: str, surface: str, enqueue: Enqueue,
            trigger: str = RunTrigger.MANUAL, progress: ProgressTarget | None = None,
            cooldown_seconds: float = 0, period: Period | None = None,
            audit_details: dict | None = None) -> RunStarted | AlreadyRunning | CoolingDown:
    """Create a manual run of `schedule` and queue it on the interactive queue.

    It covers `period` if given, else the period of the schedule's most recent slot (manual_period).
    At most one run of a schedule is in flight: a second request while one runs says so instead
    of piling up; within `cooldown_seconds` of the last manual run it says when to ask again. The
    progress message is recorded with the run, before it is queued, so the run cannot settle unseen.
    `audit_details` go into the audit record beside the run id (the trigger API's caller address).
    """
    now = ctx.now()
    covered = manual_period(schedule, now, period)
    with ctx.database.session() as session:
        refused = start_refusal(session, schedule.id, cooldown_seconds=cooldown_seconds, now=now)
        if refused is not None:
            return refused
        run_id = run_repo.insert_run(
            session, schedule_id=schedule.id, scheduled_for=now, trigger=trigger, triggered_by=user_id,
            lease_until=now + dt.timedelta(seconds=ctx.settings.dispatch_timeout), period=covered.to_json(),
        )
        if run_id is None:  # the same instant was taken by a run a moment ago: that one is in flight
            return AlreadyRunning(0, "pending")
        if progress is not None:
            add_progress_message(session, run_id=run_id, user_id=progress.user_id, channel_id=progress.channel_id,
                                 message_ts=progress.message_ts, response_url=progress.response_url)
        record(session, team_id=schedule.team_id, schedule_id=schedule.id, actor=user_id,
               action="retry" if trigger == RunTrigger.RETRY else "run_now", surface=surface,
               details={**(audit_details or {}), "run_id": run_id, "period": covered.to_json()})
    enqueue(run_id, Phase.GENERATE_NOW, 0)
    return RunStarted(run_id)


def preview_refusal(session, team_id: str, user_id: str, *, cooldown_seconds: float, per_hour: int,
                    now: dt.datetime) -> AlreadyRunning | CoolingDown | TooManyPreviews | None:
    """Why a person's preview cannot start now: the same rules as run-now, counted per person (one in
    flight, the cool-down since the last one), and at most `per_hour` an hour."""
    previews = run_repo.previews_of(session, team_id, user_id, name_prefix=PREVIEW_PREFIX,
                                    since=now - dt.timedelta(hours=1))
    busy = next((r for r in previews if r.status not in FINAL_RUN_STATUSES), None)
    if busy is not None:
        return AlreadyRunning(busy.id, busy.status)
    if previews and cooldown_seconds > 0:
        waited = (now - previews[0].created_at).total_seconds()
        if waited < cooldown_seconds:
            return CoolingDown(max(1, int(cooldown_seconds - waited + 0.999)))
    if per_hour and len(previews) >= per_hour:
        return TooManyPreviews(per_hour)
    return None


def start_preview(ctx: JobContext, request: PreviewRequest, *, enqueue: Enqueue, progress: ProgressTarget | None = None,
                  cooldown_seconds: float = 0, per_hour: int = 0) -> RunStarted | AlreadyRunning | CoolingDown | \
        TooManyPreviews:
    """Generate the report as configured so far and send it only to the person who asked (unless a
    preview of theirs is running, was just made, or they made `per_hour` of them in the last hour)."""
    now = ctx.now()
    label = (request.name.strip() or "untitled report")[:150]
    with ctx.database.session() as session:
        serialize_on(session, f"preview:{request.team_id}:{request.user_id}")  # two clicks: one preview
        refused = preview_refusal(session, request.team_id, request.user_id, cooldown_seconds=cooldown_seconds,
                                  per_hour=per_hour, now=now)
        if refused is not None:
            return refused
        # Built directly as `deleted`: it never counts against names, quotas, lists or the tick.
        hidden = Schedule(
            team_id=request.team_id, name=f"{PREVIEW_PREFIX}{label}", name_key=f"{PREVIEW_PREFIX}{label}".casefold(),
            owner_user_id=request.user_id, report_type=request.report_type, params=dict(request.params),
            formats=list(request.formats), cadence_text=request.cadence_text, cadence=request.cadence,
            timezone=request.timezone, status=ScheduleStatus.DELETED, next_run_at=None, condition=request.condition,
            destinations=[Destination(kind=DestinationKind.SLACK_USER, target=request.user_id, label="your DM")],
        )
        session.add(hidden)
        session.flush()
        run_id = run_repo.insert_run(
            session, schedule_id=hidden.id, scheduled_for=now, trigger=RunTrigger.MANUAL,
            triggered_by=request.user_id, lease_until=now + dt.timedelta(seconds=ctx.settings.dispatch_timeout),
            period=manual_period(hidden, now).to_json(),  # what the schedule would have sent last
        )
        if progress is not None:
            add_progress_message(session, run_id=run_id, user_id=progress.user_id, channel_id=progress.channel_id,
                                 message_ts=progress.message_ts, response_url=progress.response_url)
        record(session, team_id=request.team_id, schedule_id=hidden.id, actor=request.user_id, action="preview",
               surface="modal", details={"run_id": run_id, "report_type": request.report_type})
    enqueue(run_id, Phase.GENERATE_NOW, 0)
    return RunStarted(run_id)
