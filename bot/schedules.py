"""Schedule services for the Slack surface: create, find, list, pause, resume, run now."""

from __future__ import annotations

import datetime as dt
import difflib
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from slack_sdk import WebClient

from bot.deps import BotDeps
from bot.errors import BadInput, NotFound, PermissionDenied
from bot.lookup import is_channel_member, resolve_channel, resolve_user, user_timezone
from bot.oneliner import parse_one_liner
from jobs.cadence import CadenceError, parse
from jobs.trigger import AlreadyRunning, run_now
from reports.errors import ReportError
from reports.registry import get_report_type
from reports.renderers import available_formats
from storage import schedules as schedule_repo
from storage.audit import record
from storage.errors import NameTaken
from storage.models import DestinationKind, Schedule, ScheduleStatus
from storage.schedules import NewDestination

DEFAULT_REPORT_TYPE = "demo_sales"


@dataclass(frozen=True)
class Created:
    schedule_id: int
    name: str
    sentence: str
    destinations: list[str]
    next_runs: list[dt.datetime]
    timezone: str


def format_local(when: dt.datetime, timezone: str) -> str:
    return when.astimezone(ZoneInfo(timezone)).strftime("%a %d %b %Y %H:%M %Z")


def create_from_one_liner(deps: BotDeps, client: WebClient, *, team_id: str, user_id: str, text: str,
                          surface: str = "slash_command") -> Created:
    """Create a schedule from `/report new …` text, or raise a UserFacingError saying what is wrong."""
    parsed = parse_one_liner(text)
    if parsed.missing:
        raise BadInput(
            f"I still need {' and '.join(parsed.missing)}. For example: "
            "`/report new \"Daily sales\" every day at 9am in #sales`"
        )
    if len(parsed.name) > 200:
        raise BadInput("That name is too long; keep it under 200 characters.")
    user_tz = user_timezone(client, user_id)
    try:
        cadence = parse(parsed.cadence_text, user_tz)
    except CadenceError as exc:
        raise BadInput(str(exc)) from None
    report_name = parsed.report_type or DEFAULT_REPORT_TYPE
    try:
        report = get_report_type(report_name)
    except ReportError as exc:
        raise BadInput(str(exc)) from None
    formats = parsed.formats or list(report.default_formats)
    unknown = [f for f in formats if f not in available_formats()]
    if unknown:
        raise BadInput(f"I can't produce {', '.join(unknown)} yet. Formats: {', '.join(available_formats())}.")
    destinations = [_destination(client, ref, user_id) for ref in parsed.destinations]
    now = deps.jobs.now()
    next_runs = cadence.next_runs(now, 3)
    with deps.jobs.database.session() as session:
        try:
            schedule = schedule_repo.create_schedule(
                session, team_id=team_id, name=parsed.name, owner_user_id=user_id, report_type=report.name,
                cadence_text=parsed.cadence_text, cadence=cadence.to_json(), timezone=cadence.timezone,
                next_run_at=next_runs[0] if next_runs else None, destinations=destinations, formats=formats,
            )
        except NameTaken as exc:
            raise BadInput(str(exc)) from None
        record(session, team_id=team_id, schedule_id=schedule.id, actor=user_id, action="create", surface=surface,
               details={"text": text[:2000]})
        schedule_id = schedule.id
    return Created(schedule_id, parsed.name, cadence.describe(), [d.label for d in destinations], next_runs,
                   cadence.timezone)


def _destination(client: WebClient, ref, user_id: str) -> NewDestination:
    if ref.kind == "channel":
        channel = resolve_channel(client, ref)
        if not is_channel_member(client, channel.id, user_id):
            raise PermissionDenied(f"You can only schedule reports into channels you are a member of, "
                                   f"and you are not in #{channel.name}.")
        return NewDestination(DestinationKind.SLACK_CHANNEL, channel.id, f"#{channel.name}")
    if ref.kind == "user":
        user = resolve_user(client, ref)
        return NewDestination(DestinationKind.SLACK_USER, user.id, f"@{user.name}")
    return NewDestination(DestinationKind.EMAIL, ref.name, ref.name)


def find_or_explain(deps: BotDeps, team_id: str, ref: str) -> Schedule:
    """Find a schedule by id or name, or raise NotFound with a "did you mean" when close."""
    if not ref.strip():
        raise BadInput("Which schedule? Give its name or number, e.g. `/report run daily sales`.")
    with deps.jobs.database.session() as session:
        schedule = schedule_repo.find_schedule(session, team_id, ref)
        if schedule is not None:
            schedule.destinations  # load before the session closes
            return schedule
        names = schedule_repo.schedule_names(session, team_id)
    close = difflib.get_close_matches(ref.strip().lower(), [n.lower() for n in names], n=1, cutoff=0.6)
    hint = f" Did you mean “{next(n for n in names if n.lower() == close[0])}”?" if close else ""
    raise NotFound(f"I couldn't find a schedule called “{ref.strip()}”.{hint} `/report list` shows yours.")


def ensure_can_change(deps: BotDeps, schedule: Schedule, user_id: str) -> None:
    """Only the owner or a workspace admin may change, run or delete a schedule."""
    if schedule.owner_user_id != user_id and not deps.is_admin(user_id):
        raise PermissionDenied(f"Only <@{schedule.owner_user_id}> (the owner) or a workspace admin can do that "
                               f"to “{schedule.name}”.")


def list_for(deps: BotDeps, team_id: str, user_id: str) -> list[Schedule]:
    with deps.jobs.database.session() as session:
        schedules = schedule_repo.list_schedules(session, team_id, owner_user_id=user_id)
        return schedules


def start_run(deps: BotDeps, schedule: Schedule, user_id: str, surface: str) -> str:
    """Run a schedule now; return the message for the user."""
    ensure_can_change(deps, schedule, user_id)
    outcome = run_now(deps.jobs, schedule, user_id=user_id, surface=surface, enqueue=deps.enqueue)
    if isinstance(outcome, AlreadyRunning):
        return f"“{schedule.name}” is already running (run {outcome.run_id}, {outcome.status}); I'll post it when it's done."
    return f"Generating “{schedule.name}” now (run {outcome.run_id}). It will be posted to its destinations shortly."


def set_paused(deps: BotDeps, schedule: Schedule, user_id: str, *, paused: bool, surface: str) -> str:
    """Pause or resume; resume continues from now, with no catch-up for the paused time."""
    ensure_can_change(deps, schedule, user_id)
    from jobs.slots import compiled_cadence

    with deps.jobs.database.session() as session:
        live = session.get(Schedule, schedule.id)
        if paused:
            if live.status == ScheduleStatus.PAUSED:
                return f"“{live.name}” is already paused."
            live.status = ScheduleStatus.PAUSED
            message = f"Paused “{live.name}”. Resume it with `/report resume {live.name}`."
        else:
            if live.status == ScheduleStatus.ACTIVE:
                return f"“{live.name}” is already active."
            live.status = ScheduleStatus.ACTIVE
            live.consecutive_failures = 0
            live.next_run_at = compiled_cadence(live.cadence).next_run(deps.jobs.now())
            when = format_local(live.next_run_at, live.timezone) if live.next_run_at else "never (the schedule has ended)"
            message = f"Resumed “{live.name}”. Next run: {when}."
        record(session, team_id=live.team_id, schedule_id=live.id, actor=user_id,
               action="pause" if paused else "resume", surface=surface)
    return message
