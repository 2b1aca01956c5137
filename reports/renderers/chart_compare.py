"""The previous period, as a faint comparison: what a chart keeps of itself for the next run.

`chart_record` turns a chart's points into a small JSON-safe record, stored with the run's
summary (`Summary.to_json()["chart"]`). The next run passes that summary back (renderer option
`previous_summary`), and the chart draws the previous period's line faintly behind its own, its
bars' previous values as ticks, or the change under its big number. A record that does not match
(another measure, another kind of axis) is ignored rather than drawn misleadingly.
"""

from __future__ import annotations

import datetime as dt

from reports.renderers.chart_data import ChartData
from reports.renderers.formatting import as_number
from reports.table import ColumnType

MAX_RECORD_POINTS = 400
MAX_NAME_CHARS = 200  # a category name longer than this is cut (and then simply matches nothing)


def _axis_kind(data: ChartData) -> str:
    axis = data.axis
    if data.kind == "bars" and data.xs and isinstance(data.xs[0], str):
        return "category"
    if axis is not None and axis.type in (ColumnType.DATE, ColumnType.DATETIME):
        return axis.type.value
    return "number"


def chart_record(data: ChartData) -> dict | None:
    """Return the JSON-safe points of the chart's first series (None for an empty chart)."""
    if data.kind == "empty" or not data.spec.y:
        return None
    record: dict = {"kind": data.kind, "measure": data.spec.y[0].name, "axis": _axis_kind(data),
                    "total": as_number(data.totals[0]) if data.totals else None}
    if data.kind != "number" and data.series:
        points = []
        for x, y in zip(data.xs[-MAX_RECORD_POINTS:], data.series[0][-MAX_RECORD_POINTS:], strict=False):
            if as_number(y) is not None:  # a sum that overflowed has no place in JSON
                key = x.isoformat() if isinstance(x, (dt.date, dt.datetime)) else x
                points.append([key[:MAX_NAME_CHARS] if isinstance(key, str) else key, y])
        record["points"] = points
    return record


def _previous(data: ChartData, previous_summary: dict | None) -> dict | None:
    record = (previous_summary or {}).get("chart") if isinstance(previous_summary, dict) else None
    if not isinstance(record, dict) or not data.spec.y or record.get("measure") != data.spec.y[0].name:
        return None
    return record


def previous_total(data: ChartData, previous_summary: dict | None) -> float | None:
    """Return the previous period's total of the first measure."""
    record = _previous(data, previous_summary)
    return as_number(record.get("total")) if record else None


def previous_bars(data: ChartData, previous_summary: dict | None) -> dict[str, float]:
    """Return the previous period's value per category (for the bars' faint ticks)."""
    record = _previous(data, previous_summary)
    if not record or record.get("axis") != "category":
        return {}
    values = {}
    for point in record.get("points") or []:
        if isinstance(point, list) and len(point) == 2 and isinstance(point[0], str):
            number = as_number(point[1])
            if number is not None:
                values[point[0]] = number
    return values


def previous_line(data: ChartData, previous_summary: dict | None) -> list[tuple[object, float]]:
    """Return the previous period's points moved onto this period's axis.

    The previous period is shifted by the distance between the two periods' first points, so
    Monday lies on Monday (a month that is a day shorter ends a day early).
    """
    record = _previous(data, previous_summary)
    axis = _axis_kind(data)
    if not record or data.kind != "line" or axis not in ("date", "datetime") or record.get("axis") != axis:
        return []
    parse = dt.date.fromisoformat if axis == "date" else dt.datetime.fromisoformat
    points = []
    for point in record.get("points") or []:
        try:
            x, y = parse(point[0]), as_number(point[1])
        except (TypeError, ValueError, IndexError):
            continue
        if y is not None:
            points.append((x, y))
    if not points or not data.xs:
        return []
    points.sort(key=lambda p: p[0])
    shift = data.xs[0] - points[0][0]
    if shift <= dt.timedelta(0):  # not an earlier period: nothing to compare with
        return []
    last = data.xs[-1]
    return [(x + shift, y) for x, y in points if x + shift <= last]


def change_pct(current: float | None, before: float | None) -> float | None:
    """Return the change from `before` to `current` in percent (None when it cannot be said)."""
    if current is None or before is None or before == 0:
        return None
    return round((current - before) / abs(before) * 100, 2)
