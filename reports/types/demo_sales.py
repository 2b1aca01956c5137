"""`demo_sales`: a realistic sample sales dataset, generated deterministically for any window.

Every (day, region, product) cell is derived from a seeded generator, so the same window always
yields the same rows: tests can recompute them, and a retried run reports identical figures.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from zoneinfo import ZoneInfo

from reports.registry import Param, ReportRequest, report_type
from reports.table import Column, ColumnType, Table

REGIONS = ("North", "South", "East", "West")
PRODUCTS = {"Widgets": 19.99, "Gadgets": 49.5, "Gizmos": 7.25, "Doohickeys": 129.0}
COLUMNS = [
    Column("date", ColumnType.DATE),
    Column("region", ColumnType.TEXT),
    Column("product", ColumnType.TEXT),
    Column("units", ColumnType.INTEGER),
    Column("revenue", ColumnType.NUMBER),
]


def daily_rows(day: dt.date, region_filter: str | None = None) -> Iterator[tuple]:
    """Yield the sales of one day; weekends sell less and the trend grows slowly over the year."""
    weekend = day.weekday() >= 5
    trend = 1 + (day.timetuple().tm_yday / 365) * 0.2
    for region in REGIONS:
        if region_filter and region != region_filter:
            continue
        for product, price in PRODUCTS.items():
            rng = random.Random(f"{day.isoformat()}|{region}|{product}")
            base = rng.randint(20, 120) * (0.55 if weekend else 1.0) * trend
            units = max(0, int(base))
            yield (day, region, product, units, round(units * price, 2))


def sales_rows(start: dt.date, end: dt.date, region: str | None = None) -> Iterator[tuple]:
    """Yield rows for every local day in [start, end)."""
    day = start
    while day < end:
        yield from daily_rows(day, region)
        day += dt.timedelta(days=1)


@report_type(
    "demo_sales",
    title="Demo sales",
    description="Sample sales by day, region and product (bundled; no setup needed).",
    params=(
        Param("region", "Region", type="choice", choices=REGIONS, help="Only this region (all when empty)."),
    ),
    default_window="previous_day",
    default_formats=("csv",),
)
def fetch_demo_sales(request: ReportRequest) -> Table:
    zone = ZoneInfo(request.timezone)
    start = request.window.start.astimezone(zone).date()
    end = request.window.end.astimezone(zone).date()
    if request.window.end.astimezone(zone).time() != dt.time():
        end += dt.timedelta(days=1)  # a to-date window includes today so far
    region = request.params.get("region") or None
    return Table(
        columns=list(COLUMNS),
        row_source=lambda: sales_rows(start, end, region),
        title="Demo sales",
        window_label=request.window.label,
    )
