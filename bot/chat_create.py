"""A new report or alert asked for in plain words: read back, and created only when the person confirms.

"send me demo sales every day at 8am", "tell me in #ops when revenue drops below 10k": what was
understood, an alert with its condition's value now."""

from __future__ import annotations

import re
from dataclasses import replace

from slack_sdk import WebClient

from bot.alert_condition import bind_for_save, check_form_condition, problem_text
from bot.app_home import refresh_home
from bot.create_flow import form_from_words, problems_text, read_words
from bot.deps import BotDeps
from bot.errors import FormErrors
from bot.forms import ScheduleForm
from bot.lookup import user_timezone
from bot.metadata import ChatRequest
from bot.people import person
from bot.respond import Where, answer
from bot.schedules import create
from bot.validation import clean_text, validate_form
from bot.views import chat as chat_replies
from bot.views.replies import Reply, saved
from jobs.periods import schedule_setting
from jobs.slack_ids import ModalBlocks
from jobs.views.blocks import escape
from jobs.views.period_words import period_sentence
from jobs.views.time_words import NEXT_RUNS_SHOWN, next_runs_lines
from reports.conditions import ConditionError
from reports.errors import ReportError
from reports.registry import all_report_types, get_report_type


def tidy_name(name: str) -> tuple[str, str | None]:
    """"the demo sales report" → ("Demo sales report", "demo_sales"): the name, and a report type it mentions."""
    name = re.sub(r"^(?:the|a|an|our|my)\s+", "", name.strip(" \"“”'‘’"), flags=re.I)
    lowered = name.lower()
    report = next((t.name for t in all_report_types()
                   if t.title.lower() in lowered or t.name.replace("_", " ") in lowered), None)
    return (name[:1].upper() + name[1:]) if name else "", report


def create_reply(deps: BotDeps, client: WebClient, where: Where, words: str) -> Reply:
    """What the bot understood of a request for a new schedule, with Create / Open the form buttons."""
    parsed = read_words(clean_text(words, 1000), deps.jobs.now())
    form, errors = form_from_words(client, parsed, where.user_id)
    name, mentioned_type = tidy_name(form.name)
    form = replace(form, name=name, report_type=form.report_type or mentioned_type or "",
                   timezone=user_timezone(client, where.user_id))
    if not form.name and form.report_type:
        form.name = get_report_type(form.report_type).title
    if not (form.channels or form.people or form.emails) and where.channel_id and not where.is_dm:
        form.channels.append(where.channel_id)  # "send … every monday" said in #sales means #sales
    request = ChatRequest("create", draft=form.to_dict())
    who = person(deps, client, where.team_id, where.user_id)
    try:
        if errors:
            raise FormErrors(errors)
        valid = validate_form(deps, client, person=who, form=form, join=False)
        checked = check_form_condition(deps, client, who, form) if valid.condition_words else None
    except FormErrors as exc:
        return _incomplete(form, parsed.missing, exc.errors, request)
    except (ConditionError, ReportError) as exc:
        return _incomplete(form, [], {ModalBlocks.CONDITION: problem_text(exc).removeprefix("⚠️ ")}, request)
    now = deps.jobs.now()
    summary = [f"Name: {escape(valid.name)}", f"Report: {get_report_type(valid.report_type).title}",
               f"When: {valid.cadence.describe()}", f"Where: {', '.join(d.label for d in valid.destinations)}"]
    if checked is not None:
        summary.append(f"Alert: {escape(checked.sentence)}")
    else:
        summary.append(f"Formats: {', '.join(f.upper() for f in valid.formats)}")
        summary.append(period_sentence(schedule_setting(valid.report_type, valid.params), valid.cadence, now,
                                       week_start=deps.policy(where.team_id).week_start))
    # The same read-back as the one-liner and the modal: five runs, local time with UTC beside it.
    runs = (f"Next runs ({valid.timezone}, with UTC):\n"
            f"{next_runs_lines(valid.cadence.next_runs(now, NEXT_RUNS_SHOWN), valid.timezone)}")
    return chat_replies.understood_create(summary, None, request, alert=checked is not None, runs=runs)


def _incomplete(form: ScheduleForm, missing: list[str], errors: dict[str, str], request: ChatRequest) -> Reply:
    """What was understood so far, what is missing or wrong, and the form to finish it."""
    has_destination = bool(form.channels or form.people or form.emails)
    missing = [m for m in missing
               if not (m == "a name" and form.name) and not (m == "where it goes" and has_destination)]
    errors = {k: v for k, v in errors.items() if not ("where it goes" in missing and k == ModalBlocks.CHANNELS)}
    problem = " ".join(filter(None, [f"I still need {' and '.join(missing)}." if missing else "",
                                     problems_text(errors)]))
    where_to = [f"<#{c}>" for c in form.channels] + [f"<@{p}>" for p in form.people] + form.emails
    summary = [f"Name: {escape(form.name) or '—'}", f"When: {escape(form.cadence_text) or '—'}",
               f"Where: {', '.join(where_to) or '—'}"]
    if form.condition_text:
        summary.append(f"Alert when: {escape(form.condition_text)}")
    return chat_replies.understood_create(summary, problem, request, alert=bool(form.condition_text))


def confirm_create(deps: BotDeps, client: WebClient, where: Where, request: ChatRequest) -> None:
    """The person clicked Create: check everything again (and the alert's data) and create it."""
    form = ScheduleForm.from_dict(request.draft)
    who = person(deps, client, where.team_id, where.user_id)
    try:
        valid = validate_form(deps, client, person=who, form=form)
        valid, condition_line = bind_for_save(deps, client, who, form, valid)
        result = create(deps, valid, team_id=where.team_id, user_id=where.user_id, surface="chat",
                        source=f"chat: {form.name}")
    except FormErrors as exc:
        problem = f"⚠️ {problems_text(exc.errors)}"
    except (ConditionError, ReportError) as exc:
        problem = problem_text(exc)
    else:
        refresh_home(deps, client, where.team_id, where.user_id)
        answer(client, where, "\n".join(filter(None, [saved(result), condition_line])), replace_clicked=True)
        return
    reply = chat_replies.confirmation(problem, None, None, form_request=request)
    answer(client, where, reply.text, reply.blocks, replace_clicked=True)
