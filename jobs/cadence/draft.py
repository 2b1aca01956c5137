"""Draft: what the grammar heard, clause by clause, before it becomes a rule."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from jobs.cadence.errors import CadenceError


@dataclass
class Draft:
    """Collect the pieces of a schedule sentence in any order."""

    text: str
    step: tuple[int, str] | None = None  # (n, unit) from "every 30 minutes", "hourly", "monthly"
    weeks: int | None = None  # from "every 2 weeks", "weekly": combines with a sub-daily step
    elapsed: bool = False
    weekdays: set[int] = field(default_factory=set)
    except_days: set[int] = field(default_factory=set)
    monthdays: list[int] = field(default_factory=list)
    nth: list[tuple[int, int]] = field(default_factory=list)
    business: list[int] = field(default_factory=list)
    dates: list[tuple[int, int]] = field(default_factory=list)
    months: set[int] = field(default_factory=set)
    quarter: bool = False
    times: list[int] = field(default_factory=list)
    minute_offset: int | None = None
    morning: bool = False
    window: tuple[int, int] | None = None
    start: dt.date | None = None
    until: dt.date | None = None
    holidays: tuple[str, str | None] | None = None
    zone: str | None = None
    per: tuple[int, str] | None = None  # "3 times a day", "twice a month"
    count: int | None = None  # "10 times"
    duration: tuple[int, str] | None = None  # "for 3 weeks": an end date once the start is known
    except_months: set[int] = field(default_factory=set)
    skip: set[tuple[int, int]] = field(default_factory=set)  # (month, day); month 0 is every month
    and_monthdays: list[int] = field(default_factory=list)  # "every friday the 13th": both must match
    part_of_day: str | None = None  # "evening", "afternoon", "night"
    bare_times: set[int] = field(default_factory=set)  # times typed without am/pm
    start_minute: int | None = None  # "starting 2026-03-04T15:00"
    start_yearless: bool = False  # "from march 1": the year was worked out, and may be this one after all
    repeats: bool = False  # "every", "each", a frequency or an interval was said
    day_words: bool = False  # a day was named, "every day" and "daily" included
    each_weekday: bool = False  # "every tuesday": all of them, even with "every other month"

    def set_step(self, n: int, unit: str) -> None:
        """Record the repeat interval, refusing a second, different one."""
        self.repeats = True
        self.day_words |= unit not in ("minute", "hour")
        if unit == "week" and self.weeks in (None, n):
            self.weeks = n
            return
        daily, sub_daily = (1, "day"), ("minute", "hour")
        if (n, unit) == daily and self.step and self.step[1] in sub_daily:
            return  # "every day, every hour from 9 to 5"
        if self.step == daily and unit in sub_daily:
            self.step = (n, unit)
            return
        if unit == "week" or self.step and self.step != (n, unit):
            raise CadenceError(f"'{self.text}' gives two different repeats. Pick one, e.g. 'every 30 minutes' "
                               "or 'every day at 9am'.")
        self.step = (n, unit)

    def says_when(self) -> bool:
        """Tell whether anything was said about when to run (not just where or until when)."""
        return bool(self.step or self.weeks or self.elapsed or self.weekdays or self.except_days or self.monthdays
                    or self.nth or self.business or self.dates or self.months or self.times or self.morning
                    or self.window or self.minute_offset is not None or self.per or self.and_monthdays
                    or self.except_months or self.skip or self.part_of_day)

    def says_days(self) -> bool:
        """Tell whether a day rule was given ('every monday', 'daily', 'on the 1st')."""
        return bool(self.day_words or self.weeks or self.weekdays or self.except_days or self.monthdays or self.nth
                    or self.business or self.dates or self.months or self.and_monthdays
                    or self.per and self.per[1] not in ("minute", "hour"))

    def names_days(self) -> bool:
        """Tell whether particular days were named ('monday', 'the 1st', 'in march'), not just a repeat."""
        return bool(self.weekdays or self.except_days or self.monthdays or self.nth or self.business or self.dates
                    or self.months or self.and_monthdays or self.per and self.per[1] not in ("minute", "hour"))

    def says_times(self) -> bool:
        """Tell whether times of day were given ('at 9', 'every 15 minutes', 'mornings')."""
        return bool(self.times or self.window or self.morning or self.minute_offset is not None
                    or self.step and self.step[1] in ("minute", "hour") or self.per and self.per[1] == "hour")

    def set_zone(self, zone: str) -> None:
        """Record the zone named in the text, refusing a second, different one."""
        if self.zone and self.zone != zone:
            raise CadenceError(f"'{self.text}' names two time zones ({self.zone} and {zone}). Use one.")
        self.zone = zone

    def set_window(self, start: int, end: int) -> None:
        """Record a daily time window, refusing a second one."""
        if self.window:
            raise CadenceError(f"'{self.text}' has two time windows. Use one, e.g. 'every hour from 8am to 6pm'.")
        self.window = (start, end)
