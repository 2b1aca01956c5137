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
from jobs.views.run_message import RunOutcome, destination_lines
from jobs.views.slack_errors import plain_error
from jobs.views.time_words import format_local, relative
from storage.models import (
    AttachMode,
    DestinationKind,
    EmailOptions,
    Schedule,
    ScheduleStatus,
)

HELP = """*reportbot* schedules reports into channels, DMs and email. Type `/report` alone to open the form, or:
• `/report new "Daily sales" every weekday at 9am in #sales as csv,xlsx` — create one in a line (anything missing opens the form)
• `/report new "Low revenue" every hour in #ops when revenue < 10000` — an alert: it tells #ops only when the answer changes
• `/report list` — your schedules (admins: `/report list all`)
• `/report show <name or number>` — details, next runs and buttons
• `/report edit <name>` — change it in the form
• `/report run <name>` — run it now
• `/report pause <name>` / `/report resume <name>`
• `/report delete <name>` — asks first
• `/report history <name>` — its last runs, per destination
• `/report mute <name>` — stop getting someone else's report by DM (`/report mute all`: every one; `unmute` undoes it)
• `/report snooze <alert> 1h` (or `1d`, `until resolved`) / `/report unsnooze <alert>` — hold an alert's notices back
• `/report preview <when>` — how I read a schedule, e.g. `/report preview every monday at 9`
• `/report admin` — quotas, email domains and report access (workspace admins)
You can also talk to me: mention @reportbot or DM me, e.g. “send the demo sales report to #sales every monday at 9”.
Cadence examples: `every weekday at 8:30`, `every other friday at 5pm`, `first monday of the month at 9`, `0 9 * * 1-5`."""


@dataclass(frozen=True)
class Reply:
    text: str
    blocks: list[dict] = field(default_factory=list)


def saved(result: Saved) -> str:
    runs = "\n".join(f"• {format_local(when, result.timezone)}" for when in result.next_runs) or \
        "• none (it never fires)"
    verb = "Scheduled" if result.created else "Updated"
    return clip(f"✅ {verb} *{escape(result.name)}* (#{result.schedule_id}): {result.sentence} → "
                f"{escape(', '.join(result.destinations))}.\nNext runs ({result.timezone}):\n{runs}")


def _state(schedule: Schedule) -> str:
    if schedule.status == ScheduleStatus.ACTIVE and schedule.next_run_at:
        return f"next {format_local(schedule.next_run_at, schedule.timezone)}"
    state = {"paused": "paused", "error": "paused after repeated failures"}.get(schedule.status, schedule.status)
    return f"{state}: {schedule.paused_reason}" if schedule.paused_reason and schedule.status == "paused" else state


def schedule_list(schedules: list[Schedule], *, everyone: bool = False) -> str:
    if not schedules:
        if everyone:
            return "There are no scheduled reports in this workspace yet."
        return "You have no scheduled reports. Create one with `/report new \"Daily sales\" every day at 9am in #sales`."
    lines = ["*All scheduled reports in this workspace*" if everyone else "*Your scheduled reports*"]
    for schedule in schedules:
        where = escape(", ".join(d.label or d.target for d in schedule.destinations))
        owner = f" · <@{schedule.owner_user_id}>" if everyone else ""
        lines.append(f"• `#{schedule.id}` *{escape(schedule.name)}* — {describe_cadence(schedule)} → {where} "
                     f"({_state(schedule)}){owner}")
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


def schedule_detail(schedule: Schedule, next_runs: list[dt.datetime], last: RunOutcome | None,
                    last_at: dt.datetime | None, now: dt.datetime, email: EmailOptions | None = None, *,
                    access: Access = Access.FULL, alert_line: str | None = None) -> Reply:
    """`/report show`: everything for its owner and admins; for someone it is sent to, what it is and
    when it comes (not its query, parameters, recipients or email copies)."""
    full = access == Access.FULL
    params = ", ".join(f"{k}={v}" for k, v in (schedule.params or {}).items() if v not in (None, "")) or "defaults"
    lines = [f"*{escape(schedule.name)}*  `#{schedule.id}` — owned by <@{schedule.owner_user_id}>",
             f"🗓️ {describe_cadence(schedule)}" + (f"  (you typed “{escape(schedule.cadence_text[:200])}”)"
                                                   if full else ""),
             f"📬 {_where(schedule, access)}",
             (f"📄 {schedule.report_type} ({escape(params[:1500])})" if full else f"📄 {schedule.report_type}")
             + f" as {', '.join(schedule.formats)}" + (" · skipped when empty" if schedule.skip_if_empty else ""),
             email_line(email) if full else None, f"Status: {escape(_state(schedule))}", alert_line]
    lines = [line for line in lines if line]
    if next_runs and schedule.status == ScheduleStatus.ACTIVE:
        lines.append("Next runs:\n" + "\n".join(f"• {format_local(w, schedule.timezone)}" for w in next_runs))
    if last is not None:
        lines.append(f"Last run: {STATUS_ICONS.get(last.status, '•')} {last.status}"
                     + (f" {relative(last_at, now)}" if last_at else "")
                     + (f" — {plain_error(last.error)}" if full and last.error and last.status in ("failed", "partial")
                        else ""))
    text = "\n".join(lines)
    blocks = [section(text, ReplyBlocks.SCHEDULE)]
    if full:
        blocks.append(schedule_actions(schedule))
    return Reply(clip(text, 3900), blocks)


def history(schedule: Schedule, runs: list[tuple[RunOutcome, dt.datetime]], now: dt.datetime, *,
            access: Access = Access.FULL, alert_line: str | None = None) -> str:
    """The last runs, newest first; per destination for its owner and admins (an alert's line first)."""
    name = escape(schedule.name)
    state = f"\n{alert_line}" if alert_line else ""
    if not runs:
        return f"*History of {name}*{state}\nNo runs yet." + (f" `/report run {name}` runs it now."
                                                              if access == Access.FULL else "")
    lines = [f"*History of {name}* (newest first){state}"]
    for outcome, when in runs:
        line = f"{STATUS_ICONS.get(outcome.status, '•')} run {outcome.run_id} · {format_local(when, schedule.timezone)}" \
               f" ({relative(when, now)}) — {outcome.status}"
        if outcome.row_count is not None:
            line += f" · {outcome.row_count:,} rows"
        lines.append(line)
        if access != Access.FULL:
            continue
        lines.extend(f"      {d}" for d in destination_lines(outcome, limit=5))
        if outcome.error and not outcome.destinations:
            lines.append(f"      {plain_error(outcome.error)}")
    text = "\n".join(lines)
    return text if len(text) <= 3900 else text[:3850].rsplit("\n", 1)[0] + "\n…"


def readback(result: ReadBack) -> str:
    if not result.ok:
        return f"⚠️ {result.error}"
    return (f"🗓️ I read “{result.text[:200]}” as: *{result.sentence}*\n"
            f"Next {len(result.runs)} runs ({result.timezone}, with UTC):\n{runs_text(result, with_utc=True)}")


def delete_confirmation(schedule: Schedule) -> Reply:
    text = (f"Delete *{escape(schedule.name)}* (`#{schedule.id}`, {describe_cadence(schedule)})? It stops running and disappears "
            "from every list; its past runs stay in the audit log.")
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
