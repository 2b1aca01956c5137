"""Raw 5-field cron typed by a user: recognise, validate, and turn into a rule."""

from __future__ import annotations

import re

from jobs.cadence.cron_last import extended_days
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
_ATOM = r"(?:\*|\?|l(?:-\d+)?|l?\d+l?|[a-z]{3}l?|(?:\d+|[a-z]{3})#\d+)(?:-(?:\d+|[a-z]{3}))?(?:/\d*)?"
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
        return (spaced.lower(), None) if _CRONISH.match(spaced) and "*" in spaced else None
    zone = found["tz1"] or found["tz2"]
    return found["expr"].lower(), zone


def parse_cron(expr: str) -> Calendar:
    """Turn a 5-field cron expression (or @macro) into a calendar rule."""
    if expr.startswith("@"):
        if expr not in _MACROS:
            raise CadenceError(f"I don't know the cron shortcut '{expr}'. "
                               "Try @hourly, @daily, @weekly, @monthly or @yearly.")
        expr = _MACROS[expr]
    fields = expr.split()
    if len(fields) != 5:
        raise CadenceError(
            f"'{expr}' has {len(fields)} cron fields; "
            "I read the standard 5: minute hour day-of-month month day-of-week, e.g. '0 9 * * 1-5'."
        )
    try:
        extended = extended_days(fields[2], fields[4], lambda text: _day_of_week(text, fields))
        minutes, hours, monthdays, months, weekdays = (
            _field(text, spec) if extended is None or index not in (2, 4) else set()
            for index, (text, spec) in enumerate(zip(fields, _FIELDS, strict=True)))
    except _FieldError as error:
        fixes = [" ".join(error.fixed if i == error.index else field for i, field in enumerate(fields))] \
            if error.fixed else []
        raise CadenceError(str(error), fixes=fixes, fallback=_EXAMPLE) from None
    times = tuple(sorted(h * 60 + m for h in hours for m in minutes))
    days = extended if extended is not None else _day_rule(fields, monthdays, weekdays)
    return Calendar(days=days, months=tuple(sorted(months)), times=times)


_EXAMPLE = "For example '0 9 * * 1-5' runs at 09:00 on weekdays."


class _FieldError(CadenceError):
    """A bad cron field: `index` says which, `fixed` is a corrected field when there is an obvious one."""

    def __init__(self, message: str, index: int, fixed: str | None = None):
        super().__init__(message)
        self.index, self.fixed = index, fixed


def _day_of_week(text: str, fields: list[str]) -> int:
    value = _number(text, "day-of-week", _FIELDS[4][3], 4)
    if not 0 <= value <= 7:
        raise _FieldError(f"Cron day-of-week {value} is out of range; it must be between 0 and 7.", 4)
    return value


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
    name = spec[0]
    index = _FIELDS.index(spec)
    if "?" in text and text != "?":
        raise _FieldError(f"'?' stands alone in a cron field; '{text}' mixes it with other values.", index, "*")
    values: set[int] = set()
    for item in text.split(","):
        values |= _item(item, index, text)
    if name == "day-of-week":
        values = {0 if v == 7 else v for v in values}
    return values


def _item(item: str, index: int, field: str) -> set[int]:
    name, low, high, names = _FIELDS[index]
    base, slash, step_text = item.partition("/")
    if slash and not step_text:
        raise _FieldError(f"The cron {name} step in '{item}' has no number after '/'.", index,
                          field.replace(item, base, 1))
    step = _number(step_text, name, names, index) if step_text else 1
    if step < 1:
        raise _FieldError(f"The cron {name} step in '{item}' must be at least 1.", index)
    if base in ("*", "?"):
        if base == "?" and name not in ("day-of-month", "day-of-week"):
            raise _FieldError(f"'?' only works in the day fields of cron, not the {name}.", index, "*")
        first, last = low, high
    else:
        first_text, dash, last_text = base.partition("-")
        first = _number(first_text, name, names, index)
        last = _number(last_text, name, names, index) if dash else (high if step_text else first)
    for value in (first, last):
        if not low <= value <= high:
            raise _FieldError(f"Cron {name} {value} is out of range; it must be between {low} and {high}.", index)
    if first > last and name == "day-of-week":
        return {value % 7 for value in range(first, last + 8, step)}  # "sat-sun", "fri-mon" wrap past Sunday
    if first > last:
        swapped = f"{last_text}-{first_text}" + (f"/{step_text}" if step_text else "")
        raise _FieldError(f"The cron {name} range '{base}' runs backwards; write it low-high.", index,
                          field.replace(item, swapped, 1))
    return set(range(first, last + 1, step))


def _number(text: str, name: str, names: dict[str, int], index: int) -> int:
    if text.isdigit():
        return int(text)
    if text in names:
        return names[text]
    if not text:
        raise _FieldError(f"A number is missing in the cron {name} field.", index)
    raise _FieldError(f"I can't read '{text}' in the cron {name} field.", index)
