"""Check a schedule form field by field; every problem is keyed by the modal block it belongs to,
so the modal shows it next to the field and text surfaces list it in words."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from slack_sdk import WebClient

from bot.deps import BotDeps
from bot.destinations import channel_destination, email_destination, person_destination, webhook_destination
from bot.errors import FormErrors
from bot.forms import ANY_CHOICE, ScheduleForm
from bot.lookup import user_date_order, user_timezone
from bot.readback import read_back, valid_timezone
from bot.refs import Ref
from jobs.access import (
    Person,
    ensure_may_create,
    ensure_may_use_report,
    ensure_within_quota,
)
from jobs.cadence import Cadence
from jobs.delivery.email_compose import (
    SUBJECT_LIMIT,
    SUBJECT_PLACEHOLDERS,
    unknown_placeholders,
)
from jobs.policy import Policy
from jobs.slack_ids import ModalBlocks, ModalOptions
from reports.errors import ReportError
from reports.registry import (
    ReportType,
    all_report_types,
    get_report_type,
    stored_window_params,
)
from reports.renderers import available_formats
from storage.errors import PermissionDenied, UserError
from storage.models import AttachMode, DestinationKind
from storage.schedules import NewDestination

DEFAULT_REPORT_TYPE = "demo_sales"
MAX_NAME = 200
MAX_DESTINATIONS = 20
MAX_COPIES = 20  # per cc and bcc
MAX_CONDITION = 500
MAX_DESCRIPTION = 500
MAX_TAGS = 10
TAG = re.compile(r"^\w[\w-]{0,29}$")  # letters (any script), digits, _ and -


@dataclass(frozen=True)
class EmailChoice:
    """How the schedule's emails look; the defaults mean no email options are stored."""

    subject: str = ""
    cc: tuple[str, ...] = ()
    bcc: tuple[str, ...] = ()
    files: str = AttachMode.AUTO

    @property
    def is_default(self) -> bool:
        return self == EmailChoice()


@dataclass(frozen=True)
class ValidSchedule:
    name: str
    report_type: str
    params: dict[str, Any]
    cadence: Cadence
    destinations: list[NewDestination]
    formats: list[str]
    skip_if_empty: bool
    email: EmailChoice = EmailChoice()
    # An alert's condition: its words here; read and bound to the report's columns by
    # bot.alert_condition, which reads the report's data (after Slack's 3 seconds, and so errors can
    # name the report's columns). Empty words and no condition: a report.
    condition_words: str = ""
    condition: dict[str, Any] | None = None
    description: str | None = None
    tags: tuple[str, ...] = ()

    @property
    def timezone(self) -> str:
        return self.cadence.timezone


# Direction overrides and invisible joiners: they make a name read differently from what it is
# ("‮selas ylieD" shows as "Daily sales") or two names look alike while differing.
INVISIBLE = frozenset("\u200b\u200c\u200d\u200e\u200f\u2060\ufeff\u061c") | frozenset(map(chr, range(0x202A, 0x202F))) \
    | frozenset(map(chr, range(0x2066, 0x206A)))


def clean_text(text: str, limit: int = 3000) -> str:
    """Drop control characters (Slack never sends them on purpose; databases choke on NUL)."""
    return "".join(ch for ch in (text or "")[:limit] if unicodedata.category(ch) != "Cc" or ch in "\n\t").strip()


def clean_name(text: str) -> str:
    """A schedule name as stored: one line, no control or direction characters, spaces collapsed."""
    kept = "".join(" " if ch in "\n\t" else ch for ch in clean_text(text, 10_000) if ch not in INVISIBLE)
    return " ".join(kept.split())


def name_problem(name: str) -> str | None:
    """Why a (cleaned) name cannot be used, or None."""
    if not any(unicodedata.category(ch)[0] in "LNS" for ch in name):
        return "Give the report a name with letters or numbers, e.g. “Daily sales”."
    if len(name) > MAX_NAME:
        return f"That name is too long ({len(name):,} characters); keep it under {MAX_NAME}."
    return None


def usable_report_types(person: Person, policy: Policy) -> list[ReportType]:
    """The report types the person may pick (alone; what a type reads is checked with its parameters)."""
    usable = []
    for report in all_report_types():
        try:
            ensure_may_use_report(person, policy, report.name, {})
        except PermissionDenied:
            continue
        usable.append(report)
    return usable


def default_report_type(types: list[ReportType]) -> str:
    names = [t.name for t in types]
    return DEFAULT_REPORT_TYPE if DEFAULT_REPORT_TYPE in names else (names[0] if names else DEFAULT_REPORT_TYPE)


def _report_type(form: ScheduleForm, errors: dict[str, str]) -> ReportType | None:
    # Not picking another type behind the person's back when the default one is not theirs to use.
    name = form.report_type or default_report_type(all_report_types())
    try:
        report = get_report_type(name)
    except ReportError as exc:
        errors[ModalBlocks.REPORT_TYPE] = str(exc)
        return None
    return report


def _usable(person: Person, policy: Policy, report: ReportType, params: dict[str, Any],
            errors: dict[str, str]) -> None:
    """The type and whatever it reads with these params must be open to the person."""
    try:
        ensure_may_use_report(person, policy, report.name, params)
    except PermissionDenied as exc:
        errors.setdefault(ModalBlocks.REPORT_TYPE, str(exc))


def _would_run(report: ReportType, params: dict[str, Any], person: Person, timezone: str,
               errors: dict[str, str]) -> None:
    """The report type's own save-time check (a `sql` statement that writes, a source not theirs)."""
    values = {k: v for k, v in params.items() if k not in ("window", "window_n")}
    problem = report.problem_with(values, team_id=person.team_id, user_id=person.user_id, timezone=timezone)
    if problem:
        names = {p.name for p in report.params}
        shown = next((name for name in ("query", "attach", "source") if name in names), None)
        errors[f"{ModalBlocks.PARAM_PREFIX}{shown}" if shown else ModalBlocks.REPORT_TYPE] = problem[:1900]


def _raw_param(param, value: Any) -> Any:
    """A parameter as the modal or a message gave it, in the shape `Param.coerce` reads."""
    if param.type == "boolean" and isinstance(value, list):  # the modal's single checkbox
        return ModalOptions.PARAM_ON in value
    if value == ANY_CHOICE:
        return None
    if isinstance(value, str):
        return clean_text(value, 50_000)
    if isinstance(value, list):
        return [clean_text(v, 500) if isinstance(v, str) else v for v in value]
    return value


def _params(report: ReportType, form: ScheduleForm, errors: dict[str, str]) -> dict[str, Any]:
    params: dict[str, Any] = {}
    for param in report.form_params():
        try:
            value = param.coerce(_raw_param(param, form.params.get(param.name)))
        except ReportError as exc:  # ParameterError, or choices that could not be listed
            errors[f"{ModalBlocks.PARAM_PREFIX}{param.name}"] = str(exc)
            continue
        params[param.name] = list(value) if isinstance(value, tuple) else value
    return stored_window_params(params, report.default_window)  # "as the schedule" unless chosen otherwise


def _description(form: ScheduleForm, errors: dict[str, str]) -> str | None:
    text = "".join(ch for ch in clean_text(form.description, 10_000) if ch not in INVISIBLE)
    if len(text) > MAX_DESCRIPTION:
        errors[ModalBlocks.DESCRIPTION] = (f"Keep the description under {MAX_DESCRIPTION} characters "
                                           f"(it has {len(text):,}).")
    return text or None


def _tags(form: ScheduleForm, errors: dict[str, str]) -> tuple[str, ...]:
    """Tags as stored: lower case, without a leading #, each once."""
    tags, bad = [], []
    for raw in form.tags[:50]:
        tag = unicodedata.normalize("NFKC", clean_text(raw, 100)).lstrip("#").lower()
        if tag and TAG.match(tag):
            tags.append(tag)
        elif tag:
            bad.append(tag[:30])
    tags = list(dict.fromkeys(tags))
    if bad:
        errors[ModalBlocks.TAGS] = (f"Tags are single words of letters, digits, - and _ (like `finance` or "
                                    f"`weekly-kpi`), not {', '.join(f'“{b}”' for b in bad[:3])}.")
    elif len(tags) > MAX_TAGS:
        errors[ModalBlocks.TAGS] = f"That's {len(tags)} tags; a schedule can have {MAX_TAGS}."
    return tuple(tags)


def _destinations(deps: BotDeps, client: WebClient, person: Person, policy: Policy, form: ScheduleForm,
                  errors: dict[str, str], join: bool, schedule_id: int | None) -> list[NewDestination]:
    found: list[NewDestination] = []
    for block, values, check in (
        (ModalBlocks.CHANNELS, form.channels,
         lambda v: channel_destination(client, Ref("channel", v, v), person, join=join)),
        (ModalBlocks.PEOPLE, form.people,
         lambda v: person_destination(deps, client, Ref("user", v, v), person, schedule_id)),
        (ModalBlocks.EMAILS, form.emails, lambda v: email_destination(policy, v)),
        (ModalBlocks.WEBHOOKS, form.webhooks,
         lambda v: webhook_destination(policy, v, resolve=deps.jobs.webhooks.resolve)),
    ):
        problems = []
        for value in dict.fromkeys(values):
            try:
                found.append(check(value))
            except UserError as exc:
                problems.append(str(exc))
        if problems:
            errors[block] = " ".join(problems)[:1900]
    if not found and not any(b in errors for b in (ModalBlocks.CHANNELS, ModalBlocks.PEOPLE, ModalBlocks.EMAILS,
                                                   ModalBlocks.WEBHOOKS)):
        errors[ModalBlocks.CHANNELS] = "Pick at least one channel or person, or give an email address."
    if len(found) > MAX_DESTINATIONS:
        errors[ModalBlocks.CHANNELS] = f"That's {len(found)} destinations; one schedule can have {MAX_DESTINATIONS}."
    return found


def _email_choice(policy: Policy, form: ScheduleForm, destinations: list[NewDestination],
                  errors: dict[str, str]) -> EmailChoice:
    """Subject, copies and attachment mode; copies only travel with an email, on the same allowlist."""
    subject = " ".join(clean_text(form.email_subject, 1000).split())
    if len(subject) > SUBJECT_LIMIT:
        errors[ModalBlocks.EMAIL_SUBJECT] = f"Keep the subject under {SUBJECT_LIMIT} characters."
    elif unknown := unknown_placeholders(subject):
        known = ", ".join(f"{{{p}}}" for p in SUBJECT_PLACEHOLDERS)
        errors[ModalBlocks.EMAIL_SUBJECT] = (f"I don't know {', '.join(f'{{{u}}}' for u in unknown)[:200]}. "
                                             f"Placeholders: {known}.")
    copies: dict[str, tuple[str, ...]] = {}
    for block, addresses in ((ModalBlocks.EMAIL_CC, form.email_cc), (ModalBlocks.EMAIL_BCC, form.email_bcc)):
        found, problems = [], []
        for address in dict.fromkeys(addresses):
            try:
                found.append(email_destination(policy, address).target)
            except UserError as exc:
                problems.append(str(exc))
        if problems:
            errors[block] = " ".join(problems)[:1900]
        elif len(set(found)) > MAX_COPIES:
            errors[block] = (f"That's {len(set(found))} addresses; "
                             f"a schedule can copy {MAX_COPIES} (use a list address).")
        copies[block] = tuple(dict.fromkeys(found))
    emailing = any(d.kind == DestinationKind.EMAIL for d in destinations) or ModalBlocks.EMAILS in errors
    for block in (ModalBlocks.EMAIL_CC, ModalBlocks.EMAIL_BCC):
        if copies[block] and not emailing and block not in errors:
            errors[block] = "Copies go with an email: add an address under “Email to”, or clear this field."
    files = form.email_files or AttachMode.AUTO
    if files not in set(AttachMode):
        errors[ModalBlocks.EMAIL_FILES] = "Choose whether emails carry the files or download links."
    return EmailChoice(subject, copies[ModalBlocks.EMAIL_CC], copies[ModalBlocks.EMAIL_BCC], files)


def _formats(report: ReportType | None, form: ScheduleForm, errors: dict[str, str]) -> list[str]:
    known = available_formats()
    formats = list(dict.fromkeys(f.lower() for f in form.formats))
    if not formats:
        formats = [f for f in (report.default_formats if report else ("csv",)) if f in known]
    unknown = [f for f in formats if f not in known]
    if unknown:
        errors[ModalBlocks.FORMATS] = f"I can't produce {', '.join(unknown)[:200]} yet. Formats: {', '.join(known)}."
    return formats


def condition_words(form: ScheduleForm) -> str:
    """An alert's condition as typed, on one line ("" for a report)."""
    return " ".join(clean_text(form.condition_text, MAX_CONDITION * 2).split())


def _condition(form: ScheduleForm, errors: dict[str, str]) -> str:
    """The condition's words; what they mean is read with the report's data (bot.alert_condition)."""
    words = condition_words(form)
    if len(words) > MAX_CONDITION:
        errors[ModalBlocks.CONDITION] = (f"That condition is {len(words):,} characters long; "
                                         f"keep it under {MAX_CONDITION}.")
    return words


def _timezone(client: WebClient, form: ScheduleForm, user_id: str, errors: dict[str, str]) -> str:
    if not form.timezone:
        return user_timezone(client, user_id)
    if not valid_timezone(form.timezone):
        errors[ModalBlocks.TIMEZONE] = f"“{form.timezone[:60]}” is not a time zone I know; pick one from the list."
        return "UTC"
    return form.timezone


def validate_form(deps: BotDeps, client: WebClient, *, person: Person, form: ScheduleForm,
                  editing: int | None = None, now: dt.datetime | None = None, join: bool = True) -> ValidSchedule:
    """Return the schedule the form describes, or raise FormErrors naming each problem.

    `editing` is the id of the schedule being changed (None: a new one, which must fit the quotas).
    With `join` off nothing changes in Slack (the bot does not join public channels yet): for
    checking a request before the person confirmed it.
    """
    ensure_may_create(person)
    errors: dict[str, str] = {}
    policy = deps.policy(person.team_id)
    name = clean_name(form.name)
    description, tags = _description(form, errors), _tags(form, errors)
    if problem := name_problem(name):
        errors[ModalBlocks.NAME] = problem
    elif editing is None:
        try:
            with deps.jobs.database.session() as session:
                ensure_within_quota(session, policy, person.team_id, person.user_id)
        except PermissionDenied as exc:
            errors[ModalBlocks.NAME] = str(exc)
    report, params = _report_part(person, policy, form, errors)
    timezone = _timezone(client, form, person.user_id, errors)
    result = read_back(clean_text(form.cadence_text, 500), timezone, now or deps.jobs.now(),
                       date_order=user_date_order(client, person.user_id))
    if not result.ok:
        errors[ModalBlocks.CADENCE] = result.error or "I couldn't read that schedule."
    condition = _condition(form, errors)
    formats = _formats(report, form, errors)
    destinations = _destinations(deps, client, person, policy, form, errors, join, editing)
    email = _email_choice(policy, form, destinations, errors)
    if report and not errors:  # the report's own check last: it may ask the data source to plan the query
        _would_run(report, params, person, result.cadence.timezone, errors)
    if errors:
        raise FormErrors(errors)
    return ValidSchedule(name, report.name, params, result.cadence, destinations, formats, form.skip_if_empty, email,
                         condition_words=condition, description=description, tags=tags)


def _report_part(person: Person, policy: Policy, form: ScheduleForm,
                 errors: dict[str, str]) -> tuple[ReportType | None, dict[str, Any]]:
    """The report type and its parameters, open to the person."""
    report = _report_type(form, errors)
    params = _params(report, form, errors) if report else {}
    if report:
        _usable(person, policy, report, params, errors)
    return report, params


def validate_report(deps: BotDeps, client: WebClient, *, person: Person,
                    form: ScheduleForm) -> tuple[ReportType, dict[str, Any], str]:
    """The report the form names, checked as before a run (the person may use it, its own save-time
    check passes), with the time zone it runs in; FormErrors otherwise. For reading its data now."""
    ensure_may_create(person)
    errors: dict[str, str] = {}
    report, params = _report_part(person, deps.policy(person.team_id), form, errors)
    timezone = _timezone(client, form, person.user_id, errors)
    if report and not errors:
        _would_run(report, params, person, timezone, errors)
    if errors:
        raise FormErrors(errors)
    return report, params, timezone


def validate_for_preview(deps: BotDeps, client: WebClient, *, person: Person, form: ScheduleForm,
                         now: dt.datetime) -> tuple[ReportType, dict[str, Any], list[str], Cadence]:
    """What a preview needs (type, parameters, formats, cadence); destinations and name may be missing."""
    ensure_may_create(person)
    errors: dict[str, str] = {}
    report, params = _report_part(person, deps.policy(person.team_id), form, errors)
    formats = _formats(report, form, errors)
    timezone = _timezone(client, form, person.user_id, errors)
    result = read_back(clean_text(form.cadence_text, 500) or "every day at 9am", timezone, now,
                       date_order=user_date_order(client, person.user_id))
    if not result.ok:
        errors[ModalBlocks.CADENCE] = result.error or "I couldn't read that schedule."
    if report and not errors:
        _would_run(report, params, person, result.cadence.timezone, errors)
    if errors:
        raise FormErrors(errors)
    return report, params, formats, result.cadence
