"""Which chart a table gets, and its points, folded from the streamed rows (no drawing here).

The chart follows the shape of the data, never a single point on an empty axis:
- several periods (a date or time column with two or more buckets) -> a line over time;
- one period (a daily report has one date) or no time column -> a breakdown by the main
  category: sorted bars, the top `TOP_CATEGORIES` plus "Other";
- one number (one row, one category, or no category to break down by) -> a big-number card;
- no rows -> a "No data for this period" card.
A report type (or the schedule) may still ask for "line" or "bar" with `chart: {"kind": ...}`.

Rows are folded into a bounded number of points while streaming (time buckets coarsen, numeric
x values merge pairwise, categories are pruned), so a chart never holds the whole table.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from reports.renderers.errors import RenderError
from reports.renderers.formatting import as_number, is_id_column, naive_local
from reports.renderers.units import unit_of
from reports.table import Column, ColumnType, Table

MAX_LINE_POINTS = 2_000  # more than a 1200 px wide chart can show
MAX_BAR_TIME_BUCKETS = 60
TOP_CATEGORIES = 10  # bars a phone-width preview can still label; the rest are summed into "Other"
MAX_LINE_CATEGORIES = 100
MAX_TRACKED_CATEGORIES = 100_000  # memory bound; pruned to the leaders beyond this
MAX_LINE_SERIES, MAX_BAR_SERIES = 4, 3
SCALE_RATIO = 20
NO_DATA = "No data for this period"

_DATETIME_LEVELS = [
    ("time", lambda d: d),
    ("minute", lambda d: d.replace(second=0, microsecond=0)),
    ("hour", lambda d: d.replace(minute=0, second=0, microsecond=0)),
    ("day", lambda d: dt.datetime(d.year, d.month, d.day)),
    ("month", lambda d: dt.datetime(d.year, d.month, 1)),
    ("year", lambda d: dt.datetime(d.year, 1, 1)),
]
_DATE_LEVELS = [
    ("day", lambda d: d),
    ("month", lambda d: dt.date(d.year, d.month, 1)),
    ("year", lambda d: dt.date(d.year, 1, 1)),
]


@dataclass(frozen=True)
class ChartSpec:
    """Which columns to plot and how; `x` None means the row number."""

    kind: str  # "auto" (from the data's shape), "line" or "bar"
    x: Column | None
    y: list[Column]
    # True when y was picked automatically: series dwarfed by the largest one are then dropped.
    auto_y: bool = False
    # The main category, to break one period down by when x is a date with a single value.
    category: Column | None = None


@dataclass
class ChartData:
    """Aggregated points ready to draw; `kind` is line, bars, number or empty."""

    spec: ChartSpec
    kind: str = "empty"
    xs: list = field(default_factory=list)
    series: list[list[float]] = field(default_factory=list)
    note: str = ""
    row_count: int = 0
    # The whole table's total (or mean, for percentages) per series, for the big number.
    totals: list[float] = field(default_factory=list)
    # The categories summed into the "Other" bar (0 when there is none).
    other_count: int = 0
    # The column along the x axis: the category when one period is broken down by it.
    axis: Column | None = None


def choose_chart(table: Table, override: dict | None = None) -> ChartSpec:
    """Pick x, y and kind automatically, letting `override` ({"x", "y", "kind"}) win."""
    override = override or {}
    by_name = {c.name: c for c in table.columns}

    def lookup(name: object) -> Column:
        if name not in by_name:
            raise RenderError(f"The chart column {name!r} is not in this report (columns: {', '.join(by_name)}).")
        return by_name[name]

    kind = override.get("kind")
    if kind not in (None, "auto", "line", "bar"):
        raise RenderError(f'Unknown chart kind {kind!r}; use "line" or "bar".')
    numeric = [c for c in table.columns if c.type.is_numeric]
    temporal = [c for c in table.columns if c.type in (ColumnType.DATE, ColumnType.DATETIME)]
    text = [c for c in table.columns if c.type == ColumnType.TEXT]

    if override.get("x") is not None:
        x: Column | None = lookup(override["x"])
    else:
        x = (((text or temporal) if kind == "bar" else (temporal or text)) or [None])[0]
    if override.get("y"):
        names = override["y"] if isinstance(override["y"], (list, tuple)) else [override["y"]]
        y = [lookup(n) for n in names]
        bad = [c.name for c in y if not c.type.is_numeric]
        if bad:
            raise RenderError(f"The chart can only plot numeric columns; {', '.join(bad)} is not numeric.")
    else:
        if not numeric:
            raise RenderError(
                "This report has no numeric column, so there is nothing to chart. Try the CSV or XLSX format."
            )
        y = [c for c in numeric if not is_id_column(c.name) and c != x] or [c for c in numeric if c != x]
        if x is None and len(y) > 1:
            # Only numbers: the first numeric column is the most plausible axis (year, bucket, ...).
            x, y = y[0], y[1:]
    if not y:
        raise RenderError("This report has no numeric column left to plot against the chosen x axis.")
    category = text[0] if text and x is not None and x.type in (ColumnType.DATE, ColumnType.DATETIME) else None
    kind = kind or "auto"
    limit = MAX_LINE_SERIES if kind == "line" else MAX_BAR_SERIES
    return ChartSpec(kind=kind, x=x, y=y[:limit], auto_y=not override.get("y"), category=category)


class _Categories:
    """Sums per category with bounded memory: beyond MAX_TRACKED_CATEGORIES only the leaders stay."""

    def __init__(self, width: int) -> None:
        self.width = width
        self.sums: dict[str, list[float]] = {}  # category -> [sum per series..., row count]
        self.distinct = 0
        self.pruned = False

    def add(self, value: object, numbers: list[float | None]) -> None:
        key = "(blank)" if value is None else value if isinstance(value, str) else str(value)
        bucket = self.sums.get(key)
        if bucket is None:
            self.distinct += 1
            if len(self.sums) >= MAX_TRACKED_CATEGORIES:
                self.pruned = True
                keep = sorted(self.sums.items(), key=lambda kv: -abs(kv[1][0]))[: MAX_TRACKED_CATEGORIES // 10]
                self.sums = dict(keep)
            bucket = self.sums[key] = [0.0] * (self.width + 1)
        for s, number in enumerate(numbers):
            if number is not None:
                bucket[s] += number
        bucket[-1] += 1

    def leaders(self) -> list[tuple[str, list[float]]]:
        """Return (category, sums) pairs, largest first series first."""
        return sorted(self.sums.items(), key=lambda kv: -kv[1][0])


class ChartCollector:
    """Fold streamed rows into chart points with bounded memory."""

    def __init__(self, table: Table, spec: ChartSpec, tz: dt.tzinfo | None = None) -> None:
        self.spec = spec
        self.tz = tz
        index = {c.name: i for i, c in enumerate(table.columns)}
        self.x_index = index[spec.x.name] if spec.x is not None else None
        self.y_index = [index[c.name] for c in spec.y]
        self.width = len(spec.y)
        self.buckets: dict = {}  # key -> [sum per series..., row count]
        self.row_count = 0
        self.merged = False
        self.distinct = 0
        self.row_span = 1  # rows per bucket when x is the row number; doubles to stay bounded
        self.sums = [0.0] * self.width
        self.counts = [0] * self.width
        self.categories: _Categories | None = None
        self.x_sum, self.x_count = 0.0, 0
        x_type = spec.x.type if spec.x is not None else None
        if x_type in (ColumnType.DATE, ColumnType.DATETIME):
            self.mode = "time"
            self.levels = _DATETIME_LEVELS if x_type == ColumnType.DATETIME else _DATE_LEVELS
            self.level = 0
            self.max_points = MAX_BAR_TIME_BUCKETS if spec.kind == "bar" else MAX_LINE_POINTS
            if spec.category is not None and spec.kind == "auto":
                # One period is broken down by category instead; which one it is shows at the end.
                self.category_index = index[spec.category.name]
                self.categories = _Categories(self.width)
        elif x_type is None or x_type.is_numeric:
            self.mode = "number"
            self.max_points = MAX_LINE_POINTS if spec.kind != "bar" else TOP_CATEGORIES
        else:
            self.mode = "category"
            self.categories = _Categories(self.width)

    def _key(self, value: object) -> object:
        if self.mode == "time":
            if isinstance(value, dt.datetime):
                value = naive_local(value, self.tz)
                if self.levels is _DATE_LEVELS:
                    value = value.date()
            elif isinstance(value, dt.date):
                if self.levels is _DATETIME_LEVELS:
                    value = dt.datetime(value.year, value.month, value.day)
            else:
                return None
            return self.levels[self.level][1](value)
        if self.x_index is None:  # the row number: even, fixed-width buckets
            return (value - 1) // self.row_span * self.row_span + 1
        return as_number(value)

    def add(self, row: object) -> None:
        """Fold one row in."""
        self.row_count += 1
        numbers = [as_number(row[i]) for i in self.y_index]
        for s, number in enumerate(numbers):
            if number is not None:
                self.sums[s] += number
                self.counts[s] += 1
        if self.mode == "category":
            self.categories.add(row[self.x_index], numbers)
            return
        if self.categories is not None:
            self.categories.add(row[self.category_index], numbers)
        x = self.row_count if self.x_index is None else row[self.x_index]
        if self.mode == "number" and self.x_index is not None:
            number = as_number(x)
            if number is not None:
                self.x_sum += number
                self.x_count += 1
        key = self._key(x)
        if key is None:
            return
        bucket = self.buckets.get(key)
        if bucket is None:
            bucket = self.buckets[key] = [0.0] * (self.width + 1)
            self.distinct += 1
            if len(self.buckets) > self.max_points:
                self._shrink()
                # The key may have been coarsened or merged: look it up again.
                bucket = self.buckets.setdefault(self._key(x), [0.0] * (self.width + 1))
        else:
            self.merged = True
        for s, number in enumerate(numbers):
            if number is not None:
                bucket[s] += number
        bucket[-1] += 1

    def _shrink(self) -> None:
        """Make room: coarser time buckets or merged neighbouring numbers."""
        old = self.buckets
        self.merged = True
        merged: dict = {}
        if self.mode == "time" and self.level + 1 < len(self.levels):
            while len(self.buckets) > self.max_points and self.level + 1 < len(self.levels):
                self.level += 1
                coarsen = self.levels[self.level][1]
                merged = {}
                for key, values in sorted(self.buckets.items()):
                    _accumulate(merged, coarsen(key), values)
                self.buckets = merged
        elif self.mode == "number" and self.x_index is None:
            self.row_span *= 2
            for key, values in old.items():
                _accumulate(merged, self._key(key), values)
            self.buckets = merged
        else:
            items = sorted(old.items())
            for j in range(0, len(items), 2):
                for _, values in items[j : j + 2]:
                    _accumulate(merged, items[j][0], values)
            self.buckets = merged

    def result(self) -> ChartData:
        """Return the points to draw and the kind of chart they make."""
        spec = self.spec
        data = ChartData(spec=spec, row_count=self.row_count, axis=spec.x)
        data.totals = [
            (self.sums[s] / self.counts[s] if self.counts[s] else 0.0) if unit_of(c).averaged else self.sums[s]
            for s, c in enumerate(spec.y)
        ]
        if not self.row_count:
            return data
        notes: list[str] = []
        one_period = self.mode == "time" and len(self.buckets) <= 1
        if self.mode == "category" or (one_period and spec.kind == "auto" and self.categories is not None
                                       and len(self.categories.sums) > 1):
            self._category_points(data, notes)
        elif spec.kind == "auto" and (one_period or (self.mode == "number" and self.row_count == 1)):
            data.kind = "number"
            if spec.x is not None and spec.x.type.is_numeric:  # one row of numbers: every one is a figure
                x_total = self.x_sum / self.x_count if unit_of(spec.x).averaged and self.x_count else self.x_sum
                data.spec = replace(spec, y=[spec.x, *spec.y])
                data.totals = [x_total, *data.totals]
        else:
            self._ordered_points(data, notes)
        if data.kind in ("line", "bars") and spec.auto_y and len(data.series) > 1 and data.xs:
            _drop_dwarfed_series(data, notes)
        data.note = ", ".join(notes)
        return data

    def _category_points(self, data: ChartData, notes: list[str]) -> None:
        spec, categories = self.spec, self.categories
        column = spec.x if self.mode == "category" else spec.category
        data.axis = column
        if spec.kind == "line":  # asked for: the categories in the order they came
            items = list(categories.sums.items())[:MAX_LINE_CATEGORIES]
            data.kind = "line"
            if categories.distinct > len(items):
                more = "+" if categories.pruned else ""
                notes.append(f"{column.name}: first {len(items)} of {categories.distinct:,}{more}")
        else:
            leaders = categories.leaders()
            if len(leaders) == 1 and spec.kind == "auto":
                data.kind = "number"
                return
            data.kind = "bars"
            items = leaders[:TOP_CATEGORIES]
            rest = categories.distinct - len(items)
            summed = not any(unit_of(c).averaged for c in spec.y)
            if rest > 0 and summed:
                other = [self.sums[s] - sum(v[s] for _, v in items) for s in range(self.width)]
                items.append((f"Other ({rest:,} more)", other + [0.0]))
                data.other_count = rest
            elif rest > 0:
                notes.append(f"top {len(items)} of {categories.distinct:,} {column.name}")
        data.xs = [k for k, _ in items]
        data.series = _series(spec, items, self.width)

    def _ordered_points(self, data: ChartData, notes: list[str]) -> None:
        spec = self.spec
        items = sorted(self.buckets.items(), key=lambda kv: kv[0])
        data.kind = "bars" if spec.kind == "bar" else "line"
        if self.mode == "time" and self.merged:
            notes.append(f"summed per {self.levels[self.level][0]}")
        elif self.mode == "number" and self.merged and spec.x is not None:
            notes.append("summed per value" if len(items) == self.distinct else "summed per range")
        average = spec.x is None and self.merged  # row-number buckets: show the mean, not a sum
        if average:
            notes.append("averaged over row ranges")
        data.xs = [k for k, _ in items]
        data.series = _series(spec, items, self.width, average=average)


def _series(spec: ChartSpec, items: list, width: int, *, average: bool = False) -> list[list[float]]:
    """Per series, the bucket sums; means where the unit is a percentage or the buckets are row ranges."""
    means = [average or unit_of(c).averaged for c in spec.y]
    return [[(v[s] / v[-1] if means[s] and v[-1] else v[s]) for _, v in items] for s in range(width)]


def _drop_dwarfed_series(data: ChartData, notes: list[str]) -> None:
    """Keep only series within 20x of the largest, so one scale shows every line readably."""
    peaks = [max(abs(v) for v in ys) for ys in data.series]
    top = max(peaks)
    keep = [s for s, peak in enumerate(peaks) if peak * SCALE_RATIO >= top]
    if len(keep) == len(peaks):
        return
    dropped = [data.spec.y[s].name for s in range(len(peaks)) if s not in keep]
    data.spec = replace(data.spec, y=[data.spec.y[s] for s in keep])
    data.series = [data.series[s] for s in keep]
    data.totals = [data.totals[s] for s in keep]
    notes.append(f"{', '.join(dropped)} not shown (much smaller scale)")


def _accumulate(into: dict, key: object, values: list[float]) -> None:
    current = into.get(key)
    if current is None:
        into[key] = list(values)
    else:
        for i, v in enumerate(values):
            current[i] += v


def collect(table: Table, spec: ChartSpec, tz: dt.tzinfo | None = None, rows: Iterable | None = None) -> ChartData:
    """Stream the table (or the given rows) once and return the chart points."""
    collector = ChartCollector(table, spec, tz)
    for row in table.rows() if rows is None else rows:
        collector.add(row)
    return collector.result()
