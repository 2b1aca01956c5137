"""A stored schedule as the API shows it: the cadence read back in words, its next runs in local
time and UTC, and the period each report covers."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from bot.web.api.models import CadenceOut, DestinationOut, NextRun, ScheduleOut
from jobs.access import Access
from jobs.delivery.plan import webhook_host
from jobs.views.period_words import schedule_cadence, schedule_period
from jobs.views.time_words import NEXT_RUNS_SHOWN, format_local
from storage.models import DestinationKind, Schedule

UTC = dt.UTC


def next_runs(runs: list[dt.datetime], timezone: str) -> list[NextRun]:
    zone = ZoneInfo(timezone)
    return [NextRun(local=when.astimezone(zone), utc=when.astimezone(UTC), words=format_local(when, timezone))
            for when in runs]


def _destination(destination) -> DestinationOut:
    """One destination; a webhook by its host, as everywhere else (its path may hold a secret)."""
    webhook = destination.kind == DestinationKind.WEBHOOK
    target = webhook_host(destination.target) if webhook else destination.target
    return DestinationOut(kind=destination.kind, target=target, label=destination.label)


def schedule_out(schedule: Schedule, access: Access, now: dt.datetime, week_start: int) -> ScheduleOut:
    """The schedule for a caller with `access`; a recipient does not see how it is made or who else gets it."""
    cadence = schedule_cadence(schedule)
    full = access == Access.FULL
    return ScheduleOut(
        id=schedule.id, name=schedule.name, status=schedule.status, owner=schedule.owner_user_id, access=access,
        description=schedule.description, tags=list(schedule.tags or []), report_type=schedule.report_type,
        params=dict(schedule.params or {}) if full else None, formats=list(schedule.formats or []),
        destinations=[_destination(d) for d in schedule.destinations] if full else None,
        cadence=CadenceOut(text=schedule.cadence_text, read_back=cadence.describe() if cadence else "",
                           timezone=schedule.timezone,
                           next_runs=next_runs(cadence.next_runs(now, NEXT_RUNS_SHOWN) if cadence else [],
                                               schedule.timezone)),
        period=schedule_period(schedule, now, week_start=week_start, sentence=True),
        condition=(schedule.condition or {}).get("text") if schedule.condition else None,
        next_run_at=schedule.next_run_at, last_run_at=schedule.last_run_at, paused_reason=schedule.paused_reason,
        created_at=schedule.created_at, updated_at=schedule.updated_at,
    )
