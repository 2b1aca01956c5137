"""The message a delivered report arrives with, and what people are told about a run's outcome:
the compact lines history, App Home and progress messages are made of."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from jobs.slack_ids import ScheduleActions
from jobs.views.blocks import (
    MAX_FIELDS,
    STATUS_ICONS,
    actions,
    button,
    clip,
    context,
    escape,
    fields_section,
    header,
    plain_text,
    section,
)
from jobs.views.slack_errors import plain_error
from reports.summary import change_words, covers_words, key_figures
from storage.ids import row_id
from storage.models import RunTrigger


def retry_value(schedule_id: int, run_id: int) -> str:
    """The Retry button's value: which run of which schedule."""
    return f"{schedule_id}:{run_id}"


def parse_retry_value(value: str) -> tuple[int, int] | None:
    """Read a Retry button's value back; None when it is not one."""
    schedule_text, _, run_text = (value or "").partition(":")
    schedule_id, run_id = row_id(schedule_text), row_id(run_text)
    if schedule_id is None or run_id is None:
        return None
    return schedule_id, run_id


def schedule_buttons(schedule_id: int, *, mutable: bool = False) -> dict:
    """The Run now / Pause / History buttons every delivered report carries; a report someone else
    sends a person by DM also carries "Stop sending me this"."""
    value = str(schedule_id)
    elements = [
        button(ScheduleActions.RUN_NOW, "Run now", value),
        button(ScheduleActions.PAUSE, "Pause", value),
        button(ScheduleActions.HISTORY, "History", value),
    ]
    if mutable:
        elements.append(button(ScheduleActions.MUTE, "Stop sending me this", value, confirm={
            "title": plain_text("Stop this report?"), "confirm": plain_text("Stop it"), "deny": plain_text("Keep it"),
            "text": plain_text("You won't get it by DM any more, and its owner will be told.", 300)}))
    return actions(elements, f"report-actions-{schedule_id}")


def report_message_blocks(schedule_id: int, summary_text: str, files_note: str = "", *,
                          mutable: bool = False, summary: dict | None = None) -> list[dict]:
    """The message a delivered report arrives with: its title, the period it covers, the key figures
    with their change, the first rows (or the written answer), notes, a note on files, the buttons.

    A run stored before its summary said its period is shown as its text, as it was.
    """
    blocks = _report_blocks(summary) if summary and summary.get("period") else [section(summary_text)]
    if files_note:
        blocks.append(context(files_note))
    blocks.append(schedule_buttons(schedule_id, mutable=mutable))
    return blocks


def _report_blocks(summary: dict) -> list[dict]:
    rows = summary.get("row_count")
    facts = [f"📅 {escape(covers_words(summary))}"]
    if isinstance(rows, int):
        facts.append(f"{rows:,} row{'' if rows == 1 else 's'}")
    blocks = [header(str(summary.get("title") or "Report")), context(" · ".join(facts))]
    figures = key_figures(summary, limit=MAX_FIELDS)
    if figures and rows:
        blocks.append(fields_section([f"{escape(f.label)}\n*{escape(f.value)}*"
                                      + (f"   {change_words(f.change_pct)}" if f.change_pct is not None else "")
                                      for f in figures]))
        more = max(0, len(summary.get("figures") or []) - len(figures)) + int(summary.get("more_figures") or 0)
        notes = [f"+{more} more figures in the files"] if more else []
        if any(f.change_pct is not None for f in figures) and summary.get("previous_label"):
            notes.insert(0, f"Changes against the previous report: {escape(str(summary['previous_label']))}")
        if notes:
            blocks.append(context(" · ".join(notes)))
    if summary.get("body"):
        blocks.append(section(str(summary["body"])))
    notes = [f"_{escape(str(note))}_" for note in summary.get("notes") or []]
    if notes:
        blocks.append(context("\n".join(notes)))
    return blocks


@dataclass(frozen=True)
class FileLink:
    name: str
    url: str | None
    label: str = ""  # what the compact line shows ("CSV"); the name when empty


@dataclass(frozen=True)
class DestinationResult:
    label: str
    status: str
    error: str | None = None
    files: tuple[FileLink, ...] = ()


@dataclass(frozen=True)
class RunOutcome:
    """What a person needs to know about one run, copied out of the database."""

    run_id: int
    schedule_id: int
    name: str
    status: str
    row_count: int | None = None
    error: str | None = None
    window_label: str | None = None
    destinations: tuple[DestinationResult, ...] = ()
    is_preview: bool = False
    schedule_paused: bool = False
    extra: dict = field(default_factory=dict)
    trigger: str = RunTrigger.SCHEDULE
    triggered_by: str | None = None
    duration_ms: int | None = None
    total_bytes: int | None = None
    files: tuple[FileLink, ...] = ()  # the run's files once, linked where Slack has them
    period: str | None = None  # "the previous week"
    slot: dt.datetime | None = None


def file_links_text(files: tuple[FileLink, ...]) -> str:
    return " · ".join(f"<{f.url}|{escape(f.label or f.name)}>" if f.url else escape(f.label or f.name) for f in files)


def destination_lines(outcome: RunOutcome, limit: int = 10) -> list[str]:
    """One line per destination: where, whether it arrived, or why it did not."""
    lines = []
    for result in outcome.destinations[:limit]:
        icon = STATUS_ICONS.get(result.status, "•")
        line = f"{icon} {escape(result.label)} — {result.status}"
        if result.error and result.status != "sent":
            line += f": {plain_error(result.error)}"
        lines.append(line)
    if len(outcome.destinations) > limit:
        lines.append(f"… and {len(outcome.destinations) - limit} more")
    return lines


_USER_ID = re.compile(r"^[UW][A-Z0-9]{2,}$")
TRIGGER_WORDS = {RunTrigger.SCHEDULE: "scheduled", RunTrigger.CATCH_UP: "catch-up after downtime",
                 RunTrigger.MANUAL: "run now", RunTrigger.API: "via the API", RunTrigger.RETRY: "retry"}


def trigger_words(outcome: RunOutcome, *, who: bool = True) -> str:
    """How the run started: "scheduled", "run now by @alice", "via the API", "retry by @bob"."""
    words = TRIGGER_WORDS.get(outcome.trigger, outcome.trigger)
    if who and outcome.trigger in (RunTrigger.MANUAL, RunTrigger.RETRY) and _USER_ID.match(outcome.triggered_by or ""):
        words += f" by <@{outcome.triggered_by}>"
    return words


def size_words(size: int) -> str:
    """Bytes as people read them: "900 B", "312 KB", "4.2 MB"."""
    for unit, scale in (("GB", 1 << 30), ("MB", 1 << 20), ("KB", 1 << 10)):
        if size >= scale:
            amount = size / scale
            return f"{amount:.1f} {unit}" if amount < 10 else f"{amount:,.0f} {unit}"
    return f"{size} B"


def duration_words(ms: int) -> str:
    """How long a run took: "850 ms", "2.1 s", "1 min 5 s", "1 h 2 min"."""
    if ms < 1000:
        return f"{ms} ms"
    seconds = ms / 1000
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, seconds = divmod(int(seconds), 60)
    if minutes < 60:
        return f"{minutes} min {seconds} s"
    return f"{minutes // 60} h {minutes % 60} min"


def run_facts(outcome: RunOutcome, *, who: bool = True) -> str:
    """The run in one line: how it started, rows, how long it took, its files ("scheduled · 1,234
    rows · 2.1 s · 4 files, 312 KB")."""
    parts = [trigger_words(outcome, who=who)]
    if outcome.row_count is not None:
        parts.append(f"{outcome.row_count:,} row{'' if outcome.row_count == 1 else 's'}")
    if outcome.duration_ms is not None:
        parts.append(duration_words(outcome.duration_ms))
    if outcome.files:
        count = len(outcome.files)
        parts.append(f"{count} file{'' if count == 1 else 's'}"
                     + (f", {size_words(outcome.total_bytes)}" if outcome.total_bytes is not None else ""))
    return " · ".join(parts)


def outcome_lines(outcome: RunOutcome, *, limit: int = 6) -> list[str]:
    """What follows a run's headline for its owner: the period, every destination on one line, the
    files on one line, or why nothing was sent."""
    lines = [f"📅 {escape(outcome.window_label)}"] if outcome.window_label else []
    if outcome.destinations:
        shown = [f"{STATUS_ICONS.get(d.status, '•')} {escape(d.label)}"
                 + (f": {clip(plain_error(d.error), 160)}" if d.error and d.status != "sent" else "")
                 for d in outcome.destinations[:limit]]
        if len(outcome.destinations) > limit:
            shown.append(f"… and {len(outcome.destinations) - limit} more")
        lines.append(" · ".join(shown))
    if outcome.files:
        lines.append(f"📎 {file_links_text(outcome.files)}")
    if outcome.error and outcome.status in ("failed", "skipped") and not outcome.destinations:
        lines.append(clip(plain_error(outcome.error), 500))
    return lines
