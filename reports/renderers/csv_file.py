"""CSV renderer: streams rows to UTF-8, RFC 4180 text in constant memory.

Options (all optional):
    timezone (str): IANA name; aware datetimes are written in this zone (ISO 8601 with offset).
    title, window_label, generated_at, chart: accepted and ignored (CSV has no place for them).

Format: header row from the column names, `\r\n` line ends, fields quoted only when needed,
dates and datetimes as ISO 8601, booleans as true/false, None as an empty field.
"""

from __future__ import annotations

import csv
import io
from typing import BinaryIO

from reports.renderers import renderer
from reports.renderers.formatting import iso, resolve_timezone
from reports.table import ColumnType, Table

# Only these column types carry values the csv module would not already write as wanted
# (it writes None as "" and numbers/strings via str/repr).
_CONVERTED_TYPES = (ColumnType.DATE, ColumnType.DATETIME, ColumnType.BOOLEAN)


@renderer("csv", extension="csv", content_type="text/csv", description="Comma-separated values (UTF-8, RFC 4180)")
def render(table: Table, out: BinaryIO, options: dict) -> None:
    """Write `table` as CSV to `out`, one row at a time."""
    tz = resolve_timezone(options)
    # newline="" so the csv module's own \r\n is written untouched on every platform.
    text = io.TextIOWrapper(out, encoding="utf-8", newline="", write_through=False)
    try:
        writer = csv.writer(text, dialect="excel", lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
        writer.writerow(table.column_names)
        convert = [i for i, c in enumerate(table.columns) if c.type in _CONVERTED_TYPES]
        writerow = writer.writerow
        if not convert:
            for row in table.rows():
                writerow(row)
        else:
            for row in table.rows():
                cells = list(row)
                for i in convert:
                    value = cells[i]
                    if value is not None:
                        cells[i] = iso(value, tz)
                writerow(cells)
        text.flush()
    finally:
        # Detach so closing the wrapper never closes the caller's stream.
        text.detach()
