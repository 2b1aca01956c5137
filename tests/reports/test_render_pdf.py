"""Tests for the PDF renderer (parsed back with pypdf): a document with key figures, the chart
and every row, header repeated, page X of Y, landscape when the columns need it."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from pypdf import PdfReader

from reports.renderers import get_renderer, pdf_table
from reports.summary import summarize
from reports.table import Column, ColumnType, Table

COLUMNS = [
    Column("id", ColumnType.INTEGER),
    Column("day", ColumnType.DATE),
    Column("region", ColumnType.TEXT),
    Column("revenue", ColumnType.NUMBER, unit="USD"),
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


def texts(reader: PdfReader) -> list[str]:
    return [page.extract_text() for page in reader.pages]


def test_every_row_is_in_the_document_with_the_header_on_every_page_and_page_x_of_y():
    reader = render_pdf(Table.from_rows(COLUMNS, rows(1_500)))
    pages = texts(reader)
    assert len(pages) > 20
    for n, text in enumerate(pages, start=1):
        assert f"Page {n} of {len(pages)}" in text
        assert re.search(r"id\s*day\s*region\s*revenue", text), f"header on page {n}"
    found = [int(m) for m in re.findall(r"North (\d+)", "\n".join(pages))]
    assert found == list(range(1, 1_501)), "every row, once, in order"
    assert "$1,851,750.00" in pages[-1]  # row 1,500 in its unit: money with two decimals


def test_first_page_has_title_period_count_key_figures_with_change_and_a_chart():
    previous = summarize(Table.from_rows(COLUMNS, rows(20))).to_json()
    reader = render_pdf(Table.from_rows(COLUMNS, rows(40)), previous_summary=previous)
    first = reader.pages[0]
    text = first.extract_text()
    assert "Daily sales" in text and "Mon 23 Nov 2026, Europe/Berlin" in text
    assert "Generated Mon 23 Nov 2026, 14:05 CET · 40 rows" in text  # 13:05 UTC in the schedule's zone
    assert "Revenue" in text and "$1,012,290" in text and "▲ 290.5% vs previous period" in text
    images = list(first.images)
    assert len(images) == 1 and images[0].image.width > 1_000  # the chart, at print resolution
    assert reader.pages[0].mediabox.width < reader.pages[0].mediabox.height  # four columns: portrait


def test_wide_tables_turn_landscape_and_say_which_columns_are_left_out():
    columns = [Column("day", ColumnType.DATE), Column("store")] + [Column(f"m{i:02d}", ColumnType.INTEGER)
                                                                  for i in range(28)]
    narrow = render_pdf(Table.from_rows(columns, [(dt.date(2026, 11, 23), "A", *range(28))] * 3))
    box = narrow.pages[0].mediabox
    assert box.width > box.height
    assert "m27" in narrow.pages[0].extract_text() and "columns" not in narrow.pages[0].extract_text()
    many = [Column(f"metric_number_{i}", ColumnType.INTEGER) for i in range(200)]
    text = render_pdf(Table.from_rows(many, [tuple(range(200))] * 2)).pages[0].extract_text()
    shown = int(re.search(r"Showing the first (\d+) of 200 columns", text).group(1))
    assert 10 <= shown < 200


def test_rows_beyond_the_cap_are_left_out_with_a_note(monkeypatch):
    monkeypatch.setattr(pdf_table, "MAX_TABLE_ROWS", 100)
    pages = texts(render_pdf(Table.from_rows(COLUMNS, rows(150))))
    assert "Showing the first 100 of 150 rows — the CSV/XLSX has all of them." in pages[0]
    assert "North 100" in pages[-1] and "North 101" not in "".join(pages)


def test_long_text_is_cut_with_an_ellipsis_and_numbers_line_up_in_one_precision():
    table = Table.from_rows([Column("note"), Column("score", ColumnType.NUMBER)],
                            [("x" * 300, 1.5), ("short", 2.0), ("z", 3.25)])
    text = "".join(texts(render_pdf(table)))
    assert "…" in text and "x" * 300 not in text
    assert "1.50" in text and "2.00" in text and "3.25" in text


def test_table_without_numbers_renders_without_a_chart():
    reader = render_pdf(Table.from_rows([Column("name")], [("alpha",), ("beta",)]))
    text = reader.pages[0].extract_text()
    assert "No chart" in text and "beta" in text and not list(reader.pages[0].images)


def test_empty_table_is_a_valid_document():
    reader = render_pdf(Table.from_rows(COLUMNS, []))
    text = "".join(texts(reader))
    assert "No data for this period" in text and "Page 1 of 1" in text and "0 rows" in text


def test_chart_override_errors_are_shown_not_swallowed():
    reader = render_pdf(Table.from_rows(COLUMNS, rows(3)), chart={"y": ["nope"]})
    assert "No chart: The chart column 'nope' is not in this report" in reader.pages[0].extract_text()


def test_hostile_text_does_not_break_the_document():
    table = Table.from_rows(
        [Column("t"), Column("n", ColumnType.NUMBER)],
        [("$x$ \\frac{a}{b}", float("nan")), ("a\nb\tc", None), ("=HYPERLINK(1)", float("inf"))],
    )
    text = "".join(texts(render_pdf(table, title="Costs in $")))
    assert "$x$" in text and "=HYPERLINK(1)" in text and "Costs in $" in text


@pytest.mark.parametrize("fmt", ["pdf"])
def test_generated_time_is_left_out_rather_than_taken_from_the_wall_clock(fmt):
    out = io.BytesIO()
    get_renderer(fmt).render(Table.from_rows(COLUMNS, rows(2)), out, {"title": "T"})
    assert "Generated" not in PdfReader(io.BytesIO(out.getvalue())).pages[0].extract_text()
