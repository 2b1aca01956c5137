"""PNG renderer: one chart sized for Slack's preview (1200x675 px).

Options (all optional):
    title (str): the chart's headline (defaults to the table's title).
    window_label (str): shown under the title, e.g. "Mon 23 Nov 2026, Europe/Berlin".
    timezone (str): IANA name; aware datetimes on the x axis are shown in this zone.
    chart (dict): {"x": column, "y": [columns], "kind": "line" | "bar"} overrides the automatic
        choice (line over the first date/datetime column, else bars per text category, top 20).
    generated_at: accepted and ignored.

Raises `RenderError` (user-readable) when the table has no numeric column to plot. Uses
matplotlib's object API with an Agg canvas only, never pyplot, so renders can run in threads.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, BinaryIO

from reports.renderers import renderer
from reports.renderers.formatting import resolve_timezone, truncate
from reports.table import Table

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from reports.renderers.chart import ChartData

WIDTH_PX, HEIGHT_PX, DPI = 1200, 675, 100


def chart_figure(data: ChartData, title: str, subtitle: str) -> Figure:
    """Return a Slack-sized figure with the chart, its title and subtitle."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    from reports.renderers.chart import draw

    fig = Figure(figsize=(WIDTH_PX / DPI, HEIGHT_PX / DPI), dpi=DPI, layout="constrained")
    FigureCanvasAgg(fig)
    fig.get_layout_engine().set(h_pad=0.12, w_pad=0.15)
    fig.suptitle(truncate(title, 70).replace("$", r"\$"), x=0.02, ha="left", fontsize=22, fontweight="bold")
    ax = fig.add_subplot()
    if subtitle:
        ax.set_title(truncate(subtitle, 120).replace("$", r"\$"), loc="left", fontsize=14, color="#555555", pad=14)
    draw(ax, data)
    return fig


def subtitle_for(window_label: str, data: ChartData) -> str:
    """Join the window label and the aggregation note ("summed per day", "top 20 of 57 ...")."""
    return " · ".join(part for part in (window_label, data.note) if part)


@renderer("png", extension="png", content_type="image/png", description="Chart image sized for Slack previews")
def render(table: Table, out: BinaryIO, options: dict) -> None:
    """Draw the table's chart and write it to `out` as PNG."""
    # Imported here: the registry loads every renderer, and matplotlib alone costs ~50 MB of RSS
    # that CSV/XLSX runs should not pay.
    from reports.renderers.chart import choose_chart, collect
    from reports.renderers.fonts import use_fallback_fonts

    use_fallback_fonts()
    spec = choose_chart(table, options.get("chart"))
    data = collect(table, spec, resolve_timezone(options))
    title = options.get("title") or table.title or "Report"
    window = options.get("window_label") or table.window_label or ""
    fig = chart_figure(data, title, subtitle_for(window, data))
    fig.savefig(out, format="png", dpi=DPI, metadata={"Software": None})
