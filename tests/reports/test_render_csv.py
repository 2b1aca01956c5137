"""Tests for the CSV renderer."""

from __future__ import annotations

import csv
import datetime as dt
import decimal
import io
import tracemalloc
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from reports.renderers import available_formats, get_renderer
from reports.renderers.cell_safety import looks_like_formula
from reports.table import Column, ColumnType, Table

COLUMNS = [
    Column("id", ColumnType.INTEGER),
    Column("day", ColumnType.DATE),
    Column("at", ColumnType.DATETIME),
    Column("name", ColumnType.TEXT),
    Column("amount", ColumnType.NUMBER),
    Column("ok", ColumnType.BOOLEAN),
]


def render_csv(table: Table, **options: object) -> bytes:
    out = io.BytesIO()
    get_renderer("csv").render(table, out, dict(options))
    return out.getvalue()


def test_registered_with_metadata():
    r = get_renderer("csv")
    assert "csv" in available_formats()
    assert (r.extension, r.content_type) == ("csv", "text/csv")


def test_bytes_match_source_rows_with_quoting_dates_none_and_unicode():
    rows = [
        (1, dt.date(2026, 11, 23), dt.datetime(2026, 11, 23, 9, 5, 7), "plain", 12.5, True),
        (2, None, None, 'comma, "quote"', decimal.Decimal("1234.50"), False),
        (3, dt.date(2026, 1, 2), dt.datetime(2026, 1, 2, 0, 0, tzinfo=dt.UTC), "line\nbreak", None, None),
        (4, None, None, "Zürich – 東京 🚀", -0.0, None),
        (5, None, None, "", 0, None),
    ]
    data = render_csv(Table.from_rows(COLUMNS, rows))
    expected = (
        "id,day,at,name,amount,ok\r\n"
        "1,2026-11-23,2026-11-23T09:05:07,plain,12.5,true\r\n"
        '2,,,"comma, ""quote""",1234.50,false\r\n'
        '3,2026-01-02,2026-01-02T00:00:00+00:00,"line\nbreak",,\r\n'
        "4,,,Zürich – 東京 🚀,-0.0,\r\n"
        "5,,,,0,\r\n"
    ).encode()
    assert data == expected


def test_aware_datetimes_are_written_in_the_schedule_timezone():
    table = Table.from_rows([Column("at", ColumnType.DATETIME)], [(dt.datetime(2026, 11, 23, 12, tzinfo=dt.UTC),)])
    data = render_csv(table, timezone="Europe/Berlin")
    assert data.splitlines()[1] == b"2026-11-23T13:00:00+01:00"


def test_empty_table_writes_header_only():
    assert render_csv(Table.from_rows(COLUMNS, [])) == b"id,day,at,name,amount,ok\r\n"


def test_does_not_close_the_callers_stream():
    out = io.BytesIO()
    get_renderer("csv").render(Table.from_rows(COLUMNS[:1], [(1,)]), out, {})
    assert not out.closed
    out.write(b"more")


def test_streams_rows_in_constant_memory():
    def many(n: int):
        return Table(
            columns=COLUMNS,
            row_source=lambda: (
                (
                    i,
                    dt.date(2026, 1, 1),
                    dt.datetime(2026, 1, 1, 1, tzinfo=ZoneInfo("UTC")),
                    "x" * 20,
                    i * 1.5,
                    i % 2 == 0,
                )
                for i in range(n)
            ),
        )

    class Sink(io.RawIOBase):
        def writable(self) -> bool:
            return True

        def write(self, b) -> int:  # discard: we measure the renderer, not the buffer
            return len(b)

    peaks = []
    for n in (2_000, 40_000):
        tracemalloc.start()
        get_renderer("csv").render(many(n), Sink(), {"timezone": "Europe/Berlin"})
        peaks.append(tracemalloc.get_traced_memory()[1])
        tracemalloc.stop()
    # 20x the rows must not mean noticeably more memory.
    assert peaks[1] < peaks[0] * 1.5 + 64_000


cell = st.one_of(
    st.none(),
    st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=30),
)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(cell, cell, cell), max_size=15))
def test_round_trips_arbitrary_text_through_the_csv_reader(rows):
    columns = [Column("a"), Column("b, with comma"), Column('c "q"')]
    for escape in (True, False):
        data = render_csv(Table.from_rows(columns, rows), formula_escape=escape)
        parsed = list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))
        assert parsed[0] == [c.name for c in columns]
        # With the protection on, exactly the formula-like text gains one leading apostrophe.
        expected = [["" if v is None else ("'" + v if escape and looks_like_formula(v) else v) for v in row]
                    for row in rows]
        assert parsed[1:] == expected


HOSTILE = ['=HYPERLINK("https://evil.example","Click")', "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1", "  =1",
           "＝1+1", "plain", "a=b", ""]


def test_text_a_spreadsheet_would_run_gets_an_apostrophe_numbers_stay_numbers():
    columns = [Column("note"), Column("delta", ColumnType.NUMBER), Column("=cmd")]
    rows = [(text, -5.5 if i == 0 else -(10**i), "-x") for i, text in enumerate(HOSTILE)]
    parsed = list(csv.reader(io.StringIO(render_csv(Table.from_rows(columns, rows)).decode(), newline="")))
    assert parsed[0] == ["note", "delta", "'=cmd"]
    notes = [row[0] for row in parsed[1:]]
    assert notes == ["'" + text for text in HOSTILE[:8]] + ["plain", "a=b", ""]
    assert [row[1] for row in parsed[1:3]] == ["-5.5", "-10"]  # a negative number is a number
    assert {row[2] for row in parsed[1:]} == {"'-x"}


def test_machine_consumers_get_the_cells_as_they_are():
    table = Table.from_rows([Column("note")], [(text,) for text in HOSTILE])
    for data in (render_csv(table, formula_escape=False), _raw(table)):
        assert [row[0] for row in csv.reader(io.StringIO(data.decode(), newline=""))][1:] == HOSTILE


def _raw(table: Table) -> bytes:
    out = io.BytesIO()
    renderer = get_renderer("csv_raw")
    assert renderer.extension == "raw.csv"
    renderer.render(table, out, {})
    return out.getvalue()
