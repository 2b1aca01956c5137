"""The previous period as a faint comparison, and colours that stay with their category."""

from __future__ import annotations

import datetime as dt
import json

from reports.renderers import style
from reports.renderers.chart_compare import (
    change_pct,
    chart_record,
    previous_bars,
    previous_line,
    previous_total,
)
from reports.renderers.chart_data import choose_chart, collect
from reports.table import Column, ColumnType, Table

DAY = Column("day", ColumnType.DATE)
REGION = Column("region", ColumnType.TEXT)
REVENUE = Column("revenue", ColumnType.NUMBER)


def week(start: dt.date, scale: float = 1.0) -> Table:
    return Table.from_rows([DAY, REVENUE], [(start + dt.timedelta(days=d), scale * (d + 1)) for d in range(7)])


def data_of(table: Table):
    return collect(table, choose_chart(table))


def stored(table: Table) -> dict:
    return json.loads(json.dumps({"chart": chart_record(data_of(table))}))  # as kept with the run


def test_previous_week_is_laid_over_this_week_day_by_day():
    this = data_of(week(dt.date(2026, 11, 16)))
    before = previous_line(this, stored(week(dt.date(2026, 11, 9), scale=2)))
    assert before == [(dt.date(2026, 11, 16) + dt.timedelta(days=d), 2.0 * (d + 1)) for d in range(7)]


def test_a_record_of_another_measure_or_a_later_period_is_not_drawn():
    this = data_of(week(dt.date(2026, 11, 16)))
    other = Table.from_rows([DAY, Column("units", ColumnType.INTEGER)],
                            [(dt.date(2026, 11, 9), 1), (dt.date(2026, 11, 10), 2)])
    assert previous_line(this, stored(other)) == []
    assert previous_line(this, stored(week(dt.date(2026, 11, 23)))) == []
    for junk in (None, {}, {"chart": "x"},
                 {"chart": {"measure": "revenue", "axis": "date", "points": [["x", 1], [1]]}}):
        assert previous_line(this, junk) == [] and previous_total(this, junk) is None


def test_bars_and_big_numbers_compare_with_the_previous_values():
    table = Table.from_rows([REGION, REVENUE], [("North", 10.0), ("West", 30.0)])
    before = Table.from_rows([REGION, REVENUE], [("North", 20.0), ("East", 5.0)])
    assert previous_bars(data_of(table), stored(before)) == {"North": 20.0, "East": 5.0}
    one = Table.from_rows([REVENUE], [(110.0,)])
    assert previous_total(data_of(one), stored(Table.from_rows([REVENUE], [(100.0,)]))) == 100.0
    assert change_pct(110.0, 100.0) == 10.0 and change_pct(1.0, 0.0) is None and change_pct(None, 1.0) is None


def test_a_category_keeps_its_colour_across_runs_and_never_shares_one_in_a_chart():
    first = dict(zip(["North", "South", "West"], style.colors_for(["North", "South", "West"]), strict=True))
    later = dict(zip(["West", "North", "South"], style.colors_for(["West", "North", "South"]), strict=True))
    assert first == later
    names = [f"category {i}" for i in range(10)]
    assert len(set(style.colors_for(names))) == 10
    assert set(style.colors_for(names)) <= set(style.PALETTE)
