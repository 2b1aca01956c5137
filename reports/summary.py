"""The short summary posted with each report: row count, key figures with change, top rows.

`summarize` streams the table once (or `SummaryCollector` rides along another pass, as the PDF
and HTML renderers do). `Summary.to_json()` is stored with the run and handed back as `previous`
next time, so figures can show the change against the previous run, and the chart can draw the
previous period (its "chart" record). Figures are column totals, or means for percentages
(units.py), written with the column's unit ("$12,340", "3.4%"). `key_figures()` reads them back
for the PDF, the HTML page and the email; `Summary.to_mrkdwn()` renders Slack mrkdwn that always
fits a section block (3,000 characters).
"""

from __future__ import annotations

import decimal
import math
from dataclasses import dataclass, field

from reports.markdown import escape_mrkdwn
from reports.renderers.errors import RenderError
from reports.renderers.formatting import (
    as_number,
    compact,
    display,
    is_id_column,
    thousands,
    truncate,
)
from reports.renderers.units import Unit, format_short, label_of, unit_of
from reports.table import Table

SCHEMA_VERSION = 2  # 2: figures carry their unit; "chart" holds the chart's points for the next run
SECTION_LIMIT = 3_000  # Slack's limit for a section block's text
MAX_FIGURES = 50  # stored; a 200-column table must not bloat the run record
SHOWN_FIGURES = 6  # in the message
TABLE_WIDTH = 72  # characters of the monospace preview before Slack starts wrapping
MAX_CELL = 24
# The preview never fits more than TABLE_WIDTH / 5 columns; storing more only bloats the run record.
MAX_PREVIEW_COLUMNS = TABLE_WIDTH // 5
TITLE_CHARS, WINDOW_CHARS = 150, 120

# (label, total, change in % vs previous); total is None when it overflows a float.
Figure = tuple[str, float | int | None, float | None]


@dataclass
class Summary:
    """What a run's message says about its data."""

    row_count: int
    figures: list[Figure] = field(default_factory=list)
    top_rows: list[list[str]] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)
    # Which columns are numeric, so the preview can right-align their figures.
    numeric: list[bool] = field(default_factory=list)
    # Figure columns beyond MAX_FIGURES and columns beyond MAX_PREVIEW_COLUMNS, counted only.
    more_figures: int = 0
    more_columns: int = 0
    # Per figure, its unit; the chart's record for the next run's comparison (chart_compare.py).
    units: list[Unit] = field(default_factory=list)
    chart: dict | None = None

    def to_json(self) -> dict:
        """Return a JSON-safe dict (stored with the run, passed back as `previous`)."""
        return {
            "version": SCHEMA_VERSION,
            "row_count": self.row_count,
            "figures": [
                {"label": label, "value": value, "change_pct": change} | _unit_json(self.units, n)
                for n, (label, value, change) in enumerate(self.figures)
            ],
            "columns": list(self.columns),
            "numeric": list(self.numeric),
            "more_figures": self.more_figures,
            "more_columns": self.more_columns,
            "top_rows": [list(r) for r in self.top_rows],
            "chart": self.chart,
        }

    def to_mrkdwn(self, title: str, window_label: str) -> str:
        """Return Slack mrkdwn: headline, figures line, monospace top rows; ≤ 3,000 chars."""
        head = f"*{escape_mrkdwn(truncate(title or 'Report', TITLE_CHARS))}*"
        if window_label:
            head += f" · {escape_mrkdwn(truncate(window_label, WINDOW_CHARS))}"
        parts = [f"{self.row_count:,} row{'' if self.row_count == 1 else 's'}"]
        units = self.units or [Unit()] * len(self.figures)
        parts += [_figure_text(f, u) for f, u in zip(self.figures[:SHOWN_FIGURES], units, strict=False)]
        hidden = max(0, len(self.figures) - SHOWN_FIGURES) + self.more_figures
        if hidden:
            parts.append(f"+{hidden} more in the file")
        lines = [head, " · ".join(parts), *self.rows_lines()]
        text = "\n".join(lines)
        # The parts above are individually bounded; this is the last line of defence.
        while len(text) > SECTION_LIMIT and len(lines) > 2:
            lines.pop()
            text = "\n".join(lines)
        return text if len(text) <= SECTION_LIMIT else truncate(text, SECTION_LIMIT)


    def rows_lines(self) -> list[str]:
        """The first rows as a monospace table with a line saying how many there are (or that there are none)."""
        if not self.row_count:
            return ["_No data for this period._"]
        if not self.top_rows:
            return []
        lines = []
        if self.row_count > len(self.top_rows):
            lines.append(f"_First {len(self.top_rows)} of {self.row_count:,} rows:_")
        lines.append(_preview(self.columns, self.top_rows, self.numeric, self.more_columns))
        return lines


def summarize(
    table: Table, previous: dict | None = None, *, max_rows: int = 5, key_columns: list[str] | None = None,
    chart: dict | None = None,
) -> Summary:
    """Stream `table` once into a `Summary`; figures are column totals, compared with `previous`."""
    collector = SummaryCollector(table, previous, max_rows=max_rows, key_columns=key_columns, chart=chart)
    for row in table.rows():
        collector.add(row)
    return collector.result()


class SummaryCollector:
    """Fold streamed rows into a `Summary` (so another renderer's pass can carry it along)."""

    def __init__(self, table: Table, previous: dict | None = None, *, max_rows: int = 5,
                 key_columns: list[str] | None = None, chart: dict | None = None, with_chart: bool = True) -> None:
        names = table.column_names
        if key_columns:
            missing = [k for k in key_columns if k not in names]
            if missing:
                raise ValueError(f"key columns not in the report: {', '.join(missing)}")
            chosen = [names.index(k) for k in key_columns]
            not_numeric = [names[i] for i in chosen if not table.columns[i].type.is_numeric]
            if not_numeric:
                raise ValueError(f"key columns must be numeric to total: {', '.join(not_numeric)}")
        else:
            numeric = [i for i, c in enumerate(table.columns) if c.type.is_numeric]
            chosen = [i for i in numeric if not is_id_column(names[i])] or numeric
        self.table, self.previous, self.max_rows = table, previous, max_rows
        self.more_figures = max(0, len(chosen) - MAX_FIGURES)
        self.chosen = chosen[:MAX_FIGURES]
        self.units = [unit_of(table.columns[i]) for i in self.chosen]
        self.int_totals = [0] * len(self.chosen)
        self.float_totals = [0.0] * len(self.chosen)
        self.has_float = [False] * len(self.chosen)
        self.counts = [0] * len(self.chosen)
        self.top: list[list[object]] = []
        self.count = 0
        # A renderer that draws its own chart (in the report's zone) and wants only the figures folds no second one.
        self.chart = _chart_collector(table, chart) if with_chart else None

    def add(self, row) -> None:
        """Fold one row in."""
        self.count += 1
        for slot, i in enumerate(self.chosen):
            value = row[i]
            if type(value) is int:
                self.int_totals[slot] += value
                self.counts[slot] += 1
            elif value is not None and not isinstance(value, bool):
                number = as_number(value)
                if number is not None:
                    self.float_totals[slot] += number
                    self.has_float[slot] = True
                    self.counts[slot] += 1
        if len(self.top) < self.max_rows:
            self.top.append(list(row)[:MAX_PREVIEW_COLUMNS])
        if self.chart is not None:
            self.chart.add(row)

    def result(self) -> Summary:
        """Return the summary of the rows folded in."""
        from reports.renderers.chart_compare import chart_record

        names = self.table.column_names
        prior = _previous_values(self.previous)
        figures: list[Figure] = []
        for slot, i in enumerate(self.chosen):
            value = _total(self.int_totals[slot], self.float_totals[slot], self.has_float[slot])
            if value is not None and self.units[slot].averaged:
                value = value / self.counts[slot] if self.counts[slot] else None
            label = label_of(names[i])
            figures.append((label, value, _change(value, prior.get(label))))
        shown = self.table.columns[:MAX_PREVIEW_COLUMNS]
        return Summary(
            row_count=self.count,
            figures=figures,
            top_rows=_format_preview(self.top),
            columns=[truncate(c.name, MAX_CELL) for c in shown],
            numeric=[c.type.is_numeric for c in shown],
            more_figures=self.more_figures,
            more_columns=len(names) - len(shown),
            units=list(self.units),
            chart=chart_record(self.chart.result()) if self.chart is not None else None,
        )


def _chart_collector(table: Table, chart: dict | None):
    """The chart this table gets, folded along (None when it has nothing to chart)."""
    from reports.renderers.chart_data import ChartCollector, choose_chart

    try:
        return ChartCollector(table, choose_chart(table, chart))
    except RenderError:
        return None


def _total(int_total: int, float_total: float, has_float: bool) -> float | int | None:
    if not has_float:
        return int_total
    try:
        value = int_total + float_total
    except OverflowError:
        return None
    return value if math.isfinite(value) else None  # JSON has no infinity, and "inf" tells the reader nothing


def _unit_json(units: list[Unit], n: int) -> dict:
    if n >= len(units) or units[n].kind in ("number", "count"):
        return {}
    return {"unit": units[n].kind, "symbol": units[n].symbol} if units[n].symbol else {"unit": units[n].kind}


def _format_preview(rows: list[list[object]]) -> list[list[str]]:
    """Format preview rows so a column of amounts lines up: if any value in a column has cents,
    every value in it shows two decimals ("3,267.00" under "3,438.28", not "3,267")."""
    if not rows:
        return []
    # strict=False: a report type may yield rows of unequal length; the preview keeps the columns all rows have.
    cents = [any(isinstance(v, (float, decimal.Decimal)) and not float(v).is_integer() for v in column
                 if v is not None and not isinstance(v, bool) and as_number(v) is not None)
             for column in zip(*rows, strict=False)]
    formatted = []
    for row in rows:
        cells = []
        for value, with_cents in zip(row, cents, strict=False):
            number = None if isinstance(value, bool) else as_number(value) if isinstance(
                value, (float, decimal.Decimal)) else None
            text = f"{number:,.2f}" if with_cents and number is not None and abs(number) < 1e15 else None
            cells.append(text if text is not None and len(text) <= MAX_CELL else _cell(value))
        formatted.append(cells)
    return formatted


def _cell(value: object) -> str:
    """Format a preview cell; numbers too wide for a cell go compact rather than being cut."""
    text = display(value)
    if len(text) <= MAX_CELL:
        return text
    if isinstance(value, (int, float, decimal.Decimal)) and not isinstance(value, bool):
        return f"{decimal.Decimal(value):.3e}" if isinstance(value, int) else f"{float(value):.3e}"
    return truncate(text, MAX_CELL)


def _previous_values(previous: dict | None) -> dict[str, float]:
    """Read figures from an earlier `to_json()`, tolerating missing or odd data."""
    values: dict[str, float] = {}
    if not isinstance(previous, dict):
        return values
    for item in previous.get("figures") or []:
        if isinstance(item, dict) and isinstance(item.get("label"), str):
            number = as_number(item.get("value"))
            if number is not None:
                values[item["label"]] = number
    return values


def _change(value: float | int | None, before: float | None) -> float | None:
    if value is None or before is None or before == 0:
        return None
    try:
        change = (float(value) - before) / abs(before) * 100
    except OverflowError:
        return None
    return round(change, 2) if abs(change) < 1e300 else None


def figure_value(value: float | int | None, unit: Unit | None = None) -> str:
    """Format a figure: exact with separators up to millions, compact beyond; with its unit."""
    if value is None:
        return "n/a"
    unit = unit or Unit()
    if unit.kind in ("percent", "ratio"):
        return format_short(value, unit)
    if unit.kind == "money" and abs(value) < 10_000_000:
        amount = f"{abs(value):,.2f}" if not float(value).is_integer() else f"{abs(int(value)):,}"
        return ("-" if value < 0 else "") + unit.symbol + amount
    if unit.kind == "money":
        return format_short(value, unit)
    if abs(value) >= 10_000_000:
        if isinstance(value, int) and abs(value) >= 10**15:
            return f"{decimal.Decimal(value):.2e}"  # float() would overflow past 1e308
        return compact(value)
    return thousands(round(value, 2) if isinstance(value, float) else value)


def _figure_text(figure: Figure, unit: Unit) -> str:
    label, value, change = figure
    text = f"{escape_mrkdwn(truncate(label, 40))} {escape_mrkdwn(figure_value(value, unit))}"
    if change is not None:
        text += f" {change_words(change)} vs previous"
    return text


def covers_words(summary: dict) -> str:
    """What a run covers, in words: "Covers the previous week, Mon 16 Nov – Sun 22 Nov 2026" (the Slack
    message and the email say it the same way); only the dates for a run stored before summaries kept
    the period's words. Not escaped: each surface escapes for itself."""
    label = str(summary.get("window_label") or "")
    if not summary.get("period"):
        return label
    return f"Covers {summary['period']}, {label}" if label else f"Covers {summary['period']}"


def change_words(change: float) -> str:
    """A change in percent as people scan it: "▲ 8.1%", "▼ 0.4%", "= 0.0%"."""
    arrow = "▲" if change > 0 else "▼" if change < 0 else "="
    amount = f"{abs(change):.1f}" if abs(change) < 10_000 else compact(abs(change))
    return f"{arrow} {amount}%"


def _preview(columns: list[str], rows: list[list[str]], numeric: list[bool], more_columns: int = 0) -> str:
    """Return a code block with the header and rows, as many columns as fit TABLE_WIDTH."""
    widths: list[int] = []
    used = 0
    for i, name in enumerate(columns):
        width = min(MAX_CELL, max([len(name)] + [len(r[i]) for r in rows if i < len(r)]))
        width = max(width, 3)
        if used + width + (2 if widths else 0) > TABLE_WIDTH:
            break
        used += width + (2 if widths else 0)
        widths.append(width)
    if not widths:
        widths = [TABLE_WIDTH]
    hidden = len(columns) - len(widths) + more_columns

    right = [i < len(numeric) and numeric[i] for i in range(len(widths))]

    def line(cells: list[str]) -> str:
        fitted = (truncate(c, w) for c, w in zip(cells, widths, strict=False))
        return "  ".join(
            t.rjust(w) if r else t.ljust(w) for t, w, r in zip(fitted, widths, right, strict=False)
        ).rstrip()

    body = [line(columns), line(["─" * w for w in widths])] + [line(r) for r in rows]
    if hidden > 0:
        body.append(f"(+{hidden} more column{'s' if hidden != 1 else ''})")
    # A backtick inside the block would end it early; a look-alike keeps the text readable.
    return "```\n" + escape_mrkdwn("\n".join(body).replace("`", "ˋ")) + "\n```"



@dataclass(frozen=True)
class KeyFigure:
    """One key figure as people read it: "Revenue", "$12,340", +8.1 (%)."""

    label: str
    value: str
    change_pct: float | None


def key_figures(summary: dict | None, limit: int = SHOWN_FIGURES) -> list[KeyFigure]:
    """Read the figures of a stored `Summary.to_json()` back for display (PDF, HTML, email)."""
    out = []
    for item in (summary or {}).get("figures") or []:
        if not isinstance(item, dict) or not isinstance(item.get("label"), str):
            continue
        unit = Unit(str(item.get("unit") or "number"), str(item.get("symbol") or ""))
        value = item.get("value")
        number = value if isinstance(value, int) and not isinstance(value, bool) else as_number(value)
        change = as_number(item.get("change_pct"))
        out.append(KeyFigure(truncate(item["label"], 40), figure_value(number, unit), change))
        if len(out) >= limit:
            break
    return out
