"""PNG renderer: one chart sized for Slack's preview (1200x675 px), readable on a phone.

Options (all optional):
    title (str): the chart's headline (defaults to the table's title).
    window_label (str): the period, shown under the title.
    timezone (str): IANA name; aware datetimes on the x axis are shown in this zone.
    chart (dict): {"x": column, "y": [columns], "kind": "line" | "bar"} overrides the automatic
        choice (see chart_data.py: a line over several periods, bars for one, a big number).
    previous_summary (dict): the previous run's `Summary.to_json()`; its chart is drawn faintly
        for comparison (chart_compare.py).
    generated_at: accepted and ignored.

Raises `RenderError` (user-readable) when the table has no numeric column to plot. Uses
matplotlib's object API with an Agg canvas only, never pyplot, so renders can run in threads.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, BinaryIO

from reports.renderers import renderer
from reports.renderers.formatting import resolve_timezone
from reports.table import Table

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from reports.renderers.chart_data import ChartData

WIDTH_IN, HEIGHT_IN, DPI = 8, 4.5, 150  # 1200 x 675 px


def chart_figure(data: ChartData, title: str, period: str, previous_summary: dict | None = None, *,
                 size: tuple[float, float] = (WIDTH_IN, HEIGHT_IN), scale: float = 1.0) -> Figure:
    """Return a figure with the chart, its title and its period, in the house style."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    from reports.renderers.chart_draw import draw_chart

    axes = data.kind in ("line", "bars")
    fig = Figure(figsize=size, dpi=DPI, layout="constrained" if axes else None)
    FigureCanvasAgg(fig)
    if axes:
        # The top strip is the title's, which the layout engine does not place.
        fig.get_layout_engine().set(h_pad=0.1, w_pad=0.12, rect=(0, 0, 1, 0.8))
    draw_chart(fig, data, title=title, period=period, previous_summary=previous_summary, scale=scale)
    return fig


def table_chart(table: Table, options: dict) -> ChartData:
    """Choose and collect the table's chart (one pass over the rows)."""
    from reports.renderers.chart_data import choose_chart, collect

    return collect(table, choose_chart(table, options.get("chart")), resolve_timezone(options))


@renderer("png", extension="png", content_type="image/png", description="Chart image sized for Slack previews")
def render(table: Table, out: BinaryIO, options: dict) -> None:
    """Draw the table's chart and write it to `out` as PNG."""
    # Imported here: the registry loads every renderer, and matplotlib alone costs ~50 MB of RSS
    # that CSV/XLSX runs should not pay.
    from reports.renderers.fonts import use_fallback_fonts

    use_fallback_fonts()
    data = table_chart(table, options)
    fig = chart_figure(data, options.get("title") or table.title or "Report",
                       options.get("window_label") or table.window_label or "", options.get("previous_summary"))
    fig.savefig(out, format="png", dpi=DPI, metadata={"Software": None})
