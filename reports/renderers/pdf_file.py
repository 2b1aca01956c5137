"""PDF renderer: a document, not a dump — key figures and the chart first, then every row.

Options (all optional):
    title (str): the document's headline (defaults to the table's title).
    window_label (str): the period shown under the title and in every page's footer.
    timezone (str): IANA name; the generated-at time and aware datetimes are shown in it.
    generated_at (datetime): when the run happened (left out when not given).
    chart (dict): {"x", "y", "kind"} overrides the chart choice, as for the PNG renderer.
    previous_summary (dict): the previous run's summary: the key figures' change and the chart's
        faint comparison come from it.
    markdown (str): a written answer (the Pulse report): typeset as a document instead (pdf_markdown.py).

The first page has the title, the period, when it was generated and the row count, the key
figures as large numbers with their change, and the chart across the page. The table follows
(pdf_table.py): every row up to 100,000 (`pdf_table.MAX_TABLE_ROWS`; a note on the first page
says when rows or columns are left out), proportional type, numbers right-aligned in their unit,
header repeated on every page, zebra rows, "Page X of Y", landscape when the columns need it.
A table without a numeric column still renders, without a chart.
"""

from __future__ import annotations

from typing import BinaryIO

from reports.renderers import renderer
from reports.table import Table


@renderer(
    "pdf", extension="pdf", content_type="application/pdf",
    description="PDF document: key figures, chart and the full table",
)
def render(table: Table, out: BinaryIO, options: dict) -> None:
    """Write a PDF document to `out`."""
    # Imported here: the registry loads every renderer, and fpdf2 plus matplotlib cost ~60 MB of
    # RSS that CSV/XLSX runs should not pay.
    from reports.renderers.fonts import use_fallback_fonts

    use_fallback_fonts()
    if options.get("markdown"):  # a written answer (the Pulse report) is a document, not a table
        from reports.renderers.pdf_markdown import write_markdown_pdf

        write_markdown_pdf(out, options)
        return
    from reports.renderers.pdf_report import write_report_pdf

    write_report_pdf(table, out, options)
