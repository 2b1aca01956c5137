"""Check a schedule form field by field; every problem is keyed by the modal block it belongs to,
so the modal shows it next to the field and text surfaces list it in words."""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass
from typing import Any

from slack_sdk import WebClient

from bot.deps import BotDeps
from bot.errors import FormErrors
from bot.forms import ANY_CHOICE, ScheduleForm
from bot.lookup import user_timezone
from bot.permissions import (
    Policy,
    channel_destination,
    email_destination,
    is_admin,
    person_destination,
    policy_for,
    quota_problem,
)
from bot.readback import read_back, valid_timezone
from bot.refs import Ref
from jobs.cadence import Cadence
from jobs.delivery.email_compose import (
    SUBJECT_LIMIT,
    SUBJECT_PLACEHOLDERS,
    unknown_placeholders,
)
from jobs.slack_ids import ModalBlocks, ModalOptions
from reports.errors import ReportError
from reports.registry import ReportType, all_report_types, get_report_type
from reports.renderers import available_formats
from storage.errors import UserError
from storage.models import AttachMode, DestinationKind
from storage.schedules import NewDestination

DEFAULT_REPORT_TYPE = "demo_sales"
MAX_NAME = 200
MAX_DESTINATIONS = 20
MAX_COPIES = 20  # per cc and bcc


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

    @property
    def timezone(self) -> str:
        return self.cadence.timezone


def clean_text(text: str, limit: int = 3000) -> str:
    """Drop control characters (Slack never sends them on purpose; databases choke on NUL)."""
    return "".join(ch for ch in (text or "")[:limit] if unicodedata.category(ch) != "Cc" or ch in "\n\t").strip()


def usable_report_types(policy: Policy, user_id: str, admin: bool) -> list[ReportType]:
    return [t for t in all_report_types() if policy.may_use(t.name, user_id, admin)]


def default_report_type(types: list[ReportType]) -> str:
    names = [t.name for t in types]
    return DEFAULT_REPORT_TYPE if DEFAULT_REPORT_TYPE in names else (names[0] if names else DEFAULT_REPORT_TYPE)


def _report_type(form: ScheduleForm, policy: Policy, user_id: str, admin: bool,
                 errors: dict[str, str]) -> ReportType | None:
    # Not picking another type behind the person's back when the default one is not theirs to use.
    name = form.report_type or default_report_type(all_report_types())
    try:
        report = get_report_type(name)
    except ReportError as exc:
        errors[ModalBlocks.REPORT_TYPE] = str(exc)
        return None
    if not policy.may_use(report.name, user_id, admin):
        errors[ModalBlocks.REPORT_TYPE] = (f"Your workspace admins have limited “{report.title}” to certain people. "
                                           "Ask an admin if you need it.")
        return None
    return report


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
    return params


def _destinations(client: WebClient, policy: Policy, form: ScheduleForm, user_id: str,
                  errors: dict[str, str], join: bool) -> list[NewDestination]:
    found: list[NewDestination] = []
    for block, values, check in (
        (ModalBlocks.CHANNELS, form.channels,
         lambda v: channel_destination(client, Ref("channel", v, v), user_id, join=join)),
        (ModalBlocks.PEOPLE, form.people, lambda v: person_destination(client, Ref("user", v, v))),
        (ModalBlocks.EMAILS, form.emails, lambda v: email_destination(policy, v)),
    ):
        problems = []
        for value in dict.fromkeys(values):
            try:
                found.append(check(value))
            except UserError as exc:
                problems.append(str(exc))
        if problems:
            errors[block] = " ".join(problems)[:1900]
    if not found and not any(b in errors for b in (ModalBlocks.CHANNELS, ModalBlocks.PEOPLE, ModalBlocks.EMAILS)):
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
            errors[block] = f"That's {len(set(found))} addresses; a schedule can copy {MAX_COPIES} (use a list address)."
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


def _timezone(client: WebClient, form: ScheduleForm, user_id: str, errors: dict[str, str]) -> str:
    if not form.timezone:
        return user_timezone(client, user_id)
    if not valid_timezone(form.timezone):
        errors[ModalBlocks.TIMEZONE] = f"“{form.timezone[:60]}” is not a time zone I know; pick one from the list."
        return "UTC"
    return form.timezone


def validate_form(deps: BotDeps, client: WebClient, *, team_id: str, user_id: str, form: ScheduleForm,
                  creating: bool, now: dt.datetime | None = None, join: bool = True) -> ValidSchedule:
    """Return the schedule the form describes, or raise FormErrors naming each problem.

    With `join` off nothing changes in Slack (the bot does not join public channels yet): for
    checking a request before the person confirmed it.
    """
    errors: dict[str, str] = {}
    policy = policy_for(deps, team_id)
    admin = is_admin(deps, client, user_id)
    name = clean_text(form.name, 1000)
    if not name:
        errors[ModalBlocks.NAME] = "Give the report a name, e.g. “Daily sales”."
    elif len(name) > MAX_NAME:
        errors[ModalBlocks.NAME] = f"That name is too long ({len(name)} characters); keep it under {MAX_NAME}."
    elif creating and (problem := quota_problem(deps, policy, team_id, user_id)):
        errors[ModalBlocks.NAME] = problem
    report = _report_type(form, policy, user_id, admin, errors)
    params = _params(report, form, errors) if report else {}
    timezone = _timezone(client, form, user_id, errors)
    result = read_back(clean_text(form.cadence_text, 500), timezone, now or deps.jobs.now(), count=3)
    if not result.ok:
        errors[ModalBlocks.CADENCE] = result.error or "I couldn't read that schedule."
    formats = _formats(report, form, errors)
    destinations = _destinations(client, policy, form, user_id, errors, join)
    email = _email_choice(policy, form, destinations, errors)
    if errors:
        raise FormErrors(errors)
    return ValidSchedule(name, report.name, params, result.cadence, destinations, formats, form.skip_if_empty, email)


def validate_for_preview(deps: BotDeps, client: WebClient, *, team_id: str, user_id: str, form: ScheduleForm,
                         now: dt.datetime) -> tuple[ReportType, dict[str, Any], list[str], Cadence]:
    """What a preview needs (type, parameters, formats, cadence); destinations and name may be missing."""
    errors: dict[str, str] = {}
    policy = policy_for(deps, team_id)
    report = _report_type(form, policy, user_id, is_admin(deps, client, user_id), errors)
    params = _params(report, form, errors) if report else {}
    formats = _formats(report, form, errors)
    timezone = _timezone(client, form, user_id, errors)
    result = read_back(clean_text(form.cadence_text, 500) or "every day at 9am", timezone, now)
    if not result.ok:
        errors[ModalBlocks.CADENCE] = result.error or "I couldn't read that schedule."
    if errors:
        raise FormErrors(errors)
    return report, params, formats, result.cadence
