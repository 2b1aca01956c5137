"""PDF renderer: a cover page with the chart, then the table, paginated, with page numbers.

Options (all optional):
    title (str): the document's headline (defaults to the table's title).
    window_label (str): the period shown under the title.
    timezone (str): IANA name; the generated-at time and aware datetimes are shown in it.
    generated_at (datetime): when the run happened (defaults to now).
    chart (dict): {"x", "y", "kind"} overrides the chart choice, as for the PNG renderer.

The table shows at most 1,000 rows (`pdf_layout.MAX_TABLE_ROWS`; a visible line says so and points to CSV/XLSX),
repeats its header on every page, truncates long text with … and drops columns that cannot fit
(also said on the page). A table without a numeric column still renders, without a chart. One
pass over the rows feeds both the chart and the table.
"""

from __future__ import annotations

from typing import BinaryIO

from reports.renderers import renderer
from reports.table import Table


@renderer(
    "pdf", extension="pdf", content_type="application/pdf", description="PDF with title, chart and paginated table"
)
def render(table: Table, out: BinaryIO, options: dict) -> None:
    """Write a PDF document (cover with chart, then the table) to `out`."""
    # Imported here: the registry loads every renderer, and matplotlib alone costs ~50 MB of RSS
    # that CSV/XLSX runs should not pay.
    from reports.renderers.fonts import use_fallback_fonts

    use_fallback_fonts()
    if options.get("markdown"):  # a written answer (the Pulse report) is a document, not a table
        from reports.renderers.pdf_text import write_text_pdf

        write_text_pdf(out, options)
        return
    from reports.renderers.pdf_layout import write_pdf

    write_pdf(table, out, options)
