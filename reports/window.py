"""Report windows: the period a run reports on, computed from the run's slot, never the wall clock.

Computing from the slot means a retried or late run reports exactly the same period.

Two families: the explicit kinds below (`compute_window`: "previous week", "last 7 days", "month to
date", …), and the schedule's own period (`schedule_window`: everything since the previous slot, in
whole calendar units — days, weeks, months, quarters, years — or exactly between two slots when a
schedule runs several times a day). Which unit a cadence has and where its previous slot was is
worked out by jobs/periods.py, which knows the cadence; this module only cuts the calendar.

Calendar windows (days, weeks, months, quarters, years) are cut at local midnight in the schedule's
timezone, so a day across a DST change is 23 or 25 hours long, and a day whose midnight falls in a
DST gap (America/Santiago, Asia/Beirut, …) starts at the first instant after the gap.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from reports.errors import ParameterError

# A schedule whose window is this follows its cadence (jobs/periods.py); the default of every report.
SCHEDULE_WINDOW = "schedule"
# How a schedule's period is cut: whole local days, weeks, months, quarters or years from the previous
# slot's unit to this slot's; "exact" from the previous slot to this one; "elapsed" since the last run.
PERIOD_UNITS = ("day", "week", "month", "quarter", "year", "exact", "elapsed")

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
    SCHEDULE_WINDOW: "As the schedule: the whole period since the previous report",
    "previous_day": "Previous day",
    "previous_week": "Previous week",
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

# What a schedule's window setting may be: its own period, or one of the explicit kinds.
WINDOW_CHOICES = (SCHEDULE_WINDOW, *WINDOW_KINDS)

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
    unit: str | None = None  # a schedule's period: how it was cut (PERIOD_UNITS)

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
        whole_months = first.day == 1 and (last + dt.timedelta(days=1)).day == 1
        months = (last.year - first.year) * 12 + last.month - first.month + 1
        if whole_months and (self.kind in ("previous_month", "previous_quarter", "previous_year")
                             or self.unit in ("month", "quarter", "year")):
            return _months_text(first, last, months)
        text = (f"{_day(first, year=False)} – {_day(last, year=True)}" if first.year == last.year
                else f"{_day(first, year=True)} – {_day(last, year=True)}")
        weekly = self.kind == "previous_week" or self.unit == "week"
        if weekly and first.weekday() == 0 and (last - first).days == 6:  # ISO week numbers start on Monday
            text += f" (week {first.isocalendar().week})"
        return text


def _months_text(first: dt.date, last: dt.date, months: int) -> str:
    """Whole months by name: "October 2026", "Q3 2026", "2025", "November 2026 – January 2027"."""
    if months == 1:
        return f"{first:%B %Y}"
    if months == 3 and first.month % 3 == 1:
        return f"Q{(first.month - 1) // 3 + 1} {first.year}"
    if months == 12 and first.month == 1:
        return str(first.year)
    if first.year == last.year:
        return f"{first:%B} – {last:%B %Y}"
    return f"{first:%B %Y} – {last:%B %Y}"


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
    week_start: int = 0,
) -> Window:
    """Return the window of `kind` for a run whose slot is `slot` (aware; naive means UTC), in `timezone`.

    Weeks start on `week_start` (0 = Monday, the default; 6 = Sunday), the workspace's choice.
    """
    zone = ZoneInfo(timezone)
    if slot.tzinfo is None:
        slot = slot.replace(tzinfo=_UTC)
    local = slot.astimezone(zone)
    today = local.date()
    month = today.replace(day=1)
    quarter = today.replace(month=(today.month - 1) // 3 * 3 + 1, day=1)
    year = today.replace(month=1, day=1)
    week_began = unit_start(today, "week", week_start)
    days: tuple[dt.date, dt.date] | None = None  # [first, end) in local dates
    if kind == "previous_day":
        days = (today - dt.timedelta(days=1), today)
    elif kind == "previous_week":  # Monday to Sunday, unless the workspace starts weeks on another day
        days = (week_began - dt.timedelta(days=7), week_began)
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
        first = {"week_to_date": week_began, "month_to_date": month, "quarter_to_date": quarter,
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


def unit_start(day: dt.date, unit: str, week_start: int = 0) -> dt.date:
    """The first day of the calendar `unit` holding `day` (weeks start on `week_start`, 0 = Monday)."""
    if unit == "day":
        return day
    if unit == "week":
        return day - dt.timedelta(days=(day.weekday() - week_start) % 7)
    if unit == "month":
        return day.replace(day=1)
    if unit == "quarter":
        return day.replace(month=(day.month - 1) // 3 * 3 + 1, day=1)
    if unit == "year":
        return day.replace(month=1, day=1)
    raise ValueError(f"unknown calendar unit {unit!r}")


_ONE_UNIT_BACK = {"day": lambda d: d - dt.timedelta(days=1), "week": lambda d: d - dt.timedelta(days=7),
                  "month": lambda d: _add_months(d, -1), "quarter": lambda d: _add_months(d, -3),
                  "year": lambda d: d.replace(year=d.year - 1)}


def schedule_window(slot: dt.datetime, previous_slot: dt.datetime | None, timezone: str, unit: str, *,
                    week_start: int = 0, fallback: dt.timedelta = dt.timedelta(days=1)) -> Window:
    """The schedule's period for the run at `slot`: since `previous_slot`, in whole `unit`s.

    Calendar units run from the start of the unit holding the previous slot to the start of the
    unit holding this one, in local dates of `timezone` (a weekday report on Monday covers Friday
    to Sunday; a monthly one the previous month). "exact" and "elapsed" run from the previous slot
    to this one. Without a previous slot (the very first run of a rule that never ran before) the
    period is one unit back, or `fallback` for the exact units.
    """
    if unit not in PERIOD_UNITS:
        raise ParameterError(f"Unknown period unit “{unit}”. Choose one of: {', '.join(PERIOD_UNITS)}.")
    zone = ZoneInfo(timezone)
    end = (slot if slot.tzinfo else slot.replace(tzinfo=_UTC)).astimezone(_UTC)
    if unit in ("exact", "elapsed"):
        start = previous_slot.astimezone(_UTC) if previous_slot is not None else None
        if start is None or start >= end:
            start = end - fallback
        return Window(start, end, timezone, SCHEDULE_WINDOW, unit)
    last = unit_start(end.astimezone(zone).date(), unit, week_start)
    first = unit_start(previous_slot.astimezone(zone).date(), unit, week_start) if previous_slot is not None else last
    if first >= last:  # no previous slot, or one in the same unit: the unit before this one
        first = unit_start(_ONE_UNIT_BACK[unit](last), unit, week_start)
    return Window(start_of_day(first, zone), start_of_day(last, zone), timezone, SCHEDULE_WINDOW, unit)
