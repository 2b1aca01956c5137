"""A table report as a PDF document: first page with the key figures and the chart, then the table.

Imported lazily by `pdf_file` so that loading the renderer registry loads neither fpdf2 nor
matplotlib.
"""

from __future__ import annotations

import io
from typing import BinaryIO

from reports.renderers import style
from reports.renderers.chart_data import (
    NO_DATA,
    ChartCollector,
    ChartData,
    choose_chart,
)
from reports.renderers.errors import RenderError
from reports.renderers.formatting import generated_line, resolve_timezone, truncate
from reports.renderers.pdf_document import MARGIN, SANS, ReportPDF, write_heading
from reports.renderers.pdf_table import TableLayout, draw_table
from reports.summary import KeyFigure, SummaryCollector, key_figures
from reports.table import Table

CHART_DPI = 200
FIGURES_PER_ROW = 3
MIN_ROWS_ON_FIRST_PAGE = 6


def write_report_pdf(table: Table, out: BinaryIO, options: dict) -> None:
    """Write the document: key figures, chart, and every row (two passes over the table)."""
    tz = resolve_timezone(options)
    title = options.get("title") or table.title or "Report"
    window = options.get("window_label") or table.window_label or ""
    try:
        chart: ChartCollector | None = ChartCollector(table, choose_chart(table, options.get("chart")), tz)
        no_chart = ""
    except RenderError as exc:
        chart, no_chart = None, f"No chart: {exc}"
    summary = SummaryCollector(table, options.get("previous_summary"), key_columns=table.meta.get("key_columns"),
                               with_chart=False)
    layout = TableLayout(table, tz)
    for row in table.rows():
        if chart is not None:
            chart.add(row)
        summary.add(row)
        layout.measure(row)
    data = chart.result() if chart is not None else None

    pdf = ReportPDF(title, footer_note=window)
    layout.plan(pdf)
    pdf.add_page(orientation=layout.orientation)
    count = f"{layout.count:,} row{'' if layout.count == 1 else 's'}"
    write_heading(pdf, title, [window, " · ".join(p for p in (generated_line(options, tz), count) if p)])
    _notes(pdf, layout.notes)
    _figures(pdf, key_figures(summary.result().to_json()))
    _chart(pdf, data, no_chart, title, window, options)
    y = pdf.get_y() + 6
    row_height = layout.font_size * 1.6
    if y + row_height * (MIN_ROWS_ON_FIRST_PAGE + 2) > pdf.bottom:
        pdf.add_page(orientation=layout.orientation)
        y = MARGIN
    draw_table(pdf, layout, table.rows(), y, orientation=layout.orientation)
    pdf.output(out)


def _notes(pdf: ReportPDF, notes: list[str]) -> None:
    pdf.set_font(SANS, "", 9)
    pdf.set_text_color(*style.rgb(style.DOWN))
    for note in notes:
        pdf.multi_cell(pdf.content_width, 12, note, new_x="LMARGIN", new_y="NEXT", align="L")
    if notes:
        pdf.set_y(pdf.get_y() + 6)


def _figures(pdf: ReportPDF, figures: list[KeyFigure]) -> None:
    """Key figures as large numbers, three to a row, each with its change in colour."""
    if not figures:
        return
    width = pdf.content_width / FIGURES_PER_ROW
    top = pdf.get_y()
    for n, figure in enumerate(figures):
        x = MARGIN + (n % FIGURES_PER_ROW) * width
        y = top + (n // FIGURES_PER_ROW) * 62
        pdf.set_font(SANS, "", 9)
        pdf.set_text_color(*style.rgb(style.MUTED))
        pdf.text_at(x, y + 10, pdf.fit(figure.label, width - 12, 9))
        pdf.set_font(SANS, "B", 20)
        pdf.set_text_color(*style.rgb(style.INK))
        pdf.text_at(x, y + 34, pdf.fit(figure.value, width - 12, 21))
        change = style.change_text(figure.change_pct)
        if change:
            pdf.set_font(SANS, "B", 8.5)
            pdf.set_text_color(*style.rgb(style.change_color(figure.change_pct)))
            pdf.text_at(x, y + 49, change)
    rows = (len(figures) + FIGURES_PER_ROW - 1) // FIGURES_PER_ROW
    pdf.set_y(top + rows * 62 + 4)


def _chart(pdf: ReportPDF, data: ChartData | None, no_chart: str, title: str, window: str, options: dict) -> None:
    """The chart, as wide as the page (not for a single number: the key figure already is one)."""
    if data is None or data.kind in ("empty", "number"):
        message = no_chart or (NO_DATA if data is not None and data.kind == "empty" else "")
        if message:
            pdf.set_font(SANS, "", 12)
            pdf.set_text_color(*style.rgb(style.MUTED))
            pdf.multi_cell(pdf.content_width, 16, truncate(message, 400), new_x="LMARGIN", new_y="NEXT", align="L")
            pdf.set_y(pdf.get_y() + 6)
        return
    from reports.renderers.png_file import chart_figure

    width = pdf.content_width
    height = min(width * 0.46, pdf.bottom - pdf.get_y() - 120)
    # Title and period are the page's; the chart keeps only its own line (comparison, notes).
    fig = chart_figure(data, "", "", options.get("previous_summary"), size=(width / 72, height / 72), scale=0.72)
    image = io.BytesIO()
    fig.savefig(image, format="png", dpi=CHART_DPI, metadata={"Software": None})
    pdf.image(image, x=MARGIN, y=pdf.get_y(), w=width, h=height, alt_text=f"Chart of {title}")
    pdf.set_y(pdf.get_y() + height + 4)
