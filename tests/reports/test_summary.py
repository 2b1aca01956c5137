"""Tests for the message summary."""

from __future__ import annotations

import datetime as dt
import decimal
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reports.summary import SECTION_LIMIT, Summary, summarize
from reports.table import Column, ColumnType, Table

COLUMNS = [
    Column("id", ColumnType.INTEGER),
    Column("day", ColumnType.DATE),
    Column("region", ColumnType.TEXT),
    Column("revenue", ColumnType.NUMBER),
    Column("units", ColumnType.INTEGER),
]


def sales(revenue: float, units: int, n: int = 1_204) -> Table:
    # Spread the totals over n rows; the last row takes the remainder so totals are exact.
    rows = [(i, dt.date(2026, 11, 23), "North", 0.0, 0) for i in range(n - 1)]
    rows.append((n, dt.date(2026, 11, 23), "South", revenue, units))
    return Table.from_rows(COLUMNS, rows)


def test_message_matches_the_house_format():
    previous = summarize(sales(11_415, 316)).to_json()
    summary = summarize(sales(12_340, 310), previous)
    text = summary.to_mrkdwn("Daily sales", "Mon 23 Nov 2026, Europe/Berlin")
    assert text.startswith(
        "*Daily sales* · Mon 23 Nov 2026, Europe/Berlin\n"
        "1,204 rows · Revenue 12,340 ▲ 8.1% vs previous · Units 310 ▼ 1.9% vs previous\n"
        "_First 5 of 1,204 rows:_\n```\n id  day         region  revenue  units\n"
    )
    assert text.endswith("\n```")
    assert summary.row_count == 1_204
    assert summary.figures == [("Revenue", 12_340.0, 8.1), ("Units", 310, -1.9)]


def test_json_round_trip_and_tolerates_bad_previous():
    summary = summarize(sales(10, 1, n=3))
    data = json.loads(json.dumps(summary.to_json(), allow_nan=False))
    assert data["row_count"] == 3 and data["figures"][0] == {"label": "Revenue", "value": 10.0, "change_pct": None,
                                                         "unit": "money"}
    assert len(data["top_rows"]) == 3 and data["columns"][0] == "id"
    for bad in (None, {}, {"figures": "x"}, {"figures": [1, {"label": 3}, {"label": "Revenue", "value": "abc"}]}, []):
        assert summarize(sales(10, 1, n=3), bad).figures[0][2] is None
    assert summarize(sales(10, 1, n=3), {"figures": [{"label": "Revenue", "value": 0}]}).figures[0][2] is None


def test_key_columns_choose_the_figures():
    summary = summarize(sales(5, 2, n=2), key_columns=["units"])
    assert summary.figures == [("Units", 2, None)]
    with pytest.raises(ValueError, match="not in the report: nope"):
        summarize(sales(5, 2), key_columns=["nope"])
    with pytest.raises(ValueError, match="must be numeric"):
        summarize(sales(5, 2), key_columns=["region"])


def test_streams_the_rows_exactly_once():
    calls = []

    def source():
        calls.append(1)
        return iter([(1, None, "a", 1.5, 2)] * 10)

    summary = summarize(Table(columns=COLUMNS, row_source=source))
    assert calls == [1] and summary.row_count == 10 and summary.figures[0][1] == 15.0


def test_empty_table():
    summary = summarize(Table.from_rows(COLUMNS, []))
    text = summary.to_mrkdwn("Daily sales", "Today")
    assert text == "*Daily sales* · Today\n0 rows · Revenue 0 · Units 0\n_No data for this period._"


def test_slack_control_characters_and_backticks_are_neutralised():
    table = Table.from_rows([Column("name")], [("<!channel> & `rm -rf` ```",)])
    text = summarize(table).to_mrkdwn("<b>Report</b>", "a & b")
    assert "<!channel>" not in text and "&lt;!channel&gt; &amp;" in text
    assert text.count("```") == 2  # the block is opened and closed exactly once
    assert "*&lt;b&gt;Report&lt;/b&gt;* · a &amp; b" in text


def test_huge_numbers_are_formatted_and_json_safe():
    columns = [Column("big", ColumnType.INTEGER), Column("float", ColumnType.NUMBER), Column("dec", ColumnType.NUMBER)]
    rows = [(10**400, 1e308, decimal.Decimal("1e5")), (10**400, 1e308, decimal.Decimal("2.5"))]
    summary = summarize(Table.from_rows(columns, rows), {"figures": [{"label": "Big", "value": 10**400}]})
    json.dumps(summary.to_json(), allow_nan=False)
    assert summary.figures[0] == ("Big", 2 * 10**400, None)
    assert summary.figures[1] == ("Float", None, None)  # the sum overflows a float
    assert summary.figures[2][1] == 100_002.5
    text = summary.to_mrkdwn("T", "W")
    assert "Big 2.00e+400" in text and "Float n/a" in text and "Dec 100,002.5" in text


def test_two_hundred_columns_and_long_strings_stay_within_the_limit():
    columns = [
        Column(f"column_with_a_rather_long_name_{i}" * 3, ColumnType.INTEGER if i % 2 else ColumnType.TEXT)
        for i in range(200)
    ]
    row = tuple(10**18 if i % 2 else "ü" * 50_000 for i in range(200))
    summary = summarize(Table.from_rows(columns, [row] * 50))
    text = summary.to_mrkdwn("T" * 10_000, "W" * 10_000)
    assert len(text) <= SECTION_LIMIT
    assert "+94 more in the file" in text  # 100 numeric columns, 50 kept, 6 shown
    assert "more column" in text
    assert "1.000e+18" in text  # too wide for a cell: compact, never cut mid-number
    assert len(json.dumps(summary.to_json())) < 100_000


text_cell = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=400)
number_cell = st.one_of(
    st.none(), st.integers(min_value=-(10**30), max_value=10**30), st.floats(allow_nan=True, allow_infinity=True)
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    names=st.lists(text_cell, min_size=1, max_size=12),
    data=st.data(),
    title=text_cell,
    window=text_cell,
)
def test_any_data_fits_a_section_block(names, data, title, window):
    columns = [Column(n, ColumnType.NUMBER if i % 2 else ColumnType.TEXT) for i, n in enumerate(names)]
    rows = data.draw(
        st.lists(
            st.tuples(*[number_cell if i % 2 else st.one_of(st.none(), text_cell) for i in range(len(columns))]),
            max_size=8,
        )
    )
    previous = data.draw(st.one_of(st.none(), st.just({"figures": [{"label": "X", "value": 1}]})))
    summary = summarize(Table.from_rows(columns, rows), previous)
    assert len(summary.to_mrkdwn(title, window)) <= SECTION_LIMIT
    json.dumps(summary.to_json(), allow_nan=False)


def test_summary_can_be_rebuilt_from_fields():
    summary = Summary(
        row_count=1, figures=[("Revenue", 5, 10.0)], top_rows=[["5"]], columns=["revenue"], numeric=[True]
    )
    assert "Revenue 5 ▲ 10.0% vs previous" in summary.to_mrkdwn("R", "")


def test_preview_amounts_line_up_with_two_decimals():
    from reports.summary import summarize
    from reports.table import Column, ColumnType, Table

    table = Table.from_rows([Column("region"), Column("revenue", ColumnType.NUMBER),
                             Column("units", ColumnType.INTEGER)],
                            [["North", 3438.28, 5], ["South", 3267.0, 7]])
    text = summarize(table).to_mrkdwn("Sales", "Mon 23 Nov 2026, UTC")
    assert "3,438.28" in text and "3,267.00" in text and " 7" in text
