"""A written answer (the Pulse report's Markdown) typeset as a PDF document.

Options: `markdown` (the text), `title`, `window_label`, `timezone`, `generated_at`. The text is
parsed once by `reports.markdown.parse` (the same parse the Slack message and the HTML page are
written from, so mentions are already dropped): headings are set larger and bold, **bold**,
_italic_ and `code` keep their look, lists keep their bullets or numbers and indentation, code
blocks are set in a monospace face on a tinted band, tables become tables; every page carries
the title and "Page X of Y".
"""

from __future__ import annotations

from typing import BinaryIO

from fpdf.fonts import FontFace

from reports.markdown import Block, Span, link_of, parse, plain_text
from reports.renderers import style
from reports.renderers.fonts import mono_file
from reports.renderers.formatting import generated_line, resolve_timezone
from reports.renderers.pdf_document import (
    FOOTER_HEIGHT,
    MARGIN,
    SANS,
    ReportPDF,
    write_heading,
)

MONO = "mono"
BODY = 10.5
LEADING = 1.45
HEADING_SIZES = {1: 16, 2: 14, 3: 12.5}


def write_markdown_pdf(out: BinaryIO, options: dict) -> None:
    """Write `options["markdown"]` as a paginated, typeset PDF."""
    tz = resolve_timezone(options)
    title = options.get("title") or "Report"
    window = options.get("window_label") or ""
    pdf = ReportPDF(title, footer_note=window)
    pdf.add_font(MONO, "", mono_file())
    pdf.set_auto_page_break(True, margin=MARGIN + FOOTER_HEIGHT)
    pdf.add_page()
    write_heading(pdf, title, [window, generated_line(options, tz)])
    for block in parse(options.get("markdown") or ""):
        _block(pdf, block)
    pdf.output(out)


def _block(pdf: ReportPDF, block: Block) -> None:
    pdf.set_text_color(*style.rgb(style.INK))
    if block.kind == "heading":
        size = HEADING_SIZES.get(block.level, 11.5)
        pdf.set_y(pdf.get_y() + size * 0.5)
        pdf.set_font(SANS, "B", size)
        pdf.multi_cell(pdf.content_width, size * 1.3, plain_text(block.spans).strip(), new_x="LMARGIN", align="L",
                       new_y="NEXT")
        pdf.set_y(pdf.get_y() + 3)
    elif block.kind == "item":
        indent = 14.0 * block.level
        pdf.set_font(SANS, "", BODY)
        pdf.set_x(MARGIN + indent - 12)
        pdf.write(BODY * LEADING, block.marker + " ")
        pdf.set_left_margin(MARGIN + indent)
        _spans(pdf, block.spans)
        pdf.set_left_margin(MARGIN)
        pdf.ln(BODY * LEADING)
    elif block.kind == "code":
        pdf.set_font(MONO, "", BODY * 0.85)
        pdf.set_fill_color(*style.rgb(style.ZEBRA))
        pdf.multi_cell(pdf.content_width, BODY * 1.25, block.text or " ", fill=True, new_x="LMARGIN", new_y="NEXT",
                       align="L", padding=(4, 6))
        pdf.set_y(pdf.get_y() + 6)
    elif block.kind == "rule":
        y = pdf.get_y() + 6
        pdf.set_draw_color(*style.rgb(style.GRID))
        pdf.line(MARGIN, y, pdf.w - MARGIN, y)
        pdf.set_y(y + 8)
    elif block.kind == "table":
        _table(pdf, block)
    else:
        pdf.set_font(SANS, "I" if block.kind == "quote" else "", BODY)
        if block.kind == "quote":
            pdf.set_text_color(*style.rgb(style.MUTED))
            pdf.set_left_margin(MARGIN + 14)
            pdf.set_x(MARGIN + 14)
        _spans(pdf, block.spans)
        pdf.set_left_margin(MARGIN)
        pdf.ln(BODY * LEADING)
        pdf.set_y(pdf.get_y() + 5)


def _spans(pdf: ReportPDF, spans: tuple[Span, ...], bold: bool = False, italic: bool = False) -> None:
    """Flow inline spans with their styles, wrapping at the margin."""
    height = BODY * LEADING
    for span in spans:
        face = ("B" if bold else "") + ("I" if italic else "")
        if span.kind == "text":
            pdf.set_font(SANS, face, BODY)
            pdf.write(height, span.text)
        elif span.kind == "break":
            pdf.ln(height)
        elif span.kind == "code":
            pdf.set_font(MONO, "", BODY * 0.9)
            pdf.write(height, span.text)
        elif span.kind == "bold":
            _spans(pdf, span.children, True, italic)
        elif span.kind == "italic":
            _spans(pdf, span.children, bold, True)
        elif span.kind == "link":
            link = link_of(span)
            pdf.set_font(SANS, face, BODY)
            if link.url is None:
                pdf.write(height, link.text)
                continue
            # The address is always visible beside the words, as in Slack and the HTML page.
            if not link.self_describing:
                pdf.write(height, link.text + " (")
            pdf.set_text_color(*style.rgb(style.PALETTE[0]))
            pdf.write(height, link.shown, link=link.url)
            pdf.set_text_color(*style.rgb(style.INK))
            if not link.self_describing:
                pdf.write(height, ")")


def _table(pdf: ReportPDF, block: Block) -> None:
    pdf.set_font(SANS, "", BODY * 0.9)
    align = tuple({"right": "RIGHT", "center": "CENTER"}.get(a, "LEFT") for a in block.align) or None
    heading = FontFace(emphasis="BOLD", fill_color=style.rgb(style.HEADER_FILL))
    with pdf.table(text_align=align, line_height=BODY * 1.4, headings_style=heading, borders_layout="HORIZONTAL_LINES",
                   cell_fill_color=style.rgb(style.ZEBRA), cell_fill_mode="ROWS") as table:
        width = max((len(r) for r in block.rows), default=0)
        for row in block.rows:
            cells = [plain_text(cell).strip() for cell in row]
            table.row(cells + [""] * (width - len(cells)))
    pdf.set_y(pdf.get_y() + 6)
