"""Conditions against a report's rows: column names matched the way people type them, errors that
name the columns there are, one streaming pass, no data told apart from zero, and the words a
person reads back."""

from __future__ import annotations

import datetime as dt
import decimal

import pytest

from reports.conditions import (
    Aggregate,
    ConditionError,
    Previous,
    bind_condition,
    describe_condition,
    measure,
    parse_condition,
    readback,
)
from reports.table import Column, ColumnType, Table

COLUMNS = [Column("day", ColumnType.DATE), Column("region"), Column("failed_orders", ColumnType.INTEGER),
           Column("orders", ColumnType.INTEGER), Column("revenue", ColumnType.NUMBER),
           Column("error_rate", ColumnType.NUMBER)]
ROWS = [(dt.date(2026, 11, 22), "North", 3, 100, decimal.Decimal("5000.50"), 0.01),
        (dt.date(2026, 11, 22), "South", 10, 50, 7429.5, 0.05),
        (dt.date(2026, 11, 22), "East", 2, 40, None, None)]


def table(rows=ROWS, columns=COLUMNS) -> Table:
    return Table.from_rows(list(columns), list(rows))


def check(text: str, rows=ROWS, previous: Previous | None = None):
    condition = bind_condition(parse_condition(text), table(rows).columns)
    return condition, measure(condition, table(rows), previous)


# text -> (value, fires)
VALUES = [
    ("revenue < 10000", 12430.0, False),
    ("revenue > 10000", 12430.0, True),
    ("sum of revenue = 12430", 12430.0, True),
    ("average revenue > 6000", 6215.0, True),
    ("min revenue < 5000", 5000.5, False),
    ("max revenue >= 7429.5", 7429.5, True),
    ("last revenue > 0", 7429.5, True),  # the last row with a value
    ("count of revenue = 2", 2.0, True),  # values present, not rows
    ("error rate > 0.02", 0.03, True),  # a rate is averaged by default, not totalled
    ("failed orders > 5% of orders", 15 / 190 * 100, True),
    ("failed_orders / orders < 0.05", 15 / 190, False),
    ("rows > 0", 3.0, True),
    ("there are no rows", 3.0, False),
    ("Revenue < 20000", 12430.0, True),  # case does not matter
    ("failed order > 10", 15.0, True),  # spaces for underscores, singular for plural
]


@pytest.mark.parametrize("text,value,fires", VALUES, ids=[v[0] for v in VALUES])
def test_values_and_verdicts(text, value, fires):
    _, result = check(text)
    assert result.value == pytest.approx(value)
    assert result.fires is fires
    assert result.rows == 3 and result.no_data is None


def test_no_rows_is_no_data_for_a_value_but_zero_for_rows():
    _, value = check("revenue < 10000", rows=[])
    assert (value.value, value.fires, value.no_data) == (None, None, "the report returned no rows")
    _, rows = check("there are no rows", rows=[])
    assert (rows.value, rows.fires) == (0.0, True)


def test_a_column_empty_in_every_row_is_no_data():
    _, result = check("revenue < 10000", rows=[r[:4] + (None, None) for r in ROWS])
    assert result.fires is None and result.no_data == "“revenue” is empty in all 3 rows"


def test_a_share_of_nothing_is_no_data():
    _, result = check("failed orders > 5% of orders", rows=[r[:3] + (0,) + r[4:] for r in ROWS])
    assert result.fires is None and "adds up to 0" in result.no_data


def test_a_change_compares_with_the_previous_check():
    _, first = check("revenue drops by more than 10%")
    assert first.fires is False and "first check" in first.note
    _, dropped = check("revenue drops by more than 10%", previous=Previous(value=14000.0))
    assert dropped.fires is True and dropped.change == pytest.approx(-11.214, abs=1e-3)
    _, rose = check("revenue drops by more than 10%", previous=Previous(value=10000.0))
    assert rose.fires is False and rose.change > 0
    _, absolute = check("revenue rises by at least 430", previous=Previous(value=12000.0))
    assert absolute.fires is True and absolute.change == pytest.approx(430)
    _, from_zero = check("revenue changes by more than 5%", previous=Previous(value=0.0))
    assert from_zero.fires is False and "previous value was 0" in from_zero.note


def test_only_if_changed_compares_every_row():
    condition, first = check("only if it changed")
    assert first.fires is True and first.fingerprint
    _, same = check("only if it changed", previous=Previous(fingerprint=first.fingerprint))
    assert same.fires is False
    moved = [ROWS[0], ROWS[1], ROWS[2][:4] + (decimal.Decimal("0.01"), None)]
    _, changed = check("only if it changed", rows=moved, previous=Previous(fingerprint=first.fingerprint))
    assert changed.fires is True and changed.fingerprint != first.fingerprint
    # the same values in another spelling (Decimal with trailing zeros) are the same data
    respelled = [ROWS[0][:4] + (decimal.Decimal("5000.5000"),) + ROWS[0][5:], ROWS[1], ROWS[2]]
    _, same_again = check("only if it changed", rows=respelled, previous=Previous(fingerprint=first.fingerprint))
    assert same_again.fires is False


def test_text_in_a_numeric_column_is_skipped_not_added():
    rows = [ROWS[0], ROWS[1][:4] + ("n/a",) + ROWS[1][5:]]
    _, result = check("revenue > 0", rows=rows)
    assert result.value == pytest.approx(5000.5)


def test_the_table_is_read_once():
    passes = []

    def rows():
        passes.append(1)
        return iter(ROWS)

    data = Table(columns=list(COLUMNS), row_source=rows)
    measure(bind_condition(parse_condition("failed orders > 5% of orders"), data.columns), data)
    assert len(passes) == 1


# text -> words the error must contain
BIND_ERRORS = [
    ("revnue < 5", ["no column “revnue”", "Did you mean “revenue”", "day, region, failed_orders, orders, revenue, "
                                                                    "error_rate"]),
    ("banana split > 3", ["no column “banana split”", "Its columns are:", "count rows"]),
    ("region > 5", ["“region” holds text values", "Numeric columns: failed_orders, orders, revenue, error_rate",
                    "count of region"]),
    ("average region > 5", ["the average of “region”"]),
    ("failed orders > 5% of customers", ["no column “customers”"]),
]


@pytest.mark.parametrize("text,words", BIND_ERRORS, ids=[b[0] for b in BIND_ERRORS])
def test_unknown_columns_and_type_mismatches_name_the_columns(text, words):
    with pytest.raises(ConditionError) as refused:
        bind_condition(parse_condition(text), COLUMNS)
    for word in words:
        assert word in str(refused.value)


def test_an_ambiguous_name_asks_for_quotes():
    columns = [Column("Revenue", ColumnType.NUMBER), Column("revenue_", ColumnType.NUMBER)]
    with pytest.raises(ConditionError, match="could mean Revenue, revenue_; put the exact name in quotes"):
        bind_condition(parse_condition("revenue < 5"), columns)
    quoted = bind_condition(parse_condition('"revenue_" < 5'), columns)
    assert quoted.measure.column == "revenue_"


def test_the_obvious_aggregate_is_chosen_and_kept():
    condition = bind_condition(parse_condition("revenue < 5"), COLUMNS)
    assert condition.measure.aggregate == Aggregate.SUM
    assert bind_condition(parse_condition("error_rate > 1"), COLUMNS).measure.aggregate == Aggregate.AVERAGE
    assert bind_condition(parse_condition("max revenue > 1"), COLUMNS).measure.aggregate == Aggregate.MAX


# text, previous -> (description, read-back)
WORDS = [
    ("revenue < 10000", None, "total revenue is below 10,000, telling when it resolves",
     "total revenue now 12,430 — would not fire"),
    ("revenue > 10000 for 3 checks", None,
     "total revenue is above 10,000, for 3 checks in a row, telling when it resolves",
     "total revenue now 12,430 — the condition is met; it fires if that lasts 3 checks in a row"),
    ("revenue drops by more than 10%", Previous(value=14000.0),
     "total revenue drops by more than 10% since the previous check, not telling when it resolves",
     "total revenue now 12,430 (▼ 11.2% since the previous check) — would fire now"),
    ("failed orders > 5% of orders, if no data keep the last state", None,
     "total failed_orders is above 5% of total orders, telling when it resolves, no data keeps the last state",
     "total failed_orders now 7.9% of total orders — would fire now"),
    ("when there are no rows, remind every hour", None,
     "there are no rows, reminding every 1 hour while firing, telling when it resolves",
     "3 rows now — would not fire"),
    ("only if it changed", None, "the data changed since the previous check",
     "3 rows now — the first run is sent; after that, only when the data changes"),
]


@pytest.mark.parametrize("text,previous,description,words", WORDS, ids=[w[0] for w in WORDS])
def test_read_back_in_words(text, previous, description, words):
    condition, result = check(text, previous=previous)
    assert describe_condition(condition) == description
    assert readback(condition, result) == words


def test_read_back_of_no_data():
    condition, result = check("revenue < 10000", rows=[])
    assert readback(condition, result) == "no data now (the report returned no rows) — the alert would show “no data”"
