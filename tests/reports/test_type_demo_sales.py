"""`demo_sales`: deterministic, compatible columns, and a shape worth charting."""

from __future__ import annotations

import datetime as dt
import statistics
from collections import defaultdict

import pytest

from reports.registry import ReportRequest, get_report_type
from reports.types.demo_sales import (
    COLUMNS,
    PRODUCTS,
    REGIONS,
    VIEWS,
    daily_rows,
    sales_rows,
)
from reports.window import compute_window

SLOT = dt.datetime(2026, 11, 24, 8, tzinfo=dt.UTC)


def fetch(kind: str = "previous_day", slot: dt.datetime = SLOT, **params):
    sales = get_report_type("demo_sales")
    window = compute_window(kind, slot, "Europe/Berlin", n=28)
    request = ReportRequest(sales.validate_params(params), window, "Europe/Berlin", slot)
    return sales.fetch(request)


def year_of_rows(year: int = 2026):
    return list(sales_rows(dt.date(year, 1, 1), dt.date(year + 1, 1, 1)))


def test_columns_and_rows_stay_compatible_and_deterministic():
    table = fetch()
    assert table.column_names == ["date", "region", "product", "units", "revenue"] == [c.name for c in COLUMNS]
    rows = list(table.rows())
    assert rows == list(sales_rows(dt.date(2026, 11, 23), dt.date(2026, 11, 24))) == list(table.rows())
    assert len(rows) == 16 and {r[0] for r in rows} == {dt.date(2026, 11, 23)}
    assert all(isinstance(r[3], int) and r[3] >= 0 and isinstance(r[4], float) for r in rows)
    assert [r[1] for r in fetch(region="west").rows()] == ["West"] * 4


def test_revenue_is_units_times_the_price_paid():
    for day, _region, product, units, revenue in sales_rows(dt.date(2026, 1, 1), dt.date(2026, 3, 1)):
        price = PRODUCTS[product]
        assert revenue in (round(units * price, 2), round(units * round(price * 0.85, 2), 2)), (day, product)


def test_the_data_has_a_weekly_rhythm_seasons_growth_and_promotions():
    per_day: dict[dt.date, float] = defaultdict(float)
    for day, _region, _product, _units, revenue in year_of_rows():
        per_day[day] += revenue
    by_weekday = [statistics.mean(v for d, v in per_day.items() if d.weekday() == w) for w in range(7)]
    assert max(range(7), key=by_weekday.__getitem__) == 4 and min(range(7), key=by_weekday.__getitem__) == 6
    month = {m: sum(v for d, v in per_day.items() if d.month == m) for m in range(1, 13)}
    assert month[12] > 1.3 * month[10] and month[1] < month[6]
    west = [sum(r[4] for r in sales_rows(dt.date(y, 3, 1), dt.date(y, 4, 1), "West")) for y in (2025, 2027)]
    north = [sum(r[4] for r in sales_rows(dt.date(y, 3, 1), dt.date(y, 4, 1), "North")) for y in (2025, 2027)]
    assert west[1] / west[0] > 1.3 > north[1] / north[0]
    discounted = {(r[0], r[2]) for r in year_of_rows() if r[4] != round(r[3] * PRODUCTS[r[2]], 2)}
    assert 20 < len({(d.isocalendar()[1], p) for d, p in discounted}) < 60  # about one week in eight per product


@pytest.mark.parametrize("view", [v for v in VIEWS if v != "detail"])
def test_views_add_up_to_the_detail(view):
    detail = list(fetch("last_n_days").rows())
    table = fetch("last_n_days", view=view)
    rows = list(table.rows())
    if view == "daily_by_region":
        assert table.column_names == ["date", *REGIONS] and len(rows) == 28
        assert sum(sum(r[1:]) for r in rows) == pytest.approx(sum(r[4] for r in detail))
    else:
        assert table.column_names[1:] == ["units", "revenue"]
        assert sum(r[1] for r in rows) == sum(r[3] for r in detail)
        assert sum(r[2] for r in rows) == pytest.approx(sum(r[4] for r in detail))
    chart = table.meta["chart"]
    assert chart["x"] in table.column_names and set(chart["y"]) <= set(table.column_names)
    assert set(table.meta["key_columns"]) <= set(table.column_names)


def test_a_to_date_window_counts_today_only_so_far():
    slot = dt.datetime(2026, 11, 25, 11, tzinfo=dt.UTC)  # 12:00 in Berlin: half of Wednesday is over
    rows = list(fetch("week_to_date", slot).rows())
    today = [r for r in rows if r[0] == dt.date(2026, 11, 25)]
    full = list(daily_rows(dt.date(2026, 11, 25)))
    assert len(today) == 16 and sum(r[3] for r in today) == pytest.approx(sum(r[3] for r in full) / 2, rel=0.1)
    assert {r[0] for r in rows} == {dt.date(2026, 11, d) for d in (23, 24, 25)}
