"""Tests for the XLSX renderer (read back with openpyxl)."""

from __future__ import annotations

import datetime as dt
import decimal
import io

import openpyxl
import pytest

from reports.renderers import get_renderer, xlsx_file
from reports.renderers.xlsx_file import sheet_name
from reports.table import Column, ColumnType, Table

COLUMNS = [
    Column("id", ColumnType.INTEGER),
    Column("day", ColumnType.DATE),
    Column("at", ColumnType.DATETIME),
    Column("name", ColumnType.TEXT),
    Column("amount", ColumnType.NUMBER),
    Column("ok", ColumnType.BOOLEAN),
]
ROWS = [
    (1, dt.date(2026, 11, 23), dt.datetime(2026, 11, 23, 12, 30, tzinfo=dt.UTC), "=1+1", 12.5, True),
    (2, None, dt.datetime(2026, 11, 23, 8, 0), 'Zürich, "east"\nline 2', decimal.Decimal("1234.50"), False),
    (2**60, dt.date(2026, 1, 2), None, None, None, None),
]


def render_book(table: Table, **options: object) -> openpyxl.Workbook:
    out = io.BytesIO()
    get_renderer("xlsx").render(table, out, dict(options))
    assert out.getvalue()[:2] == b"PK"
    return openpyxl.load_workbook(io.BytesIO(out.getvalue()))


def test_cells_are_typed_and_datetimes_are_local_and_naive():
    ws = render_book(Table.from_rows(COLUMNS, ROWS), title="Daily sales", timezone="Europe/Berlin").active
    assert [c.value for c in ws[1]] == [c.name for c in COLUMNS]
    a2, b2, c2, d2, e2, f2 = ws[2]
    assert a2.value == 1 and a2.data_type == "n"
    assert b2.is_date and b2.value == dt.datetime(2026, 11, 23) and b2.number_format == "yyyy-mm-dd"
    # 12:30 UTC is 13:30 in Berlin; Excel has no zones so the wall-clock time is stored.
    assert c2.is_date and c2.value == dt.datetime(2026, 11, 23, 13, 30) and c2.number_format == "yyyy-mm-dd hh:mm:ss"
    assert d2.value == "=1+1" and d2.data_type == "s"  # data, never a formula
    assert e2.value == 12.5 and e2.data_type == "n"
    assert f2.value is True and f2.data_type == "b"
    row3 = [c.value for c in ws[3]]
    assert row3[2] == dt.datetime(2026, 11, 23, 8, 0)  # naive values are taken as local already
    assert row3[3] == 'Zürich, "east"\nline 2'
    assert row3[4] == 1234.5 and row3[1] is None
    row4 = [c.value for c in ws[4]]
    assert row4[0] == str(2**60)  # beyond a double's exact range: kept as text, not rounded
    assert row4[3:] == [None, None, None]


def test_header_is_bold_frozen_and_filtered_with_sensible_widths():
    long_text = "x" * 500
    rows = ROWS + [(3, None, None, long_text, 1.0, True)]
    ws = render_book(Table.from_rows(COLUMNS, rows), title="Daily sales").active
    assert all(c.font.b for c in ws[1])
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == "A1:F5"
    widths = {k: d.width for k, d in ws.column_dimensions.items()}
    assert 6 <= widths["A"] <= 30
    assert widths["B"] >= 10  # fits a yyyy-mm-dd date
    assert widths["C"] >= 19  # fits a date-time
    assert widths["D"] <= 61  # long text is capped, not 500 wide


def test_empty_table_has_header_filter_and_frozen_pane():
    ws = render_book(Table.from_rows(COLUMNS, []), title="Nothing").active
    assert ws.max_row == 1 and [c.value for c in ws[1]] == [c.name for c in COLUMNS]
    assert ws.auto_filter.ref == "A1:F1"
    assert ws.freeze_panes == "A2"


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Daily sales", "Daily sales"),
        ("", "Report"),
        ("History", "History data"),
        ("Q4/2026: [EU] sales*?", "Q4 2026 EU sales"),
        ("'quoted'", "quoted"),
        ("A very long report title that Excel would reject", "A very long report title that…"),
    ],
)
def test_sheet_name_follows_excel_rules(title, expected):
    name = sheet_name(title)
    assert name == expected
    assert 1 <= len(name) <= 31 and not set(name) & set("[]:*?/\\")


def test_sheet_name_is_used_and_workbook_titled():
    book = render_book(Table.from_rows(COLUMNS, ROWS), title="Sales: EU/US [weekly]", window_label="Week 48")
    assert book.sheetnames == ["Sales EU US weekly", "About"]
    assert book.properties.title == "Sales: EU/US [weekly]"


def test_adversarial_text_survives():
    columns = [Column("t")]
    rows = [("a\x00b\x07c",), ("y" * 40_000,), ("<b>&amp;</b>",), ("http://example.com",), ("007",)]
    ws = render_book(Table.from_rows(columns, rows)).active
    values = [r[0].value for r in ws.iter_rows(min_row=2)]
    assert len(values[1]) == 32_767 and values[1].endswith("…")
    assert values[2:] == ["<b>&amp;</b>", "http://example.com", "007"]
    assert values[0].startswith("a")


def test_non_finite_numbers_do_not_break_the_file():
    ws = render_book(
        Table.from_rows([Column("n", ColumnType.NUMBER)], [(float("nan"),), (float("inf"),), (1.5,)])
    ).active
    assert ws["A4"].value == 1.5


def test_rows_beyond_a_sheet_spill_to_numbered_sheets(monkeypatch):
    monkeypatch.setattr(xlsx_file, "MAX_ROWS_PER_SHEET", 4)  # header + 3 data rows per sheet
    rows = [(i, None, None, f"r{i}", None, None) for i in range(8)]
    book = render_book(Table.from_rows(COLUMNS, rows), title="Big")
    assert book.sheetnames == ["Big", "Big (2)", "Big (3)", "About"]
    ids = [[r[0].value for r in ws.iter_rows(min_row=2)] for ws in book.worksheets[:3]]
    assert ids == [[0, 1, 2], [3, 4, 5], [6, 7]]
    for ws in book.worksheets[:3]:
        assert ws["A1"].value == "id" and ws.freeze_panes == "A2"
    assert book.worksheets[2].auto_filter.ref == "A1:F3"


def test_writes_to_a_non_seekable_stream_without_closing_it():
    class Sink(io.BufferedIOBase):  # like the artifact store's hashing writer
        def __init__(self) -> None:
            super().__init__()
            self.data = bytearray()

        def write(self, b) -> int:
            self.data += bytes(b)
            return len(b)

        def writable(self) -> bool:
            return True

        def seekable(self) -> bool:
            return False

    sink = Sink()
    get_renderer("xlsx").render(Table.from_rows(COLUMNS, ROWS), sink, {})
    assert not sink.closed
    assert openpyxl.load_workbook(io.BytesIO(bytes(sink.data))).active.max_row == 4


def test_number_formats_follow_each_columns_unit():
    columns = [Column("units", ColumnType.INTEGER), Column("revenue_eur", ColumnType.NUMBER),
               Column("price ($)", ColumnType.NUMBER), Column("conversion_pct", ColumnType.NUMBER),
               Column("share", ColumnType.NUMBER, unit="ratio"), Column("score", ColumnType.NUMBER),
               Column("amount", ColumnType.NUMBER, unit="CHF")]
    rows = [(12_345, 1234.5, 19.99, 12.5, 0.125, 3.14159, 10.0), (-3, -0.5, 5.0, 80.0, 0.5, 2.0, 2.5)]
    ws = render_book(Table.from_rows(columns, rows)).active
    formats = [c.number_format for c in ws[2]]
    assert formats == ["#,##0", '"€"#,##0.00', '"$"#,##0.00', '#,##0.0"%"', "0.0%", "#,##0.0000", '"CHF "#,##0.00']
    assert [c.value for c in ws[3]] == [-3, -0.5, 5.0, 80.0, 0.5, 2.0, 2.5]  # the values stay exact numbers
    assert ws.column_dimensions["A"].width >= len("units") + 3


def test_about_sheet_says_which_report_period_time_and_source():
    table = Table.from_rows(COLUMNS, ROWS, meta={"source": "warehouse", "notes": ["Only paid orders."]})
    book = render_book(table, title="=Daily sales", window_label="Mon 23 Nov 2026, Europe/Berlin",
                       timezone="Europe/Berlin", generated_at=dt.datetime(2026, 11, 24, 8, 0, tzinfo=dt.UTC))
    about = book["About"]
    pairs = {row[0].value: row[1].value for row in about.iter_rows()}
    assert pairs["Report"] == "=Daily sales" and about["B1"].quotePrefix  # a title, never a formula
    assert pairs["Period"] == "Mon 23 Nov 2026, Europe/Berlin"
    assert pairs["Generated at"] == "2026-11-24 09:00 CET"
    assert pairs["Source"] == "warehouse" and pairs["Rows"] == "3" and pairs["Note"] == "Only paid orders."
    assert pairs["Columns"] == "id, day, at, name, amount, ok"
    assert book.active.title == book.sheetnames[0] == "=Daily sales"  # the data opens first


def test_formula_like_text_is_quoted_text_unless_turned_off():
    rows = [('=HYPERLINK("https://evil.example","Click")',), ("@SUM(A1)",), ("plain",), ("-1",)]
    table = Table.from_rows([Column("note")], rows)
    ws = render_book(table).active
    cells = [r[0] for r in ws.iter_rows(min_row=2)]
    assert [c.value for c in cells] == [r[0] for r in rows] and {c.data_type for c in cells} == {"s"}
    assert [bool(c.quotePrefix) for c in cells] == [True, True, False, True]
    off = render_book(table, formula_escape=False).active
    assert not any(r[0].quotePrefix for r in off.iter_rows(min_row=2))
    assert {r[0].data_type for r in off.iter_rows(min_row=2)} == {"s"}  # still text, never a formula
