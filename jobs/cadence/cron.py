"""Raw 5-field cron typed by a user: recognise, validate, and turn into a rule."""

from __future__ import annotations

import re

from jobs.cadence.errors import CadenceError
from jobs.cadence.model import ALL_DAYS, Calendar, CronDays, MonthDays, Weekdays

_MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
_WEEKDAYS = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"]
_FIELDS = (
    ("minute", 0, 59, {}),
    ("hour", 0, 23, {}),
    ("day-of-month", 1, 31, {}),
    ("month", 1, 12, {name: i + 1 for i, name in enumerate(_MONTHS)}),
    ("day-of-week", 0, 7, {name: i for i, name in enumerate(_WEEKDAYS)}),
)
_MACROS = {
    "@yearly": "0 0 1 1 *",
    "@annually": "0 0 1 1 *",
    "@monthly": "0 0 1 * *",
    "@weekly": "0 0 * * 0",
    "@daily": "0 0 * * *",
    "@midnight": "0 0 * * *",
    "@hourly": "0 * * * *",
}
_ATOM = r"(?:\*|\?|\d+|[a-z]{3})(?:-(?:\d+|[a-z]{3}))?(?:/\d+)?"
_FIELD = rf"{_ATOM}(?:,{_ATOM})*"
_TIME_FIELD = r"[\d*?/,\-]+"
_CRONISH = re.compile(r"^[\d*/,\-?]+(?:\s+[\w*/,\-?]+){1,6}$")
_CRON = re.compile(
    rf"^(?:cron(?:\s+schedule)?\s+)?(?:(?:cron_tz|tz)=(?P<tz1>\S+)\s+)?[\"'`]?"
    rf"(?P<expr>@[a-z]+|{_TIME_FIELD}\s+{_TIME_FIELD}(?:\s+{_FIELD}){{3,4}})"
    rf"[\"'`]?(?:\s+in\s+(?P<tz2>\S+))?$"
)


def match_cron(text: str) -> tuple[str, str | None] | None:
    """Split cron-looking text into (expression, zone named with it), else None."""
    spaced = " ".join(text.strip().split())
    found = _CRON.match(spaced.replace("CRON_TZ=", "cron_tz=").replace("TZ=", "tz=")) or _CRON.match(spaced.lower())
    if not found:
        # Digits and stars with the wrong field count are still cron; say so rather than guess.
        return (spaced, None) if _CRONISH.match(spaced) and "*" in spaced else None
    zone = found["tz1"] or found["tz2"]
    return found["expr"].lower(), zone


def parse_cron(expr: str) -> Calendar:
    """Turn a 5-field cron expression (or @macro) into a calendar rule."""
    if expr.startswith("@"):
        if expr not in _MACROS:
            raise CadenceError(f"I don't know the cron shortcut '{expr}'. Try @hourly, @daily, @weekly, @monthly or @yearly.")
        expr = _MACROS[expr]
    fields = expr.split()
    if len(fields) != 5:
        raise CadenceError(
            f"'{expr}' has {len(fields)} cron fields; I read the standard 5: minute hour day-of-month month day-of-week, "
            "e.g. '0 9 * * 1-5'."
        )
    minutes, hours, monthdays, months, weekdays = (_field(text, spec) for text, spec in zip(fields, _FIELDS))
    times = tuple(sorted(h * 60 + m for h in hours for m in minutes))
    return Calendar(days=_day_rule(fields, monthdays, weekdays), months=tuple(sorted(months)), times=times)


def _day_rule(fields: list[str], monthdays: set[int], weekdays: set[int]):
    # Vixie cron: if either day field starts with '*', both must match; else either may.
    weekdays_mon0 = tuple(sorted({(d - 1) % 7 for d in weekdays}))
    either = not (fields[2][0] in "*?" or fields[4][0] in "*?")
    all_monthdays = monthdays == set(range(1, 32))
    all_weekdays = weekdays_mon0 == ALL_DAYS
    if either and (all_monthdays or all_weekdays):
        return Weekdays()
    if not either and all_monthdays:
        return Weekdays(weekdays_mon0)
    if not either and all_weekdays:
        return MonthDays(tuple(sorted(monthdays)))
    return CronDays(tuple(sorted(monthdays)), weekdays_mon0, either)


def _field(text: str, spec: tuple[str, int, int, dict[str, int]]) -> set[int]:
    name, low, high, names = spec
    values: set[int] = set()
    for item in text.split(","):
        values |= _item(item, name, low, high, names)
    if name == "day-of-week":
        values = {0 if v == 7 else v for v in values}
    return values


def _item(item: str, name: str, low: int, high: int, names: dict[str, int]) -> set[int]:
    base, _, step_text = item.partition("/")
    step = _number(step_text, name, names) if step_text else 1
    if step < 1:
        raise CadenceError(f"The cron {name} step in '{item}' must be at least 1.")
    if base in ("*", "?"):
        if base == "?" and name not in ("day-of-month", "day-of-week"):
            raise CadenceError(f"'?' only works in the day fields of cron, not the {name}.")
        first, last = low, high
    else:
        first_text, dash, last_text = base.partition("-")
        first = _number(first_text, name, names)
        last = _number(last_text, name, names) if dash else (high if step_text else first)
    for value in (first, last):
        if not low <= value <= high:
            raise CadenceError(f"Cron {name} {value} is out of range; it must be between {low} and {high}.")
    if first > last and name == "day-of-week":
        return {value % 7 for value in range(first, last + 8, step)}  # "sat-sun", "fri-mon" wrap past Sunday
    if first > last:
        raise CadenceError(f"The cron {name} range '{base}' runs backwards; write it low-high, e.g. '1-5'.")
    return set(range(first, last + 1, step))


def _number(text: str, name: str, names: dict[str, int]) -> int:
    if text.isdigit():
        return int(text)
    if text in names:
        return names[text]
    raise CadenceError(f"I can't read '{text}' in the cron {name} field.")
