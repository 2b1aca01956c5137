"""XLSX renderer: typed, formatted cells, bold frozen header, autofilter and an "About" sheet.

Options (all optional):
    title (str): names the sheet (sanitised to Excel's rules) and the document title.
    window_label (str): the period; stored as the document subject and on the About sheet.
    timezone (str): IANA name; aware datetimes are converted to this zone and written naive,
        because Excel has no time zones.
    generated_at (datetime): stored as the document's creation time and on the About sheet.
    source (str): where the data came from, for the About sheet (else `table.meta["source"]`).
    formula_escape (bool): True by default: text a spreadsheet would run as a formula is marked
        as quoted text (see cell_safety.py); False writes it plainly (still never as a formula).
    chart: accepted and ignored.

Written with XlsxWriter's constant_memory mode (rows go to a temp file as they arrive; see
bench/render.py for why not openpyxl). Numbers stay numbers with a number format from their
unit (units.py: thousands separators, money with 2 decimals, percent); dates and datetimes are
Excel serial values with a date / date-time format, booleans are booleans, None is blank. The
first 500 rows are held back to choose each column's decimals and width. More rows than one
sheet holds spill over to "<name> (2)", "<name> (3)", ... sheets. The last sheet, "About", says
which report, which period, when it was generated and from which source.
"""

from __future__ import annotations

import datetime as dt
import decimal
import math
import re
from typing import BinaryIO

import xlsxwriter

from reports.renderers import renderer
from reports.renderers.cell_safety import formula_escape_on, looks_like_formula
from reports.renderers.cells import decimals_of
from reports.renderers.formatting import ELLIPSIS, naive_local, resolve_timezone
from reports.renderers.units import excel_format, unit_of
from reports.renderers.xlsx_about import write_about
from reports.table import Table

MAX_ROWS_PER_SHEET = 1_048_576  # Excel's hard limit, header row included
MAX_CELL_CHARS = 32_767  # Excel's limit for text in one cell
SHEET_NAME_CHARS = 31
WIDTH_SAMPLE_ROWS = 500
MIN_WIDTH, MAX_WIDTH = 6, 60
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm:ss"
# Integers beyond 2**53 would silently lose digits as Excel doubles, so they are written as text.
EXACT_INT_LIMIT = 2**53

_FORBIDDEN_SHEET_CHARS = re.compile(r"[\[\]:*?/\\\x00-\x1f]")


def sheet_name(title: str | None, suffix: str = "") -> str:
    """Return a valid Excel sheet name for `title` (31 chars, no []:*?/\\, no edge apostrophes)."""
    name = _FORBIDDEN_SHEET_CHARS.sub(" ", title or "")
    name = " ".join(name.split()).strip("'").strip()
    if not name or name.lower() == "history":  # "History" is reserved by Excel
        name = "Report" if not name else f"{name} data"
    room = SHEET_NAME_CHARS - len(suffix)
    if len(name) > room:
        name = name[: room - 1].rstrip().rstrip("'") + ELLIPSIS
    return name + suffix


def _text(value: str) -> str:
    return value if len(value) <= MAX_CELL_CHARS else value[: MAX_CELL_CHARS - 1] + ELLIPSIS


def _decimals(values) -> int:
    """Return the decimals (0-4) a column's sampled values need."""
    return max((decimals_of(v) for v in values), default=0)


def _width_of(value: object) -> int:
    """Return the characters a value needs on screen (for column widths)."""
    if isinstance(value, str):
        return max((len(line) for line in value.splitlines()), default=0)
    if isinstance(value, dt.datetime):
        return 19
    if isinstance(value, dt.date):
        return 10
    if isinstance(value, float):
        return len(f"{value:.10g}")
    return len(str(value))


class _SheetWriter:
    """Write rows to a worksheet, opening spill-over sheets when one fills up."""

    def __init__(self, workbook: xlsxwriter.Workbook, table: Table, options: dict) -> None:
        self.workbook = workbook
        self.columns = table.columns
        self.title = options.get("title") or table.title
        self.tz = resolve_timezone(options)
        self.escape = formula_escape_on(options)
        header = {"bold": True, "bottom": 1, "bg_color": "#F0F3F7"}
        self.header_format = workbook.add_format(header)
        self.quoted_header = workbook.add_format(header | {"quote_prefix": True})
        self.date_format = workbook.add_format({"num_format": DATE_FORMAT})
        self.datetime_format = workbook.add_format({"num_format": DATETIME_FORMAT})
        # Excel's own mark for "this is text, even if it starts with =" (what typing '= sets).
        self.quoted_format = workbook.add_format({"quote_prefix": True})
        self.number_formats: list[object | None] = [None] * len(self.columns)
        # Headers also need room for the autofilter drop-down button.
        self.widths = [len(c.name) + 3 for c in self.columns]
        self.held: list[object] | None = []  # the first rows, until the number formats are chosen
        self.count = 0
        self.sheets: list[tuple[object, int]] = []
        self.sheet = None
        self.row = 0
        self._new_sheet()

    def _new_sheet(self) -> None:
        suffix = ""
        if self.sheet is not None:
            self._finish_sheet()
            suffix = f" ({len(self.sheets) + 1})"
        self.sheet = self.workbook.add_worksheet(sheet_name(self.title, suffix))
        for col, column in enumerate(self.columns):
            quoted = self.escape and looks_like_formula(column.name)
            self.sheet.write_string(0, col, _text(column.name), self.quoted_header if quoted else self.header_format)
        self.sheet.freeze_panes(1, 0)
        self.row = 0

    def _finish_sheet(self) -> None:
        self.sheets.append((self.sheet, self.row))

    def add(self, values: object) -> None:
        """Take one data row (held back while the first rows choose the number formats)."""
        self.count += 1
        if self.held is None:
            self._write(values)
            return
        self.held.append(values)
        self._measure(values)
        if len(self.held) >= WIDTH_SAMPLE_ROWS:
            self._release()

    def _release(self) -> None:
        """Choose each numeric column's format from the rows held back, then write them."""
        held, self.held = self.held or [], None
        for col, column in enumerate(self.columns):
            if column.type.is_numeric:
                decimals = _decimals(row[col] for row in held if col < len(row))
                self.number_formats[col] = self.workbook.add_format(
                    {"num_format": excel_format(unit_of(column), decimals)})
        for values in held:
            self._write(values)

    def _measure(self, values: object) -> None:
        widths = self.widths
        for col, value in enumerate(values):
            if value is not None and col < len(widths):
                w = _width_of(value) + (3 if type(value) in (int, float) and abs(value) >= 1_000 else 0)
                if w > widths[col]:
                    widths[col] = w

    def _write(self, values: object) -> None:
        if self.row + 1 >= MAX_ROWS_PER_SHEET:
            self._new_sheet()
        self.row += 1
        r, sheet = self.row, self.sheet
        for col, value in enumerate(values):
            if value is None:
                continue
            kind = type(value)
            if kind is str:
                if self.escape and looks_like_formula(value):
                    sheet.write_string(r, col, _text(value), self.quoted_format)
                else:
                    sheet.write_string(r, col, _text(value))
            elif kind is float:
                sheet.write_number(r, col, value, self.number_formats[col])
            elif kind is int:
                if -EXACT_INT_LIMIT <= value <= EXACT_INT_LIMIT:
                    sheet.write_number(r, col, value, self.number_formats[col])
                else:
                    sheet.write_string(r, col, str(value))
            elif kind is bool:
                sheet.write_boolean(r, col, value)
            elif isinstance(value, dt.datetime):
                sheet.write_datetime(r, col, naive_local(value, self.tz), self.datetime_format)
            elif isinstance(value, dt.date):
                sheet.write_datetime(r, col, value, self.date_format)
            elif isinstance(value, decimal.Decimal):
                number = float(value)
                if math.isfinite(number) or value.is_nan() or value.is_infinite():
                    sheet.write_number(r, col, number, self.number_formats[col])
                else:  # too large for a double: keep the digits
                    sheet.write_string(r, col, str(value))
            elif isinstance(value, (int, float)):  # subclasses (numpy scalars, IntEnum, ...)
                sheet.write_number(r, col, float(value), self.number_formats[col])
            else:
                sheet.write_string(r, col, _text(str(value)))

    def close(self) -> None:
        """Write what is held back, then apply widths and autofilters to every sheet."""
        if self.held is not None:
            self._release()
        self._finish_sheet()
        last_col = len(self.columns) - 1
        for sheet, last_row in self.sheets:
            if last_col < 0:
                continue
            for col, width in enumerate(self.widths):
                sheet.set_column(col, col, max(MIN_WIDTH, min(MAX_WIDTH, width + 1)))
            sheet.autofilter(0, 0, last_row, last_col)


@renderer(
    "xlsx",
    extension="xlsx",
    content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    description="Excel workbook with typed cells, frozen header and filters",
)
def render(table: Table, out: BinaryIO, options: dict) -> None:
    """Write `table` as an Excel workbook to `out`, streaming rows through a temp file."""
    workbook = xlsxwriter.Workbook(
        out,
        {
            "constant_memory": True,
            # User data is data: never turn "=..." into formulas or text into links/numbers.
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
            "nan_inf_to_errors": True,
        },
    )
    properties = {
        "title": options.get("title") or table.title or "",
        "subject": options.get("window_label") or table.window_label or "",
    }
    generated_at = options.get("generated_at")
    if isinstance(generated_at, dt.datetime):
        properties["created"] = (
            generated_at.astimezone(dt.UTC).replace(tzinfo=None) if generated_at.tzinfo else generated_at
        )
    workbook.set_properties(properties)
    try:
        writer = _SheetWriter(workbook, table, options)
        for row in table.rows():
            writer.add(row)
        writer.close()
        write_about(workbook, table, options, rows=writer.count, taken={name for name in workbook.sheetnames})
    except BaseException:
        # Still release the temp files, but never let a close error hide the real one.
        try:
            workbook.close()
        except Exception:
            pass
        raise
    workbook.close()
