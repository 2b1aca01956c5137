"""Read a cadence back to the person who typed it: the sentence it was understood as and the next
runs in their timezone (and UTC), or the parse error with its suggestion."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from jobs.cadence import Cadence, CadenceError, parse
from jobs.views.time_words import NEXT_RUNS_SHOWN, next_runs_lines


@dataclass(frozen=True)
class ReadBack:
    text: str
    timezone: str
    cadence: Cadence | None = None
    runs: list[dt.datetime] = field(default_factory=list)  # UTC
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.cadence is not None

    @property
    def sentence(self) -> str:
        return self.cadence.describe() if self.cadence else ""


def valid_timezone(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, TypeError):
        return False
    return bool(name)


def read_back(text: str, timezone: str, now: dt.datetime, count: int = NEXT_RUNS_SHOWN, *,
              date_order: str | None = None) -> ReadBack:
    """Parse `text` as typed by someone in `timezone`; never raises for bad input."""
    text = (text or "").strip()
    timezone = timezone if valid_timezone(timezone) else "UTC"
    if not text:
        return ReadBack(text, timezone, error="Tell me when it should run, e.g. “every weekday at 9am”.")
    try:
        cadence = parse(text[:500], timezone, now=now, date_order=date_order)
    except CadenceError as exc:
        return ReadBack(text, timezone, error=str(exc))
    except (ValueError, OverflowError) as exc:  # the parser's own guard rails; still the user's words
        return ReadBack(text, timezone, error=f"I couldn't read “{text[:80]}” as a schedule ({exc}).")
    cadence = cadence.anchored(now)
    return ReadBack(text, cadence.timezone, cadence, cadence.next_runs(now, count))


def runs_text(result: ReadBack) -> str:
    """The next runs as bullet lines, in local time and UTC (jobs.views.time_words, as everywhere)."""
    return next_runs_lines(result.runs, result.timezone)
