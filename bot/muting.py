"""A person who gets someone else's report by DM can stop it for themselves ("Stop sending me this",
`/report mute`, or every report others own: `/report mute all`). Their DM destination goes, the mute
is remembered so nobody adds them back, the owner is told, and a schedule left with no destination
pauses itself saying why instead of failing every run."""

from __future__ import annotations

from dataclasses import dataclass

from slack_sdk import WebClient

from bot.deps import BotDeps
from bot.respond import direct_message
from jobs.views.blocks import escape
from storage import mutes
from storage.audit import record
from storage.models import DestinationKind, Schedule, ScheduleStatus
from storage.schedules import drop_destination, pause_for, schedules_sent_to


@dataclass(frozen=True)
class _Stopped:
    schedule_id: int
    name: str
    owner_user_id: str
    paused: bool


def _stop_one(session, schedule: Schedule, user_id: str, surface: str) -> _Stopped | None:
    """Drop the person's DM destination from one schedule; None when it did not DM them."""
    if not drop_destination(schedule, DestinationKind.SLACK_USER, user_id):
        return None
    paused = not schedule.destinations and schedule.status == ScheduleStatus.ACTIVE
    if paused:
        pause_for(schedule, f"its last recipient, <@{user_id}>, asked to stop getting it")
    record(session, team_id=schedule.team_id, schedule_id=schedule.id, actor=user_id, action="mute", surface=surface,
           details={"paused": paused})
    return _Stopped(schedule.id, schedule.name, schedule.owner_user_id, paused)


def _tell_owners(client: WebClient, user_id: str, stopped: list[_Stopped]) -> None:
    for item in stopped:
        text = f"<@{user_id}> asked to stop getting *{escape(item.name)}* by DM, so I removed them from it."
        if item.paused:
            text += " It has no other destination now, so I paused it; add one and resume it to go on."
        direct_message(client, item.owner_user_id, text)


def mute_schedule(deps: BotDeps, client: WebClient, schedule: Schedule, user_id: str, *, surface: str) -> str:
    """Stop this schedule for the person; return what to tell them."""
    if schedule.owner_user_id == user_id:
        return f"You own “{escape(schedule.name)}”: pause it, or edit its destinations, instead."
    with deps.jobs.database.session() as session:
        live = session.get(Schedule, schedule.id)
        mutes.mute(session, live.team_id, user_id, live.id)
        stopped = _stop_one(session, live, user_id, surface)
        channels = [d.label or d.target for d in live.destinations if d.kind == DestinationKind.SLACK_CHANNEL]
    if stopped is not None:
        _tell_owners(client, user_id, [stopped])
    text = f"🔕 You won't get “{escape(schedule.name)}” by DM any more; its owner can't add you back."
    if channels:
        text += (f" It is still posted in {', '.join(escape(c) for c in channels)}: mute the channel or ask "
                 f"<@{schedule.owner_user_id}> if you want it gone from there.")
    return text + " `/report unmute " + escape(schedule.name) + "` undoes this."


def mute_everything(deps: BotDeps, client: WebClient, team_id: str, user_id: str, *, surface: str) -> str:
    """Stop every report someone else owns from reaching the person by DM, now and later."""
    with deps.jobs.database.session() as session:
        mutes.mute(session, team_id, user_id, None)
        stopped = [s for s in (_stop_one(session, schedule, user_id, surface)
                               for schedule in schedules_sent_to(session, team_id, user_id)) if s]
    _tell_owners(client, user_id, stopped)
    names = ", ".join(f"“{escape(s.name)}”" for s in stopped[:10]) + (" …" if len(stopped) > 10 else "")
    done = f" I removed you from {names}." if stopped else ""
    return (f"🔕 Nobody can send you reports by DM any more, except your own.{done} "
            "`/report unmute all` undoes this.")


def unmute(deps: BotDeps, team_id: str, user_id: str, schedule: Schedule | None) -> str:
    """Take a mute back (the owner adds the person again if they want)."""
    with deps.jobs.database.session() as session:
        removed = mutes.unmute(session, team_id, user_id, schedule.id if schedule else None)
    what = f"“{escape(schedule.name)}”" if schedule else "reports from others"
    if not removed:
        return f"You had not muted {what}."
    return f"🔔 You can get {what} by DM again; their owners add you back when they want to."
