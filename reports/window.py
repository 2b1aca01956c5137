"""Report windows: the period a run reports on, computed from the run's slot, never the wall clock.

Computing from the slot means a retried or late run reports exactly the same period.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from reports.errors import ParameterError

WINDOW_KINDS = (
    "previous_day",
    "previous_week",
    "previous_month",
    "last_n_days",
    "last_n_hours",
    "week_to_date",
    "month_to_date",
    "since_previous_run",
)


@dataclass(frozen=True)
class Window:
    """Half-open interval [start, end) in UTC, with the zone it was computed in."""

    start: dt.datetime
    end: dt.datetime
    timezone: str
    kind: str

    @property
    def label(self) -> str:
        """Say the period the way a person would ("Mon 23 Nov 2026, Europe/Berlin")."""
        zone = ZoneInfo(self.timezone)
        start, end = self.start.astimezone(zone), self.end.astimezone(zone)
        last = end - dt.timedelta(microseconds=1)
        if self.kind in ("last_n_hours", "since_previous_run"):
            text = f"{start:%a %d %b %Y %H:%M} – {end:%a %d %b %Y %H:%M}"
        elif start.date() == last.date():
            text = f"{start:%a %d %b %Y}"
        elif start.year == last.year:
            text = f"{start:%a %d %b} – {last:%a %d %b %Y}"
        else:
            text = f"{start:%a %d %b %Y} – {last:%a %d %b %Y}"
        return f"{text}, {self.timezone}"


def _midnight(day: dt.date, zone: ZoneInfo) -> dt.datetime:
    # Local midnight exists on every day in every IANA zone we meet except a few historical ones;
    # fold=0 picks the first occurrence when it repeats.
    return dt.datetime.combine(day, dt.time(), tzinfo=zone)


def compute_window(
    kind: str,
    slot: dt.datetime,
    timezone: str,
    *,
    n: int = 7,
    previous_slot: dt.datetime | None = None,
) -> Window:
    """Return the window of `kind` for a run whose slot is `slot` (aware), in `timezone`."""
    zone = ZoneInfo(timezone)
    local = slot.astimezone(zone)
    today = local.date()
    utc = dt.timezone.utc
    if kind == "previous_day":
        start, end = _midnight(today - dt.timedelta(days=1), zone), _midnight(today, zone)
    elif kind == "previous_week":
        this_monday = today - dt.timedelta(days=today.weekday())
        start, end = _midnight(this_monday - dt.timedelta(days=7), zone), _midnight(this_monday, zone)
    elif kind == "previous_month":
        first = today.replace(day=1)
        previous_first = (first - dt.timedelta(days=1)).replace(day=1)
        start, end = _midnight(previous_first, zone), _midnight(first, zone)
    elif kind == "last_n_days":
        _check_n(n)
        start, end = _midnight(today - dt.timedelta(days=n), zone), _midnight(today, zone)
    elif kind == "last_n_hours":
        _check_n(n)
        end_utc = slot.astimezone(utc).replace(minute=0, second=0, microsecond=0)
        return Window(end_utc - dt.timedelta(hours=n), end_utc, timezone, kind)
    elif kind == "week_to_date":
        start, end = _midnight(today - dt.timedelta(days=today.weekday()), zone), local
    elif kind == "month_to_date":
        start, end = _midnight(today.replace(day=1), zone), local
    elif kind == "since_previous_run":
        end = slot
        start = previous_slot if previous_slot is not None else slot - dt.timedelta(days=1)
    else:
        raise ParameterError(f"Unknown report window “{kind}”. Choose one of: {', '.join(WINDOW_KINDS)}.")
    return Window(start.astimezone(utc), end.astimezone(utc), timezone, kind)


def _check_n(n: int) -> None:
    if n < 1 or n > 3660:
        raise ParameterError("The window length must be between 1 and 3660.")
