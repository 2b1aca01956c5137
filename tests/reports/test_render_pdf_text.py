"""The Pulse answer's PDF is the Markdown typeset: every word there, wrapped, paginated, numbered."""

from __future__ import annotations

import io

from pypdf import PdfReader

from reports.renderers import get_renderer
from reports.table import Column, Table


def test_markdown_answer_becomes_a_paginated_document():
    long_line = "Revenue grew in every region, " * 12 + "the end."
    markdown = "# Weekly pulse\n\n" + "\n".join(f"- point {i}: {long_line}" for i in range(30))
    table = Table.from_rows([Column("answer")], [[line] for line in markdown.splitlines()])
    out = io.BytesIO()
    get_renderer("pdf").render(table, out, {"title": "Pulse", "window_label": "Mon 23 Nov 2026, UTC",
                                            "markdown": markdown})
    reader = PdfReader(io.BytesIO(out.getvalue()))
    text = " ".join(page.extract_text() for page in reader.pages)
    assert len(reader.pages) >= 3 and f"Page 1 of {len(reader.pages)}" in text
    assert "Weekly pulse" in text and "point 29" in text and "the end." in text
    assert "#" not in text.split("Weekly pulse")[0][-3:]  # the heading marker is not printed
