"""From words to a schedule: `/report new …` one-liners and plain-words requests become a form;
a complete, valid one is created, anything missing or wrong opens the modal prefilled."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

from slack_sdk import WebClient

from bot.alert_condition import DEFAULT_ALERT_CADENCE, bind_for_save, problem_text
from bot.deps import BotDeps
from bot.errors import FormErrors
from bot.forms import ScheduleForm
from bot.lookup import find_user, resolve_channel, resolve_user
from bot.metadata import ModalMeta
from bot.oneliner import OneLiner, parse_one_liner
from bot.people import person
from bot.readback import read_back
from bot.refs import Ref
from bot.respond import Where
from bot.schedule_modal import open_schedule_modal
from bot.schedules import create
from bot.validation import clean_text, validate_form
from bot.views.replies import Reply, saved
from jobs.access import ensure_may_create, ensure_within_quota
from jobs.slack_ids import ModalBlocks
from jobs.views.blocks import escape
from reports.conditions import ConditionError
from reports.errors import ReportError
from reports.window_words import parse_period_words
from storage.errors import UserError

EXAMPLE = "`/report new \"Daily sales\" every day at 9am in #sales`"
# The order problems are listed in, as the modal shows its fields.
FIELD_ORDER = (ModalBlocks.NAME, ModalBlocks.REPORT_TYPE, ModalBlocks.CADENCE, ModalBlocks.TIMEZONE,
               ModalBlocks.CONDITION, ModalBlocks.CHANNELS, ModalBlocks.PEOPLE, ModalBlocks.EMAILS,
               ModalBlocks.WEBHOOKS, ModalBlocks.FORMATS)
CONDITION_LEAD = re.compile(r"^(?:only\s+)?(?:when(?:ever)?|if|as\s+soon\s+as)\s+", re.IGNORECASE)


def problems_text(errors: dict[str, str]) -> str:
    ordered = sorted(errors.items(), key=lambda kv: FIELD_ORDER.index(kv[0]) if kv[0] in FIELD_ORDER else 99)
    return " ".join(message for _, message in ordered)


def cadence_test(now: dt.datetime) -> Callable[[str], bool]:
    """Whether words read as a schedule (to tell a cadence from the name after it)."""
    return lambda words: read_back(words, "UTC", now).ok


def read_words(text: str, now: dt.datetime) -> OneLiner:
    """A one-liner or a plain-words request; an alert's missing parts get their defaults: checked every
    hour, and named after its condition ("tell me when revenue drops below 10k")."""
    parsed = parse_one_liner(text, is_cadence=cadence_test(now))
    if parsed.condition_text:
        parsed.cadence_text = parsed.cadence_text or DEFAULT_ALERT_CADENCE
        if not parsed.name:
            named = CONDITION_LEAD.sub("", parsed.condition_text)[:80]
            parsed.name = named[:1].upper() + named[1:]
    return parsed


def form_from_words(client: WebClient, parsed: OneLiner, user_id: str) -> tuple[ScheduleForm, dict[str, str]]:
    """The form a one-liner describes, with channel and people names looked up in Slack ("to me" is
    `user_id`'s own DM, "to my email" their address in Slack)."""
    form = ScheduleForm(name=clean_text(parsed.name, len(parsed.name)), report_type=parsed.report_type or "",
                        cadence_text=clean_text(parsed.cadence_text, 500), formats=list(parsed.formats),
                        condition_text=clean_text(parsed.condition_text, 1000))
    errors: dict[str, str] = {}
    if parsed.period_text:
        _set_period(form, parsed.period_text, errors)
    if parsed.to_me:
        form.people.append(user_id)
    if parsed.to_my_email:
        address = ((find_user(client, Ref("user", user_id, user_id)).get("profile") or {}).get("email") or "")
        if address:
            form.emails.append(address)
        else:
            errors[ModalBlocks.EMAILS] = ("Slack doesn't tell me your email address; "
                                          "write it, e.g. “to ana@example.com”.")
    for ref in parsed.destinations[:30]:
        try:
            if ref.kind == "channel":
                form.channels.append(ref.id or resolve_channel(client, ref).id)
            elif ref.kind == "user":
                form.people.append(ref.id or resolve_user(client, ref).id)
            elif ref.kind == "webhook":
                form.webhooks.append(ref.name)
            else:
                form.emails.append(ref.name)
        except UserError as exc:
            block = ModalBlocks.CHANNELS if ref.kind == "channel" else ModalBlocks.PEOPLE
            errors[block] = f"{errors[block]} {exc}" if block in errors else str(exc)
    return form, errors


def _set_period(form: ScheduleForm, words: str, errors: dict[str, str]) -> None:
    """"covering the last 7 days": the report's window parameters, or an error naming the words."""
    chosen = parse_period_words(words)
    if chosen is None:
        errors[f"{ModalBlocks.PARAM_PREFIX}window"] = (
            f"I don't know the period “{escape(clean_text(words, 40))}”. Say e.g. “covering last week”, “covering "
            f"the last 7 days”, “covering month to date” — or leave it out: each report covers the time since the "
            f"previous one.")
        return
    kind, n = chosen
    form.params["window"] = kind
    if kind.startswith("last_n_"):
        form.params["window_n"] = n


def create_from_words(deps: BotDeps, client: WebClient, where: Where, text: str, *, trigger_id: str | None,
                      surface: str) -> Reply:
    """Create from a one-liner, or say what is missing or wrong and open the form prefilled."""
    who = person(deps, client, where.team_id, where.user_id)
    ensure_may_create(who)
    with deps.jobs.database.session() as session:
        ensure_within_quota(session, deps.policy(where.team_id), where.team_id, where.user_id)
    parsed = read_words(text, deps.jobs.now())
    form, errors = form_from_words(client, parsed, where.user_id)
    if parsed.missing:
        message = f"I still need {' and '.join(parsed.missing)}."
    else:
        try:
            if errors:
                raise FormErrors(errors)
            valid = validate_form(deps, client, person=who, form=form)
            valid, condition_line = bind_for_save(deps, client, who, form, valid)  # reads the data: after the ack
            result = create(deps, valid, team_id=where.team_id, user_id=where.user_id, surface=surface, source=text)
        except FormErrors as exc:
            message = f"⚠️ {problems_text(exc.errors)}"
        except (ConditionError, ReportError) as exc:
            message = problem_text(exc)
        else:
            return Reply("\n".join(filter(None, [saved(result), condition_line])))
    opened = trigger_id and open_schedule_modal(deps, client, trigger_id=trigger_id, team_id=where.team_id,
                                                user_id=where.user_id, form=form,
                                                meta=ModalMeta(channel_id=where.channel_id))
    if opened:
        return Reply(f"{message} I opened the form with what I understood so you can finish it there.")
    return Reply(f"{message} For example: {EXAMPLE}, or type `/report` to use the form.")
