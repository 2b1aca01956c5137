"""Talking to the bot: mentions and DMs in plain words. It answers with what it understood and
buttons to confirm or open the form prefilled; it changes nothing until a button is clicked."""

from __future__ import annotations

import re
from dataclasses import replace

from slack_bolt import App, BoltContext
from slack_sdk import WebClient

from bot.acting import Need, acting_on
from bot.after_ack import after_ack
from bot.app_home import refresh_home
from bot.create_flow import form_from_words, problems_text
from bot.deps import BotDeps, deps_of
from bot.errors import FormErrors
from bot.forms import ScheduleForm
from bot.intents import Intent, target_variants, understand
from bot.lookup import user_timezone
from bot.metadata import ChatRequest, ModalMeta
from bot.oneliner import parse_one_liner
from bot.people import person
from bot.respond import Where, answer, where_from_action, where_from_event
from bot.run_requests import run_schedule
from bot.schedule_info import detail_reply, history_text
from bot.schedule_modal import open_schedule_modal
from bot.schedules import (
    create,
    delete,
    find_or_explain,
    list_for,
    set_paused,
)
from bot.validation import clean_text, validate_form
from bot.views import chat as chat_replies
from bot.views.replies import Reply, saved, schedule_list
from jobs.slack_ids import ChatActions, ModalBlocks
from jobs.slots import compiled_cadence
from jobs.views.blocks import escape
from jobs.views.cadence_words import describe_cadence
from jobs.views.time_words import format_local, relative
from reports.registry import all_report_types, get_report_type
from storage.errors import NotFound
from storage.models import Schedule, ScheduleStatus

CONFIRM_LABELS = {"pause": "Pause it", "resume": "Resume it", "run": "Run it now", "delete": "Delete it"}


def find_named(deps: BotDeps, team_id: str, target: str) -> Schedule:
    """The schedule a person named in passing ("the weekly sales report"), or NotFound."""
    first_error: NotFound | None = None
    for variant in target_variants(target):
        try:
            return find_or_explain(deps, team_id, variant, example="pause weekly sales")
        except NotFound as exc:
            first_error = first_error or exc
    raise first_error or NotFound("Which schedule? Say its name, e.g. “pause weekly sales”.")


def _tidy_name(name: str) -> tuple[str, str | None]:
    """"the demo sales report" → ("Demo sales report", "demo_sales"): the name, and a report type it mentions."""
    name = re.sub(r"^(?:the|a|an|our|my)\s+", "", name.strip(" \"“”'‘’"), flags=re.I)
    lowered = name.lower()
    report = next((t.name for t in all_report_types()
                   if t.title.lower() in lowered or t.name.replace("_", " ") in lowered), None)
    return (name[:1].upper() + name[1:]) if name else "", report


def _next_run(deps: BotDeps, schedule: Schedule) -> str:
    if schedule.status != ScheduleStatus.ACTIVE:
        return f"“{escape(schedule.name)}” is paused, so it won't run until it is resumed."
    runs = compiled_cadence(schedule.cadence).next_runs(deps.jobs.now(), 3)
    if not runs:
        return f"“{escape(schedule.name)}” has no more runs: its schedule has ended."
    later = ", then " + " and ".join(format_local(w, schedule.timezone) for w in runs[1:]) if len(runs) > 1 else ""
    return (f"“{escape(schedule.name)}” runs next on *{format_local(runs[0], schedule.timezone)}* "
            f"({relative(runs[0], deps.jobs.now())}){later}. ({describe_cadence(schedule)})")


def _create_reply(deps: BotDeps, client: WebClient, where: Where, words: str) -> Reply:
    parsed = parse_one_liner(clean_text(words, 1000))
    form, errors = form_from_words(client, parsed)
    name, mentioned_type = _tidy_name(form.name)
    form = replace(form, name=name, report_type=form.report_type or mentioned_type or "",
                   timezone=user_timezone(client, where.user_id))
    if not form.name and form.report_type:
        form.name = get_report_type(form.report_type).title
    if not (form.channels or form.people or form.emails) and where.channel_id and not where.is_dm:
        form.channels.append(where.channel_id)  # "send … every monday" said in #sales means #sales
    request = ChatRequest("create", draft=form.to_dict())
    try:
        if errors:
            raise FormErrors(errors)
        valid = validate_form(deps, client, person=person(deps, client, where.team_id, where.user_id), form=form,
                              join=False)
    except FormErrors as exc:
        has_destination = bool(form.channels or form.people or form.emails)
        missing = [m for m in parsed.missing
                   if not (m == "a name" and form.name) and not (m == "where it goes" and has_destination)]
        errors = {k: v for k, v in exc.errors.items() if not ("where it goes" in missing and k == ModalBlocks.CHANNELS)}
        problem = " ".join(filter(None, [f"I still need {' and '.join(missing)}." if missing else "",
                                         problems_text(errors)]))
        where_to = [f"<#{c}>" for c in form.channels] + [f"<@{p}>" for p in form.people] + form.emails
        summary = [f"Name: {form.name or '—'}", f"When: {form.cadence_text or '—'}",
                   f"Where: {', '.join(where_to) or '—'}"]
        return chat_replies.understood_create(summary, problem, request)
    upcoming = valid.cadence.next_runs(deps.jobs.now(), 1)
    summary = [f"Name: {escape(valid.name)}", f"Report: {get_report_type(valid.report_type).title}",
               f"When: {valid.cadence.describe()} (next: {format_local(upcoming[0], valid.timezone) if upcoming else 'never'})",
               f"Where: {', '.join(d.label for d in valid.destinations)}",
               f"Formats: {', '.join(f.upper() for f in valid.formats)}"]
    return chat_replies.understood_create(summary, None, request)


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
    if intent.kind == "create":
        return _create_reply(deps, client, where, intent.words)
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
        "resume": f"Resume *{escape(schedule.name)}*? It will run {describe_cadence(schedule).lower()}, starting from now.",
        "run": f"Run *{escape(schedule.name)}* now? It will be posted to {where_to}.",
        "delete": f"Delete *{escape(schedule.name)}*? It stops for good and disappears from every list.",
    }[intent.kind]
    return chat_replies.confirmation(f"Here's what I understood: {question}", ChatRequest(intent.kind, schedule.id),
                                     CONFIRM_LABELS[intent.kind], danger=intent.kind == "delete")


def _confirmed(deps: BotDeps, client: WebClient, where: Where, request: ChatRequest) -> None:
    if request.op == "create":
        form = ScheduleForm.from_dict(request.draft)
        try:
            valid = validate_form(deps, client, person=person(deps, client, where.team_id, where.user_id),
                                  form=form)
            result = create(deps, valid, team_id=where.team_id, user_id=where.user_id, surface="chat",
                            source=f"chat: {form.name}")
        except FormErrors as exc:
            reply = chat_replies.confirmation(f"⚠️ {problems_text(exc.errors)}", None, None, form_request=request)
            answer(client, where, reply.text, reply.blocks, replace_clicked=True)
            return
        refresh_home(deps, client, where.team_id, where.user_id)
        answer(client, where, saved(result), replace_clicked=True)
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
