"""A Pulse answer (Markdown) is typeset as a PDF document from the same parse as its Slack text."""

from __future__ import annotations

import datetime as dt
import io

from pypdf import PdfReader

from reports.renderers import get_renderer
from reports.table import Column, Table

ANSWER = """# Weekly pulse

Revenue rose **12%** to _$48,300_; see `region` below. <!channel>

- North led
  - West grew fastest
1. First
2. See [the docs](https://example.com/docs)

```
SELECT * FROM sales WHERE a < b
```

| region | revenue |
|---|--:|
| North | 1,200 |
"""


def render(markdown: str) -> PdfReader:
    table = Table.from_rows([Column("answer")], [(line,) for line in markdown.splitlines() if line.strip()])
    out = io.BytesIO()
    get_renderer("pdf").render(table, out, {"title": "Pulse", "window_label": "Mon 23 Nov 2026, UTC",
                                            "generated_at": dt.datetime(2026, 11, 23, 8, tzinfo=dt.UTC),
                                            "markdown": markdown})
    return PdfReader(io.BytesIO(out.getvalue()))


def test_headings_lists_code_tables_and_links_are_typeset_without_markup():
    text = render(ANSWER).pages[0].extract_text()
    assert "Pulse" in text and "Mon 23 Nov 2026, UTC" in text and "Generated Mon 23 Nov 2026, 08:00" in text
    assert "Weekly pulse" in text and "# Weekly" not in text and "**" not in text
    assert "Revenue rose 12% to $48,300; see region below." in text
    assert "• North led" in text and "• West grew fastest" in text
    assert "2. See the docs (https://example.com/docs)" in text
    assert "SELECT * FROM sales WHERE a < b" in text and "```" not in text
    assert "North" in text and "1,200" in text and "|" not in text
    assert "channel" not in text  # the mention was dropped, as in Slack


def test_long_answers_run_over_pages_with_page_numbers():
    reader = render("\n\n".join(f"Paragraph {i}. " + "Lorem ipsum dolor sit amet " * 20 for i in range(40)))
    pages = [p.extract_text() for p in reader.pages]
    assert len(pages) >= 3
    assert all(f"Page {n} of {len(pages)}" in t for n, t in enumerate(pages, start=1))
    assert "Paragraph 39." in pages[-1]
