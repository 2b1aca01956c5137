"""Value formatting shared by the renderers and the message summary."""

from __future__ import annotations

import datetime as dt
import decimal
import math
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from reports.renderers.errors import RenderError

ELLIPSIS = "…"


def resolve_timezone(options: dict) -> dt.tzinfo | None:
    """Return the schedule's timezone from `options["timezone"]`, or None when not given."""
    name = options.get("timezone")
    if not name:
        return None
    if isinstance(name, dt.tzinfo):
        return name
    try:
        return ZoneInfo(str(name))
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise RenderError(f"Unknown time zone {name!r}.") from exc


def localize(value: dt.datetime, tz: dt.tzinfo | None) -> dt.datetime:
    """Return an aware datetime in `tz`; naive values are taken as already local."""
    if tz is not None and value.tzinfo is not None:
        return value.astimezone(tz)
    return value


def naive_local(value: dt.datetime, tz: dt.tzinfo | None) -> dt.datetime:
    """Return the wall-clock time in `tz` without tzinfo (Excel and charts have no zones)."""
    return localize(value, tz).replace(tzinfo=None)


def iso(value: object, tz: dt.tzinfo | None = None) -> object:
    """Return dates and datetimes as ISO 8601 text and booleans as true/false; others unchanged."""
    if isinstance(value, dt.datetime):
        return localize(value, tz).isoformat()
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


def as_number(value: object) -> float | None:
    """Return a finite float for numeric values (not booleans), else None."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float, decimal.Decimal)):
        try:
            number = float(value)
        except (OverflowError, ValueError):
            return None
        return number if math.isfinite(number) else None
    return None


def thousands(value: float | int) -> str:
    """Format with thousands separators: 1234 -> "1,234", 1234.5 -> "1,234.5"."""
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, int) or float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.2f}".rstrip("0").rstrip(".")


_SUFFIXES = ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "K"))


def compact(value: float | int) -> str:
    """Format short for axes and headlines: 950 -> "950", 12_300 -> "12.3K", 4.2e6 -> "4.2M"."""
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    magnitude = abs(value)
    if magnitude >= 1e15:
        # Past trillions the suffix alphabet stops being readable; scientific notation is honest.
        return f"{value:.2e}"
    for threshold, suffix in _SUFFIXES:
        if magnitude >= threshold:
            text = f"{value / threshold:.1f}".rstrip("0").rstrip(".")
            return f"{text}{suffix}"
    if isinstance(value, int) or float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:.2f}".rstrip("0").rstrip(".") if magnitude >= 0.01 else f"{value:.2g}"


def display(value: object, tz: dt.tzinfo | None = None) -> str:
    """Return a human string for a cell (PDF tables, message previews)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dt.datetime):
        local = localize(value, tz)
        return (
            local.strftime("%Y-%m-%d %H:%M")
            if local.second == 0 and not local.microsecond
            else local.strftime("%Y-%m-%d %H:%M:%S")
        )
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, (int, float, decimal.Decimal)):
        number = as_number(value)
        if number is None:
            return str(value)
        if isinstance(value, int) or abs(number) >= 1e15:
            return thousands(value) if isinstance(value, int) else f"{number:.3g}"
        return thousands(number)
    return str(value)


def is_id_column(name: str) -> bool:
    """Tell whether a column name looks like an identifier (never summed or charted)."""
    name = name.strip().lower()
    return name == "id" or name.endswith(("_id", " id"))


def truncate(text: str, limit: int) -> str:
    """Cut `text` to at most `limit` characters, ending with … when cut; newlines become spaces."""
    text = " ".join(text.split()) if ("\n" in text or "\r" in text or "\t" in text) else text
    if len(text) <= limit:
        return text
    if limit <= 0:
        return ""
    return text[: limit - 1] + ELLIPSIS


def generated_line(options: dict, tz: dt.tzinfo | None) -> str:
    """Say when the report was generated, in the schedule's zone."""
    when = options.get("generated_at")
    if not isinstance(when, dt.datetime):
        return ""
    if when.tzinfo is not None and tz is not None:
        when = when.astimezone(tz)
    return f"Generated {when:%a %d %b %Y, %H:%M} {when.tzname() or ''}".rstrip()
