"""JSON renderer: typed records plus the columns and the period, streamed in constant memory.

Options (all optional):
    title (str), window_label (str): the report and its period.
    window_start, window_end (datetime): the period's bounds, written as ISO 8601 when given.
    timezone (str): IANA name; aware datetimes are written in this zone (ISO 8601 with offset).
    generated_at (datetime): when the run happened.

Shape (one object, UTF-8):
    {"title": "...", "period": {"label": "...", "start": "...", "end": "..."},
     "generated_at": "...", "timezone": "...",
     "columns": [{"name": "revenue", "type": "number", "unit": "money", "symbol": "$"}, ...],
     "rows": [{"day": "2026-11-23", "region": "North", "revenue": 1234.5}, ...],
     "row_count": 2}
Numbers are JSON numbers (integers exact, any size), NaN and infinities are null, dates and
datetimes ISO 8601 strings, booleans true/false, anything else its text. For programs, so cells
are written exactly as they are (no spreadsheet formula protection: JSON is never a spreadsheet).
"""

from __future__ import annotations

import datetime as dt
import decimal
import io
import json
import math
from typing import BinaryIO

from reports.renderers import renderer
from reports.renderers.formatting import localize, resolve_timezone
from reports.renderers.units import unit_of
from reports.table import Table


def _instant(value: object, tz: dt.tzinfo | None) -> str | None:
    if isinstance(value, dt.datetime):
        return localize(value, tz).isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return None


def json_value(value: object, tz: dt.tzinfo | None) -> object:
    """Return a cell as a JSON-ready value of its own type."""
    if value is None or isinstance(value, (bool, str, int)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, decimal.Decimal):
        if not value.is_finite():
            return None
        return int(value) if value == value.to_integral_value() and abs(value) < 10**30 else float(value)
    if isinstance(value, (dt.date, dt.datetime)):
        return _instant(value, tz)
    return str(value)


def header(table: Table, options: dict, tz: dt.tzinfo | None) -> dict:
    """Return everything but the rows: the report, its period and its columns."""
    columns = []
    for column in table.columns:
        entry = {"name": column.name, "type": column.type.value}
        unit = unit_of(column)
        if unit.kind in ("money", "percent", "ratio"):
            entry["unit"] = unit.kind
            if unit.symbol:
                entry["symbol"] = unit.symbol.strip()
        columns.append(entry)
    return {
        "title": options.get("title") or table.title or "",
        "period": {"label": options.get("window_label") or table.window_label or "",
                   "start": _instant(options.get("window_start"), tz),
                   "end": _instant(options.get("window_end"), tz)},
        "generated_at": _instant(options.get("generated_at"), tz),
        "timezone": str(options.get("timezone") or "") or None,
        "columns": columns,
    }


@renderer("json", extension="json", content_type="application/json",
          description="JSON: typed records with the columns and the period, for programs")
def render(table: Table, out: BinaryIO, options: dict) -> None:
    """Write `table` as one JSON object, one row at a time."""
    tz = resolve_timezone(options)
    text = io.TextIOWrapper(out, encoding="utf-8", write_through=False)
    try:
        head = json.dumps(header(table, options, tz), ensure_ascii=False)
        text.write(head[:-1] + ', "rows": [')
        names = table.column_names
        count = 0
        for row in table.rows():
            record = {name: json_value(value, tz) for name, value in zip(names, row, strict=False)}
            text.write(("\n" if count == 0 else ",\n") + json.dumps(record, ensure_ascii=False, allow_nan=False))
            count += 1
        text.write(f'\n], "row_count": {count}}}\n')
        text.flush()
    finally:
        text.detach()  # never close the caller's stream
