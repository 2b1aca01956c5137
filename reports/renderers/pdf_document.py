"""The PDF page every report document shares: fonts, house colours, footer with "Page X of Y".

Built on fpdf2, chosen by measurement (bench/render.py, README "Measured here"): drawing 10,000
table rows takes about a second with its low-level text calls, where matplotlib's text layout
cost ~0.2 s a page and fpdf2's own `table()` or ReportLab's `LongTable` took 7-32 s. fpdf2 also
falls back glyph by glyph to the installed CJK fonts (fonts.py), which ReportLab does not.

Text goes through `text_at`: text the main font covers is drawn with the fast call; text with
glyphs DejaVu lacks (Chinese, Japanese, Korean...) goes through fpdf2's cell, which switches to
a fallback font per glyph.
"""

from __future__ import annotations

from fpdf import FPDF

from reports.renderers import style
from reports.renderers.fonts import dejavu_file, fallback_font_files
from reports.renderers.formatting import truncate

SANS = "dejavu"
MARGIN = 34.0  # points (12 mm)
FOOTER_HEIGHT = 26.0
PAGE_SIZES = {"P": (595.28, 841.89), "L": (841.89, 595.28)}  # A4, points


class ReportPDF(FPDF):
    """An A4 document in points with the house fonts and a footer on every page."""

    def __init__(self, title: str, footer_note: str = "", orientation: str = "P") -> None:
        super().__init__(orientation=orientation, unit="pt", format="A4")
        self.doc_title = title
        self.footer_note = footer_note
        self.set_margins(MARGIN, MARGIN, MARGIN)
        self.set_auto_page_break(False)
        self.set_title(truncate(title, 200))
        self.set_creator("reportbot")
        for face in ("", "B", "I", "BI"):
            self.add_font(SANS, face, dejavu_file(face))
        fallbacks = []
        for _family, path, index in fallback_font_files():
            name = f"fallback{len(fallbacks)}"
            try:
                self.add_font(name, "", path, collection_font_number=index)
            except Exception:  # noqa: BLE001 - a font fpdf2 cannot read: go on without it (fonts.py logs none)
                continue
            fallbacks.append(name)
        if fallbacks:
            self.set_fallback_fonts(fallbacks, exact_match=False)
        self.set_font(SANS, "", 10)
        self._covered = frozenset(self.current_font.cmap)
        self._widths = self.current_font.cw

    @property
    def content_width(self) -> float:
        return self.w - 2 * MARGIN

    @property
    def bottom(self) -> float:
        """The lowest y content may reach before the footer."""
        return self.h - MARGIN - FOOTER_HEIGHT

    def footer(self) -> None:
        """Title (and note) on the left, "Page X of Y" on the right, in muted small type."""
        y = self.h - MARGIN + 4
        self.set_draw_color(*style.rgb(style.GRID))
        self.line(MARGIN, y - 14, self.w - MARGIN, y - 14)
        self.set_font(SANS, "", 7.5)
        self.set_text_color(*style.rgb(style.MUTED))
        left = " · ".join(part for part in (truncate(self.doc_title, 90), self.footer_note) if part)
        self.text_at(MARGIN, y, left)
        # A cell, not `text`: fpdf2 fills in the page count ({nb}) only in cells and written text.
        self.set_xy(self.w - MARGIN - 120, y - 6)
        self.cell(120, 8, f"Page {self.page_no()} of {{nb}}", align="R")

    def width_of(self, text: str, size: float) -> float:
        """Return the width of `text` in points in the main font at `size` (fast; no shaping)."""
        get = self._widths.get
        return sum(get(ord(c), 600) for c in text) * size / 1000

    def covered(self, text: str) -> bool:
        """Tell whether the main font has every glyph of `text`."""
        return text.isascii() or all(ord(c) in self._covered for c in text)

    def text_at(self, x: float, y: float, text: str, *, right: float | None = None) -> None:
        """Draw `text` with its baseline at y, starting at x (or ending at `right`)."""
        if not text:
            return
        if self.covered(text):
            if right is not None:
                x = right - self.width_of(text, self.font_size_pt)
            self.text(x, y, text)
            return
        # Glyphs from a fallback font: fpdf2's cell picks them; it measures the mixed text itself.
        width = self.get_string_width(text)
        self.set_xy(right - width if right is not None else x, y - self.font_size_pt * 0.8)
        self.cell(width, self.font_size_pt, text)

    def fit(self, text: str, width: float, size: float) -> str:
        """Cut `text` with … so it fits `width` points at `size` (in the current font)."""
        if not self.covered(text):  # fallback glyphs: only fpdf2 knows their widths
            if self.get_string_width(text) <= width:
                return text
            while text and self.get_string_width(text + "…") > width:
                text = text[:-1]
            return text.rstrip() + "…"
        if self.width_of(text, size) <= width:
            return text
        room = width - self.width_of("…", size)
        get = self._widths.get
        used = 0.0
        for n, char in enumerate(text):
            used += get(ord(char), 600) * size / 1000
            if used > room:
                return text[:n].rstrip() + "…"
        return text


def write_heading(pdf: ReportPDF, title: str, lines: list[str]) -> None:
    """Write the document's title and the lines under it (period, generated at) at the top."""
    pdf.set_text_color(*style.rgb(style.INK))
    pdf.set_font(SANS, "B", 20)
    pdf.set_xy(MARGIN, MARGIN)
    pdf.multi_cell(pdf.content_width, 24, truncate(title, 160), new_x="LMARGIN", new_y="NEXT", align="L")
    pdf.set_font(SANS, "", 10)
    pdf.set_text_color(*style.rgb(style.MUTED))
    for line in lines:
        if line:
            pdf.multi_cell(pdf.content_width, 14, truncate(line, 300), new_x="LMARGIN", new_y="NEXT", align="L")
    pdf.set_y(pdf.get_y() + 8)
