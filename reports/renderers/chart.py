"""Chart choice, streaming aggregation and drawing shared by the PNG and PDF renderers.

Rows are folded into a bounded number of points while streaming (time buckets coarsen, numeric
x values merge pairwise, categories are pruned), so a chart never holds the whole table.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from matplotlib.axes import Axes
from matplotlib.dates import AutoDateLocator, ConciseDateFormatter
from matplotlib.ticker import Formatter, FuncFormatter, MaxNLocator

from reports.renderers.errors import RenderError
from reports.renderers.formatting import (
    as_number,
    compact,
    is_id_column,
    naive_local,
    truncate,
)
from reports.table import Column, ColumnType, Table

MAX_LINE_POINTS = 2_000  # more than a 1200 px wide chart can show
MAX_BAR_TIME_BUCKETS = 60
TOP_CATEGORIES = 20
MAX_LINE_CATEGORIES = 100
MAX_TRACKED_CATEGORIES = 100_000  # memory bound; pruned to the leaders beyond this
MAX_LINE_SERIES, MAX_BAR_SERIES = 4, 3
SCALE_RATIO = 20
NO_DATA = "No data for this period"
COLORS = ["#2E6FD8", "#E8833A", "#3BA55C", "#C94C8C"]

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

    kind: str
    x: Column | None
    y: list[Column]
    # True when y was picked automatically: series dwarfed by the largest one are then dropped.
    auto_y: bool = False


@dataclass
class ChartData:
    """Aggregated points ready to draw."""

    spec: ChartSpec
    xs: list = field(default_factory=list)
    series: list[list[float]] = field(default_factory=list)
    note: str = ""
    row_count: int = 0


def choose_chart(table: Table, override: dict | None = None) -> ChartSpec:
    """Pick x, y and kind automatically, letting `override` ({"x", "y", "kind"}) win."""
    override = override or {}
    by_name = {c.name: c for c in table.columns}

    def lookup(name: object) -> Column:
        if name not in by_name:
            raise RenderError(f"The chart column {name!r} is not in this report (columns: {', '.join(by_name)}).")
        return by_name[name]

    kind = override.get("kind")
    if kind not in (None, "line", "bar"):
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
    if kind is None:
        kind = "bar" if x is not None and x.type in (ColumnType.TEXT, ColumnType.BOOLEAN) else "line"
    limit = MAX_BAR_SERIES if kind == "bar" else MAX_LINE_SERIES
    return ChartSpec(kind=kind, x=x, y=y[:limit], auto_y=not override.get("y"))


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
        self.pruned = False
        self.distinct = 0
        self.row_span = 1  # rows per bucket when x is the row number; doubles to stay bounded
        x_type = spec.x.type if spec.x is not None else None
        if x_type in (ColumnType.DATE, ColumnType.DATETIME):
            self.mode = "time"
            self.levels = _DATETIME_LEVELS if x_type == ColumnType.DATETIME else _DATE_LEVELS
            self.level = 0
            self.max_points = MAX_BAR_TIME_BUCKETS if spec.kind == "bar" else MAX_LINE_POINTS
        elif x_type is None or x_type.is_numeric:
            self.mode = "number"
            self.max_points = MAX_LINE_POINTS if spec.kind == "line" else TOP_CATEGORIES
        else:
            self.mode = "category"

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
        if self.mode == "number":
            if self.x_index is None:  # the row number: even, fixed-width buckets
                return (value - 1) // self.row_span * self.row_span + 1
            return as_number(value)
        if value is None:
            return "(blank)"
        return value if isinstance(value, str) else str(value)

    def add(self, row: object) -> None:
        """Fold one row in."""
        self.row_count += 1
        x = self.row_count if self.x_index is None else row[self.x_index]
        key = self._key(x)
        if key is None:
            return
        bucket = self.buckets.get(key)
        if bucket is None:
            bucket = self.buckets[key] = [0.0] * (self.width + 1)
            self.distinct += 1
            if len(self.buckets) > (MAX_TRACKED_CATEGORIES if self.mode == "category" else self.max_points):
                self._shrink()
                # The key may have been coarsened, merged or pruned away: look it up again.
                bucket = self.buckets.setdefault(self._key(x), [0.0] * (self.width + 1))
        else:
            self.merged = True
        for s, i in enumerate(self.y_index):
            number = as_number(row[i])
            if number is not None:
                bucket[s] += number
        bucket[-1] += 1

    def _shrink(self) -> None:
        """Make room: coarser time buckets, merged neighbouring numbers, or fewer categories."""
        old = self.buckets
        self.merged = True
        if self.mode == "time" and self.level + 1 < len(self.levels):
            while len(self.buckets) > self.max_points and self.level + 1 < len(self.levels):
                self.level += 1
                coarsen = self.levels[self.level][1]
                merged: dict = {}
                for key, values in sorted(self.buckets.items()):
                    _accumulate(merged, coarsen(key), values)
                self.buckets = merged
        elif self.mode == "number" and self.x_index is None:
            self.row_span *= 2
            merged = {}
            for key, values in old.items():
                _accumulate(merged, self._key(key), values)
            self.buckets = merged
        elif self.mode == "category":
            self.pruned = True
            keep = sorted(old.items(), key=lambda kv: -abs(kv[1][0]))[: MAX_TRACKED_CATEGORIES // 10]
            kept = {k for k, _ in keep}
            self.buckets = {k: v for k, v in old.items() if k in kept}
        else:
            merged = {}
            items = sorted(old.items())
            for j in range(0, len(items), 2):
                first_key = items[j][0]
                for _, values in items[j : j + 2]:
                    _accumulate(merged, first_key, values)
            self.buckets = merged

    def result(self) -> ChartData:
        """Return the points to draw."""
        spec, data = self.spec, ChartData(spec=self.spec, row_count=self.row_count)
        items = list(self.buckets.items())
        notes = []
        if self.mode == "category":
            if spec.kind == "bar":
                items.sort(key=lambda kv: -kv[1][0])
                limit = TOP_CATEGORIES
            else:
                limit = MAX_LINE_CATEGORIES
            shown = min(limit, len(items))
            if self.distinct > shown:
                more = "+" if self.pruned else ""
                which = (
                    f"top {shown} of {self.distinct:,}{more} by {spec.y[0].name}"
                    if spec.kind == "bar"
                    else f"first {shown} of {self.distinct:,}{more}"
                )
                notes.append(f"{spec.x.name}: {which}")
            items = items[:limit]
        else:
            items.sort(key=lambda kv: kv[0])
        if self.mode == "time" and self.merged:
            notes.append(f"summed per {self.levels[self.level][0]}")
        elif self.mode == "number" and self.merged and spec.x is not None:
            notes.append("summed per value" if len(items) == self.distinct else "summed per range")
        average = spec.x is None and self.merged  # row-number buckets: show the mean, not a sum
        if average:
            notes.append("averaged over row ranges")
        data.xs = [k for k, _ in items]
        data.series = [[(v[s] / v[-1] if average and v[-1] else v[s]) for _, v in items] for s in range(self.width)]
        if spec.auto_y and len(data.series) > 1 and data.xs:
            _drop_dwarfed_series(data, notes)
        data.note = ", ".join(notes)
        return data


def _drop_dwarfed_series(data: ChartData, notes: list[str]) -> None:
    """Keep only series within 20x of the largest, so one scale shows every line readably."""
    peaks = [max(abs(v) for v in ys) for ys in data.series]
    top = max(peaks)
    keep = [s for s, peak in enumerate(peaks) if peak * SCALE_RATIO >= top]
    if len(keep) == len(peaks):
        return
    dropped = [data.spec.y[s].name for s in range(len(peaks)) if s not in keep]
    data.spec = ChartSpec(kind=data.spec.kind, x=data.spec.x, y=[data.spec.y[s] for s in keep], auto_y=True)
    data.series = [data.series[s] for s in keep]
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


class CompactFormatter(Formatter):
    """Axis labels like 950 / 12.3K / 4.2M, with just enough decimals to tell ticks apart."""

    digits = 1

    def set_locs(self, locs) -> None:
        self.digits = next((d for d in (1, 2, 3) if len({self._format(v, d) for v in locs}) == len(locs)), 4)

    def __call__(self, x: float, pos: int | None = None) -> str:
        return self._format(x, self.digits)

    @staticmethod
    def _format(x: float, digits: int) -> str:
        text = compact(x)
        if digits == 1 or text[-1] not in "KMBT0123456789":
            return text
        if text[-1].isdigit():  # below 1,000: plain numbers carry their own decimals
            return text if float(x).is_integer() else f"{x:,.{digits}f}".rstrip("0").rstrip(".")
        divisor = {"K": 1e3, "M": 1e6, "B": 1e9, "T": 1e12}[text[-1]]
        return f"{x / divisor:.{digits}f}".rstrip("0").rstrip(".") + text[-1]


def plain_number(x: float) -> str:
    """Label an x value: whole numbers as is (years, bucket ids), others short."""
    if float(x).is_integer() and abs(x) < 1e15:
        return str(int(x))
    return f"{x:.4g}"


def _date_ticks(ax: Axes, xs: list) -> None:
    """Put few dates on their own ticks; let matplotlib pick ticks for long series."""
    if len(xs) <= 15:
        same_year = len({x.year for x in xs}) == 1
        with_time = any(isinstance(x, dt.datetime) and x != dt.datetime(x.year, x.month, x.day) for x in xs)
        fmt = ("%d %b" if same_year else "%d %b %Y") + (" %H:%M" if with_time else "")
        ax.set_xticks(xs)
        ax.set_xticklabels([x.strftime(fmt) for x in xs])
        if same_year:
            ax.annotate(
                str(xs[0].year),
                (1, 0),
                xycoords="axes fraction",
                xytext=(0, -32),
                textcoords="offset points",
                ha="right",
                fontsize=10,
                color="#555555",
            )
        return
    locator = AutoDateLocator(minticks=3, maxticks=8)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(ConciseDateFormatter(locator))


def _plain(text: str) -> str:
    # Labels are user data: a "$" must not switch matplotlib into math mode.
    return text.replace("$", r"\$")


def draw(ax: Axes, data: ChartData, *, font_scale: float = 1.0) -> None:
    """Draw `data` on `ax` with readable fonts, compact numbers and no chart junk."""
    fs = 13 * font_scale
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.tick_params(labelsize=fs)
    ax.set_axisbelow(True)
    if not data.xs:
        ax.set_xticks([])
        ax.set_yticks([])
        for side in ("left", "bottom"):
            ax.spines[side].set_visible(False)
        ax.text(0.5, 0.5, NO_DATA, ha="center", va="center", fontsize=fs * 1.6, color="#666666", transform=ax.transAxes)
        return
    spec = data.spec
    number_axis = CompactFormatter()
    labels = [_plain(c.name) for c in spec.y]
    if spec.kind == "bar":
        _draw_bars(ax, data, labels, fs, number_axis)
    else:
        xs = data.xs
        categorical = isinstance(xs[0], str)
        positions = list(range(len(xs))) if categorical else xs
        few = len(xs) <= 60
        for s, ys in enumerate(data.series):
            ax.plot(
                positions,
                ys,
                color=COLORS[s % len(COLORS)],
                linewidth=2.4,
                marker="o" if few else None,
                markersize=5,
                label=labels[s],
            )
        if isinstance(xs[0], (dt.date, dt.datetime)):
            _date_ticks(ax, xs)
        elif categorical:
            every = max(1, len(xs) // 20)
            ax.set_xticks(positions[::every])
            ax.set_xticklabels([_plain(truncate(x, 14)) for x in xs[::every]], rotation=30, ha="right")
        else:
            ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _pos: plain_number(v)))
            ax.xaxis.set_major_locator(MaxNLocator(8))
        ax.yaxis.set_major_formatter(number_axis)
        ax.grid(axis="y", color="#DDDDDD", linewidth=0.8)
        ax.set_xlabel(_plain(spec.x.name) if spec.x is not None else "Row", fontsize=fs)
        if len(labels) == 1:
            ax.set_ylabel(labels[0], fontsize=fs)
    if len(labels) > 1:
        ax.legend(fontsize=fs, frameon=False, loc="best")
    ax.yaxis.get_offset_text().set_visible(False)


def _draw_bars(ax: Axes, data: ChartData, labels: list[str], fs: float, number_axis: Formatter) -> None:
    n, width = len(data.xs), len(data.series)
    if data.xs and isinstance(data.xs[0], (dt.date, dt.datetime)):
        names = [
            x.strftime("%Y-%m-%d %H:%M")
            if isinstance(x, dt.datetime) and (x.hour or x.minute)
            else x.strftime("%Y-%m-%d")
            for x in data.xs
        ]
        step = 0.8 / width
        for s, ys in enumerate(data.series):
            ax.bar([i - 0.4 + step * (s + 0.5) for i in range(n)], ys, width=step, color=COLORS[s], label=labels[s])
        every = max(1, n // 12)
        ax.set_xticks(range(0, n, every))
        ax.set_xticklabels(names[::every], rotation=30, ha="right")
        ax.yaxis.set_major_formatter(number_axis)
        ax.grid(axis="y", color="#DDDDDD", linewidth=0.8)
        return
    # Horizontal bars keep long category names readable; the biggest sits on top.
    names = [_plain(truncate(plain_number(x) if isinstance(x, (int, float)) else str(x), 28)) for x in data.xs]
    step = 0.8 / width
    for s, ys in enumerate(data.series):
        positions = [n - 1 - i + 0.4 - step * (s + 0.5) for i in range(n)]
        bars = ax.barh(positions, ys, height=step, color=COLORS[s], label=labels[s])
        if width == 1 and n <= TOP_CATEGORIES:
            ax.bar_label(bars, labels=[compact(v) for v in ys], padding=4, fontsize=fs * 0.85, color="#444444")
    ax.set_yticks([n - 1 - i for i in range(n)])
    ax.set_yticklabels(names)
    ax.xaxis.set_major_formatter(number_axis)
    ax.xaxis.set_major_locator(MaxNLocator(6))
    ax.grid(axis="x", color="#DDDDDD", linewidth=0.8)
    ax.margins(x=0.12)
    if width == 1:
        ax.set_xlabel(labels[0], fontsize=fs)
