"""Charts and PDFs draw Chinese, Japanese and Korean text with an installed fallback font instead
of empty boxes; with no such font the operator is told once what to install.

CI installs fonts-wqy-microhei and sets REPORTBOT_EXPECT_CJK_FONT, so the drawing path is the one
it checks; on a machine without any such font the same test checks the warning instead."""

from __future__ import annotations

import io
import logging
import os
import warnings

import pytest
from pypdf import PdfReader

from reports.renderers import fonts, get_renderer
from reports.table import Column, ColumnType, Table

SALES = Table.from_rows([Column("地域", ColumnType.TEXT), Column("売上", ColumnType.INTEGER)],
                        [("東京", 120), ("大阪", 80), ("서울", 95)])


@pytest.fixture
def fresh_lookup():
    fonts.fallback_families.cache_clear()
    yield
    fonts.fallback_families.cache_clear()


def _render(fmt: str) -> tuple[bytes, list[str]]:
    out = io.BytesIO()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        get_renderer(fmt).render(SALES, out, {"title": "売上レポート", "timezone": "Asia/Tokyo"})
    return out.getvalue(), [str(w.message) for w in caught if "missing from font" in str(w.message)]


def test_cjk_text_is_drawn_in_charts_and_pdfs_or_the_operator_is_told(fresh_lookup, caplog):
    caplog.set_level(logging.WARNING, logger="reports.renderers.fonts")
    installed = fonts.fallback_families()
    if os.environ.get("REPORTBOT_EXPECT_CJK_FONT"):
        assert installed, "CI installs a CJK font; it should have been found"
    png, png_missing = _render("png")
    pdf, pdf_missing = _render("pdf")
    assert png.startswith(b"\x89PNG") and pdf.startswith(b"%PDF-")
    if installed:
        assert png_missing == [] and pdf_missing == []  # every glyph found a font
        text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
        assert "売上レポート" in text and "東京" in text and "서울" in text
    else:
        assert png_missing and fonts.MISSING_HINT in caplog.text


def test_no_fallback_font_logs_one_hint_naming_what_to_install(fresh_lookup, monkeypatch, caplog):
    monkeypatch.setattr(fonts, "KNOWN_FALLBACKS", ("No Such Font CJK",))
    monkeypatch.delenv("REPORTBOT_FONTS", raising=False)
    with caplog.at_level(logging.WARNING, logger="reports.renderers.fonts"):
        assert fonts.fallback_families() == ()
        assert fonts.fallback_families() == ()  # looked up once
    hints = [r for r in caplog.records if r.getMessage() == fonts.MISSING_HINT]
    assert len(hints) == 1 and "fonts-noto-cjk" in hints[0].getMessage()
    assert fonts.sans() == ["DejaVu Sans"] and fonts.mono() == ["DejaVu Sans Mono"]


def test_families_named_by_the_operator_come_first(fresh_lookup, monkeypatch):
    monkeypatch.setattr(fonts, "KNOWN_FALLBACKS", ("No Such Font CJK",))
    monkeypatch.setenv("REPORTBOT_FONTS", "No Such Family, DejaVu Serif")  # DejaVu Serif ships with matplotlib
    assert fonts.fallback_families() == ("DejaVu Serif",)
    assert fonts.sans() == ["DejaVu Sans", "DejaVu Serif"]
