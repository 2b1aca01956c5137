"""Report windows: the period a run reports on, computed from the run's slot, never the wall clock.

Computing from the slot means a retried or late run reports exactly the same period.

Calendar windows (days, weeks, months, quarters, years) are cut at local midnight in the schedule's
timezone, so a day across a DST change is 23 or 25 hours long, and a day whose midnight falls in a
DST gap (America/Santiago, Asia/Beirut, …) starts at the first instant after the gap.
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
    "previous_quarter",
    "quarter_to_date",
    "previous_year",
    "year_to_date",
)

# What the modal and the one-liner show for each kind.
WINDOW_LABELS = {
    "previous_day": "Previous day",
    "previous_week": "Previous week (Mon–Sun)",
    "previous_month": "Previous month",
    "last_n_days": "Last N days",
    "last_n_hours": "Last N hours",
    "week_to_date": "Week to date",
    "month_to_date": "Month to date",
    "since_previous_run": "Since the previous run",
    "previous_quarter": "Previous quarter",
    "quarter_to_date": "Quarter to date",
    "previous_year": "Previous year",
    "year_to_date": "Year to date",
}

MAX_N = 3660
_UTC = dt.UTC
_TO_DATE = ("week_to_date", "month_to_date", "quarter_to_date", "year_to_date")


@dataclass(frozen=True)
class Window:
    """Half-open interval [start, end) in UTC, with the zone it was computed in."""

    start: dt.datetime
    end: dt.datetime
    timezone: str
    kind: str

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def local_start(self) -> dt.datetime:
        return self.start.astimezone(self.zone)

    @property
    def local_end(self) -> dt.datetime:
        return self.end.astimezone(self.zone)

    @property
    def label(self) -> str:
        """Say the period the way a person would ("Mon 23 Nov 2026, Europe/Berlin")."""
        zone = self.zone
        start, end = self.local_start, self.local_end
        if _is_day_start(self.start, zone) and _is_day_start(self.end, zone) and self.start < self.end:
            text = self._calendar_text(start.date(), _last_day(self.end, zone))
        else:
            text = _instant_range(start, end)
        return f"{text}, {self.timezone}"

    def heading(self, title: str) -> str:
        """Title and period as printed on every output ("Sales · Mon 23 Nov 2026, Europe/Berlin")."""
        return f"{title} · {self.label}" if title else self.label

    def _calendar_text(self, first: dt.date, last: dt.date) -> str:
        if first == last:
            return _day(first, year=True)
        whole_month = first.day == 1 and (last + dt.timedelta(days=1)).day == 1
        if self.kind == "previous_month" and whole_month and first.month == last.month:
            return f"{first:%B %Y}"
        if self.kind == "previous_quarter" and whole_month and last.month - first.month == 2:
            return f"Q{(first.month - 1) // 3 + 1} {first.year}"
        if self.kind == "previous_year" and whole_month and (first.month, last.month) == (1, 12):
            return str(first.year)
        text = (f"{_day(first, year=False)} – {_day(last, year=True)}" if first.year == last.year
                else f"{_day(first, year=True)} – {_day(last, year=True)}")
        if self.kind == "previous_week" and first.weekday() == 0 and (last - first).days == 6:
            text += f" (week {first.isocalendar().week})"
        return text


def _day(day: dt.date, *, year: bool) -> str:
    # Unpadded day of month: people write "Tue 3 Nov", not "Tue 03 Nov".
    return f"{day:%a} {day.day} {day:%b}" + (f" {day.year}" if year else "")


def _instant_range(start: dt.datetime, end: dt.datetime) -> str:
    """A window that does not fall on day boundaries: print the times too."""
    # In the hour clocks go back, a wall time means two instants; the abbreviations tell them apart.
    zones = _ambiguous(start) or _ambiguous(end)
    s_time = f"{start:%H:%M}" + (f" {start:%Z}" if zones else "")
    e_time = f"{end:%H:%M}" + (f" {end:%Z}" if zones else "")
    if start.date() == end.date():
        return f"{_day(start.date(), year=True)} {s_time}–{e_time}"
    first = _day(start.date(), year=start.year != end.year)
    return f"{first} {s_time} – {_day(end.date(), year=True)} {e_time}"


def _ambiguous(local: dt.datetime) -> bool:
    return local.replace(fold=1 - local.fold).utcoffset() != local.utcoffset()


def _last_day(end: dt.datetime, zone: ZoneInfo) -> dt.date:
    """The last local date inside a window that ends (exclusively) at `end`."""
    return (end - dt.timedelta(microseconds=1)).astimezone(zone).date()


def start_of_day(day: dt.date, zone: ZoneInfo) -> dt.datetime:
    """Return the first instant (UTC) whose local date in `zone` is `day` or later."""
    naive = dt.datetime.combine(day, dt.time())
    # fold=0 picks the first occurrence when midnight happens twice (clocks set back to 00:00).
    instant = naive.replace(tzinfo=zone).astimezone(_UTC)
    if instant.astimezone(zone).replace(tzinfo=None) == naive:
        return instant
    # Midnight falls in a DST gap, so the day starts at the transition. fold=0 resolves a missing
    # time with the old offset, which lands at or after the transition; search back for the exact
    # instant, whole seconds being the finest step a tz database transition takes.
    low, high = instant - dt.timedelta(days=1), instant
    while high - low > dt.timedelta(seconds=1):
        middle = low + dt.timedelta(seconds=(high - low) // dt.timedelta(seconds=2))
        if middle.astimezone(zone).date() >= day:
            high = middle
        else:
            low = middle
    return high


def _is_day_start(instant: dt.datetime, zone: ZoneInfo) -> bool:
    return start_of_day(instant.astimezone(zone).date(), zone) == instant


def _add_months(day: dt.date, months: int) -> dt.date:
    """First of the month `months` after `day`'s month."""
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def compute_window(
    kind: str,
    slot: dt.datetime,
    timezone: str,
    *,
    n: int = 7,
    previous_slot: dt.datetime | None = None,
) -> Window:
    """Return the window of `kind` for a run whose slot is `slot` (aware; naive means UTC), in `timezone`."""
    zone = ZoneInfo(timezone)
    if slot.tzinfo is None:
        slot = slot.replace(tzinfo=_UTC)
    local = slot.astimezone(zone)
    today = local.date()
    month = today.replace(day=1)
    quarter = today.replace(month=(today.month - 1) // 3 * 3 + 1, day=1)
    year = today.replace(month=1, day=1)
    this_monday = today - dt.timedelta(days=today.weekday())
    days: tuple[dt.date, dt.date] | None = None  # [first, end) in local dates
    if kind == "previous_day":
        days = (today - dt.timedelta(days=1), today)
    elif kind == "previous_week":  # ISO weeks: Monday to Sunday
        days = (this_monday - dt.timedelta(days=7), this_monday)
    elif kind == "previous_month":
        days = (_add_months(month, -1), month)
    elif kind == "previous_quarter":
        days = (_add_months(quarter, -3), quarter)
    elif kind == "previous_year":
        days = (year.replace(year=year.year - 1), year)
    elif kind == "last_n_days":  # N whole days before today; today is not over yet
        _check_n(n)
        days = (today - dt.timedelta(days=n), today)
    elif kind in _TO_DATE:
        first = {"week_to_date": this_monday, "month_to_date": month, "quarter_to_date": quarter,
                 "year_to_date": year}[kind]
        return Window(start_of_day(first, zone), slot.astimezone(_UTC), timezone, kind)
    elif kind == "last_n_hours":
        _check_n(n)
        # Cut at the local hour, not the UTC hour: in zones with half-hour offsets (India, Iran…)
        # a 09:00 run must cover up to 09:00, not 08:30. Subtracting from the instant, rather than
        # rebuilding a wall time, stays correct when that hour repeats or is skipped by DST.
        end = slot.astimezone(_UTC) - dt.timedelta(minutes=local.minute, seconds=local.second,
                                                    microseconds=local.microsecond)
        return Window(end - dt.timedelta(hours=n), end, timezone, kind)
    elif kind == "since_previous_run":
        end = slot.astimezone(_UTC)
        start = previous_slot.astimezone(_UTC) if previous_slot is not None else None
        if start is None or start >= end:  # first run (or clock confusion): the last 24 hours
            start = end - dt.timedelta(days=1)
        return Window(start, end, timezone, kind)
    else:
        raise ParameterError(f"Unknown report window “{kind}”. Choose one of: {', '.join(WINDOW_KINDS)}.")
    return Window(start_of_day(days[0], zone), start_of_day(days[1], zone), timezone, kind)


def _check_n(n: int) -> None:
    if n < 1 or n > MAX_N:
        raise ParameterError(f"The window length must be between 1 and {MAX_N}.")
