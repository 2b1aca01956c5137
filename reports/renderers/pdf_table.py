"""The PDF's table: every row (up to `MAX_TABLE_ROWS`), across the page width, typeset.

Proportional type, numbers right-aligned in their column's unit and precision, the header (bold,
on a tinted band, wrapped to two lines when long) repeated on every page, zebra rows. Columns
get their natural width; when they do not fit a portrait page the document turns landscape, then
the type shrinks (8 pt down to 6.5 pt), then long text columns give up width (cells end in …;
numbers are never cut), and only then are the last columns left out, with a note saying so.

Two passes over the rows (a `Table` can be read again): `TableLayout.measure` learns widths and
precision while the chart and key figures are collected, `draw_table` formats and draws.
"""

from __future__ import annotations

import datetime as dt
import re

from reports.renderers import style
from reports.renderers.cells import (
    MAX_CELL_CHARS,
    Formatter,
    column_formatter,
    decimals_of,
)
from reports.renderers.formatting import as_number
from reports.renderers.pdf_document import MARGIN, PAGE_SIZES, SANS, ReportPDF
from reports.table import ColumnType, Table

MAX_TABLE_ROWS = 100_000  # ~1,700 pages; beyond this the CSV/XLSX are the place to read the data
FONT_SIZES = (8.0, 7.5, 7.0, 6.5)
PAD = 4.0  # points left and right inside a cell
MIN_TEXT_WIDTH = 48.0  # points a shrunk text column keeps
ROW_FACTOR = 1.6  # row height per point of type
BOLD = 1.08  # bold type runs this much wider than the regular face the widths come from

class TableLayout:
    """Column widths, precision, type size and orientation, learned from a first pass."""

    def __init__(self, table: Table, tz: dt.tzinfo | None) -> None:
        self.columns = table.columns
        self.tz = tz
        self.decimals = [0] * len(self.columns)
        self.longest = [c.name for c in self.columns]  # the longest text seen per column
        self.extreme: list[object] = [0] * len(self.columns)  # the largest number seen per column
        self.negative = [False] * len(self.columns)
        self.count = 0
        self.numeric = [c.type.is_numeric for c in self.columns]
        self.formatters: list[Formatter] = []
        self.widths: list[float] = []
        self.shown = len(self.columns)
        self.font_size = FONT_SIZES[0]
        self.orientation = "P"

    def measure(self, row) -> None:
        """Learn from one row (first pass)."""
        self.count += 1
        if self.count > MAX_TABLE_ROWS:
            return
        for i, value in enumerate(row):
            if i >= len(self.columns):
                break
            if self.numeric[i]:
                places = decimals_of(value)
                if places > self.decimals[i]:
                    self.decimals[i] = places
                number = as_number(value)
                if number is not None:
                    if abs(number) > abs(as_number(self.extreme[i]) or 0):
                        self.extreme[i] = value
                    self.negative[i] = self.negative[i] or number < 0
                continue
            text = value if isinstance(value, str) else None if value is None else str(value)
            if text is not None and len(text) > len(self.longest[i]):
                self.longest[i] = text[:MAX_CELL_CHARS]

    def plan(self, pdf: ReportPDF) -> None:
        """Choose orientation, type size, widths and the columns shown."""
        self.formatters = [column_formatter(c, self.decimals[i], self.tz) for i, c in enumerate(self.columns)]
        samples = [self.formatters[i](-abs(self.extreme[i]) if self.negative[i] else self.extreme[i])
                   if self.numeric[i] else self.longest[i] for i in range(len(self.columns))]
        for orientation in ("P", "L"):
            available = PAGE_SIZES[orientation][0] - 2 * MARGIN
            for size in FONT_SIZES:
                widths = self._natural(pdf, samples, size)
                if sum(widths) <= available:
                    self._settle(orientation, size, widths, len(widths))
                    return
        # Landscape at the smallest type: shrink long text columns, then leave out the last columns.
        size = FONT_SIZES[-1]
        available = PAGE_SIZES["L"][0] - 2 * MARGIN
        widths = self._natural(pdf, samples, size)
        floor = [w if self.numeric[i] else min(w, MIN_TEXT_WIDTH) for i, w in enumerate(widths)]
        excess = sum(widths) - available
        spare = [w - f for w, f in zip(widths, floor, strict=True)]
        room = sum(spare)
        if room >= excess:
            widths = [w - s * excess / room for w, s in zip(widths, spare, strict=True)]
            self._settle("L", size, widths, len(widths))
            return
        shown, used = 0, 0.0
        while shown < len(floor) and used + floor[shown] <= available:
            used += floor[shown]
            shown += 1
        shown = max(1, shown)
        widths = floor[:shown]
        widths[-1] += max(0.0, available - sum(widths))
        self._settle("L", size, widths, shown)

    def _natural(self, pdf: ReportPDF, samples: list[str], size: float) -> list[float]:
        widths = []
        for i, column in enumerate(self.columns):
            # Headers may wrap onto two lines: half the name (at least its longest word) is enough.
            bold = size * BOLD
            words = _header_words(column.name)
            header = max(pdf.width_of(column.name, bold) / 2, max((pdf.width_of(w, bold) for w in words), default=0))
            cell = pdf.width_of(samples[i], size)
            if column.type == ColumnType.DATETIME:
                cell = max(cell, pdf.width_of("2026-11-23 18:45", size))
            elif column.type == ColumnType.DATE:
                cell = max(cell, pdf.width_of("2026-11-23", size))
            widths.append(min(max(header, cell), 260.0) + 2 * PAD)
        return widths

    def _settle(self, orientation: str, size: float, widths: list[float], shown: int) -> None:
        available = PAGE_SIZES[orientation][0] - 2 * MARGIN
        spare = available - sum(widths)
        if spare > 0:  # use the page width: every column grows in proportion
            total = sum(widths)
            widths = [w + spare * w / total for w in widths]
        self.orientation, self.font_size, self.widths, self.shown = orientation, size, widths, shown

    @property
    def notes(self) -> list[str]:
        """Say what the table leaves out."""
        out = []
        if self.count > MAX_TABLE_ROWS:
            out.append(f"Showing the first {MAX_TABLE_ROWS:,} of {self.count:,} rows — the CSV/XLSX has all of them.")
        if self.shown < len(self.columns):
            out.append(f"Showing the first {self.shown} of {len(self.columns)} columns — the CSV/XLSX has all of them.")
        return out


def draw_table(pdf: ReportPDF, layout: TableLayout, rows, y: float, *, orientation: str = "P") -> None:
    """Draw every row (second pass), starting at `y`, adding pages with the header repeated."""
    size, widths, shown = layout.font_size, layout.widths, layout.shown
    height = size * ROW_FACTOR
    lefts = [MARGIN + sum(widths[:i]) for i in range(shown)]
    formatters, numeric = layout.formatters[:shown], layout.numeric[:shown]
    fit = [w - 2 * PAD for w in widths]
    zebra = style.rgb(style.ZEBRA)
    y = _header(pdf, layout, lefts, y)
    pdf.set_font(SANS, "", size)
    pdf.set_text_color(*style.rgb(style.INK))
    pdf.set_fill_color(*zebra)
    total = sum(widths)
    for n, row in enumerate(rows):
        if n >= MAX_TABLE_ROWS:
            break
        if y + height > pdf.bottom:
            pdf.add_page(orientation=orientation)
            y = _header(pdf, layout, lefts, MARGIN)
            pdf.set_font(SANS, "", size)
            pdf.set_text_color(*style.rgb(style.INK))
            pdf.set_fill_color(*zebra)
        if n % 2:
            pdf.rect(MARGIN, y, total, height, "F")
        baseline = y + height * 0.68
        for i in range(shown):
            text = formatters[i](row[i])
            if not text:
                continue
            if len(text) * size > fit[i]:  # no glyph is wider than 1 em: shorter text surely fits
                text = pdf.fit(text, fit[i], size)
            if numeric[i]:
                pdf.text_at(lefts[i], baseline, text, right=lefts[i] + widths[i] - PAD)
            else:
                pdf.text_at(lefts[i] + PAD, baseline, text.replace("\n", " "))
        y += height
    if layout.count == 0:
        pdf.set_text_color(*style.rgb(style.MUTED))
        pdf.text(MARGIN + PAD, y + height, "No data for this period")


def _header(pdf: ReportPDF, layout: TableLayout, lefts: list[float], y: float) -> float:
    """Draw the header band at y (names in bold, up to two lines) and return the first row's y."""
    size = layout.font_size
    lines = [_header_lines(pdf, c.name, w - 2 * PAD, size) for c, w in zip(layout.columns, layout.widths, strict=False)]
    depth = max((len(x) for x in lines), default=1)
    height = size * ROW_FACTOR * depth + 2
    pdf.set_fill_color(*style.rgb(style.HEADER_FILL))
    pdf.rect(MARGIN, y, sum(layout.widths), height, "F")
    pdf.set_font(SANS, "B", size)
    pdf.set_text_color(*style.rgb(style.INK))
    for i, parts in enumerate(lines):
        for k, part in enumerate(parts):
            baseline = y + size * ROW_FACTOR * (k + 0.68) + 1
            if layout.numeric[i]:
                pdf.text_at(lefts[i], baseline, part, right=lefts[i] + layout.widths[i] - PAD)
            else:
                pdf.text_at(lefts[i] + PAD, baseline, part)
    pdf.set_draw_color(*style.rgb(style.MUTED))
    pdf.line(MARGIN, y + height, MARGIN + sum(layout.widths), y + height)
    return y + height + 1


def _header_words(name: str) -> list[str]:
    """Split a column name where a line may break: at spaces and after underscores."""
    return [piece for word in name.split() for piece in re.split(r"(?<=_)", word) if piece]


def _header_lines(pdf: ReportPDF, name: str, width: float, size: float) -> list[str]:
    """Split a column name into at most two lines that fit `width` (the second cut with …)."""
    bold = size * BOLD
    if pdf.width_of(name, bold) <= width:
        return [name]
    words, first = _header_words(name), ""

    def joined(a: str, b: str) -> str:
        return a + b if a.endswith("_") or not a else a + " " + b

    while words and pdf.width_of(joined(first, words[0]), bold) <= width:
        first = joined(first, words.pop(0))
    if not first:
        return [pdf.fit(name, width, bold)]
    rest = ""
    for word in words:
        rest = joined(rest, word)
    return [first, pdf.fit(rest, width, bold)] if rest else [first]
