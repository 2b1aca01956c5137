"""The message a delivered report arrives with, and what people are told about a run's outcome."""

from __future__ import annotations

from dataclasses import dataclass, field

from jobs.slack_ids import ScheduleActions
from jobs.views.blocks import (
    STATUS_ICONS,
    actions,
    button,
    context,
    plain_text,
    section,
)
from jobs.views.slack_errors import plain_error
from storage.ids import row_id


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
                          mutable: bool = False) -> list[dict]:
    """The message a delivered report arrives with: the summary, a note on files, the buttons."""
    blocks = [section(summary_text)]
    if files_note:
        blocks.append(context(files_note))
    blocks.append(schedule_buttons(schedule_id, mutable=mutable))
    return blocks


@dataclass(frozen=True)
class FileLink:
    name: str
    url: str | None


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


def file_links_text(files: tuple[FileLink, ...]) -> str:
    return ", ".join(f"<{f.url}|{f.name}>" if f.url else f.name for f in files)


def destination_lines(outcome: RunOutcome, limit: int = 10) -> list[str]:
    """One line per destination: where, whether it arrived, its files or why it did not."""
    lines = []
    for result in outcome.destinations[:limit]:
        icon = STATUS_ICONS.get(result.status, "•")
        line = f"{icon} {result.label} — {result.status}"
        if result.files:
            line += f" · {file_links_text(result.files)}"
        if result.error and result.status != "sent":
            line += f": {plain_error(result.error)}"
        lines.append(line)
    if len(outcome.destinations) > limit:
        lines.append(f"… and {len(outcome.destinations) - limit} more")
    return lines
