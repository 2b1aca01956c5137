"""Tests for the PNG renderer and the chart logic it shares with the PDF renderer."""

from __future__ import annotations

import datetime as dt
import io
from concurrent.futures import ThreadPoolExecutor

import pytest
from PIL import Image

from reports.errors import ReportError
from reports.renderers import chart_data as chart
from reports.renderers import get_renderer
from reports.renderers.chart_data import ChartCollector, choose_chart, collect
from reports.renderers.chart_draw import UnitFormatter
from reports.renderers.errors import RenderError
from reports.renderers.formatting import compact, thousands
from reports.renderers.units import unit_of
from reports.table import Column, ColumnType, Table

DAY = Column("day", ColumnType.DATE)
AT = Column("at", ColumnType.DATETIME)
REGION = Column("region", ColumnType.TEXT)
ID = Column("id", ColumnType.INTEGER)
UNITS = Column("units", ColumnType.INTEGER)
REVENUE = Column("revenue", ColumnType.NUMBER)


def render_png(table: Table, **options: object) -> Image.Image:
    out = io.BytesIO()
    get_renderer("png").render(table, out, dict(options))
    data = out.getvalue()
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    image = Image.open(io.BytesIO(data))
    assert image.format == "PNG"
    return image


def sales(n: int = 30) -> Table:
    start = dt.date(2026, 11, 1)
    rows = [(i, start + dt.timedelta(days=i % 10), f"Region {i % 7}", i % 5 + 1, 1000.0 * i) for i in range(n)]
    return Table.from_rows([ID, DAY, REGION, UNITS, REVENUE], rows, title="Daily sales")


def test_time_series_png_is_slack_preview_sized():
    image = render_png(sales(), title="Daily sales", window_label="Mon 23 Nov 2026, Europe/Berlin")
    assert image.size == (1200, 675)


def test_empty_table_still_draws_a_chart():
    assert render_png(Table.from_rows([DAY, REVENUE], []), title="Nothing").size == (1200, 675)


@pytest.mark.parametrize("kind", ["line", "bar"])
def test_override_kinds_render(kind):
    assert render_png(sales(), chart={"x": "region", "y": ["revenue", "units"], "kind": kind}).size == (1200, 675)


def test_no_numeric_column_is_a_readable_render_error():
    table = Table.from_rows([DAY, REGION], [(dt.date(2026, 1, 1), "x")])
    with pytest.raises(RenderError, match="no numeric column") as info:
        render_png(table)
    assert isinstance(info.value, ReportError)  # so the owner reads it as is, not "something went wrong"


def test_auto_choice_line_over_first_date_bar_over_text_skipping_ids():
    spec = choose_chart(sales())
    assert (spec.kind, spec.x, spec.y, spec.category) == ("auto", DAY, [UNITS, REVENUE], REGION)
    assert collect(sales(), spec).kind == "line"
    table = Table.from_rows([ID, REGION, REVENUE], [(1, "a", 1.0), (2, "b", 2.0)])
    spec = choose_chart(table)
    assert (spec.x, spec.y) == (REGION, [REVENUE]) and collect(table, spec).kind == "bars"
    table = Table.from_rows([Column("year", ColumnType.INTEGER), REVENUE], [(2025, 1.0), (2026, 2.0)])
    spec = choose_chart(table)
    assert (spec.x.name, spec.y, collect(table, spec).kind) == ("year", [REVENUE], "line")


def test_override_validates_columns():
    with pytest.raises(RenderError, match="'nope' is not in this report"):
        choose_chart(sales(), {"y": ["nope"]})
    with pytest.raises(RenderError, match="region is not numeric"):
        choose_chart(sales(), {"y": ["region"]})
    with pytest.raises(RenderError, match="Unknown chart kind"):
        choose_chart(sales(), {"kind": "pie"})
    spec = choose_chart(sales(), {"x": "region", "y": "units", "kind": "line"})
    assert (spec.kind, spec.x, spec.y) == ("line", REGION, [UNITS])
    assert collect(sales(), spec).kind == "line"  # asked for: kept, even over categories


def test_bars_sum_by_category_keep_the_top_ten_and_sum_the_rest_into_other():
    rows = [(f"c{i:02d}", float(i)) for i in range(30)] * 2
    data = collect(Table.from_rows([REGION, REVENUE], rows), choose_chart(Table.from_rows([REGION, REVENUE], [])))
    assert data.kind == "bars"
    assert data.xs == [f"c{i:02d}" for i in range(29, 19, -1)] + ["Other (20 more)"]
    assert data.series[0][0] == 58.0  # two rows of 29 summed
    assert data.series[0][-1] == 2 * sum(range(20)) and data.other_count == 20
    assert sum(data.series[0]) == 2 * sum(range(30))  # nothing lost, nothing counted twice


def test_time_series_coarsens_buckets_and_keeps_totals():
    start = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    rows = [(start + dt.timedelta(minutes=i), 1) for i in range(20_000)]
    table = Table.from_rows([AT, UNITS], rows)
    data = collect(table, choose_chart(table), tz=None)
    assert len(data.xs) <= chart.MAX_LINE_POINTS
    assert sum(data.series[0]) == 20_000
    assert data.note == "summed per hour"
    assert all(x.tzinfo is None for x in data.xs)


def test_datetimes_are_bucketed_in_the_schedule_timezone():
    from zoneinfo import ZoneInfo

    rows = [(dt.datetime(2026, 11, 23, 23, 30, tzinfo=dt.UTC), 5), (dt.datetime(2026, 11, 24, 1, 0, tzinfo=dt.UTC), 1)]
    table = Table.from_rows([AT, UNITS], rows)
    data = collect(table, choose_chart(table), tz=ZoneInfo("Europe/Berlin"))
    assert data.xs == [dt.datetime(2026, 11, 24, 0, 30), dt.datetime(2026, 11, 24, 2, 0)]


def test_numeric_x_merges_neighbours_and_keeps_totals(monkeypatch):
    monkeypatch.setattr(chart, "MAX_LINE_POINTS", 50)
    table = Table.from_rows([Column("x", ColumnType.INTEGER), REVENUE], [(i, 1.0) for i in range(1_000)])
    data = collect(table, choose_chart(table))
    assert len(data.xs) <= 51 and sum(data.series[0]) == 1_000
    assert data.xs == sorted(data.xs)


def test_category_memory_is_bounded(monkeypatch):
    monkeypatch.setattr(chart, "MAX_TRACKED_CATEGORIES", 100)
    table = Table.from_rows([REGION, REVENUE], [(f"c{i}", float(i)) for i in range(1_000)])
    collector = ChartCollector(table, choose_chart(table))
    peak = 0
    for row in table.rows():
        collector.add(row)
        peak = max(peak, len(collector.buckets))
    assert peak <= 101
    data = collector.result()
    assert data.xs[0] == "c999" and data.xs[-1].startswith("Other (")
    assert sum(data.series[0]) == sum(range(1_000))  # the pruned categories still count in "Other"


def test_dwarfed_series_are_dropped_only_when_chosen_automatically():
    rows = [(dt.date(2026, 1, d), 1, 1_000_000.0) for d in range(1, 5)]
    table = Table.from_rows([DAY, UNITS, REVENUE], rows)
    auto = collect(table, choose_chart(table))
    assert [c.name for c in auto.spec.y] == ["revenue"] and "units not shown" in auto.note
    explicit = collect(table, choose_chart(table, {"y": ["units", "revenue"]}))
    assert len(explicit.series) == 2


@pytest.mark.filterwarnings("ignore:Glyph .* missing from font")
def test_renders_in_parallel_threads_with_hostile_labels():
    table = Table.from_rows([REGION, REVENUE], [("$5 plan", 1.0), ("50% off $x$", 2.0), (None, 3.0), ("東京", 4.0)])

    def one(_: int) -> tuple[int, int]:
        return render_png(table, title="Costs in $ and %", window_label="$week$").size

    with ThreadPoolExecutor(max_workers=4) as pool:
        assert set(pool.map(one, range(4))) == {(1200, 675)}


def test_number_formats():
    money = UnitFormatter(unit_of(Column("revenue_eur", ColumnType.NUMBER)))
    money.set_locs([0, 5_000, 10_000])
    assert [money(v) for v in (0, 5_000, 12_300, -1_500)] == ["€0", "€5K", "€12.3K", "-€1.5K"]
    percent = UnitFormatter(unit_of(Column("conversion_pct", ColumnType.NUMBER)))
    assert percent(12.5) == "12.5%" and percent(3.0) == "3%"
    assert [thousands(v) for v in (1234, 1234.5, 0, -9876543)] == ["1,234", "1,234.5", "0", "-9,876,543"]
    assert [compact(v) for v in (950, 12_300, 4_200_000, 1e9, -1500, 0.5, 1e16)] == [
        "950",
        "12.3K",
        "4.2M",
        "1B",
        "-1.5K",
        "0.5",
        "1.00e+16",
    ]
    formatter = UnitFormatter()
    ticks = [9_800_000, 9_850_000, 9_900_000]
    formatter.set_locs(ticks)
    assert [formatter(v) for v in ticks] == ["9.8M", "9.85M", "9.9M"]


def test_row_number_axis_uses_even_buckets_of_means():
    table = Table.from_rows([REVENUE], [(float(i),) for i in range(1, 501)])
    data = collect(table, choose_chart(table, {"kind": "bar"}))
    assert len(data.xs) <= chart.TOP_CATEGORIES
    assert data.xs[:3] == [1, 65, 129] and data.series[0][0] == 32.5  # mean of rows 1..64
    assert data.note == "averaged over row ranges"


# ----- the chart follows the shape of the data ------------------------------------------------------------------

def kind_of(table: Table, **chart_options: object) -> str:
    return collect(table, choose_chart(table, chart_options or None)).kind


def test_one_period_is_broken_down_by_the_main_category_never_a_lone_point():
    one_day = [(dt.date(2026, 11, 23), r, u, 10.0 * u) for r, u in (("North", 5), ("West", 9), ("East", 2))]
    table = Table.from_rows([DAY, REGION, UNITS, REVENUE], one_day)
    data = collect(table, choose_chart(table))
    assert data.kind == "bars" and data.axis == REGION
    assert data.xs == ["West", "North", "East"] and data.series[-1] == [90.0, 50.0, 20.0]  # sorted, largest first


def test_several_periods_make_a_line_over_time():
    assert kind_of(sales()) == "line"


def test_one_number_makes_a_big_number_card():
    one = Table.from_rows([REVENUE], [(48_312.5,)])
    data = collect(one, choose_chart(one))
    assert data.kind == "number" and data.totals == [48_312.5]
    row = Table.from_rows([UNITS, REVENUE, Column("conversion_pct", ColumnType.NUMBER)], [(1_204, 48_312.5, 3.4)])
    data = collect(row, choose_chart(row))
    assert data.kind == "number" and [c.name for c in data.spec.y] == ["units", "revenue", "conversion_pct"]
    single_day_no_category = Table.from_rows([DAY, UNITS], [(dt.date(2026, 11, 23), 4), (dt.date(2026, 11, 23), 6)])
    assert collect(single_day_no_category, choose_chart(single_day_no_category)).totals == [10.0]
    assert kind_of(single_day_no_category) == "number"
    assert kind_of(Table.from_rows([REGION, REVENUE], [("North", 1.0), ("North", 2.0)])) == "number"


def test_no_rows_is_an_empty_card_and_percentages_are_averaged_not_summed():
    assert kind_of(Table.from_rows([DAY, REGION, REVENUE], [])) == "empty"
    rate = Column("conversion_pct", ColumnType.NUMBER)
    table = Table.from_rows([REGION, rate], [("a", 2.0), ("a", 4.0), ("b", 10.0)])
    data = collect(table, choose_chart(table))
    assert data.xs == ["b", "a"] and data.series[0] == [10.0, 3.0] and data.totals == [pytest.approx(16 / 3)]


def test_every_kind_draws_at_slack_preview_size_with_a_previous_period():
    from reports.renderers.chart_compare import chart_record

    week = sales(70)
    previous = {"chart": chart_record(collect(week, choose_chart(week)))}
    shifted = Table.from_rows(week.columns, [(i, d + dt.timedelta(days=10), *rest) for i, d, *rest in week.rows()])
    for table in (shifted, Table.from_rows([REVENUE], [(5.0,)]),
                  Table.from_rows([REGION, REVENUE], [("a", -1.0), ("b", 2.0)]), Table.from_rows([DAY, REVENUE], [])):
        assert render_png(table, title="T", window_label="W", previous_summary=previous).size == (1200, 675)
