"""Repository functions for schedules and their destinations. They never commit."""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    Text,
    and_,
    bindparam,
    cast,
    delete,
    func,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from storage.errors import NameTaken
from storage.ids import row_id
from storage.models import (
    FINAL_RUN_STATUSES,
    Destination,
    DestinationKind,
    Run,
    Schedule,
    ScheduleStatus,
)


@dataclass(frozen=True)
class NewDestination:
    kind: str
    target: str
    label: str = ""
    secret: str | None = None  # a webhook's sealed signing secret (storage.sealed), kept with a new row


def name_key(name: str) -> str:
    """Fold a schedule name for lookup and uniqueness: compatibility forms (full-width letters,
    ligatures), case and invisible format characters do not make two names different."""
    folded = unicodedata.normalize("NFKC", name).casefold()
    return " ".join("".join(ch for ch in folded if unicodedata.category(ch) != "Cf").split())


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
    description: str | None = None,
    tags: Sequence[str] = (),
) -> Schedule:
    """Insert a schedule with its destinations; raise `NameTaken` if the name is in use."""
    schedule = Schedule(
        team_id=team_id,
        name=name.strip(),
        name_key=name_key(name),
        description=description or None,
        tags=list(tags),
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
        destinations=[Destination(kind=d.kind, target=d.target, label=d.label, secret=d.secret) for d in destinations],
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
    found = find_schedules(session, ref, team_id=team_id)
    return found[0] if found else None


def find_schedules(session: Session, ref: str, *, team_id: str | None = None, limit: int = 10) -> list[Schedule]:
    """The live schedules `ref` names, in one workspace or (the command line) in all: the one with
    that id if there is one, else those with that name, case-insensitively."""
    ref = ref.strip()
    live = [Schedule.status != ScheduleStatus.DELETED]
    if team_id is not None:
        live.append(Schedule.team_id == team_id)
    schedule_id = row_id(ref)
    if schedule_id is not None:
        found = session.scalar(select(Schedule).where(Schedule.id == schedule_id, *live))
        if found is not None:
            return [found]
    return list(session.scalars(select(Schedule).where(Schedule.name_key == name_key(ref), *live)
                                .order_by(Schedule.team_id, Schedule.id).limit(limit)))


def list_schedules(
    session: Session, team_id: str, *, owner_user_id: str | None = None, limit: int = 100, offset: int = 0,
    tag: str | None = None,
) -> list[Schedule]:
    """List live schedules of a workspace (optionally one owner's, or those tagged `tag`), soonest first."""
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
    if tag is not None:
        # Tags are a short JSON list; matched on the quoted word, then exactly (portable across databases).
        query = query.where(cast(Schedule.tags, Text).contains(f'"{tag}"', autoescape=True))
        return [s for s in session.scalars(query) if tag in (s.tags or [])]
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


def update_schedule(
    session: Session,
    schedule: Schedule,
    *,
    name: str,
    report_type: str,
    params: dict[str, Any],
    formats: Sequence[str],
    cadence_text: str,
    cadence: dict[str, Any],
    timezone: str,
    skip_if_empty: bool,
    next_run_at: dt.datetime | None,
    destinations: Sequence[NewDestination],
    condition: dict[str, Any] | None = None,
    description: str | None = None,
    tags: Sequence[str] = (),
) -> Schedule:
    """Change every editable field of a live schedule (a condition makes it an alert, none a report);
    raise `NameTaken` if the new name is in use."""
    schedule.description = description or None
    schedule.tags = list(tags)
    schedule.report_type = report_type
    schedule.condition = condition
    schedule.params = dict(params)
    schedule.formats = list(formats)
    schedule.cadence_text = cadence_text
    schedule.cadence = cadence
    schedule.timezone = timezone
    schedule.skip_if_empty = skip_if_empty
    schedule.next_run_at = next_run_at
    replace_destinations(schedule, destinations)
    if name_key(name) != schedule.name_key or name.strip() != schedule.name:
        try:
            # A savepoint keeps the caller's transaction usable when the name clashes.
            with session.begin_nested():
                schedule.name = name.strip()
                schedule.name_key = name_key(name)
                session.flush()
        except IntegrityError as exc:
            if "name" in str(exc.orig).lower():
                raise NameTaken(name) from exc
            raise
    session.flush()
    return schedule


def replace_destinations(schedule: Schedule, destinations: Sequence[NewDestination]) -> None:
    """Make the schedule's destinations exactly these, keeping the rows that stay.

    Deleting and re-adding the same target in one flush would trip the unique constraint (the unit
    of work inserts before it deletes), so unchanged destinations keep their rows (and a webhook
    its signing secret: only a newly added one gets the secret given with it).
    """
    wanted = {(d.kind, d.target): d for d in destinations}
    kept = []
    for existing in schedule.destinations:
        new = wanted.pop((existing.kind, existing.target), None)
        if new is not None:
            existing.label = new.label or existing.label
            kept.append(existing)
    schedule.destinations = kept + [Destination(kind=d.kind, target=d.target, label=d.label, secret=d.secret)
                                    for d in wanted.values()]


def mark_deleted(schedule: Schedule) -> None:
    """Delete a schedule the way people expect: gone from every list, its history kept for audit."""
    schedule.status = ScheduleStatus.DELETED
    schedule.next_run_at = None


def count_live_schedules(session: Session, team_id: str, *, owner_user_id: str | None = None) -> int:
    """How many schedules that still exist a workspace (or one owner in it) has."""
    query = select(func.count()).select_from(Schedule).where(
        Schedule.team_id == team_id, Schedule.status != ScheduleStatus.DELETED)
    if owner_user_id is not None:
        query = query.where(Schedule.owner_user_id == owner_user_id)
    return session.scalar(query) or 0


def live_schedule_names(session: Session, team_id: str, *, owner_user_id: str | None = None) -> list[tuple[int, str]]:
    """(id, name) of the workspace's live schedules (optionally one owner's), for suggestions."""
    query = select(Schedule.id, Schedule.name).where(Schedule.team_id == team_id,
                                                     Schedule.status != ScheduleStatus.DELETED)
    if owner_user_id is not None:
        query = query.where(Schedule.owner_user_id == owner_user_id)
    return [(row.id, row.name) for row in session.execute(query.order_by(Schedule.id))]


def lock_schedule(session: Session, schedule_id: int) -> Schedule | None:
    """Lock a schedule's row for this transaction (PostgreSQL; SQLite already serialises writers).

    Taken while deciding whether a run may start generating, so two workers handed runs of the
    same schedule cannot both see "nothing running" and both start.
    """
    query = select(Schedule).where(Schedule.id == schedule_id)
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update()
    return session.scalar(query)


def schedule_counts_by_status(session: Session) -> dict[str, int]:
    """How many schedules are in each status."""
    return dict(session.execute(select(Schedule.status, func.count()).group_by(Schedule.status)).all())


def count_due_before(session: Session, when: dt.datetime) -> int:
    """Active schedules due at or before `when`."""
    return session.scalar(select(func.count()).select_from(Schedule).where(
        Schedule.status == ScheduleStatus.ACTIVE, Schedule.next_run_at <= when)) or 0


def schedules_sent_to(session: Session, team_id: str, user_id: str) -> list[Schedule]:
    """Live schedules of others that DM this person."""
    query = (select(Schedule).join(Destination)
             .where(Schedule.team_id == team_id, Schedule.status != ScheduleStatus.DELETED,
                    Schedule.owner_user_id != user_id,
                    Destination.kind == DestinationKind.SLACK_USER, Destination.target == user_id)
             .order_by(Schedule.id))
    return list(session.scalars(query).unique())


def schedules_that_may_reach(session: Session, team_id: str, user_id: str, *, limit: int = 200) -> list[Schedule]:
    """Live schedules that DM this person or post in some channel, soonest first: the candidates for
    "what do I get" (whether the person is in those channels is for Slack to say)."""
    reaching = select(Destination.schedule_id).where(or_(
        and_(Destination.kind == DestinationKind.SLACK_USER, Destination.target == user_id),
        Destination.kind == DestinationKind.SLACK_CHANNEL))
    query = (select(Schedule)
             .where(Schedule.team_id == team_id, Schedule.status != ScheduleStatus.DELETED, Schedule.id.in_(reaching))
             .options(selectinload(Schedule.destinations))
             .order_by(Schedule.next_run_at.is_(None), Schedule.next_run_at, Schedule.id).limit(limit))
    return list(session.scalars(query))


def drop_destination(schedule: Schedule, kind: str, target: str) -> bool:
    """Remove one destination from a loaded schedule; True when it was there."""
    kept = [d for d in schedule.destinations if not (d.kind == kind and d.target == target)]
    removed = len(kept) != len(schedule.destinations)
    schedule.destinations = kept
    return removed


def pause_for(schedule: Schedule, reason: str) -> None:
    """Pause a schedule on its own account, saying why (its owner resumes it after fixing that)."""
    schedule.status = ScheduleStatus.PAUSED
    schedule.next_run_at = None
    schedule.paused_reason = reason


def settled_preview_ids(session: Session, *, name_prefix: str, created_before: dt.datetime,
                        limit: int) -> list[int]:
    """Hidden preview schedules older than `created_before` whose runs have all finished."""
    unfinished = (select(Run.id).where(Run.schedule_id == Schedule.id, Run.status.not_in(list(FINAL_RUN_STATUSES)))
                  .exists())
    query = (select(Schedule.id).where(Schedule.status == ScheduleStatus.DELETED, Schedule.name.startswith(name_prefix),
                                       Schedule.created_at < created_before, ~unfinished)
             .order_by(Schedule.id).limit(limit))
    return list(session.scalars(query))


def delete_schedules(session: Session, schedule_ids: Sequence[int]) -> None:
    """Remove these schedules for good; their runs, deliveries and artifacts rows cascade."""
    if schedule_ids:
        session.execute(delete(Schedule).where(Schedule.id.in_(list(schedule_ids))))
