"""Times as people read them: relative ("in 5 h"), local with the zone, and UTC beside it."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo


def relative(when: dt.datetime, now: dt.datetime) -> str:
    """Say how far `when` is from `now` in the coarsest unit that fits ("in 5 h", "3 min ago")."""
    seconds = (when - now).total_seconds()
    future, seconds = seconds >= 0, abs(seconds)
    for size, unit in ((86400, "d"), (3600, "h"), (60, "min")):
        if seconds >= size:
            amount = f"{int(seconds // size)} {unit}"
            break
    else:
        amount = "moments"
    return f"in {amount}" if future else f"{amount} ago"


def local_time(when: dt.datetime, timezone: str, now: dt.datetime | None = None) -> str:
    """"Mon 09:00 CET" within the coming week, with the date beyond it."""
    local = when.astimezone(ZoneInfo(timezone))
    if now is not None and dt.timedelta(0) <= when - now < dt.timedelta(days=6):
        return local.strftime("%a %H:%M %Z")
    return local.strftime("%a %d %b %H:%M %Z")


UTC = dt.UTC


def format_local(when: dt.datetime, timezone: str) -> str:
    """A run time as people read it, in the schedule's zone."""
    return when.astimezone(ZoneInfo(timezone)).strftime("%a %d %b %Y %H:%M %Z")


def utc(when: dt.datetime) -> str:
    return when.astimezone(UTC).strftime("%a %d %b %H:%M UTC")


NEXT_RUNS_SHOWN = 5  # every surface lists this many next runs, each in local time and UTC


def next_runs_lines(runs: list[dt.datetime], timezone: str) -> str:
    """The next runs as bullet lines, local time with UTC beside it ("• Mon 30 Nov 2026 09:00 CET (Mon 30 Nov
    08:00 UTC)"); the same on every surface."""
    if not runs:
        return "• none — it never runs again"
    return "\n".join(f"• {format_local(when, timezone)}  ({utc(when)})" for when in runs[:NEXT_RUNS_SHOWN])
