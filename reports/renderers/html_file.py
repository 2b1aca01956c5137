"""HTML renderer: one self-contained page — key figures, the chart inline, the table.

Options (all optional): title, window_label, timezone, generated_at, chart, previous_summary
and markdown, as for the PDF renderer. The chart is a PNG inside the page (a data: URL), so the
file needs nothing else; the table shows the first `MAX_HTML_ROWS` rows (a note says when there
are more: the CSV/XLSX have them all). The email body is written by the same code
(`html_page.report_body_html`). Everything from the data is escaped.
"""

from __future__ import annotations

import base64
import io
from typing import BinaryIO

from reports.renderers import renderer
from reports.renderers.errors import RenderError
from reports.renderers.formatting import resolve_timezone
from reports.table import Table

MAX_HTML_ROWS = 5_000  # a browser still scrolls this smoothly; beyond it, the CSV/XLSX


@renderer("html", extension="html", content_type="text/html",
          description="One web page: key figures, the chart and the table")
def render(table: Table, out: BinaryIO, options: dict) -> None:
    """Write the report as one self-contained HTML page."""
    from reports.renderers.cells import column_formatter, decimals_of
    from reports.renderers.chart_data import ChartCollector, choose_chart
    from reports.renderers.formatting import generated_line
    from reports.renderers.html_page import PageContent, report_page_html
    from reports.summary import SummaryCollector, key_figures

    tz = resolve_timezone(options)
    try:
        chart: ChartCollector | None = ChartCollector(table, choose_chart(table, options.get("chart")), tz)
    except RenderError:
        chart = None
    summary = SummaryCollector(table, options.get("previous_summary"), key_columns=table.meta.get("key_columns"),
                               with_chart=False)
    raw: list = []
    for row in table.rows():
        if chart is not None:
            chart.add(row)
        summary.add(row)
        if len(raw) < MAX_HTML_ROWS:
            raw.append(row)
    decimals = [max((decimals_of(r[i]) for r in raw), default=0) for i in range(len(table.columns))]
    formatters = [column_formatter(c, decimals[i], tz) for i, c in enumerate(table.columns)]
    result = summary.result()
    notes = [f"Showing the first {MAX_HTML_ROWS:,} of {result.row_count:,} rows — the CSV/XLSX has all of them."] \
        if result.row_count > len(raw) else []
    content = PageContent(
        title=options.get("title") or table.title or "Report",
        period=options.get("window_label") or table.window_label or "",
        generated=generated_line(options, tz), row_count=result.row_count,
        figures=key_figures(result.to_json()), columns=table.column_names,
        numeric=[c.type.is_numeric for c in table.columns],
        rows=[[f(v) for f, v in zip(formatters, r, strict=False)] for r in raw],
        notes=notes, markdown=str(options.get("markdown") or ""),
    )
    chart_src = _chart_src(chart.result(), options) if chart is not None else None
    out.write(report_page_html(content, chart_src).encode("utf-8"))


def _chart_src(data, options: dict) -> str | None:
    """The chart as a data: URL (not for a single number or no data: the figures say it)."""
    if data.kind not in ("line", "bars"):
        return None
    from reports.renderers.fonts import use_fallback_fonts
    from reports.renderers.png_file import DPI, chart_figure

    use_fallback_fonts()
    fig = chart_figure(data, "", "", options.get("previous_summary"))
    image = io.BytesIO()
    fig.savefig(image, format="png", dpi=DPI, metadata={"Software": None})
    return "data:image/png;base64," + base64.b64encode(image.getvalue()).decode("ascii")
