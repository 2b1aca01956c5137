"""PDF layout for the PDF renderer: cover page with the chart, paginated monospace table.

Imported lazily by `pdf_file` so that loading the renderer registry does not load matplotlib.
"""

from __future__ import annotations

import datetime as dt
import decimal
from dataclasses import dataclass
from typing import BinaryIO

from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from reports.renderers.chart import ChartCollector, ChartData, choose_chart, draw
from reports.renderers.errors import RenderError
from reports.renderers.fonts import mono
from reports.renderers.formatting import as_number, display, resolve_timezone, truncate
from reports.table import Column, Table

PAGE_SIZE = (11.69, 8.27)  # A4 landscape, inches
# Text layout dominates PDF time (~0.2 s per page of 45 rows), so the table stays readable-sized.
MAX_TABLE_ROWS = 1_000
MAX_TABLE_COLUMNS = 30  # never more could fit at a readable width
FONT_SIZE = 7.5  # points
CHAR_WIDTH = 0.6 * FONT_SIZE / 72  # inches per character of DejaVu Sans Mono
LINE_HEIGHT = 1.45 * FONT_SIZE / 72  # inches per table line
MARGIN_X, TOP, BOTTOM = 0.45, 0.85, 0.6  # inches
MAX_COLUMN_CHARS, MIN_COLUMN_CHARS, GAP = 40, 6, 2


@dataclass
class _Captured:
    """The first rows as display strings, plus the total count."""

    columns: list[Column]
    rows: list[list[str]]
    total: int


def _decimals(values: list[object]) -> int:
    """Return the decimals (0-2) a numeric column needs so its figures line up."""
    needed = 0
    for v in values:
        if isinstance(v, (float, decimal.Decimal)) and as_number(v) is not None and not float(v).is_integer():
            needed = max(needed, min(2, len(f"{float(v):.2f}".rstrip("0").split(".")[1])))
            if needed == 2:
                break
    return needed


def _format_rows(columns: list[Column], raw: list[list[object]], tz: dt.tzinfo | None) -> list[list[str]]:
    """Turn captured values into display strings, numbers with one precision per column."""
    decimals = [
        _decimals([r[i] for r in raw if i < len(r)]) if c.type.is_numeric else None for i, c in enumerate(columns)
    ]
    out = []
    for r in raw:
        cells = []
        for i, v in enumerate(r):
            d = decimals[i] if i < len(decimals) else None
            number = as_number(v) if d else None
            if number is not None and (number == 0 or 0.01 <= abs(number) < 1e15):
                cells.append(f"{number:,.{d}f}")
            else:
                cells.append(display(v, tz))
        cells.extend([""] * (len(columns) - len(cells)))
        out.append(cells)
    return out


def _fit_columns(captured: _Captured) -> tuple[list[int], int]:
    """Return the character width of each shown column and how many columns are shown."""
    available = int((PAGE_SIZE[0] - 2 * MARGIN_X) / CHAR_WIDTH)
    widths = []
    for i, column in enumerate(captured.columns):
        longest = max((len(r[i]) for r in captured.rows), default=0)
        widths.append(max(MIN_COLUMN_CHARS, min(MAX_COLUMN_CHARS, max(len(column.name), longest))))
    shown = len(widths)
    while shown > 1 and sum(max(MIN_COLUMN_CHARS, min(w, 12)) for w in widths[:shown]) + GAP * (shown - 1) > available:
        shown -= 1
    widths = widths[:shown]
    # Shrink the widest columns first until the row fits the page.
    while sum(widths) + GAP * (shown - 1) > available:
        widest = max(range(shown), key=widths.__getitem__)
        if widths[widest] <= MIN_COLUMN_CHARS:
            break
        widths[widest] -= 1
    return widths, shown


def _line(cells: list[str], widths: list[int], right: list[bool]) -> str:
    parts = []
    for text, width, align_right in zip(cells, widths, right, strict=False):
        text = truncate(text, width)
        parts.append(text.rjust(width) if align_right else text.ljust(width))
    return (" " * GAP).join(parts).rstrip()


def _footer(fig: Figure, page: int, pages: int, title: str) -> None:
    fig.text(
        MARGIN_X / PAGE_SIZE[0],
        0.35 / PAGE_SIZE[1],
        truncate(title, 90).replace("$", r"\$"),
        fontsize=8,
        color="#777777",
    )
    fig.text(
        1 - MARGIN_X / PAGE_SIZE[0],
        0.35 / PAGE_SIZE[1],
        f"Page {page} of {pages}",
        fontsize=8,
        color="#444444",
        ha="right",
    )


def _cover(data: ChartData | None, no_chart: str, title: str, lines: list[str], page: int, pages: int) -> Figure:
    fig = Figure(figsize=PAGE_SIZE, layout="constrained")
    # Leave the bottom strip to the footer, which the layout engine does not know about.
    fig.get_layout_engine().set(h_pad=0.3, w_pad=0.4, rect=(0, 0.07, 1, 0.93))
    fig.suptitle(truncate(title, 80).replace("$", r"\$"), x=0.03, ha="left", fontsize=20, fontweight="bold")
    ax = fig.add_subplot()
    ax.set_title(
        "\n".join(truncate(s, 140).replace("$", r"\$") for s in lines),
        loc="left",
        fontsize=11,
        color="#444444",
        pad=16,
        linespacing=1.5,
    )
    if data is not None:
        draw(ax, data, font_scale=0.85)
    else:
        ax.axis("off")
        ax.text(
            0.5,
            0.5,
            no_chart,
            ha="center",
            va="center",
            fontsize=12,
            color="#666666",
            transform=ax.transAxes,
            wrap=True,
        )
    _footer(fig, page, pages, title)
    return fig


def _table_page(
    captured: _Captured, chunk: list[list[str]], widths: list[int], notes: list[str], title: str, page: int, pages: int
) -> Figure:
    fig = Figure(figsize=PAGE_SIZE)
    w, h = PAGE_SIZE
    right = [c.type.is_numeric for c in captured.columns[: len(widths)]]
    family = mono()  # once per page, not per row
    x0 = MARGIN_X / w
    y = h - TOP + 0.35
    for note in notes:  # the row/column cap, visible on every table page
        fig.text(x0, y / h, note, fontsize=8, color="#B03A2E", va="baseline")
        y -= 0.2
    y = h - TOP
    header = _line([c.name for c in captured.columns[: len(widths)]], widths, right)
    fig.text(x0, y / h, header.replace("$", r"\$"), family=family, fontsize=FONT_SIZE, fontweight="bold", va="baseline")
    rule_y = (y - 0.35 * LINE_HEIGHT) / h
    fig.add_artist(Rectangle((x0, rule_y), 1 - 2 * x0, 0.8 / 72 / h, transform=fig.transFigure, color="#333333"))
    for i, row in enumerate(chunk):
        y -= LINE_HEIGHT
        if i % 2:
            # Zebra stripes guide the eye along wide rows.
            fig.add_artist(
                Rectangle(
                    (x0, (y - 0.3 * LINE_HEIGHT) / h),
                    1 - 2 * x0,
                    LINE_HEIGHT / h,
                    transform=fig.transFigure,
                    color="#F0F3F7",
                    zorder=0,
                )
            )
        fig.text(
            x0, y / h, _line(row, widths, right).replace("$", r"\$"), family=family, fontsize=FONT_SIZE, va="baseline"
        )
    if not chunk:
        fig.text(x0, (y - 2 * LINE_HEIGHT) / h, "No data for this period", fontsize=10, color="#666666")
    _footer(fig, page, pages, title)
    return fig


def _generated_line(options: dict, tz: dt.tzinfo | None) -> str:
    when = options.get("generated_at") or dt.datetime.now(dt.UTC)
    if when.tzinfo is not None and tz is not None:
        when = when.astimezone(tz)
    zone = when.tzname() or ""
    return f"Generated {when:%a %d %b %Y, %H:%M} {zone}".rstrip()


def write_pdf(table: Table, out: BinaryIO, options: dict) -> None:
    """Write a PDF document (cover with chart, then the table) to `out`."""
    tz = resolve_timezone(options)
    title = options.get("title") or table.title or "Report"
    window = options.get("window_label") or table.window_label or ""
    try:
        collector: ChartCollector | None = ChartCollector(table, choose_chart(table, options.get("chart")), tz)
        no_chart = ""
    except RenderError as exc:
        collector, no_chart = None, f"No chart: {exc}"

    columns = table.columns[:MAX_TABLE_COLUMNS]
    keep = len(columns)
    raw: list[list[object]] = []
    total = 0
    for row in table.rows():
        total += 1
        if collector is not None:
            collector.add(row)
        if total <= MAX_TABLE_ROWS:
            # Cut long text early: this buffer is bounded by rows x columns x cell size.
            raw.append([truncate(v, MAX_COLUMN_CHARS + 1) if isinstance(v, str) else v for v in list(row)[:keep]])
    rows = _format_rows(columns, raw, tz)
    del raw
    captured = _Captured(columns, rows, total)
    data = collector.result() if collector is not None else None

    widths, shown = _fit_columns(captured)
    notes = []
    if total > len(rows):
        notes.append(f"Showing the first {len(rows):,} of {total:,} rows — see the CSV/XLSX for all.")
    if shown < len(table.columns):
        notes.append(f"Showing the first {shown} of {len(table.columns)} columns — see the CSV/XLSX for all.")
    per_page = int((PAGE_SIZE[1] - TOP - BOTTOM - 0.1) / LINE_HEIGHT)
    chunks = [rows[i : i + per_page] for i in range(0, len(rows), per_page)] or [[]]
    pages = 1 + len(chunks)

    summary = [part for part in (window, _generated_line(options, tz)) if part]
    count = f"{total:,} row{'s' if total != 1 else ''}"
    if data is not None and data.note:
        count += f" · chart: {data.note}"
    summary.append(count)
    summary.extend(notes)

    metadata = {"Title": title, "Subject": window, "Creator": "reportbot"}
    with PdfPages(out, metadata=metadata) as pdf:
        pdf.savefig(_cover(data, no_chart, title, summary, 1, pages))
        for n, chunk in enumerate(chunks, start=2):
            pdf.savefig(_table_page(captured, chunk, widths, notes, title, n, pages))
