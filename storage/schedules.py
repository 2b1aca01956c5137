"""Repository functions for schedules and their destinations. They never commit."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Text, bindparam, cast, func, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from storage.errors import NameTaken
from storage.ids import row_id
from storage.models import Destination, Schedule, ScheduleStatus


@dataclass(frozen=True)
class NewDestination:
    kind: str
    target: str
    label: str = ""


def name_key(name: str) -> str:
    """Fold a schedule name for case-insensitive lookup and uniqueness."""
    return " ".join(name.casefold().split())


def create_schedule(
    session: Session,
    *,
    team_id: str,
    name: str,
    owner_user_id: str,
    report_type: str,
    cadence_text: str,
    cadence: dict[str, Any],
    timezone: str,
    next_run_at: dt.datetime | None,
    destinations: Sequence[NewDestination],
    params: dict[str, Any] | None = None,
    formats: Sequence[str] = ("csv",),
    skip_if_empty: bool = False,
    condition: dict[str, Any] | None = None,
) -> Schedule:
    """Insert a schedule with its destinations; raise `NameTaken` if the name is in use."""
    schedule = Schedule(
        team_id=team_id,
        name=name.strip(),
        name_key=name_key(name),
        owner_user_id=owner_user_id,
        report_type=report_type,
        params=dict(params or {}),
        formats=list(formats),
        cadence_text=cadence_text,
        cadence=cadence,
        timezone=timezone,
        status=ScheduleStatus.ACTIVE,
        skip_if_empty=skip_if_empty,
        condition=condition,
        next_run_at=next_run_at,
        destinations=[Destination(kind=d.kind, target=d.target, label=d.label) for d in destinations],
    )
    try:
        # A savepoint keeps the caller's transaction usable when the name clashes.
        with session.begin_nested():
            session.add(schedule)
            session.flush()
    except IntegrityError as exc:
        if "name" in str(exc.orig).lower():
            raise NameTaken(name) from exc
        raise
    return schedule


def find_schedule(session: Session, team_id: str, ref: str) -> Schedule | None:
    """Find a live schedule by id ("12", "#12") or by name, case-insensitively."""
    ref = ref.strip()
    live = (Schedule.team_id == team_id, Schedule.status != ScheduleStatus.DELETED)
    schedule_id = row_id(ref)
    if schedule_id is not None:
        found = session.scalar(select(Schedule).where(Schedule.id == schedule_id, *live))
        if found is not None:
            return found
    return session.scalar(select(Schedule).where(Schedule.name_key == name_key(ref), *live))


def list_schedules(
    session: Session, team_id: str, *, owner_user_id: str | None = None, limit: int = 100, offset: int = 0
) -> list[Schedule]:
    """List live schedules of a workspace (optionally one owner's), soonest first."""
    query = (
        select(Schedule)
        .where(Schedule.team_id == team_id, Schedule.status != ScheduleStatus.DELETED)
        .options(selectinload(Schedule.destinations))
        .order_by(Schedule.next_run_at.is_(None), Schedule.next_run_at, Schedule.id)
        .limit(limit)
        .offset(offset)
    )
    if owner_user_id is not None:
        query = query.where(Schedule.owner_user_id == owner_user_id)
    return list(session.scalars(query))


def count_schedules(session: Session, *, status: str | None = None) -> int:
    query = select(func.count()).select_from(Schedule)
    if status is not None:
        query = query.where(Schedule.status == status)
    return session.scalar(query) or 0


@dataclass(frozen=True)
class DueSchedule:
    """The few columns the tick needs; the cadence stays as stored text, the compile cache's key."""

    id: int
    team_id: str
    cadence_json: str
    next_run_at: dt.datetime
    spread_seconds: int | None
    is_alert: bool = False  # its runs are checks, released in batches (jobs.alerts.batch)


def claim_due_schedules(session: Session, horizon: dt.datetime, limit: int) -> list[DueSchedule]:
    """Lock up to `limit` active schedules due by `horizon`, skipping rows another tick holds.

    On PostgreSQL `FOR UPDATE SKIP LOCKED` lets several clocks share the work; SQLite serialises
    writers with `BEGIN IMMEDIATE` (see storage.db), which gives the same guarantee. The partial
    index on next_run_at (active only) makes an idle tick one index probe, whatever the table size.
    """
    query = (
        select(Schedule.id, Schedule.team_id, cast(Schedule.cadence, Text), Schedule.next_run_at,
               Schedule.spread_seconds, Schedule.condition.is_not(None))
        .where(Schedule.status == ScheduleStatus.ACTIVE, Schedule.next_run_at <= horizon)
        .order_by(Schedule.next_run_at)
        .limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True, of=Schedule)
    return [DueSchedule(*row) for row in session.execute(query)]


_PG_SET_NEXT_RUNS = text("""
    UPDATE schedules SET next_run_at = to_timestamp(t.next_run_at)
    FROM unnest(CAST(:ids AS integer[]), CAST(:nexts AS double precision[])) AS t(id, next_run_at)
    WHERE schedules.id = t.id
""")


def set_next_runs(session: Session, next_runs: Sequence[tuple[int, dt.datetime | None]]) -> None:
    """Move many schedules to their next slot in one statement (PostgreSQL) or one executemany."""
    if not next_runs:
        return
    if session.get_bind().dialect.name == "postgresql":
        # epoch seconds: psycopg sends a float array far faster than a datetime array
        session.execute(_PG_SET_NEXT_RUNS, {"ids": [i for i, _ in next_runs],
                                            "nexts": [n.timestamp() if n else None for _, n in next_runs]})
        return
    session.execute(
        update(Schedule.__table__).where(Schedule.__table__.c.id == bindparam("sid"))
        .values(next_run_at=bindparam("nra")),
        [{"sid": schedule_id, "nra": when} for schedule_id, when in next_runs],
    )

