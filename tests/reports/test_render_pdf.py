"""Tests for the PDF renderer (parsed back with pypdf)."""

from __future__ import annotations

import datetime as dt
import io
import math
import re

import pytest
from pypdf import PdfReader

from reports.renderers import get_renderer, pdf_layout
from reports.table import Column, ColumnType, Table

COLUMNS = [
    Column("id", ColumnType.INTEGER),
    Column("day", ColumnType.DATE),
    Column("region", ColumnType.TEXT),
    Column("revenue", ColumnType.NUMBER),
]
OPTIONS = {
    "title": "Daily sales",
    "window_label": "Mon 23 Nov 2026, Europe/Berlin",
    "timezone": "Europe/Berlin",
    "generated_at": dt.datetime(2026, 11, 23, 13, 5, tzinfo=dt.UTC),
}


def render_pdf(table: Table, **options: object) -> PdfReader:
    out = io.BytesIO()
    get_renderer("pdf").render(table, out, {**OPTIONS, **options})
    assert out.getvalue().startswith(b"%PDF-")
    return PdfReader(io.BytesIO(out.getvalue()))


def rows(n: int, text: str = "North") -> list[tuple]:
    return [(i, dt.date(2026, 11, 1) + dt.timedelta(days=i % 20), f"{text} {i}", 1234.5 * i) for i in range(1, n + 1)]


def test_cover_and_paginated_table_with_repeated_header_and_row_cap(monkeypatch):
    monkeypatch.setattr(pdf_layout, "MAX_TABLE_ROWS", 100)
    reader = render_pdf(Table.from_rows(COLUMNS, rows(150)))
    per_page = int((pdf_layout.PAGE_SIZE[1] - pdf_layout.TOP - pdf_layout.BOTTOM - 0.1) / pdf_layout.LINE_HEIGHT)
    pages = 1 + math.ceil(100 / per_page)
    assert len(reader.pages) == pages
    texts = [p.extract_text() for p in reader.pages]
    cover = texts[0]
    assert "Daily sales" in cover and "Mon 23 Nov 2026, Europe/Berlin" in cover
    assert "Generated Mon 23 Nov 2026, 14:05 CET" in cover  # 13:05 UTC in the schedule's zone
    assert "150 rows" in cover
    for n, text in enumerate(texts, start=1):
        assert f"Page {n} of {pages}" in text
    for text in texts[1:]:
        assert re.search(r"id\s+day\s+region\s+revenue", text), "header repeated on every table page"
        assert "Showing the first 100 of 150 rows — see the CSV/XLSX for all." in text
    assert "1,234.5" in texts[1] and "2,469.0" in texts[1] and "2026-11-02" in texts[1]  # one precision per column
    assert "North 100" in texts[-1] and "North 101" not in "".join(texts)


def test_long_text_is_truncated_with_an_ellipsis():
    reader = render_pdf(Table.from_rows(COLUMNS, rows(3, text="x" * 300)))
    table = reader.pages[1].extract_text()
    assert "…" in table and "x" * 300 not in table


def test_table_without_numbers_renders_without_a_chart():
    reader = render_pdf(Table.from_rows([Column("name")], [("alpha",), ("beta",)]))
    assert len(reader.pages) == 2
    assert "No chart" in reader.pages[0].extract_text()
    assert "beta" in reader.pages[1].extract_text()


def test_empty_table_is_a_valid_document():
    reader = render_pdf(Table.from_rows(COLUMNS, []))
    assert len(reader.pages) == 2
    assert "No data for this period" in reader.pages[0].extract_text()
    assert "No data for this period" in reader.pages[1].extract_text()
    assert "Page 2 of 2" in reader.pages[1].extract_text()


def test_too_many_columns_says_which_are_shown():
    columns = [Column(f"metric_{i}", ColumnType.INTEGER) for i in range(200)]
    reader = render_pdf(Table.from_rows(columns, [tuple(range(200))] * 2))
    text = reader.pages[1].extract_text()
    shown = int(re.search(r"Showing the first (\d+) of 200 columns", text).group(1))
    assert 5 <= shown <= pdf_layout.MAX_TABLE_COLUMNS
    assert "metric_0" in text and "metric_199" not in text


def test_chart_override_errors_are_not_swallowed_silently():
    reader = render_pdf(Table.from_rows(COLUMNS, rows(3)), chart={"y": ["nope"]})
    assert "No chart: The chart column 'nope' is not in this report" in reader.pages[0].extract_text()


@pytest.mark.filterwarnings("ignore:Glyph .* missing from font")
def test_hostile_text_does_not_break_the_document():
    table = Table.from_rows(
        [Column("t"), Column("n", ColumnType.NUMBER)],
        [("$x$ \\frac{a}{b}", float("nan")), ("a\nb\tc", None), ("東京", float("inf"))],
    )
    reader = render_pdf(table, title="Costs in $")
    assert "$x$" in reader.pages[1].extract_text()
