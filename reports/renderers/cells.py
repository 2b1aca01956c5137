"""A table cell as text: each column written in its unit and one precision (PDF and HTML tables)."""

from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Callable

from reports.renderers.formatting import as_number, display, truncate
from reports.renderers.units import format_full, unit_of
from reports.table import Column

MAX_CELL_CHARS = 200  # text is cut here: a table cell never holds a page of text

Formatter = Callable[[object], str]


def column_formatter(column: Column, decimals: int, tz: dt.tzinfo | None) -> Formatter:
    """Return how one column's values are written in the table."""
    unit = unit_of(column)

    def number_text(value: object) -> str:
        number = as_number(value)
        if number is None:
            return "" if value is None else display(value, tz)
        if unit.kind in ("percent", "ratio", "money", "id"):
            return format_full(number, unit)
        if type(value) is int:
            return f"{value:,}"
        return f"{number:,.{decimals}f}" if abs(number) < 1e15 else f"{number:.3g}"

    if column.type.is_numeric:
        return number_text
    return lambda value: "" if value is None else truncate(display(value, tz), MAX_CELL_CHARS)


def decimals_of(value: object) -> int:
    """Return the decimals (0, 2, 3 or 4) a value needs so a column of them lines up."""
    if isinstance(value, bool) or not isinstance(value, (float, decimal.Decimal)):
        return 0
    number = as_number(value)
    if number is None or number.is_integer():
        return 0
    digits = f"{number:.4f}".rstrip("0").split(".")[1]
    return 2 if len(digits) <= 2 else min(4, len(digits))
