"""What reaches a person, in plain words: "what reports do I get?" and "stop sending me …".

The list is answered at once; a mute is asked first with a button (bot.muting does it). Someone's
own schedule is offered a pause instead, which stops it for everyone."""

from __future__ import annotations

from functools import cache

from slack_sdk import WebClient

from bot.deps import BotDeps
from bot.lookup import is_channel_member
from bot.metadata import ChatRequest
from bot.people import receives
from bot.respond import Where
from bot.schedules import find_named
from bot.views import chat as chat_replies
from bot.views.replies import Reply
from jobs.views.blocks import escape
from jobs.views.cadence_words import describe_cadence
from jobs.views.time_words import format_local
from storage.models import DestinationKind, Schedule, ScheduleStatus
from storage.schedules import schedules_sent_to, schedules_that_may_reach


def _dms(schedule: Schedule, user_id: str) -> bool:
    return any(d.kind == DestinationKind.SLACK_USER and d.target == user_id for d in schedule.destinations)


def received_reply(deps: BotDeps, client: WebClient, where: Where) -> Reply:
    """The schedules that reach the person: by DM, or posted in a channel they are in."""
    with deps.jobs.database.session() as session:
        candidates = schedules_that_may_reach(session, where.team_id, where.user_id)
    in_channel = cache(lambda channel_id: is_channel_member(client, channel_id, where.user_id))  # once per channel
    lines = [_received_line(s, where.user_id) for s in candidates
             if receives(client, s, where.user_id, in_channel=in_channel)]
    return chat_replies.received(lines)


def _received_line(schedule: Schedule, user_id: str) -> str:
    """One schedule as someone it reaches sees it: what, when, how it reaches them, and whose it is."""
    how = ["by DM"] if _dms(schedule, user_id) else []
    how += [f"in {escape(d.label or d.target)}" for d in schedule.destinations
            if d.kind == DestinationKind.SLACK_CHANNEL]
    kind = "🔔 alert" if schedule.condition is not None else "report"
    if schedule.status == ScheduleStatus.ACTIVE and schedule.next_run_at:
        when = f"next {format_local(schedule.next_run_at, schedule.timezone)}"
    else:
        when = "paused"
    owner = "yours" if schedule.owner_user_id == user_id else f"from <@{schedule.owner_user_id}>"
    return (f"*{escape(schedule.name)}* ({kind}) — {describe_cadence(schedule)}, {', '.join(how)} · {when} · "
            f"{owner}")


def mute_question(deps: BotDeps, client: WebClient, where: Where, target: str) -> Reply:
    """"stop sending me weekly sales": ask before muting it; say why not when there is nothing to stop."""
    schedule = find_named(deps, where.team_id, target)
    name = escape(schedule.name)
    if schedule.owner_user_id == where.user_id:
        return chat_replies.confirmation(
            f"You own *{name}*, so there is nobody to ask: shall I pause it? It stops for everyone it reaches "
            f"until you resume it.", ChatRequest("pause", schedule.id), "Pause it")
    if _dms(schedule, where.user_id):
        return chat_replies.confirmation(
            f"Here's what I understood: stop sending you *{name}* by DM? <@{schedule.owner_user_id}> (its owner) "
            f"will be told, and nobody can add you back until you say `/report unmute {name}`.",
            ChatRequest("mute", schedule.id), "Stop sending it")
    if receives(client, schedule, where.user_id):
        channels = ", ".join(escape(d.label or d.target) for d in schedule.destinations
                             if d.kind == DestinationKind.SLACK_CHANNEL)
        return Reply(f"*{name}* doesn't come to you by DM: it is posted in {channels}. Mute the channel in Slack, "
                     f"or ask <@{schedule.owner_user_id}> (its owner) to change where it goes.")
    return Reply(f"*{name}* isn't sent to you, so there is nothing to stop.")


def mute_all_question(deps: BotDeps, where: Where) -> Reply:
    """"stop sending me reports": ask before muting every report others send the person by DM."""
    with deps.jobs.database.session() as session:
        names = [s.name for s in schedules_sent_to(session, where.team_id, where.user_id)]
    later = "Nobody can send you reports by DM after that, except yourself, until you say `/report unmute all`."
    if not names:
        question = f"Nobody sends you reports by DM right now. Shall I stop anyone from doing it? {later}"
    else:
        listed = ", ".join(f"*{escape(n)}*" for n in names[:10]) + (f" and {len(names) - 10} more" if len(names) > 10
                                                                    else "")
        question = (f"Here's what I understood: stop every report others send you by DM? That's {listed}; "
                    f"their owners will be told. {later}")
    return chat_replies.confirmation(question, ChatRequest("mute_all"), "Stop them all", danger=True)
