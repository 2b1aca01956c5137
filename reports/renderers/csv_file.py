"""CSV renderer: streams rows to UTF-8, RFC 4180 text in constant memory.

Options (all optional):
    timezone (str): IANA name; aware datetimes are written in this zone (ISO 8601 with offset).
    formula_escape (bool): True by default: text cells a spreadsheet would run as a formula get a
        leading apostrophe (see cell_safety.py). False writes every cell as it is.
    title, window_label, generated_at, chart: accepted and ignored (CSV has no place for them).

Format: header row from the column names, `\r\n` line ends, fields quoted only when needed,
dates and datetimes as ISO 8601, booleans as true/false, None as an empty field.
"""

from __future__ import annotations

import csv
import io
from typing import BinaryIO

from reports.renderers import renderer
from reports.renderers.cell_safety import (
    TRIGGERS,
    formula_escape_on,
    looks_like_formula,
    neutralise,
)
from reports.renderers.formatting import iso, resolve_timezone
from reports.table import ColumnType, Table

# Only these column types carry values the csv module would not already write as wanted
# (it writes None as "" and numbers/strings via str/repr).
_CONVERTED_TYPES = (ColumnType.DATE, ColumnType.DATETIME, ColumnType.BOOLEAN)
# First characters worth a closer look (a cheap test before `looks_like_formula` on every cell).
_SUSPECT_STARTS = TRIGGERS | {" "}


@renderer("csv", extension="csv", content_type="text/csv", description="Comma-separated values (UTF-8, RFC 4180)")
def render(table: Table, out: BinaryIO, options: dict) -> None:
    """Write `table` as CSV to `out`, one row at a time."""
    _write(table, out, options, escape=formula_escape_on(options))


@renderer("csv_raw", extension="raw.csv", content_type="text/csv",
          description="CSV for programs: every cell exactly as it is, no spreadsheet formula protection")
def render_raw(table: Table, out: BinaryIO, options: dict) -> None:
    """Write `table` as CSV with every text cell as it is (for machine consumers)."""
    _write(table, out, options, escape=False)


def _write(table: Table, out: BinaryIO, options: dict, *, escape: bool) -> None:
    tz = resolve_timezone(options)
    # newline="" so the csv module's own \r\n is written untouched on every platform.
    text = io.TextIOWrapper(out, encoding="utf-8", newline="", write_through=False)
    try:
        writer = csv.writer(text, dialect="excel", lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
        writer.writerow([neutralise(n) for n in table.column_names] if escape else table.column_names)
        convert = [i for i, c in enumerate(table.columns) if c.type in _CONVERTED_TYPES]
        writerow = writer.writerow
        if not convert and not escape:
            for row in table.rows():
                writerow(row)
        else:
            for row in table.rows():
                cells = list(row)
                for i in convert:
                    value = cells[i]
                    if value is not None:
                        cells[i] = iso(value, tz)
                if escape:
                    # Any column may carry text (SQL results are typed by their first values).
                    for i, value in enumerate(cells):
                        if type(value) is str and value and value[0] in _SUSPECT_STARTS and looks_like_formula(value):
                            cells[i] = "'" + value
                writerow(cells)
        text.flush()
    finally:
        # Detach so closing the wrapper never closes the caller's stream.
        text.detach()
