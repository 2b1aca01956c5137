"""The XLSX workbook's "About" sheet: which report, which period, when, from where."""

from __future__ import annotations

import datetime as dt

import xlsxwriter

from reports.renderers.cell_safety import formula_escape_on
from reports.renderers.formatting import localize, resolve_timezone
from reports.table import Table

ABOUT = "About"
MAX_NOTES = 20


def about_rows(table: Table, options: dict, rows: int) -> list[tuple[str, str]]:
    """Return the (label, text) pairs the About sheet shows."""
    tz = resolve_timezone(options)
    generated = options.get("generated_at")
    when = ""
    if isinstance(generated, dt.datetime):
        local = localize(generated, tz)
        when = f"{local:%Y-%m-%d %H:%M} {local.tzname() or ''}".rstrip()
    pairs = [
        ("Report", str(options.get("title") or table.title or "Report")),
        ("Period", str(options.get("window_label") or table.window_label or "")),
        ("Generated at", when),
        ("Source", str(options.get("source") or table.meta.get("source") or "reportbot")),
        ("Rows", f"{rows:,}"),
        ("Columns", ", ".join(table.column_names)),
    ]
    if not formula_escape_on(options):
        pairs.append(("Formulas", "Text cells are written exactly as they are (formula protection off)."))
    else:
        pairs.append(("Formulas", "Text that a spreadsheet would run as a formula is marked as plain text."))
    notes = [str(n) for n in table.meta.get("notes") or []][:MAX_NOTES]
    pairs += [("Note", note) for note in notes]
    return pairs


def write_about(workbook: xlsxwriter.Workbook, table: Table, options: dict, *, rows: int, taken: set[str]) -> None:
    """Add the About sheet after the data sheets (its values are always plain text)."""
    name = ABOUT if ABOUT not in taken else "About this report"
    sheet = workbook.add_worksheet(name)
    label = workbook.add_format({"bold": True, "valign": "top"})
    # quote_prefix: a title like "=cmd" is a title, never a formula.
    text = workbook.add_format({"text_wrap": True, "valign": "top", "quote_prefix": True})
    sheet.set_column(0, 0, 16)
    sheet.set_column(1, 1, 90)
    for r, (key, value) in enumerate(about_rows(table, options, rows)):
        sheet.write_string(r, 0, key, label)
        sheet.write_string(r, 1, value[:32_000], text)
