"""Text and Block Kit of the bot's replies. Pure functions: plain data in, strings and dicts out."""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Iterable
from dataclasses import dataclass, field

from bot.readback import ReadBack, runs_text
from bot.schedules import Saved
from jobs.access import Access
from jobs.slack_ids import ReplyBlocks, ScheduleActions
from jobs.views.blocks import STATUS_ICONS, button, clip, escape, section
from jobs.views.cadence_words import describe_cadence
from jobs.views.run_message import RunOutcome, outcome_lines, run_facts
from jobs.views.slack_errors import plain_error
from jobs.views.time_words import format_local, next_runs_lines, relative
from reports.errors import ReportError
from reports.registry import WINDOW_PARAM_NAMES, get_report_type
from storage.models import (
    AttachMode,
    DestinationKind,
    EmailOptions,
    Schedule,
    ScheduleStatus,
)

# A backslash at the end of a line joins the next one to it: one line per command in Slack.
HELP = """*reportbot* schedules reports into channels, DMs and email. Type `/report` alone to open the form, or:
• `/report new "Daily sales" every weekday at 9am in #sales as csv,xlsx` — create one in a line \
(anything missing opens the form)
• `/report new "Low revenue" every hour in #ops when revenue < 10000` — an alert: it tells #ops \
only when the answer changes
• `/report list` — your schedules (admins: `/report list all`; only some: `/report list tag:finance`)
• `/report show <name or number>` — details, next runs and buttons
• `/report edit <name>` — change it in the form
• `/report run <name>` — run it now, for the period it last covered (`/report run <name> for last month`: another)
• `/report pause <name>` / `/report resume <name>`
• `/report delete <name>` — asks first
• `/report history <name>` — its last runs, per destination
• `/report mute <name>` — stop getting someone else's report by DM (`/report mute all`: every one; `unmute` undoes it)
• `/report snooze <alert> 1h` (or `1d`, `until resolved`) / `/report unsnooze <alert>` — hold an alert's notices back
• `/report preview <when>` — how I read a schedule, e.g. `/report preview every monday at 9`
• `/report new "Daily sales" every day at 9am to https://hooks.example.com/reportbot` — signed JSON to a webhook \
(hosts an admin allowed)
• `/report admin` — quotas, email domains, webhook hosts and report access (workspace admins)
You can also talk to me: mention @reportbot or DM me, e.g. “send the demo sales report to #sales every monday at 9”.
Cadence examples: `every weekday at 8:30`, `every other friday at 5pm`, `first monday of the month at 9`, \
`0 9 * * 1-5`."""


@dataclass(frozen=True)
class Reply:
    text: str
    blocks: list[dict] = field(default_factory=list)


def saved(result: Saved) -> str:
    verb = "Scheduled" if result.created else "Updated"
    period = f"\n📅 {escape(result.period)}" if result.period else ""
    secrets = "".join(f"\n🔑 Signing secret of the {escape(label)}: `{secret}` — shown only now, to you: copy it "
                      f"to the receiver to check each request's `Reportbot-Signature`."
                      for label, secret in result.secrets)
    text = clip(f"✅ {verb} *{escape(result.name)}* (#{result.schedule_id}): {escape(result.sentence)} → "
                f"{escape(', '.join(result.destinations))}.{period}\n"
                f"Next runs ({result.timezone}, with UTC):\n{next_runs_lines(result.next_runs, result.timezone)}",
                max(1000, 3000 - len(secrets)))  # the secrets are never the part clipped
    return text + secrets


def _state(schedule: Schedule) -> str:
    if schedule.status == ScheduleStatus.ACTIVE and schedule.next_run_at:
        return f"next {format_local(schedule.next_run_at, schedule.timezone)}"
    state = {"paused": "paused", "error": "paused after repeated failures"}.get(schedule.status, schedule.status)
    return f"{state}: {schedule.paused_reason}" if schedule.paused_reason and schedule.status == "paused" else state


def schedule_list(schedules: list[Schedule], *, everyone: bool = False, tag: str | None = None) -> str:
    tagged = f" tagged `{escape(tag)}`" if tag else ""
    if not schedules:
        if tag:
            return f"No scheduled reports{' in this workspace' if everyone else ' of yours'} are{tagged}."
        if everyone:
            return "There are no scheduled reports in this workspace yet."
        return ("You have no scheduled reports. "
                "Create one with `/report new \"Daily sales\" every day at 9am in #sales`.")
    lines = [("*All scheduled reports in this workspace*" if everyone else "*Your scheduled reports*")
             + (f"{tagged}" if tag else "")]
    for schedule in schedules:
        where = escape(", ".join(d.label or d.target for d in schedule.destinations))
        owner = f" · <@{schedule.owner_user_id}>" if everyone else ""
        tags = " " + " ".join(f"`{escape(t)}`" for t in schedule.tags) if schedule.tags else ""
        lines.append(f"• `#{schedule.id}` *{escape(schedule.name)}*{tags} — {escape(describe_cadence(schedule))} → "
                     f"{where} ({escape(_state(schedule))}){owner}")
    text = "\n".join(lines)
    if len(text) > 3900:
        text = text[:3800].rsplit("\n", 1)[0] + "\n… and more: open the reportbot Home tab to page through them."
    return text


def schedule_actions(schedule: Schedule) -> dict:
    value = str(schedule.id)
    toggle = (ScheduleActions.PAUSE, "Pause") if schedule.status == ScheduleStatus.ACTIVE else \
        (ScheduleActions.RESUME, "Resume")
    return {"type": "actions", "block_id": ReplyBlocks.ACTIONS, "elements": [
        button(ScheduleActions.RUN_NOW, "Run now", value, "primary"),
        button(toggle[0], toggle[1], value),
        button(ScheduleActions.EDIT, "Edit", value),
        button(ScheduleActions.HISTORY, "History", value),
        button(ScheduleActions.DELETE, "Delete…", value, "danger"),
    ]}


def email_line(options: EmailOptions | None) -> str | None:
    """How the schedule's emails look, when it says more than the defaults."""
    if options is None:
        return None
    parts = [f"subject “{escape(options.subject_template[:200])}”" if options.subject_template else None,
             f"cc {', '.join(options.cc)}" if options.cc else None,
             f"bcc {', '.join(options.bcc)}" if options.bcc else None,
             "download links instead of attachments" if options.attach_mode == AttachMode.LINK else None]
    shown = [p for p in parts if p]
    return f"✉️ Email: {' · '.join(shown)}" if shown else None


def _where(schedule: Schedule, access: Access) -> str:
    """Its destinations; someone it is sent to sees its channels, not the people or addresses."""
    shown = [d.label or d.target for d in schedule.destinations
             if access == Access.FULL or d.kind == DestinationKind.SLACK_CHANNEL]
    hidden = len(schedule.destinations) - len(shown)
    where = ", ".join(shown)
    if hidden:
        where += (" and " if shown else "") + f"{hidden} more (only its owner sees who)"
    return escape(where or "no destination")


def parameter_text(schedule: Schedule) -> str:
    """The report's settings as people read them ("Region: North · View: by product"), the period
    left to the line that says it in words."""
    try:
        declared = {p.name: p for p in get_report_type(schedule.report_type).form_params()}
    except ReportError:
        declared = {}
    shown = []
    for name, value in (schedule.params or {}).items():
        if name in WINDOW_PARAM_NAMES or value in (None, "", [], ()):
            continue
        param = declared.get(name)
        text = " ".join((param.display(value) if param else str(value)).split())
        shown.append(f"{param.label if param else name}: {clip(text, 200)}")
    return " · ".join(shown) or "defaults"


def _report_title(schedule: Schedule) -> str:
    try:
        return get_report_type(schedule.report_type).title
    except ReportError:
        return schedule.report_type


def _counters(schedule: Schedule) -> str | None:
    runs = schedule.run_count or 0
    if not runs:
        return None
    failed = schedule.failure_count or 0
    return (f"📈 {runs:,} run{'' if runs == 1 else 's'}: {schedule.success_count or 0:,} succeeded, "
            f"{failed:,} failed" + (f" ({schedule.consecutive_failures} in a row)" if schedule.consecutive_failures
                                    else ""))


def schedule_detail(schedule: Schedule, next_runs: list[dt.datetime], last: RunOutcome | None,
                    last_at: dt.datetime | None, now: dt.datetime, email: EmailOptions | None = None, *,
                    access: Access = Access.FULL, period: str = "", alert_line: str | None = None) -> Reply:
    """`/report show`: everything for its owner and admins; for someone it is sent to, what it is and
    when it comes (not its query, parameters, recipients or email copies)."""
    full = access == Access.FULL
    tags = "  " + " ".join(f"`{escape(t)}`" for t in schedule.tags) if schedule.tags else ""
    report = f"📄 {escape(_report_title(schedule))}" + (f" ({escape(parameter_text(schedule))})" if full else "")
    lines = [f"*{escape(schedule.name)}*  `#{schedule.id}`{tags} — owned by <@{schedule.owner_user_id}>",
             f"_{escape(clip(schedule.description, 500))}_" if schedule.description else None,
             f"🗓️ {escape(describe_cadence(schedule))}" + (f"  (you typed “{escape(schedule.cadence_text[:200])}”)"
                                                           if full else ""),
             f"📅 {escape(period)}" if period else None,
             f"📬 {_where(schedule, access)}",
             report + f" as {', '.join(f.upper() for f in schedule.formats)}"
             + (" · skipped when empty" if schedule.skip_if_empty else ""),
             email_line(email) if full else None, f"Status: {escape(_state(schedule))}", _counters(schedule),
             alert_line]
    lines = [line for line in lines if line]
    if next_runs and schedule.status == ScheduleStatus.ACTIVE:
        lines.append(f"Next runs ({schedule.timezone}, with UTC):\n{next_runs_lines(next_runs, schedule.timezone)}")
    if last is not None:
        lines.append(f"Last run: {STATUS_ICONS.get(last.status, '•')} {last.status}"
                     + (f" {relative(last_at, now)}" if last_at else "") + f" · {run_facts(last, who=full)}"
                     + (f" — {plain_error(last.error)}" if full and last.error and last.status in ("failed", "partial")
                        else ""))
    text = "\n".join(lines)
    blocks = [section(text, ReplyBlocks.SCHEDULE)]
    if full:
        blocks.append(schedule_actions(schedule))
    return Reply(clip(text, 3900), blocks)


def history(schedule: Schedule, runs: list[tuple[RunOutcome, dt.datetime]], now: dt.datetime, *,
            access: Access = Access.FULL, alert_line: str | None = None) -> str:
    """The last runs, newest first: when, how it started, rows, time taken, files; the period each
    covered; and for its owner and admins every destination and the files, each on one line (an
    alert's line first)."""
    name = escape(schedule.name)
    state = f"\n{alert_line}" if alert_line else ""
    if not runs:
        return f"*History of {name}*{state}\nNo runs yet." + (f" `/report run {name}` runs it now."
                                                              if access == Access.FULL else "")
    full = access == Access.FULL
    lines = [f"*History of {name}* (newest first){state}"]
    for outcome, when in runs:
        slot = outcome.slot or when
        lines.append(f"{STATUS_ICONS.get(outcome.status, '•')} *{format_local(slot, schedule.timezone)}* — "
                     f"{outcome.status} {relative(when, now)} (run {outcome.run_id}) · {run_facts(outcome, who=full)}")
        if full:
            lines.extend(f"      {detail}" for detail in outcome_lines(outcome, limit=5))
        elif outcome.window_label:
            lines.append(f"      📅 {escape(outcome.window_label)}")
    text = "\n".join(lines)
    return text if len(text) <= 3900 else text[:3850].rsplit("\n", 1)[0] + "\n…"


def readback(result: ReadBack, period: str = "") -> str:
    if not result.ok:
        return f"⚠️ {escape(result.error or '')}"
    period = f"📅 {escape(period)}\n" if period else ""
    return (f"🗓️ I read “{escape(result.text[:200])}” as: *{escape(result.sentence)}*\n{period}"
            f"Next {len(result.runs)} runs ({result.timezone}, with UTC):\n{runs_text(result)}")


def delete_confirmation(schedule: Schedule) -> Reply:
    text = (f"Delete *{escape(schedule.name)}* (`#{schedule.id}`, {describe_cadence(schedule)})? "
            "It stops running and disappears from every list; its past runs stay in the audit log.")
    value = str(schedule.id)
    return Reply(clip(text), [section(text, ReplyBlocks.DELETE), {
        "type": "actions", "block_id": ReplyBlocks.ACTIONS, "elements": [
            button(ScheduleActions.DELETE_CONFIRM, "Delete it", value, "danger"),
            button(ScheduleActions.DELETE_CANCEL, "Keep it", value),
        ]}])


def unknown_subcommand(word: str, known: Iterable[str]) -> str:
    close = difflib.get_close_matches(word.lower(), list(known), n=1, cutoff=0.6)
    hint = f" Did you mean `/report {close[0]}`?" if close else ""
    return f"I don't know `/report {word[:40]}`.{hint} Try `/report help` to see what I can do."
