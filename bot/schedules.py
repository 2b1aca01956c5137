"""Schedule services for the Slack surface: find, list, create, update, pause, resume, delete.

Each takes plain values, owns its transaction and returns what the person should be told; the
permission checks are done by the caller through `bot.acting` (jobs.access decides).
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from bot.deps import BotDeps
from bot.errors import FormErrors
from bot.intents import target_variants
from bot.validation import EmailChoice, ValidSchedule, clean_text
from jobs.delivery.signing import issue_secrets
from jobs.manual_runs import is_preview
from jobs.periods import Period, schedule_setting
from jobs.policy import policy_for
from jobs.slack_ids import ModalBlocks
from jobs.slots import compiled_cadence
from jobs.views.blocks import escape
from jobs.views.period_words import period_sentence
from jobs.views.time_words import NEXT_RUNS_SHOWN, format_local
from reports.window import SCHEDULE_WINDOW
from reports.window_words import parse_period_words
from storage import alerts as alert_repo
from storage import email as email_repo
from storage import schedules as schedule_repo
from storage.audit import record
from storage.errors import BadInput, NameTaken, NotFound
from storage.models import EmailOptions, Schedule, ScheduleStatus
from storage.schedules import live_schedule_names, mark_deleted, update_schedule

MAX_REF = 300


@dataclass(frozen=True)
class Saved:
    """What was created or changed, for the confirmation."""

    schedule_id: int
    name: str
    sentence: str
    destinations: list[str]
    next_runs: list[dt.datetime]
    timezone: str
    created: bool = True
    period: str = ""  # "Covers the previous week — the next report: …"
    # (label, secret) of each webhook added now: shown once, to the person who added it, never again.
    secrets: tuple[tuple[str, str], ...] = field(default=(), repr=False)


def get_live(deps: BotDeps, team_id: str, schedule_id: int) -> Schedule:
    """The live schedule with this id in this workspace, or NotFound."""
    with deps.jobs.database.session() as session:
        schedule = session.get(Schedule, schedule_id)
        if schedule is not None and schedule.team_id == team_id and is_preview(schedule):
            raise NotFound("That was a preview, so there is nothing to run, pause or look up. Save the schedule "
                           "first, then use its buttons.")
        if schedule is None or schedule.team_id != team_id or schedule.status == ScheduleStatus.DELETED:
            raise NotFound("That schedule no longer exists (it may have been deleted). `/report list` shows "
                           "yours.")
        return schedule


def find_or_explain(deps: BotDeps, team_id: str, ref: str, *, example: str = "/report run daily sales") -> Schedule:
    """Find a schedule by id or name, case-insensitively, or raise NotFound with a "did you mean"."""
    ref = " ".join(clean_text(ref or "", MAX_REF * 2).split())[:MAX_REF].strip(" \"“”'‘’")
    if not ref:
        raise BadInput(f"Which schedule? Give its name or number, e.g. `{example}`.")
    with deps.jobs.database.session() as session:
        schedule = schedule_repo.find_schedule(session, team_id, ref)
        if schedule is not None:
            return schedule
        names = [name for _, name in live_schedule_names(session, team_id)]
    raise NotFound(f"I couldn't find a schedule called “{ref[:80]}”.{did_you_mean(ref, names)} "
                   "`/report list` shows yours.")


def find_named(deps: BotDeps, team_id: str, target: str) -> Schedule:
    """The schedule a person named in passing ("the weekly sales report"), or NotFound."""
    first_error: NotFound | None = None
    for variant in target_variants(target):
        try:
            return find_or_explain(deps, team_id, variant, example="pause weekly sales")
        except NotFound as exc:
            first_error = first_error or exc
    raise first_error or NotFound("Which schedule? Say its name, e.g. “pause weekly sales”.")


def find_schedule_named(deps: BotDeps, team_id: str, ref: str) -> Schedule | None:
    """The live schedule called exactly `ref` (or with that id), or None."""
    with deps.jobs.database.session() as session:
        return schedule_repo.find_schedule(session, team_id, ref[:MAX_REF]) if ref.strip() else None


_PERIOD_CLAUSE = re.compile(r"\s+(?:for|covering)\s+", re.IGNORECASE)


def split_period(text: str, exists: Callable[[str], object]) -> tuple[str, Period | None]:
    """"weekly sales for last month" -> ("weekly sales", the previous month). A schedule whose whole
    name is the text wins ("Sales for last week" stays a name); "as scheduled" is no choice at all."""
    text = text.strip()
    if not _PERIOD_CLAUSE.search(text) or exists(text):
        return text, None
    for clause in reversed(list(_PERIOD_CLAUSE.finditer(text))):
        chosen = parse_period_words(text[clause.end():])
        if chosen is not None:
            kind, n = chosen
            return text[:clause.start()].strip(), None if kind == SCHEDULE_WINDOW else Period(kind, n)
    return text, None


_TAG_FILTER = re.compile(r"(?:^|\s)(?:tag:\s*|tagged\s+)#?(\S+)", re.IGNORECASE)


def split_tag_filter(text: str) -> tuple[str, str | None]:
    """"all tag:Finance" -> ("all", "finance"): what `/report list` was asked, and the tag to keep."""
    match = _TAG_FILTER.search(text or "")
    if match is None:
        return (text or "").strip(), None
    rest = (text[:match.start()] + " " + text[match.end():]).strip()
    return rest, match.group(1).lower()[:30]


def did_you_mean(ref: str, names: list[str]) -> str:
    """A suggestion for a near miss: a close spelling, or the one name containing what was typed."""
    lowered = {name.lower(): name for name in names}
    close = difflib.get_close_matches(ref.lower(), list(lowered), n=1, cutoff=0.6)
    if not close:
        containing = [name for key, name in lowered.items() if ref.lower() in key or key in ref.lower()]
        close = [containing[0].lower()] if len(containing) == 1 else []
    return f" Did you mean “{lowered[close[0]]}”?" if close else ""


def list_for(deps: BotDeps, team_id: str, owner_user_id: str | None, limit: int = 100,
             tag: str | None = None) -> list[Schedule]:
    """Live schedules of one owner (or, for admins, everyone's; optionally only those tagged `tag`), soonest first."""
    with deps.jobs.database.session() as session:
        return schedule_repo.list_schedules(session, team_id, owner_user_id=owner_user_id, limit=limit, tag=tag)


def _saved(schedule: Schedule, valid: ValidSchedule, now: dt.datetime, created: bool, week_start: int) -> Saved:
    period = period_sentence(schedule_setting(valid.report_type, valid.params), valid.cadence, now,
                             week_start=week_start)
    return Saved(schedule.id, schedule.name, valid.cadence.describe(), [d.label for d in valid.destinations],
                 valid.cadence.next_runs(now, NEXT_RUNS_SHOWN), valid.timezone, created, period)


def _week_start(deps: BotDeps, session, team_id: str) -> int:
    """The workspace's first day of the week, read in the caller's session (SQLite has one writer)."""
    return policy_for(session, deps.jobs.settings.policy, team_id).week_start


def _save_email_choice(session, schedule_id: int, choice: EmailChoice) -> None:
    """Store the email options (a schedule with only defaults gets no row; clearing them resets it)."""
    if choice.is_default and email_repo.email_options(session, schedule_id) is None:
        return
    email_repo.set_email_options(session, schedule_id, subject_template=choice.subject or None,
                                  attach_mode=choice.files, cc=choice.cc, bcc=choice.bcc)


def email_choice_of(deps: BotDeps, schedule_id: int) -> EmailOptions | None:
    """A schedule's stored email options, for the edit form."""
    with deps.jobs.database.session() as session:
        return email_repo.email_options(session, schedule_id)


def create(deps: BotDeps, valid: ValidSchedule, *, team_id: str, user_id: str, surface: str, source: str,
           actor: str | None = None) -> Saved:
    """Create the schedule owned by `user_id` (the audit log names `actor`, by default the owner); a
    taken name comes back as a form error on the name."""
    now = deps.jobs.now()
    destinations, secrets = issue_secrets(valid.destinations, set(), deps.jobs.artifacts.keyring)
    valid = replace(valid, destinations=destinations)
    with deps.jobs.database.session() as session:
        try:
            schedule = schedule_repo.create_schedule(
                session, team_id=team_id, name=valid.name, owner_user_id=user_id, report_type=valid.report_type,
                cadence_text=valid.cadence.text, cadence=valid.cadence.to_json(), timezone=valid.timezone,
                next_run_at=valid.cadence.next_run(now), destinations=valid.destinations, params=valid.params,
                formats=valid.formats, skip_if_empty=valid.skip_if_empty, condition=valid.condition,
                description=valid.description, tags=valid.tags,
            )
        except NameTaken as exc:
            raise FormErrors({ModalBlocks.NAME: str(exc)}) from None
        _save_email_choice(session, schedule.id, valid.email)
        record(session, team_id=team_id, schedule_id=schedule.id, actor=actor or user_id, action="create",
               surface=surface, details={"source": _without_webhook_paths(source)[:2000]})
        return replace(_saved(schedule, valid, now, True, _week_start(deps, session, team_id)), secrets=tuple(secrets))


def update(deps: BotDeps, schedule_id: int, valid: ValidSchedule, *, user_id: str, surface: str) -> Saved:
    """Change a schedule; an active one is due at the new cadence's next slot from now."""
    now = deps.jobs.now()
    with deps.jobs.database.session() as session:
        schedule = session.get(Schedule, schedule_id)
        if schedule is None or schedule.status == ScheduleStatus.DELETED:
            raise NotFound("That schedule was deleted while you were editing it.")
        before = {"name": schedule.name, "cadence": schedule.cadence_text,
                  "condition": (schedule.condition or {}).get("text")}
        # Another condition, or the same words over other data: what the checks counted no longer applies.
        existing = {(d.kind, d.target) for d in schedule.destinations}
        destinations, secrets = issue_secrets(valid.destinations, existing, deps.jobs.artifacts.keyring)
        valid = replace(valid, destinations=destinations)
        condition_changed = valid.condition != schedule.condition or (
            valid.report_type, valid.params) != (schedule.report_type, schedule.params)
        try:
            update_schedule(
                session, schedule, name=valid.name, report_type=valid.report_type, params=valid.params,
                formats=valid.formats, cadence_text=valid.cadence.text, cadence=valid.cadence.to_json(),
                timezone=valid.timezone, skip_if_empty=valid.skip_if_empty,
                next_run_at=valid.cadence.next_run(now) if schedule.status == ScheduleStatus.ACTIVE else None,
                destinations=valid.destinations, condition=valid.condition, description=valid.description,
                tags=valid.tags,
            )
        except NameTaken as exc:
            raise FormErrors({ModalBlocks.NAME: str(exc)}) from None
        if condition_changed and valid.condition is not None:
            alert_repo.restart_state(session, schedule.id)
        _save_email_choice(session, schedule.id, valid.email)
        record(session, team_id=schedule.team_id, schedule_id=schedule.id, actor=user_id, action="edit",
               surface=surface, details={"before": before})
        return replace(_saved(schedule, valid, now, False, _week_start(deps, session, schedule.team_id)),
                       secrets=tuple(secrets))


_URL_PATH = re.compile(r"(https?://[^/\s<>|?#]+)[^\s<>|]*", re.IGNORECASE)


def _without_webhook_paths(text: str) -> str:
    """What was typed, as the audit log keeps it: URLs by their host (a path may hold a token)."""
    return _URL_PATH.sub(r"\1/…", text)


def set_paused(deps: BotDeps, schedule_id: int, user_id: str, *, paused: bool, surface: str) -> str:
    """Pause or resume; resume continues from now, with no catch-up for the paused time."""
    with deps.jobs.database.session() as session:
        live = session.get(Schedule, schedule_id)
        if live is None or live.status == ScheduleStatus.DELETED:
            raise NotFound("That schedule no longer exists.")
        if paused:
            if live.status in (ScheduleStatus.PAUSED, ScheduleStatus.ERROR):
                return f"“{escape(live.name)}” is already paused. Resume it with `/report resume {escape(live.name)}`."
            live.status = ScheduleStatus.PAUSED
            live.next_run_at = None
            message = f"⏸️ Paused “{escape(live.name)}”. Resume it with `/report resume {escape(live.name)}`."
        else:
            if live.status == ScheduleStatus.ACTIVE:
                return f"“{escape(live.name)}” is already active."
            live.status = ScheduleStatus.ACTIVE
            live.consecutive_failures = 0
            live.paused_reason = None
            live.next_run_at = compiled_cadence(live.cadence).next_run(deps.jobs.now())
            when = (format_local(live.next_run_at, live.timezone) if live.next_run_at
                    else "never (the schedule has ended)")
            message = f"▶️ Resumed “{escape(live.name)}”. Next run: {when}."
        record(session, team_id=live.team_id, schedule_id=live.id, actor=user_id,
               action="pause" if paused else "resume", surface=surface)
    return message


def delete(deps: BotDeps, schedule_id: int, user_id: str, *, surface: str) -> str:
    with deps.jobs.database.session() as session:
        live = session.get(Schedule, schedule_id)
        if live is None or live.status == ScheduleStatus.DELETED:
            return "That schedule was already deleted."
        mark_deleted(live)
        record(session, team_id=live.team_id, schedule_id=live.id, actor=user_id, action="delete", surface=surface)
        return f"🗑️ Deleted “{escape(live.name)}”. Its past runs stay in the audit log."
