"""Resolve a draft into a rule: apply defaults, check conflicts, refuse impossible schedules."""

from __future__ import annotations

from jobs.cadence.dates import MONTH_NAMES, ordinal
from jobs.cadence.draft import Draft
from jobs.cadence.errors import CadenceError
from jobs.cadence.model import (
    ALL_DAYS,
    ALL_MONTHS,
    NINE_AM,
    BusinessDays,
    Calendar,
    CronDays,
    Elapsed,
    MonthDays,
    NthWeekdays,
    Spec,
    Weekdays,
    YearDays,
)
from jobs.cadence.words import PARTS_OF_DAY

DAY_MINUTES = 24 * 60
_UNIT_MINUTES = {"minute": 1, "hour": 60, "day": DAY_MINUTES, "week": 7 * DAY_MINUTES}
QUARTER_STARTS = (1, 4, 7, 10)
QUARTER_ENDS = (3, 6, 9, 12)


def resolve(draft: Draft) -> Spec:
    """Turn what was heard into one rule, or explain what is missing or contradictory."""
    if draft.elapsed:
        return _elapsed(draft)
    if draft.per:
        _apply_per(draft, *draft.per)
    step_n, unit = draft.step or (1, None)
    if draft.weeks and unit not in (None, "minute", "hour"):
        raise CadenceError(f"'{draft.text}' gives two different repeats. Pick one, e.g. 'every 2 weeks on monday'.")
    months = _months(draft, step_n, unit)
    days = _days(draft, step_n, unit)
    months = _quarter_months(draft, days, months)
    days, months = _dates(draft, days, months)
    days, months = _without_months(draft, days, months)
    return Calendar(days=days, months=months, times=_times(draft, step_n, unit), start=draft.start,
                    until=draft.until, holidays=draft.holidays, skip=tuple(sorted(draft.skip)), count=draft.count)


def _apply_per(draft: Draft, n: int, unit: str) -> None:
    """Check 'N times a day/week/month' against the times or days listed ('twice a day at 9 and 17')."""
    if unit == "hour":
        if 60 % n:
            raise CadenceError(f"{n} times an hour doesn't divide the hour evenly. Try 'every 20 minutes'.")
        draft.set_step(60 // n, "minute")
        return
    positions = len(set(draft.monthdays)) + len(set(draft.nth)) + len(set(draft.business))
    listed = {"day": len(set(draft.times)), "week": len(draft.weekdays - draft.except_days), "month": positions,
              "quarter": positions, "year": len(set(draft.dates))}[unit]
    what = {"day": "times", "week": "days", "month": "days of the month", "year": "dates", "quarter": "days"}[unit]
    example = _PER_EXAMPLES.get((unit, n)) or _per_example(unit, n)
    if not listed:
        if unit == "day":
            raise CadenceError("At which times? Try 'every day at 9am and 5pm' or 'every monday and thursday'.")
        raise CadenceError(f"Which {n} {what}? Try '{example}'.")
    if listed != n:
        listing = (f"{listed} {what} are" if listed > 1
                   else f"1 {what.removesuffix('s').replace('days of', 'day of')} is")
        raise CadenceError(f"That's {n} times a {unit}, but {listing} listed. Try '{example}'.")
    if unit == "day" and draft.step and draft.step[1] in ("minute", "hour"):
        raise CadenceError(f"'{draft.text}' gives two different repeats. Pick one, e.g. 'every day at 9am and 5pm'.")
    if unit != "day":
        draft.set_step(1, unit)  # "twice a quarter on the 1st and 15th" repeats each quarter


def _per_example(unit: str, n: int) -> str:
    """A phrase with n times a day, n weekdays or n days of the month, for n beyond the usual few."""
    if unit == "day" and n <= 16:
        return "every day at " + ", ".join(f"{hour}:00" for hour in range(8, 8 + n - 1)) + f" and {7 + n}:00"
    if unit == "week" and n <= 7:
        return "every day at 9am" if n == 7 else "every monday to saturday at 9am"
    if unit in ("month", "quarter") and n <= 28:
        return f"on the 1st to the {ordinal(n)} of every {unit} at 9am"
    if unit == "year" and n <= 12:
        dates = [f"{MONTH_NAMES[1 + i * (12 // n)].lower()} 1" for i in range(n)]
        return "every year on " + ", ".join(dates[:-1]) + f" and {dates[-1]}"
    return "every hour" if unit == "day" else "every day at 9am"


_PER_EXAMPLES = {
    ("day", 2): "every day at 9am and 5pm", ("day", 3): "every day at 8am, 12pm and 4pm",
    ("day", 4): "every day at 8am, 11am, 2pm and 5pm", ("week", 2): "every monday and thursday at 9am",
    ("week", 3): "every monday, wednesday and friday at 9am", ("week", 4): "every monday to thursday at 9am",
    ("week", 5): "every weekday at 9am", ("month", 2): "on the 1st and 15th at 9am",
    ("month", 3): "on the 1st, 10th and 20th at 9am", ("year", 2): "every year on march 3 and september 15",
}


def _without_months(draft: Draft, days, months: tuple[int, ...]):
    """Drop the months named after 'except' ('monthly except in december')."""
    if not draft.except_months:
        return days, months
    kept = tuple(m for m in months if m not in draft.except_months)
    if not kept:
        raise CadenceError("That leaves no months at all. Check the months after 'except'.")
    if isinstance(days, YearDays):
        days = YearDays(tuple(d for d in days.dates if d[0] in kept))
    return days, kept


def _elapsed(draft: Draft) -> Elapsed:
    if draft.weeks and not draft.step:
        draft.step = (draft.weeks, "week")
    elif draft.weeks:
        raise CadenceError("How long after the last run? Give one span, e.g. 'every 24 hours after the last run'.")
    if not draft.step or draft.step[1] not in _UNIT_MINUTES:
        raise CadenceError("How long after the last run? Try 'every 24 hours after the last run'.")
    extras = (draft.weekdays or draft.monthdays or draft.nth or draft.business or draft.dates or draft.months
              or draft.times or draft.window or draft.holidays or draft.morning or draft.minute_offset is not None
              or draft.per or draft.except_months or draft.skip or draft.and_monthdays or draft.part_of_day)
    if extras:
        raise CadenceError("A schedule that counts from the last run can't also have fixed days or times. "
                           "Try 'every 24 hours after the last run'.")
    if draft.start or draft.until or draft.count:
        raise CadenceError("A schedule that counts from the last run can't have start or end dates or a count. "
                           "Try 'every 24 hours after the last run'.")
    n, unit = draft.step
    return Elapsed(n * _UNIT_MINUTES[unit])


def _months(draft: Draft, n: int, unit: str | None) -> tuple[int, ...]:
    explicit = tuple(sorted(draft.months))
    if unit in ("month", "quarter") and (n > 1 or unit == "quarter"):
        span = n * (3 if unit == "quarter" else 1)
        if 12 % span:
            raise CadenceError(f"Every {span} months doesn't fit evenly into a year. Try every 2, 3, 4 or 6 months.")
        if explicit:
            raise CadenceError("Give either the months or a repeat like 'every 2 months', not both.")
        if span == 3:
            draft.quarter = True
            return QUARTER_STARTS
        return tuple(range(1, 13, span))
    if unit == "year":
        if n > 1:
            raise CadenceError("I can't repeat every few years. Try 'every year on march 3'.")
        if not explicit and not draft.dates and (draft.nth or draft.monthdays or draft.business or draft.weekdays):
            raise CadenceError("In which month? Try 'every year on the 4th thursday of november'.")
        return explicit or (ALL_MONTHS if draft.dates else (1,))
    return explicit or ALL_MONTHS


def _days(draft: Draft, n: int, unit: str | None):
    kinds = [kind for kind, present in (("weekday", draft.weekdays or draft.except_days),
                                        ("monthday", draft.monthdays), ("nth", draft.nth),
                                        ("business", draft.business)) if present]
    if len(kinds) > 1:
        raise CadenceError("I can use one kind of day rule at a time (weekdays, month days or 'the 2nd tuesday'). "
                           "Try splitting it into two schedules.")
    if unit == "day" and n > 1:
        raise CadenceError(f"Every {n} days drifts across weeks and months. Try specific weekdays, or "
                           f"'every {n * 24} hours after the last run'.")
    if draft.weeks and kinds and kinds[0] != "weekday":
        raise CadenceError("A weekly repeat needs weekdays. Try 'every 2 weeks on monday'.")
    if draft.and_monthdays:
        if draft.weeks and draft.weeks > 1:
            raise CadenceError("A weekly repeat needs weekdays. Try 'every 2 weeks on monday'.")
        return CronDays(tuple(sorted(set(draft.and_monthdays))), tuple(sorted(draft.weekdays)), either=False)
    if draft.weekdays or draft.except_days:
        return _weekdays(draft, draft.weeks or 1, unit)
    if draft.monthdays:
        return MonthDays(tuple(sorted(set(draft.monthdays), key=position_order)))
    if draft.nth:
        return NthWeekdays(tuple(sorted(set(draft.nth), key=position_order)))
    if draft.business:
        return BusinessDays(tuple(sorted(set(draft.business), key=position_order)))
    if draft.weeks:
        return Weekdays((0,), draft.weeks)  # "weekly" with no day: Mondays
    if unit in ("month", "quarter", "year") and not draft.dates:
        return MonthDays((1,))
    return Weekdays()


def _weekdays(draft: Draft, every: int, unit: str | None) -> Weekdays:
    if unit in ("month", "quarter", "year") and not (draft.months or draft.except_days or draft.each_weekday):
        raise CadenceError("Which one in the month? Try 'the first monday of the month' or 'every monday'.")
    days = set(draft.weekdays or ALL_DAYS) - draft.except_days
    if not days:
        raise CadenceError("That leaves no days at all. Try 'every weekday'.")
    return Weekdays(tuple(sorted(days)), every)


def position_order(item: int | tuple[int, int]) -> tuple:
    """Sort positions first-to-last: 1, 2, …, then -3, -2, -1 (the last); (n, weekday) pairs by n, then day."""
    n, rest = (item[0], item[1:]) if isinstance(item, tuple) else (item, ())
    return ((1, n) if n < 0 else (0, n), *rest)


def _quarter_months(draft: Draft, days, months: tuple[int, ...]) -> tuple[int, ...]:
    if not draft.quarter:
        return months
    if draft.months and months != QUARTER_STARTS:
        raise CadenceError("Give either the months or 'each quarter', not both.")
    positions = _positions(days)
    if isinstance(days, Weekdays):
        raise CadenceError("Which one in the quarter? Try 'the first monday of each quarter'.")
    if positions and all(n < 0 for n in positions):
        return QUARTER_ENDS  # "the last friday of the quarter" is in its last month
    if any(n < 0 for n in positions):
        raise CadenceError("Mixing first and last days of a quarter is too tangled; split it into two schedules.")
    return QUARTER_STARTS


def _positions(days) -> set[int]:
    if isinstance(days, MonthDays):
        return set(days.days)
    if isinstance(days, NthWeekdays):
        return {n for n, _ in days.items}
    if isinstance(days, BusinessDays):
        return set(days.nth)
    return set()


def _dates(draft: Draft, days, months: tuple[int, ...]):
    if not draft.dates:
        return days, months
    if draft.months or draft.monthdays or draft.nth or draft.business or draft.weekdays or draft.quarter:
        raise CadenceError("Give either dates like 'march 3' or a monthly rule, not both.")
    dates = sorted(set(draft.dates))
    day_set = sorted({d for _, d in dates})
    month_set = tuple(sorted({m for m, _ in dates}))
    if len(dates) == len(day_set) * len(month_set):
        return MonthDays(tuple(day_set)), month_set
    return YearDays(tuple(dates)), month_set


def _times(draft: Draft, n: int, unit: str | None) -> tuple[int, ...]:
    if unit in ("minute", "hour"):
        return _grid(draft, n * _UNIT_MINUTES[unit])
    if draft.window:
        raise CadenceError("A time window needs a repeat. Try 'every hour from 9am to 5pm'.")
    if draft.minute_offset is not None:
        raise CadenceError("Minutes past the hour need an hourly repeat. Try 'every hour at :15'.")
    if draft.part_of_day:
        return _part_of_day(draft)
    times = set(draft.times) or {NINE_AM}
    return tuple(sorted(times))


def _part_of_day(draft: Draft) -> tuple[int, ...]:
    """Read bare hours in the part of the day named: 'evenings at 7' is 19:00, 'nightly at 1' 01:00."""
    if not draft.times:
        raise CadenceError(PARTS_OF_DAY[draft.part_of_day])
    if draft.morning:
        raise CadenceError(f"'{draft.text}' names two parts of the day. Give one time, e.g. 'every day at 6pm'.")
    return tuple(sorted({_in_part(t, draft.part_of_day) if t in draft.bare_times else t for t in draft.times}))


def _in_part(minutes: int, part: str) -> int:
    hour = minutes // 60
    if part != "night":
        return minutes + 720 if 1 <= hour <= 11 else minutes
    if hour == 12:
        return minutes - 720  # "at 12 at night" is midnight
    return minutes + 720 if 6 <= hour <= 11 else minutes  # "at 2 at night" stays 02:00


def _grid(draft: Draft, step: int) -> tuple[int, ...]:
    if draft.times:
        raise CadenceError("Give either a repeat or fixed times, not both. Try 'every 30 minutes from 9am to 5pm'.")
    if draft.window:
        first, last = draft.window
        if step > last - first:
            raise CadenceError("That repeat is longer than the window. Try a shorter repeat or a wider window.")
        return tuple(range(first, last + 1, step))
    offset = draft.minute_offset or 0
    if draft.minute_offset is not None and step % 60:
        raise CadenceError("Minutes past the hour work with whole hours. Try 'every hour at :15'.")
    if step > DAY_MINUTES:
        raise CadenceError(f"Every {_span(step)} is longer than a day. Try 'every {_span(step)} after the last run'.")
    if DAY_MINUTES % step:
        raise CadenceError(
            f"Every {_span(step)} doesn't divide the day evenly, so the rhythm would break at midnight. Try a "
            f"window ('every {_span(step)} from 8am to 8pm') or 'every {_span(step)} after the last run'."
        )
    return tuple(range(offset, DAY_MINUTES, step))


def _span(minutes: int) -> str:
    return f"{minutes // 60} hours" if minutes % 60 == 0 else f"{minutes} minutes"
