"""The json format (typed records, columns, period) and the html page (figures, chart, table),
both registered like every format, both escaping what comes from the data."""

from __future__ import annotations

import base64
import datetime as dt
import decimal
import html.parser
import io
import json

from reports.renderers import available_formats, get_renderer
from reports.renderers.html_page import content_from_summary, report_body_html
from reports.summary import summarize
from reports.table import Column, ColumnType, Table

COLUMNS = [
    Column("day", ColumnType.DATE),
    Column("at", ColumnType.DATETIME),
    Column("region", ColumnType.TEXT),
    Column("units", ColumnType.INTEGER),
    Column("revenue", ColumnType.NUMBER, unit="EUR"),
    Column("paid", ColumnType.BOOLEAN),
]
ROWS = [
    (dt.date(2026, 11, 23), dt.datetime(2026, 11, 23, 12, 30, tzinfo=dt.UTC), "North", 2**60, 1234.5, True),
    (dt.date(2026, 11, 24), None, '<script>alert("x")</script> & co', -3, decimal.Decimal("10.25"), False),
    (dt.date(2026, 11, 25), dt.datetime(2026, 11, 25, 8, 0), None, None, float("nan"), None),
]
OPTIONS = {"title": "Daily <sales>", "window_label": "23–25 Nov 2026", "timezone": "Europe/Berlin",
           "generated_at": dt.datetime(2026, 11, 26, 7, 0, tzinfo=dt.UTC),
           "window_start": dt.datetime(2026, 11, 22, 23, 0, tzinfo=dt.UTC),
           "window_end": dt.datetime(2026, 11, 25, 23, 0, tzinfo=dt.UTC)}


def render(fmt: str, table: Table, **options: object) -> bytes:
    out = io.BytesIO()
    get_renderer(fmt).render(table, out, {**OPTIONS, **options})
    return out.getvalue()


def test_both_are_registered_like_every_format():
    assert {"csv", "csv_raw", "xlsx", "png", "pdf", "json", "html"} <= set(available_formats())
    assert (get_renderer("json").extension, get_renderer("json").content_type) == ("json", "application/json")
    assert (get_renderer("html").extension, get_renderer("html").content_type) == ("html", "text/html")


def test_json_has_typed_records_the_columns_and_the_period():
    data = json.loads(render("json", Table.from_rows(COLUMNS, ROWS)))
    assert data["title"] == "Daily <sales>" and data["row_count"] == 3
    assert data["period"] == {"label": "23–25 Nov 2026", "start": "2026-11-23T00:00:00+01:00",
                              "end": "2026-11-26T00:00:00+01:00"}
    assert data["generated_at"] == "2026-11-26T08:00:00+01:00" and data["timezone"] == "Europe/Berlin"
    assert data["columns"][4] == {"name": "revenue", "type": "number", "unit": "money", "symbol": "€"}
    assert data["columns"][0] == {"name": "day", "type": "date"}
    first, second, third = data["rows"]
    assert first == {"day": "2026-11-23", "at": "2026-11-23T13:30:00+01:00", "region": "North",
                     "units": 2**60, "revenue": 1234.5, "paid": True}  # integers exact, any size
    assert second["revenue"] == 10.25 and second["units"] == -3 and second["paid"] is False
    assert second["region"] == '<script>alert("x")</script> & co'  # data, as it is: JSON escapes it itself
    assert third["revenue"] is None and third["region"] is None and third["at"] == "2026-11-25T08:00:00"


def test_json_of_an_empty_table_is_valid():
    data = json.loads(render("json", Table.from_rows(COLUMNS, [])))
    assert data["rows"] == [] and data["row_count"] == 0 and len(data["columns"]) == 6


class _Tags(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.images: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        if tag == "img":
            self.images.append(dict(attrs)["src"])

    def handle_data(self, data):
        self.text.append(data)


def parse_html(page: bytes) -> _Tags:
    parser = _Tags()
    parser.feed(page.decode("utf-8"))
    return parser


def test_html_page_is_self_contained_with_figures_chart_and_escaped_table():
    days = [(dt.date(2026, 11, d), None, f"R{d % 3}", d, 100.0 * d, True) for d in range(1, 15)]
    page = render("html", Table.from_rows(COLUMNS, days + ROWS[1:2]))
    parsed = parse_html(page)
    assert "script" not in parsed.tags, "data never becomes markup"
    text = "".join(parsed.text)
    assert '<script>alert("x")</script> & co' in text and "Daily <sales>" in text
    assert "Revenue" in text and "€10,510.25" in text  # a key figure in its unit
    assert "€1,400.00" in text and "23–25 Nov 2026" in text and "15 rows" in text
    [chart] = parsed.images
    assert chart.startswith("data:image/png;base64,")
    assert base64.b64decode(chart.split(",", 1)[1]).startswith(b"\x89PNG")
    assert "link" not in parsed.tags and b'src="http' not in page  # nothing to fetch: one file is the page


def test_html_email_body_comes_from_the_stored_summary_with_the_chart_by_cid():
    previous = summarize(Table.from_rows(COLUMNS, ROWS[:1])).to_json()
    summary = summarize(Table.from_rows(COLUMNS, ROWS), previous).to_json() | {
        "title": "Daily <sales>", "window_label": "23–25 Nov 2026", "notes": ["<b>only paid</b>"]}
    body = report_body_html(content_from_summary(json.loads(json.dumps(summary))), chart_src="cid:chart-1@x")
    parsed = parse_html(body.encode())
    assert parsed.images == ["cid:chart-1@x"] and "b" not in parsed.tags and "script" not in parsed.tags
    text = "".join(parsed.text)
    assert "<b>only paid</b>" in text and "Daily <sales>" in text
    assert "Revenue" in text and "€1,244.75" in text and "▲ 0.8% vs previous period" in text


def test_html_answer_is_the_typeset_markdown():
    page = render("html", Table.from_rows([Column("answer")], [("x",)]),
                  markdown="# Pulse\n\n**Up 12%** <!here> [site](https://evil.example)")
    parsed = parse_html(page)
    text = "".join(parsed.text)
    assert "Pulse" in text and "Up 12%" in text and "here" not in text.replace("Pulse", "")
    assert "site (https://evil.example)" in text and "strong" in parsed.tags and not parsed.images
