"""`demo_sales`: a realistic sample sales dataset, generated deterministically for any window.

Every (day, region, product) cell is derived from a seeded generator, so the same window always
yields the same rows: tests can recompute them, and a retried run reports identical figures.

The numbers have the shape real sales have, so the charts are worth looking at: a weekly rhythm
(Friday peak, quiet Sunday), a spring/summer swell and a holiday rush in late November and
December, steady growth with one fast-growing region (West), products that differ by an order of
magnitude in volume and price, and week-long promotions that lift one product's units.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections import defaultdict
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
VIEWS = ("detail", "daily", "daily_by_region", "by_region", "by_product")

# Relative size and yearly growth of each region; typical daily units of each product.
_REGION_SCALE = {"North": 1.3, "South": 0.9, "East": 1.1, "West": 0.7}
_REGION_GROWTH = {"North": 0.06, "South": 0.04, "East": 0.08, "West": 0.2}
_PRODUCT_UNITS = {"Widgets": 90, "Gadgets": 45, "Gizmos": 160, "Doohickeys": 12}
_WEEKDAY = (0.9, 0.95, 1.0, 1.05, 1.2, 0.75, 0.55)  # Monday first
_EPOCH = dt.date(2024, 1, 1)
_PROMO_LIFT, _PROMO_DISCOUNT = 1.6, 0.85


def _season(day: dt.date) -> float:
    """Spring/summer swell plus the holiday rush, which ramps up from mid-November to Christmas."""
    doy = day.timetuple().tm_yday
    swell = 1 + 0.12 * math.sin(2 * math.pi * (doy - 100) / 365.25)
    rush = 0.0
    if day.month == 11 and day.day >= 15:
        rush = 0.5 * (day.day - 14) / 16
    elif day.month == 12 and day.day <= 24:
        rush = 0.5 + 0.3 * day.day / 24
    elif day.month == 1 and day.day <= 14:
        rush = -0.15  # the January lull
    return swell * (1 + rush)


def _on_promotion(day: dt.date, product: str) -> bool:
    """About one week in eight, a product runs a promotion from Wednesday to Sunday."""
    year, week, weekday = day.isocalendar()
    return weekday >= 3 and random.Random(f"promo|{year}-{week}|{product}").random() < 0.125


def daily_rows(day: dt.date, region_filter: str | None = None, fraction: float = 1.0) -> Iterator[tuple]:
    """Yield the sales of one day (`fraction` of it, for a day still in progress)."""
    years = (day - _EPOCH).days / 365.25
    base_day = _WEEKDAY[day.weekday()] * _season(day) * fraction
    for region in REGIONS:
        if region_filter and region != region_filter:
            continue
        growth = (1 + _REGION_GROWTH[region]) ** years
        for product, price in PRODUCTS.items():
            rng = random.Random(f"{day.isoformat()}|{region}|{product}")
            noise = max(0.3, rng.gauss(1.0, 0.12))
            promo = _on_promotion(day, product)
            expected = _PRODUCT_UNITS[product] * _REGION_SCALE[region] * growth * base_day * noise
            units = max(0, int(expected * (_PROMO_LIFT if promo else 1.0)))
            unit_price = round(price * _PROMO_DISCOUNT, 2) if promo else price
            yield (day, region, product, units, round(units * unit_price, 2))


def sales_rows(start: dt.date, end: dt.date, region: str | None = None) -> Iterator[tuple]:
    """Yield rows for every local day in [start, end)."""
    day = start
    while day < end:
        yield from daily_rows(day, region)
        day += dt.timedelta(days=1)


def _window_rows(start: dt.datetime, end: dt.datetime, region: str | None) -> Iterator[tuple]:
    """The sales of the local window [start, end): whole days in full, a part of a day in proportion
    (an hourly report gets an hour's worth, a to-date one the day so far)."""
    # Timestamps, not aware datetimes: arithmetic within one zone ignores a DST change.
    first, last = start.timestamp(), end.timestamp()
    day = start.date()
    while True:
        day_start = dt.datetime.combine(day, dt.time(), tzinfo=start.tzinfo).timestamp()
        day_end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tzinfo=start.tzinfo).timestamp()
        if day_start >= last:
            return
        covered = min(last, day_end) - max(first, day_start)
        length = day_end - day_start  # 23 or 25 hours across a DST change
        if covered >= length:
            yield from daily_rows(day, region)
        elif covered > 0:
            yield from daily_rows(day, region, covered / length)
        day += dt.timedelta(days=1)


def _aggregate(rows: Iterator[tuple], view: str) -> tuple[list[Column], list[tuple]]:
    """Fold detail rows into the small table a view shows (a few hundred rows at most)."""
    units: dict[object, int] = defaultdict(int)
    revenue: dict[object, float] = defaultdict(float)
    for day, region, product, n, amount in rows:
        key = {"daily": day, "by_region": region, "by_product": product, "daily_by_region": (day, region)}[view]
        units[key] += n
        revenue[key] += amount
    if view == "daily_by_region":
        days = sorted({day for day, _ in revenue})
        columns = [Column("date", ColumnType.DATE)] + [Column(r, ColumnType.NUMBER) for r in REGIONS]
        return columns, [(d, *(round(revenue.get((d, r), 0.0), 2) for r in REGIONS)) for d in days]
    first = {"daily": Column("date", ColumnType.DATE), "by_region": Column("region"),
             "by_product": Column("product")}[view]
    order = sorted(revenue) if view == "daily" else sorted(revenue, key=lambda k: -revenue[k])
    columns = [first, Column("units", ColumnType.INTEGER), Column("revenue", ColumnType.NUMBER)]
    return columns, [(k, units[k], round(revenue[k], 2)) for k in order]


_CHARTS = {
    "detail": {"x": "date", "y": ["revenue"], "kind": "line"},
    "daily": {"x": "date", "y": ["revenue"], "kind": "line"},
    "daily_by_region": {"x": "date", "y": list(REGIONS), "kind": "line"},
    "by_region": {"x": "region", "y": ["revenue"], "kind": "bar"},
    "by_product": {"x": "product", "y": ["revenue"], "kind": "bar"},
}


@report_type(
    "demo_sales",
    title="Demo sales",
    description="Sample sales by day, region and product (bundled; no setup needed).",
    params=(
        Param("region", "Region", type="choice", choices=REGIONS, help="Only this region (all when empty)."),
        Param("view", "View", type="choice", choices=VIEWS, default="detail",
              help="detail: one row per day, region and product; daily: totals per day; daily_by_region: "
                   "revenue per day with a column per region; by_region / by_product: totals per region or product."),
    ),
    default_formats=("csv",),
)
def fetch_demo_sales(request: ReportRequest) -> Table:
    zone = ZoneInfo(request.timezone)
    start, end = request.window.start.astimezone(zone), request.window.end.astimezone(zone)
    region = request.params.get("region") or None
    view = request.params.get("view") or "detail"
    meta: dict[str, object] = {
        "chart": _CHARTS[view],
        "key_columns": list(REGIONS) if view == "daily_by_region" else ["revenue", "units"],
    }
    title = "Demo sales" if view == "detail" else f"Demo sales ({view.replace('_', ' ')})"
    if view == "detail":
        return Table(columns=list(COLUMNS), row_source=lambda: _window_rows(start, end, region),
                     title=title, window_label=request.window.label, meta=meta)
    columns, rows = _aggregate(_window_rows(start, end, region), view)
    return Table.from_rows(columns, rows, title=title, window_label=request.window.label, meta=meta)
