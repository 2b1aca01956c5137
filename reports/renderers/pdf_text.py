"""A text document as PDF: the Pulse report's Markdown answer, wrapped and paginated.

Options: `markdown` (the text), `title`, `window_label`, `timezone`, `generated_at`. Headings
(`#`) are set larger and bold, list items keep their bullet, long lines wrap; every page carries
the title and "Page n of m".
"""

from __future__ import annotations

import re
import textwrap
from typing import BinaryIO

from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure

from reports.renderers.formatting import resolve_timezone, truncate
from reports.renderers.pdf_layout import MARGIN_X, PAGE_SIZE, _footer, _generated_line

WRAP = 110  # characters per line at 10 pt across A4 landscape
LINES_PER_PAGE = 34
LINE_HEIGHT = 0.205  # inches
_INLINE = re.compile(r"(\*\*|__|`)")


def _lines(markdown: str) -> list[tuple[str, str]]:
    """(style, text) lines: "h" for headings, "p" for body text, "" for blank lines."""
    out: list[tuple[str, str]] = []
    for raw in markdown.replace("\r\n", "\n").split("\n"):
        text = _INLINE.sub("", raw.rstrip())
        heading = re.match(r"^#{1,6}\s+(.*)", text)
        if heading:
            out.append(("h", truncate(heading.group(1), WRAP)))
            continue
        if not text.strip():
            out.append(("", ""))
            continue
        bullet = re.match(r"^(\s*(?:[-*+]|\d+[.)])\s+)(.*)", text)
        indent = " " * len(bullet.group(1)) if bullet else ""
        for piece in textwrap.wrap(text, WRAP, subsequent_indent=indent) or [""]:
            out.append(("p", piece))
    return out


def write_text_pdf(out: BinaryIO, options: dict) -> None:
    """Write `options["markdown"]` as a paginated PDF document."""
    tz = resolve_timezone(options)
    title = options.get("title") or "Report"
    header = [options.get("window_label") or "", _generated_line(options, tz)]
    lines = _lines(options.get("markdown") or "")
    pages = [lines[i:i + LINES_PER_PAGE] for i in range(0, len(lines), LINES_PER_PAGE)] or [[]]
    with PdfPages(out, metadata={"Title": title}) as pdf:
        for number, page in enumerate(pages, start=1):
            fig = Figure(figsize=PAGE_SIZE)
            top = 1 - 0.55 / PAGE_SIZE[1]
            if number == 1:
                fig.text(MARGIN_X / PAGE_SIZE[0], top, truncate(title, 80).replace("$", r"\$"), fontsize=18,
                         fontweight="bold", va="top")
                fig.text(MARGIN_X / PAGE_SIZE[0], top - 0.4 / PAGE_SIZE[1],
                         "  ·  ".join(h for h in header if h).replace("$", r"\$"), fontsize=10, color="#555555",
                         va="top")
                top -= 0.9 / PAGE_SIZE[1]
            for row, (style, text) in enumerate(page):
                y = top - row * LINE_HEIGHT / PAGE_SIZE[1]
                fig.text(MARGIN_X / PAGE_SIZE[0], y, text.replace("$", r"\$"), va="top",
                         fontsize=12 if style == "h" else 10, fontweight="bold" if style == "h" else "normal")
            _footer(fig, number, len(pages), title)
            pdf.savefig(fig)
