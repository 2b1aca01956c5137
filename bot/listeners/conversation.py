"""Talking to the bot: mentions and DMs in plain words. It answers with what it understood and
buttons to confirm or open the form prefilled; it changes nothing until a button is clicked
(read-only questions — lists, what reaches me, details, history, next run — are answered at once)."""

from __future__ import annotations

from slack_bolt import App, BoltContext
from slack_sdk import WebClient

from bot.acting import Need, acting_on
from bot.after_ack import after_ack
from bot.app_home import refresh_home
from bot.chat_create import confirm_create, create_reply
from bot.chat_mute import mute_all_question, mute_question, received_reply
from bot.deps import BotDeps, deps_of
from bot.forms import ScheduleForm
from bot.intents import Intent, understand
from bot.metadata import ChatRequest, ModalMeta
from bot.muting import mute_everything, mute_schedule
from bot.respond import Where, answer, where_from_action, where_from_event
from bot.run_requests import run_schedule
from bot.schedule_info import detail_reply, history_text
from bot.schedule_modal import open_schedule_modal
from bot.schedules import delete, find_named, get_live, list_for, set_paused
from bot.validation import clean_text
from bot.views import chat as chat_replies
from bot.views.replies import Reply, schedule_list
from jobs.slack_ids import ChatActions
from jobs.slots import compiled_cadence
from jobs.views.blocks import escape
from jobs.views.cadence_words import describe_cadence
from jobs.views.time_words import format_local, relative
from storage.models import Schedule, ScheduleStatus

CONFIRM_LABELS = {"pause": "Pause it", "resume": "Resume it", "run": "Run it now", "delete": "Delete it"}


def _next_run(deps: BotDeps, schedule: Schedule) -> str:
    if schedule.status != ScheduleStatus.ACTIVE:
        return f"“{escape(schedule.name)}” is paused, so it won't run until it is resumed."
    runs = compiled_cadence(schedule.cadence).next_runs(deps.jobs.now(), 3)
    if not runs:
        return f"“{escape(schedule.name)}” has no more runs: its schedule has ended."
    later = ", then " + " and ".join(format_local(w, schedule.timezone) for w in runs[1:]) if len(runs) > 1 else ""
    return (f"“{escape(schedule.name)}” runs next on *{format_local(runs[0], schedule.timezone)}* "
            f"({relative(runs[0], deps.jobs.now())}){later}. ({describe_cadence(schedule)})")


def reply_to(deps: BotDeps, client: WebClient, where: Where, intent: Intent) -> Reply:
    """What to say to one request (read-only answers directly, changes as a confirmation)."""
    if intent.kind == "greeting":
        return chat_replies.intro()
    if intent.kind == "help":
        return chat_replies.chat_help()
    if intent.kind == "unknown":
        return chat_replies.intro(intent.words)
    if intent.kind == "list":
        return Reply(schedule_list(list_for(deps, where.team_id, where.user_id)))
    if intent.kind == "received":
        return received_reply(deps, client, where)
    if intent.kind == "create":
        return create_reply(deps, client, where, intent.words)
    if intent.kind == "mute_all":
        return mute_all_question(deps, where)
    if intent.kind == "mute":
        return mute_question(deps, client, where, intent.target)
    named = find_named(deps, where.team_id, intent.target)
    if intent.kind in ("next_run", "show", "history"):
        acting = acting_on(deps, client, where, named, Need.READ)
        if intent.kind == "next_run":
            return Reply(_next_run(deps, acting.schedule))
        if intent.kind == "show":
            return detail_reply(deps, acting.schedule, acting.access)
        return Reply(history_text(deps, client, acting.schedule, acting.access))
    schedule = acting_on(deps, client, where, named, Need.RUN if intent.kind == "run" else Need.CHANGE).schedule
    where_to = ", ".join(d.label or d.target for d in schedule.destinations) or "its destinations"
    question = {
        "pause": f"Pause *{escape(schedule.name)}* ({describe_cadence(schedule)})? It won't run until you resume it.",
        "resume": f"Resume *{escape(schedule.name)}*? "
                  f"It will run {describe_cadence(schedule).lower()}, starting from now.",
        "run": f"Run *{escape(schedule.name)}* now? It will be posted to {escape(where_to)}.",
        "delete": f"Delete *{escape(schedule.name)}*? It stops for good and disappears from every list.",
    }[intent.kind]
    return chat_replies.confirmation(f"Here's what I understood: {question}", ChatRequest(intent.kind, schedule.id),
                                     CONFIRM_LABELS[intent.kind], danger=intent.kind == "delete")


def _confirmed(deps: BotDeps, client: WebClient, where: Where, request: ChatRequest) -> None:
    if request.op == "create":
        confirm_create(deps, client, where, request)
        return
    if request.op == "mute_all":
        text = mute_everything(deps, client, where.team_id, where.user_id, surface="chat")
        answer(client, where, text, replace_clicked=True)
        return
    if request.op == "mute":  # anyone may stop what reaches them (bot.muting says what that did)
        schedule = get_live(deps, where.team_id, request.schedule_id or 0)
        answer(client, where, mute_schedule(deps, client, schedule, where.user_id, surface="chat"),
               replace_clicked=True)
        return
    need = Need.RUN if request.op == "run" else Need.CHANGE
    schedule = acting_on(deps, client, where, request.schedule_id or 0, need).schedule
    if request.op == "run":
        refusal = run_schedule(deps, client, where, schedule)
        if refusal:
            answer(client, where, refusal, replace_clicked=True)
        return
    if request.op == "delete":
        text = delete(deps, schedule.id, where.user_id, surface="chat")
    else:
        text = set_paused(deps, schedule.id, where.user_id, paused=request.op == "pause", surface="chat")
    refresh_home(deps, client, where.team_id, where.user_id, schedule.owner_user_id)
    answer(client, where, text, replace_clicked=True)


def _converse(context: BoltContext, client: WebClient, where: Where, text: str) -> None:
    deps = deps_of(context)
    reply = reply_to(deps, client, where, understand(clean_text(text, 4000), context.bot_user_id))
    answer(client, where, reply.text, reply.blocks or None)


def handle_mention(event: dict, context: BoltContext, client: WebClient) -> None:
    if event.get("bot_id") or event.get("subtype"):
        return
    _converse(context, client, where_from_event(event, context.team_id or ""), event.get("text") or "")


def handle_direct_message(event: dict, context: BoltContext, client: WebClient) -> None:
    # Only people's own messages in the DM with the app; edits, joins and bots are not requests.
    if event.get("channel_type") != "im" or event.get("subtype") or event.get("bot_id"):
        return
    _converse(context, client, where_from_event(event, context.team_id or ""), event.get("text") or "")


def handle_chat_confirm(ack, body: dict, client: WebClient, action: dict, context: BoltContext) -> None:
    ack()
    _confirmed(deps_of(context), client, where_from_action(body), ChatRequest.loads(action.get("value")))


def handle_chat_open_form(ack, body: dict, client: WebClient, action: dict, context: BoltContext) -> None:
    ack()
    where = where_from_action(body)
    form = ScheduleForm.from_dict(ChatRequest.loads(action.get("value")).draft)
    if not open_schedule_modal(deps_of(context), client, trigger_id=body.get("trigger_id", ""), team_id=where.team_id,
                               user_id=where.user_id, form=form, meta=ModalMeta(channel_id=where.channel_id)):
        answer(client, where, "I couldn't open the form just now; type `/report` to open it.")


def handle_chat_cancel(ack, body: dict, client: WebClient) -> None:
    ack()
    answer(client, where_from_action(body), "OK — I left everything as it was.", replace_clicked=True)


def register(app: App) -> None:
    app.event("app_mention")(handle_mention)
    app.event("message")(handle_direct_message)
    app.action(ChatActions.CONFIRM)(after_ack(handle_chat_confirm))
    app.action(ChatActions.OPEN_MODAL)(after_ack(handle_chat_open_form))
    app.action(ChatActions.CANCEL)(after_ack(handle_chat_cancel))
