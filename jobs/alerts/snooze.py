"""Snooze an alert: its checks go on and are recorded, its notices are held back for a while or
until it resolves. Who snoozed, and until when, is kept for the owner and admins to see.

The service functions take the caller's session (the caller owns the transaction) and record an
audit event; the Slack surfaces check `jobs.access.ensure_may_snooze` first (one rule for every surface).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from jobs.views.blocks import escape
from storage import alerts as alert_repo
from storage.audit import record
from storage.db import Session
from storage.errors import BadInput
from storage.ids import row_id
from storage.models import Schedule

MIN_SNOOZE = dt.timedelta(minutes=1)
MAX_SNOOZE = dt.timedelta(days=30)
UNTIL_RESOLVED = "resolved"
# The choices on a notification's Snooze menu: value suffix -> (words, seconds or None for "until resolved").
MENU_CHOICES = {"1h": ("1 hour", 3600), "1d": ("1 day", 86400), UNTIL_RESOLVED: ("until resolved", None)}
_UNITS = {"m": 60, "min": 60, "mins": 60, "minute": 60, "minutes": 60, "h": 3600, "hr": 3600, "hrs": 3600,
          "hour": 3600, "hours": 3600, "d": 86400, "day": 86400, "days": 86400, "w": 604800, "week": 604800,
          "weeks": 604800}


class SnoozeError(BadInput, ValueError):
    """The snooze cannot be done as asked; the message says why and what to write."""


@dataclass(frozen=True)
class SnoozeRequest:
    seconds: int | None  # None: until the alert resolves

    @property
    def until_resolved(self) -> bool:
        return self.seconds is None


@dataclass(frozen=True)
class Snoozed:
    schedule_id: int
    until: dt.datetime | None
    until_resolved: bool
    by: str
    at: dt.datetime


def parse_snooze(text: str) -> SnoozeRequest:
    """"1 hour", "2h", "a day", "90 minutes", "until resolved" → a SnoozeRequest; SnoozeError otherwise."""
    words = " ".join((text or "").lower().split()).removeprefix("for ").strip()
    if not words:
        raise SnoozeError("For how long? Try “1 hour”, “1 day” or “until resolved”.")
    if re.fullmatch(r"(?:until|till|til)\s+(?:it(?:'s|\s+is)?\s+)?(?:resolved|resolves|fixed|ok|back\s+to\s+normal)",
                    words):
        return SnoozeRequest(None)
    match = re.fullmatch(r"(?P<n>\d+|an?|one)\s*(?P<unit>[a-z]+)", words)
    if match is None or match.group("unit") not in _UNITS:
        raise SnoozeError(f"I couldn't read “{text.strip()[:60]}” as a time. Try “1 hour”, “30 minutes”, “2 days” "
                          f"or “until resolved”.")
    amount = 1 if match.group("n") in ("a", "an", "one") else int(match.group("n"))
    seconds = amount * _UNITS[match.group("unit")]
    _check_length(dt.timedelta(seconds=seconds))
    return SnoozeRequest(seconds)


def _check_length(length: dt.timedelta) -> None:
    if length < MIN_SNOOZE or length > MAX_SNOOZE:
        raise SnoozeError("A snooze lasts between 1 minute and 30 days; for longer, pause the alert.")


def menu_value(schedule_id: int, choice: str) -> str:
    """The value of one option of a notification's Snooze menu."""
    return f"{schedule_id}:{choice}"


def parse_menu_value(value: str) -> tuple[int, SnoozeRequest] | None:
    """Read a Snooze menu value back; None when it is not one."""
    schedule_text, _, choice = (value or "").partition(":")
    schedule_id = row_id(schedule_text)
    if schedule_id is None or choice not in MENU_CHOICES:
        return None
    return schedule_id, SnoozeRequest(MENU_CHOICES[choice][1])


def snooze(session: Session, schedule: Schedule, request: SnoozeRequest, *, by: str, now: dt.datetime,
           surface: str) -> Snoozed:
    """Hold the alert's notices back for `request`; the checks go on. Raises SnoozeError for a report."""
    _require_alert(schedule)
    until = None if request.until_resolved else now + dt.timedelta(seconds=request.seconds)
    if until is not None:
        _check_length(until - now)
    alert_repo.set_snooze(session, schedule.id, until=until, until_resolved=request.until_resolved, by=by, at=now)
    record(session, team_id=schedule.team_id, schedule_id=schedule.id, actor=by, action="alert_snoozed",
           surface=surface, details={"until": until.isoformat() if until else None,
                                     "until_resolved": request.until_resolved})
    return Snoozed(schedule.id, until, request.until_resolved, by, now)


def unsnooze(session: Session, schedule: Schedule, *, by: str, surface: str) -> bool:
    """End the snooze now; return whether there was one. The next check tells what is due."""
    _require_alert(schedule)
    state = alert_repo.get_state(session, schedule.id)
    was = state is not None and (state.snoozed_until is not None or state.snoozed_until_resolved)
    alert_repo.clear_snooze(session, schedule.id)
    if was:
        record(session, team_id=schedule.team_id, schedule_id=schedule.id, actor=by, action="alert_unsnoozed",
               surface=surface, details={})
    return was


def _require_alert(schedule: Schedule) -> None:
    if schedule.condition is None:
        raise SnoozeError(f"“{escape(schedule.name)}” is a report, not an alert: there is nothing to snooze. "
                          "Pause it instead.")


def snooze_words(until: dt.datetime | None, until_resolved: bool, by: str | None, timezone: str) -> str:
    """"Snoozed by <@U0BOB0001> until Mon 15:00 CET" (a mention: Slack shows the person's name)."""
    who = f" by <@{by}>" if by and re.fullmatch(r"[UW][A-Z0-9]+", by) else ""
    if until_resolved:
        return f"😴 Snoozed{who} until it resolves"
    if until is None:
        return "Not snoozed"
    return f"😴 Snoozed{who} until {until.astimezone(ZoneInfo(timezone)).strftime('%a %d %b %H:%M %Z')}"
